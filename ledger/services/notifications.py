"""Telling people a spend return moved: its approvers when it is submitted, the people who
prepared it when it is sent back or approved.

Always in the site (``Notification``, listed at /notifications/ with an unread count in the
nav); by email too when a mail server is configured (``NOTIFY_BY_EMAIL``, on when
``EMAIL_HOST`` is set), sent by a Celery task after the step commits, so an outage of the mail
server or the broker never undoes a sign-off.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ledger.models import Membership, Notification, NotificationKind, Role, SpendReturn
from ledger.selectors.preparers import spend_return_author_ids

# The step, and who hears of it: the approvers, or the people who prepared the version.
TELLS_PREPARERS = (NotificationKind.SENT_BACK, NotificationKind.APPROVED)


def _recipient_ids(spend_return: SpendReturn, kind: str) -> set[int]:
    members = Membership.objects.filter(organisation_id=spend_return.organisation_id)
    if kind in TELLS_PREPARERS:
        # Those who prepared it and still act for the organisation (someone who has left is
        # not told of its returns).
        authors = spend_return_author_ids(spend_return=spend_return) - {None}
        members = members.filter(user_id__in=authors)
    else:
        members = members.filter(role=Role.APPROVER)
    return set(members.filter(user__is_active=True).values_list("user_id", flat=True))


def notifications_send(
    *,
    spend_return: SpendReturn,
    kind: str,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> list[Notification]:
    """Record a notification of ``kind`` for everyone it concerns (never the one who acted),
    in the caller's transaction; emails follow after it commits. Sending back or approving
    marks the approvers' unread "submitted" notifications of the return read."""
    if kind in TELLS_PREPARERS:
        # The request for sign-off is answered, by whichever approver: none still needs to act.
        Notification.objects.filter(
            spend_return=spend_return, kind=NotificationKind.SUBMITTED, read_at__isnull=True
        ).update(read_at=timezone.now())
    recipients = _recipient_ids(spend_return, kind) - {getattr(actor, "pk", None)}
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id, kind=kind, spend_return=spend_return, actor=actor, reason=reason
        )
        for user_id in sorted(recipients)
    )
    if notifications and settings.NOTIFY_BY_EMAIL:
        from ledger.tasks import notification_emails_send as task  # tasks import the services
        from totalplace.celery import send_or_log

        ids = [n.pk for n in notifications]
        transaction.on_commit(lambda: send_or_log(task, ids))
    return notifications


def _email(notification: Notification) -> tuple[str, str]:
    spend_return = notification.spend_return
    who = notification.actor.get_username() if notification.actor else "the system"
    # Through the notification, as the site's list links it: opening the email's link reads it
    # there too, and lands on the return.
    url = settings.SITE_URL.rstrip("/") + reverse("notification-open", args=[notification.pk])
    subject = f"{spend_return}: {notification.get_kind_display().lower()}"
    body = {
        NotificationKind.SUBMITTED: f"{who} submitted {spend_return} for sign-off. It is "
        "waiting for an approver.",
        NotificationKind.SENT_BACK: f"{who} sent {spend_return} back for changes: "
        f"{notification.reason}",
        NotificationKind.APPROVED: f"{who} approved {spend_return}: its lines now count in "
        "the totals.",
    }[notification.kind]
    return subject, f"{body}\n\n{url}\n"


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email each notification not emailed yet to its recipient (if they have an address);
    returns how many were sent. A re-run sends none twice."""
    sent = 0
    notifications = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related(
        "recipient", "actor", "spend_return__organisation", "spend_return__financial_year"
    )
    for notification in notifications:
        address = notification.recipient.email
        if not address:
            continue
        subject, body = _email(notification)
        send_mail(subject, body, None, [address])
        # One row at a time: a failure part-way leaves the rest to a re-run, none sent twice.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notifications_mark_read(*, user: AbstractBaseUser) -> int:
    """Mark all of ``user``'s unread notifications read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_read(*, user: AbstractBaseUser, pk: int) -> Notification:
    """Mark one of ``user``'s notifications read (the moment it was first read is kept).
    Anyone else's raises ``Notification.DoesNotExist``, as a missing one does, so a number
    tells no one whose notification it is."""
    notification = Notification.objects.select_related("spend_return").get(pk=pk, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
