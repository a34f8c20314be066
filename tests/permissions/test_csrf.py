"""CSRF on every form: each page's POST forms carry the token, and a POST without it is refused.

Django's test client skips CSRF checks unless asked, so these clients enforce them. Every
page is rendered as every role that may open it (forms differ by role); every page route that
takes a POST is then sent one without a token, as a role that would otherwise be let through.
Session-authenticated API writes must refuse a missing token too (DRF's SessionAuthentication);
token-authenticated ones carry no cookie to forge, so they need none.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from .cases import LOGIN
from .dataset_cases import DATASET_PAGES
from .ledger_pages import LEDGER_PAGES
from .pilot_cases import PILOT_PAGES
from .world import ADMIN, ANALYST, LEAD, TOKEN

pytestmark = pytest.mark.django_db

PAGES = LEDGER_PAGES + DATASET_PAGES + PILOT_PAGES
FORM_PAGES = [c for c in PAGES if c.method == "GET"]


def _lets_someone_through(case) -> bool:
    return any(status != LOGIN and status < 400 for status in case.expected.values())


# A case no role may POST (a draft-only action on a submitted return) cannot show a CSRF
# refusal; its route is tried through another case (``test_every_post_route_is_tried``).
POST_ROUTES = [c for c in PAGES if c.method == "POST" and _lets_someone_through(c)]


class FormParser(HTMLParser):
    """The page's forms: method, action, and whether a CSRF token field is inside."""

    def __init__(self):
        super().__init__()
        self.forms, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "csrf": False,
            }
        elif tag == "input" and self._open and attrs.get("name") == "csrfmiddlewaretoken":
            self._open["csrf"] = bool(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form" and self._open is not None:
            self.forms.append(self._open)
            self._open = None


def _allowed_role(case) -> str:
    """A role the case lets through (not a refusal): the one whose POST must fail on CSRF."""
    for role, status in case.expected.items():
        if status != LOGIN and status < 400:
            return role
    raise AssertionError(f"{case.name}: no role may POST here")


@pytest.mark.parametrize("case", FORM_PAGES, ids=lambda c: c.name)
def test_every_post_form_carries_a_csrf_token(world, case):
    forms_seen = []
    for role, status in case.expected.items():
        if status != 200:
            continue
        response = world.client(role, csrf=True).get(case.path(world))
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form["method"] == "post":
                assert form["csrf"], f"{role}: a POST form to '{form['action']}' has no token"
                forms_seen.append((role, form["action"] or case.path(world)))
    # Each form refuses a POST without the token (once per target route).
    tried = set()
    for role, action in forms_seen:
        route = resolve(urlsplit(action).path).route
        if route in tried:
            continue
        tried.add(route)
        response = world.client(role, csrf=True).post(action, {})
        assert response.status_code == 403 and b"CSRF" in response.content, (role, action)


@pytest.mark.parametrize("case", POST_ROUTES, ids=lambda c: c.name)
def test_a_post_without_the_token_is_refused(world, case):
    role = _allowed_role(case)
    data = case.data(world) if case.data else {}
    response = world.client(role, csrf=True).post(case.path(world), data)
    assert response.status_code == 403, f"{role}: {response.status_code}"
    assert b"CSRF verification failed" in response.content


def test_every_post_route_is_tried(world):
    def routes(cases):
        return {resolve(urlsplit(c.path(world)).path).route for c in cases}

    every = routes([c for c in PAGES if c.method == "POST"])
    assert every == routes(POST_ROUTES)


def test_the_login_and_logout_forms_need_the_token_too(world):
    for path in ("/accounts/login/", "/accounts/logout/"):
        response = world.client("anonymous", csrf=True).post(path, {"username": "x"})
        assert response.status_code == 403 and b"CSRF" in response.content


@pytest.mark.parametrize(
    "role, method, path, data",
    [
        (ANALYST, "post", "/api/v1/exports/", {"cut": "year:2010-11"}),
        (LEAD, "patch", "/api/v1/pilots/matrix-alpha/", {"summary": "Changed"}),
        (
            LEAD,
            "post",
            "/api/v1/initiatives/",
            {"pilot": "matrix-alpha", "title": "T", "service_theme": "matrix-theme"},
        ),
        (ADMIN, "delete", "/api/v1/place-budget-submissions/{submission}/", None),
    ],
)
def test_session_api_writes_need_the_csrf_token(world, role, method, path, data):
    path = path.format(submission=world.alpha_submission.public_id)
    client = world.client(role, api=True, csrf=True)
    response = getattr(client, method)(path, data, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("CSRF Failed")
    # With the token from the cookie in the header, the same write goes through.
    client.get("/accounts/login/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = getattr(client, method)(path, data, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code < 400, response.content


def test_token_api_writes_need_no_csrf_token(world):
    client = world.client(TOKEN, api=True, csrf=True)
    response = client.post(
        "/api/v1/organisation/spend-returns/", {"financial_year": "2010-11"}, format="json"
    )
    assert response.status_code == 201
