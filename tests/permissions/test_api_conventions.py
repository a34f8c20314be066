"""Conventions every API route keeps, walked from the URL conf (a new route is covered at once):

- an unknown query parameter is a 400 naming the valid ones, never silently ignored;
- the valid ones are exactly those the OpenAPI schema lists for the operation;
- every list pages the same way: ``limit`` rows, ``next``/``previous`` links with a cursor.
"""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from ledger.services.access import api_token_create

from .world import APPROVER, TOKEN

pytestmark = pytest.mark.django_db

UNKNOWN = "Unknown query parameter. Valid parameters here: "


def _api_routes(patterns, prefix=""):
    for pattern in patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and route.startswith("api/v1/")
            and "format" not in pattern.pattern.regex.groupindex  # ``.json`` suffixes: same views
        ):
            yield route, pattern


def _example_path(route: str) -> str:
    """The route with every path parameter set to 1 (objects need not exist: the parameters
    are checked before any object is looked up)."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = sorted(_api_routes(get_resolver().url_patterns), key=lambda r: r[0])


def _lists(pattern) -> bool:
    actions = getattr(pattern.callback, "actions", None)
    if actions is not None:
        return actions.get("get") == "list"
    view_class = getattr(pattern.callback, "cls", None)
    return view_class is not None and issubclass(view_class, ListModelMixin)


LISTS = [(route, pattern) for route, pattern in ROUTES if _lists(pattern)]


def _valid(response, name: str = "financial_year") -> list[str]:
    body = response.json()["error"]
    assert response.status_code == 400 and body["code"] == "invalid", body
    (message,) = body["details"][name]
    assert message.startswith(UNKNOWN), message
    return message.removeprefix(UNKNOWN).rstrip(".").split(", ")


def test_the_walk_finds_the_api():
    assert len(ROUTES) > 40 and len(LISTS) > 15
    for route, pattern in ROUTES:
        assert resolve(_example_path(route)).func == pattern.callback, route


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_every_route_refuses_an_unknown_query_parameter(world, route, pattern):
    """Checked once the caller may use the route: as a finance officer's token (an
    approver's, where only approvers may)."""
    client = world.client(TOKEN, api=True)
    if route.endswith("/approve/"):
        _, key = api_token_create(user=world.users[APPROVER], organisation=world.org_a, name="a")
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(_example_path(route), {"colour": "blue"})
    assert "format" in _valid(response, "colour")


def test_lines_name_their_filters_and_pages(world):
    """The issue's example: ``financial_year`` was ignored on the lines and every year listed."""
    response = world.client(TOKEN, api=True).get("/api/v1/lines/?financial_year=2010-11")
    assert _valid(response) == [
        "basis",
        "cursor",
        "format",
        "limit",
        "organisation",
        "place",
        "sector",
        "spend_return",
        "theme",
        "year",
    ]
    aggregate = world.client(TOKEN, api=True).get("/api/v1/aggregate/?financial_year=2010-11")
    assert _valid(aggregate) == [
        "cut",
        "drilldown",
        "format",
        "order",
        "page",
        "pagesize",
        "transfers",
    ]


def test_the_schema_lists_exactly_the_parameters_each_read_takes(world):
    client = world.client(TOKEN, api=True)
    schema = json.loads(client.get("/api/schema/?format=json").content)
    mismatches = []
    for template, operations in schema["paths"].items():
        if "get" not in operations or not template.startswith("/api/v1/"):
            continue  # the schema's own route (drf-spectacular's: ``format`` and ``lang``)
        documented = {
            p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"
        }
        path = re.sub(r"\{\w+\}", "1", template)
        valid = set(_valid(client.get(path, {"colour": "x"}), "colour")) - {"format"}
        if valid != documented - {"format"}:
            mismatches.append(f"{template}: takes {sorted(valid)}, documents {sorted(documented)}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(("route", "pattern"), LISTS, ids=[r for r, _ in LISTS])
def test_every_list_pages_by_limit_and_cursor(world, route, pattern):
    client = world.client(TOKEN, api=True)
    response = client.get(_example_path(route), {"limit": 1})
    if response.status_code == 404:  # a list of something (an edition's lines) not there
        return
    body = response.json()
    assert response.status_code == 200 and set(body) == {"next", "previous", "results"}, body
    assert len(body["results"]) <= 1 and body["previous"] is None
    if body["next"]:
        assert "limit=1" in body["next"] and "cursor=" in body["next"]
        following = client.get(body["next"]).json()
        assert following["results"] and following["results"] != body["results"]
        assert client.get(following["previous"]).json()["results"] == body["results"]


def test_lines_honour_limit_and_keep_it_in_their_links(world):
    client = world.client(TOKEN, api=True)
    first = client.get("/api/v1/lines/", {"limit": 1, "year": "2010-11"}).json()
    assert len(first["results"]) == 1
    assert "limit=1" in first["next"] and "year=2010-11" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["results"][0]["id"] > first["results"][0]["id"]
    everything = client.get("/api/v1/lines/", {"year": "2010-11"}).json()["results"]
    assert len(everything) >= 2 and everything[:2] == first["results"] + second["results"]
    assert isinstance(everything[0]["amount"], str)  # money stays an exact decimal string
