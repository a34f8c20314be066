"""The demo sign-ins `make run` creates: one per role, only with DEBUG on, never reset."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from ledger.models import Role
from ledger.permissions import ANALYSTS_GROUP
from ledger.selectors.access import user_organisations
from ledger.services.demo_accounts import DEMO_PASSWORD, DEMO_ROLES, demo_accounts_create
from pilots.models import PilotLead
from savings.services.demo import DEMO_PILOT_SLUG, demo_pilot_lead_grant

pytestmark = pytest.mark.django_db
DEMO_COUNCILS = {"Cumbria County Council", "Leeds City Council", "Craven District Council"}


def _names(user, role):
    return set(user_organisations(user=user, role=role).values_list("name", flat=True))


def test_the_command_makes_no_demo_sign_ins_without_debug(settings, reference_data):
    settings.DEBUG = False
    err = io.StringIO()
    call_command("load_demo", "--skip-datasets", "--accounts", stdout=io.StringIO(), stderr=err)
    assert "Demo sign-ins not created" in err.getvalue()
    assert not get_user_model().objects.filter(username__in=DEMO_ROLES).exists()
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", "--skip-datasets", "--accounts", "--password", "pw-0", stdout=out)
    assert "officer   finance officer  password pw-0" in out.getvalue()
    assert set(get_user_model().objects.values_list("username", flat=True)) >= set(DEMO_ROLES)


def test_each_demo_sign_in_holds_its_role(reference_data, client):
    accounts = demo_accounts_create(password="pw-1", pilot_lead_grant=demo_pilot_lead_grant)
    assert [(a.username, a.created) for a in accounts] == [
        ("officer", True),
        ("approver", True),
        ("analyst", True),
        ("lead", True),
        ("admin", True),
    ]
    users = {u.username: u for u in get_user_model().objects.all()}
    # The officer and the approver act for the demo county and the councils of the real files.
    assert _names(users["officer"], Role.FINANCE_OFFICER) == DEMO_COUNCILS
    assert _names(users["officer"], Role.APPROVER) == set()
    assert _names(users["approver"], Role.APPROVER) == DEMO_COUNCILS
    assert _names(users["approver"], Role.FINANCE_OFFICER) == set()
    assert list(users["analyst"].groups.values_list("name", flat=True)) == [ANALYSTS_GROUP]
    assert PilotLead.objects.filter(user=users["lead"], pilot__slug=DEMO_PILOT_SLUG).exists()
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not any(users[name].is_staff for name in ("officer", "approver", "analyst", "lead"))
    assert client.login(username="officer", password="pw-1")


def test_an_account_that_exists_is_left_as_it_is(reference_data, client):
    get_user_model().objects.create_user(username="admin", password="their own")
    accounts = demo_accounts_create(password="pw-2", pilot_lead_grant=demo_pilot_lead_grant)
    assert {a.username: a.created for a in accounts}["admin"] is False
    admin = get_user_model().objects.get(username="admin")
    assert not admin.is_superuser
    assert client.login(username="admin", password="their own")
    assert not client.login(username="admin", password="pw-2")
    # Running again creates nothing and resets nothing.
    again = demo_accounts_create(password="pw-3", pilot_lead_grant=demo_pilot_lead_grant)
    assert not any(a.created for a in again)
    assert client.login(username="officer", password="pw-2")


def test_the_sign_in_page_lists_the_demo_sign_ins_only_with_debug(client, settings):
    settings.DEBUG = True
    page = client.get(reverse("login")).content.decode()
    assert DEMO_PASSWORD in page and "<code>officer</code>: finance officer" in page
    settings.DEBUG = False
    page = client.get(reverse("login")).content.decode()
    assert DEMO_PASSWORD not in page and "officer" not in page
