"""Sign-ins for trying the app on a laptop: one person per role, with a shared password.

``make run`` creates them (``load_demo --accounts``) so that someone evaluating TotalPlace can
upload the sample spend files as a finance officer, sign the return off as an approver and
download lines as an analyst without first learning the admin. Known passwords never belong on
a real server: the command makes them only with ``DEBUG`` on, and an account that already
exists is left exactly as it is (its password and roles are never reset).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ledger.models import Organisation, Role
from ledger.permissions import ANALYSTS_GROUP

from .access import membership_grant

# Cumbria County Council (the demo's county) and the councils behind the two real files in
# fixtures/samples, so the officer can import them: Leeds (00DA) and Craven (E07000163).
DEMO_ORGANISATIONS = ("E10000006", "00DA", "E07000163")
DEMO_PASSWORD = "totalplace-demo"  # noqa: S105 - a laptop demo's, only with DEBUG
# Username and what it may do, for the command's summary and the sign-in page (DEBUG only).
DEMO_ROLES = {
    "officer": "finance officer",
    "approver": "approver",
    "analyst": "analyst",
    "lead": "pilot lead",
    "admin": "admin",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    created: bool


def _roles(user, role: str) -> None:
    for code in DEMO_ORGANISATIONS:
        for organisation in Organisation.objects.by_code(code):
            membership_grant(user=user, organisation=organisation, role=role)


@transaction.atomic
def demo_accounts_create(*, password: str, pilot_lead_grant) -> list[DemoAccount]:
    """Create the demo sign-ins that do not exist yet; ``pilot_lead_grant(user)`` makes the
    pilot lead (the pilots app owns pilots). Returns every demo account, new or not."""
    users = get_user_model()
    grants = {
        "officer": lambda user: _roles(user, Role.FINANCE_OFFICER),
        "approver": lambda user: _roles(user, Role.APPROVER),
        "analyst": lambda user: user.groups.add(
            Group.objects.get_or_create(name=ANALYSTS_GROUP)[0]
        ),
        "lead": pilot_lead_grant,
        "admin": None,
    }
    accounts = []
    for username, role in DEMO_ROLES.items():
        grant = grants[username]
        user, created = users.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.is_staff = user.is_superuser = username == "admin"
            user.save()
            if grant:
                grant(user)
        accounts.append(DemoAccount(username=username, role=role, created=created))
    return accounts
