"""Where an officer's day starts: sign-in lands on "Waiting for you", and the returns list
opens on their own organisations' returns."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ledger.permissions import ANALYSTS_GROUP
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def _sign_in(client, user, **query):
    user.set_password(PASSWORD)
    user.save()
    return client.post(
        reverse("login") + ("?next=" + query["next"] if query else ""),
        {"username": user.username, "password": PASSWORD},
    )


def test_an_officer_lands_on_what_waits_for_them(client, officer):
    assert _sign_in(client, officer)["Location"] == reverse("spend-return-list") + "#waiting"


def test_a_next_page_still_wins(client, officer):
    assert _sign_in(client, officer, next="/compare/")["Location"] == "/compare/"


def test_anyone_else_lands_on_the_places(client, reference_data):
    assert _sign_in(client, UserFactory())["Location"] == reverse("home")


@pytest.fixture
def approved_elsewhere(leeds_draft, officer, approver, craven, year_2010):
    """Leeds approved; a Cumbria County Council return approved by the system."""
    from ledger.models import Organisation

    confirmed(leeds_draft, [dclg_row()])
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason="January only.")
    cumbria = Organisation.objects.by_code("E10000006").get()
    other = spend_return_create(organisation=cumbria, financial_year=year_2010, actor=None)
    confirmed(other, [dclg_row(body="E10000006")])
    spend_return_submit(spend_return=other, actor=None)
    return spend_return_approve(spend_return=other, actor=None)


def test_the_list_opens_on_ones_own_organisations(client, officer, approved_elsewhere):
    client.force_login(officer)
    page = client.get(reverse("spend-return-list")).content.decode()
    assert '<option value="own" selected>Your organisations</option>' in page
    assert f"/spend-returns/{approved_elsewhere.pk}/" not in page
    assert "Leeds City Council" in page
    everyone = client.get(reverse("spend-return-list"), {"organisation": "all"}).content.decode()
    assert f"/spend-returns/{approved_elsewhere.pk}/" in everyone
    assert '<option value="all" selected>All</option>' in everyone


def test_an_analyst_opens_on_everyones(client, approved_elsewhere):
    analyst = UserFactory()
    analyst.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    client.force_login(analyst)
    page = client.get(reverse("spend-return-list")).content.decode()
    assert "Your organisations" not in page
    assert f"/spend-returns/{approved_elsewhere.pk}/" in page
