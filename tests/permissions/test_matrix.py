"""The permission matrix: every page and API endpoint, as every role and anonymous.

Each case is one request; each role makes it in a savepoint rolled back afterwards, so a write
one role may make never changes what the next role sees. ``test_every_route_is_in_the_matrix``
walks the URL resolver: a new route without a case here fails the suite.
"""

from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from .cases import outcome
from .dataset_cases import DATASET_API, DATASET_PAGES
from .explorer_cases import EXPLORER_PAGES
from .ledger_api import LEDGER_API
from .ledger_pages import LEDGER_PAGES
from .pilot_cases import PILOT_API, PILOT_PAGES

pytestmark = pytest.mark.django_db

CASES = (
    LEDGER_PAGES
    + LEDGER_API
    + DATASET_PAGES
    + DATASET_API
    + PILOT_PAGES
    + PILOT_API
    + EXPLORER_PAGES
)
# The admin site has its own permissions (staff status and model permissions): see
# tests/test_roles_admin.py. Format-suffix routes (``places.json``) are the same views.
NOT_IN_MATRIX = ("admin/",)


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "format" not in pattern.pattern.regex.groupindex:
            yield route


def _send(world, case, role):
    client = world.client(role, api=case.api)
    path = case.path(world)
    data = case.data(world) if case.data else None
    send = getattr(client, case.method.lower())
    if case.api and data is not None:
        return send(path, data, format=case.format)
    return send(path, data) if data is not None else send(path)


def test_case_names_are_unique():
    names = [("api " if c.api else "page ") + c.name for c in CASES]
    assert len(names) == len(set(names))


def test_every_route_is_in_the_matrix(world):
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith(NOT_IN_MATRIX)}
    covered = {resolve(urlsplit(case.path(world)).path).route for case in CASES}
    assert routes - covered == set(), "routes with no case in the permission matrix"


@pytest.mark.parametrize("case", CASES, ids=lambda c: ("api-" if c.api else "page-") + c.name)
def test_permission_matrix(world, case):
    failures = []
    for role in case.roles:
        with transaction.atomic():
            response = _send(world, case, role)
            got, wanted = outcome(response), case.expected[role]
            if got != wanted:
                failures.append(f"{role}: {case.method} got {got}, expected {wanted}")
            elif case.check:
                try:
                    case.check(world, role, response)
                except AssertionError as exc:
                    failures.append(f"{role}: {exc}")
            transaction.set_rollback(True)
    assert not failures, f"{case.method} {case.path(world)}\n" + "\n".join(failures)
