"""Notifications when a return is submitted (to its approvers), sent back or approved (to the
people who prepared it): in the site always, by email once a mail server is configured."""

import pytest
from django.core import mail
from django.urls import reverse

from ledger.models import Notification, NotificationKind, Role
from ledger.services.access import membership_grant
from ledger.services.approval import (
    spend_return_approve,
    spend_return_send_back,
    spend_return_submit,
)
from ledger.services.notifications import notification_emails_send
from tests.factories import UserFactory
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db


def _told(kind):
    return sorted(
        (n.recipient.username, n.spend_return_id)
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    )


@pytest.fixture
def submitted(leeds_draft, officer, approver, leeds):
    """Leeds's draft, prepared and submitted by the officer; a second approver, and an
    approver of Leeds only who has since left (inactive)."""
    second = UserFactory(username="second-approver")
    gone = UserFactory(username="gone", is_active=False)
    for user in (second, gone):
        membership_grant(user=user, organisation=leeds, role=Role.APPROVER)
    confirmed(leeds_draft, [dclg_row()])
    return spend_return_submit(spend_return=leeds_draft, actor=officer)


def test_submitting_tells_the_approvers(submitted, officer):
    assert _told(NotificationKind.SUBMITTED) == [
        ("approver", submitted.pk),
        ("second-approver", submitted.pk),
    ]


def test_sending_back_and_approving_tell_who_prepared_it(submitted, officer, approver):
    spend_return_send_back(spend_return=submitted, actor=approver, reason="Row 3 twice")
    sent_back = Notification.objects.get(kind=NotificationKind.SENT_BACK)
    assert (sent_back.recipient, sent_back.actor, sent_back.reason) == (
        officer,
        approver,
        "Row 3 twice",
    )
    spend_return_submit(spend_return=submitted, actor=officer)
    spend_return_approve(spend_return=submitted, actor=approver, reason="January only.")
    # The officer prepared it; the approver who acted is never told of their own step.
    assert _told(NotificationKind.APPROVED) == [("officer", submitted.pk)]


def test_an_answered_request_for_sign_off_is_no_longer_new_to_any_approver(
    submitted, officer, approver
):
    unread = Notification.objects.filter(kind=NotificationKind.SUBMITTED, read_at__isnull=True)
    assert unread.count() == 2
    spend_return_send_back(spend_return=submitted, actor=approver, reason="Row 3 twice")
    assert not unread.exists()  # the second approver's too: it is answered
    spend_return_submit(spend_return=submitted, actor=officer)
    assert unread.count() == 2
    spend_return_approve(spend_return=submitted, actor=approver, reason="January only.")
    assert not unread.exists()
    officer_unread = Notification.objects.filter(recipient=officer, read_at__isnull=True)
    assert officer_unread.count() == 2  # sent back, approved: the officer's to read


def test_emails_are_sent_after_commit_when_configured(
    client, settings, leeds_draft, officer, approver, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = True
    settings.SITE_URL = "https://totalplace.example"
    approver.email = "approver@example.org"
    approver.save()
    confirmed(leeds_draft, [dclg_row()])
    with django_capture_on_commit_callbacks() as callbacks:
        spend_return_submit(spend_return=leeds_draft, actor=officer)
        assert mail.outbox == []  # nothing before the step commits
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: Celery (eager here) sends
    (email,) = mail.outbox
    assert email.to == ["approver@example.org"]
    assert email.subject == f"{leeds_draft}: submitted for sign-off"
    notification = Notification.objects.get(recipient=approver)
    # The link opens the notification (so following it marks it read), then the return.
    assert f"https://totalplace.example/notifications/{notification.pk}/" in email.body
    client.force_login(approver)
    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened["Location"] == reverse("spend-return-detail", args=[leeds_draft.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    # A re-run of the task sends nothing twice.
    assert notification.emailed_at is not None
    assert notification_emails_send(notification_ids=[notification.pk]) == 0
    assert len(mail.outbox) == 1


def test_no_email_without_a_mail_server(
    settings, leeds_draft, officer, approver, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = False
    approver.email = "approver@example.org"
    approver.save()
    confirmed(leeds_draft, [dclg_row()])
    with django_capture_on_commit_callbacks(execute=True):
        spend_return_submit(spend_return=leeds_draft, actor=officer)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=approver).exists()  # in the site still


def test_the_list_page_and_the_unread_count(client, submitted, approver, officer):
    client.force_login(approver)
    page = client.get(reverse("spend-return-list")).content.decode()
    assert (
        'Notifications <span class="badge badge-count">1<span class="visually-hidden"> unread'
        in page
    )
    listing = client.get(reverse("notification-list")).content.decode()
    notification = Notification.objects.get(recipient=approver)
    assert f'<a href="/notifications/{notification.pk}/">{submitted}</a>' in listing
    assert "Submitted for sign-off" in listing and ">officer<" in listing
    assert "badge-unread" in listing
    response = client.post(reverse("notifications-read"), follow=True)
    assert "1 notification marked as read." in response.content.decode()
    assert 'class="badge badge-count"' not in response.content.decode()
    # Each person sees only their own.
    client.force_login(officer)
    assert str(submitted) not in client.get(reverse("notification-list")).content.decode()


def test_one_notification_is_marked_read_by_its_button_or_by_opening_it(
    client, submitted, approver
):
    Notification.objects.create(  # a second one for the approver
        recipient=approver, kind=NotificationKind.SUBMITTED, spend_return=submitted
    )
    first, newer = Notification.objects.filter(recipient=approver).order_by("created_at", "pk")
    client.force_login(approver)
    listing = client.get(reverse("notification-list")).content.decode()
    # A button per unread row, in a form of its own (CSRF), named for screen readers.
    button = f'action="{reverse("notification-read", args=[first.pk])}"'
    assert button in listing and "csrfmiddlewaretoken" in listing
    assert f'Mark read<span class="visually-hidden">: {submitted}, ' in listing
    response = client.post(reverse("notification-read", args=[first.pk]), {"page": "1"})
    assert response["Location"] == reverse("notification-list") + "?page=1"
    first.refresh_from_db()
    newer.refresh_from_db()
    assert first.read_at is not None and newer.read_at is None  # only that one
    read_at = first.read_at
    client.post(reverse("notification-read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at == read_at  # the first reading is kept
    listing = client.get(reverse("notification-list")).content.decode()
    assert button not in listing
    assert 'class="badge badge-count">1<' in listing
    # Opening the other (its link in the list) reads it and shows the return.
    opened = client.get(reverse("notification-open", args=[newer.pk]))
    assert opened["Location"] == reverse("spend-return-detail", args=[newer.spend_return_id])
    newer.refresh_from_db()
    assert newer.read_at is not None
