"""The vocabulary of the permission matrix: a case is one request (method, path, body) and the
status each role must get. ``check`` adds what a status cannot say: which rows a list shows,
or that a refused write changed nothing."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .world import (
    ADMIN,
    ANALYST,
    ANON,
    API_ROLES,
    APPROVER,
    EDITOR,
    LEAD,
    OFFICER,
    OUTSIDER,
    SESSION_ROLES,
    TOKEN,
)

LOGIN = "login"  # a page sends visitors to sign in (a 302 to the sign-in page)
UNAUTHENTICATED = 401  # the API asks for credentials

ROLE_NAMES = {
    "anonymous": ANON,
    "outsider": OUTSIDER,
    "officer": OFFICER,
    "approver": APPROVER,
    "analyst": ANALYST,
    "lead": LEAD,
    "editor": EDITOR,
    "admin": ADMIN,
    "token": TOKEN,
}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable
    expected: dict
    api: bool = False
    data: Callable | None = None
    format: str = "json"
    check: Callable | None = None  # check(world, role, response)

    @property
    def roles(self) -> list[str]:
        return API_ROLES if self.api else SESSION_ROLES


def outcome(response) -> int | str:
    """The status, or LOGIN for a redirect to the sign-in page (unlike a form's success)."""
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


def expect(default: int, *, api: bool = False, **overrides) -> dict:
    """``default`` for every role, except those named (by the keys of ROLE_NAMES)."""
    roles = API_ROLES if api else SESSION_ROLES
    expected = dict.fromkeys(roles, default)
    for key, status in overrides.items():
        expected[ROLE_NAMES[key]] = status
    unknown = set(expected) - set(roles)
    assert not unknown, f"roles not in this matrix: {unknown}"
    return expected


def page(name, path, expected, *, method="GET", data=None, check=None) -> Case:
    return Case(name, method, path, expected, api=False, data=data, check=check)


def api(name, path, expected, *, method="GET", data=None, format="json", check=None) -> Case:
    return Case(name, method, path, expected, api=True, data=data, format=format, check=check)


def lists(present_for: set[str], item: Callable, *, api: bool = False, key="id") -> Callable:
    """A check: the listing shows ``item(world)`` (in the rows' ``key``, for the API; in the
    page, for a page) to exactly the roles in ``present_for``."""

    def check(world, role, response):
        if response.status_code != 200:
            return
        needle = item(world)
        if api:
            body = response.json()
            rows = body["results"] if isinstance(body, dict) else body
            shown = any(str(row.get(key)) == needle for row in rows)
        else:
            shown = needle in response.content.decode()
        assert shown == (role in present_for), (
            f"{role} {'sees' if shown else 'does not see'} {needle}"
        )

    return check


def unchanged(read: Callable, expected_value) -> Callable:
    """A check for refused writes: ``read(world)`` still equals ``expected_value`` unless the
    response was a success (2xx or a redirect that is not to the sign-in page)."""

    def check(world, role, response):
        refused = response.status_code >= 400 or outcome(response) == LOGIN
        if refused:
            assert read(world) == expected_value, f"{role} was refused but the data changed"

    return check
