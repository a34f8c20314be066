"""The read API on a small factory-built ledger: whole responses, query counts, errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import SpendLine
from ledger.services.access import membership_grant
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_place_totals_whole_response(client, mini):
    body = client.get("/api/v1/places/E98000001/totals/").json()
    as_of = body.pop("as_of")
    assert as_of
    assert body == {
        "place": {"code": "E98000001", "name": "Testshire"},
        "includes_places_below": True,
        "illustrative": False,
        "years": [
            {
                "year": "2010-11",
                "amount": "1140.01",
                "lines": 4,
                "population": 1000,
                "population_year": None,
                "per_head": "1.14",
                # No line is dated and no officer declared the months: not known, not a part year.
                "coverage": {
                    "months": None,
                    "part_year": False,
                    "label": "months not known",
                    "by_organisation": [
                        {
                            "organisation": {"code": "TCC", "name": "Testshire County Council"},
                            "months": None,
                            "label": "months not known",
                            "part_year": False,
                        },
                        {
                            "organisation": {"code": "TPCT", "name": "Testshire PCT"},
                            "months": None,
                            "label": "months not known",
                            "part_year": False,
                        },
                    ],
                },
            }
        ],
        "year": "2010-11",
        "transfers": "net",
        "counted_nowhere": "0.00",
        "by_sector": [
            {
                "code": "local_government",
                "name": "Local government",
                "amount": "1100.01",
                "lines": 2,
            },
            {"code": "nhs", "name": "NHS", "amount": "40.00", "lines": 2},
        ],
        "by_theme": [
            {"code": "t-education", "name": "T Education", "amount": "990.00", "lines": 2},
            {"code": "t-roads", "name": "T Roads", "amount": "150.01", "lines": 2},
        ],
        "by_basis": [
            {"code": "direct", "name": "Direct", "amount": "1150.01", "lines": 3},
            {"code": "apportioned", "name": "Apportioned", "amount": "-10.00", "lines": 1},
        ],
        "not_reported": [],
    }


def test_place_totals_for_a_district_and_by_any_code(client, mini):
    body = client.get("/api/v1/places/north-testshire/totals/?year=2010-11").json()
    assert body["years"] == [
        {
            "year": "2010-11",
            "amount": "100.01",
            "lines": 1,
            "population": 600,
            "population_year": None,
            "per_head": "0.17",
            "coverage": {
                "months": None,
                "part_year": False,
                "label": "months not known",
                "by_organisation": [
                    {
                        "organisation": {"code": "TCC", "name": "Testshire County Council"},
                        "months": None,
                        "label": "months not known",
                        "part_year": False,
                    }
                ],
            },
        }
    ]
    missing = client.get("/api/v1/places/E98000001/totals/?year=1999-00")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_aggregate_cofog_split_is_exact(client, mini):
    response = client.get("/api/v1/aggregate/", {"cut": "place:E98000001", "drilldown": "cofog"})
    body = response.json()
    assert body.pop("as_of")
    assert body == {
        "cells": [
            {"cofog": {"code": "09.2", "name": "Secondary"}, "amount": "990.00", "lines": 2},
            {"cofog": {"code": "04.5", "name": "Transport"}, "amount": "135.01", "lines": 2},
            {"cofog": {"code": "06.4", "name": "Street lighting"}, "amount": "15.00", "lines": 2},
        ],
        "summary": {"amount": "1140.01", "lines": 4},
        "total_cell_count": 3,
        "page": 1,
        "page_size": 100,
        "cut": "place:E98000001",
        "transfers": "gross",
        "drilldown": ["cofog"],
        "order": ["amount:desc"],
    }


def test_aggregate_cut_by_cofog_division_and_two_drilldowns_paged(client, mini):
    body = client.get(
        "/api/v1/aggregate/",
        {
            "cut": "cofog_division:06|year:2010-11",
            "drilldown": "organisation|place",
            "order": "organisation:asc",
            "pagesize": 1,
            "page": 2,
        },
    ).json()
    assert body["summary"] == {"amount": "15.00", "lines": 2}
    assert body["total_cell_count"] == 2
    assert body["cells"] == [
        {
            "organisation": {"code": "TPCT", "name": "Testshire PCT"},
            "place": {"code": "E98000001", "name": "Testshire"},
            "amount": "5.00",
            "lines": 1,
        }
    ]


def test_aggregate_csv(client, mini):
    response = client.get(
        "/api/v1/aggregate/",
        {"cut": "place:testshire", "drilldown": "sector|basis", "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "sector_code,sector_name,basis_code,basis_name,amount,lines",
        "local_government,Local government,direct,Direct,1100.01,2",
        "nhs,NHS,direct,Direct,50.00,1",
        "nhs,NHS,apportioned,Apportioned,-10.00,1",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"cut": "nowhere:1"},
            "cut: unknown dimension “nowhere” in cut; use one of place, organisation, sector, "
            "theme, theme_group, cofog, cofog_division, year, basis, source, control",
        ),
        ({"cut": "place:ZZ999"}, "cut: no place “ZZ999”"),
        (
            {"drilldown": "colour"},
            "cut: unknown dimension “colour” in drilldown; use one of place, organisation, "
            "sector, theme, theme_group, cofog, cofog_division, year, basis, source, control",
        ),
        (
            {"order": "colour:desc"},
            "cut: cannot order by “colour”: use amount, lines or a drilldown dimension",
        ),
        ({"pagesize": "0"}, "pagesize: Ensure this value is greater than or equal to 1."),
    ],
)
def test_aggregate_errors_have_the_one_error_shape(client, mini, params, message):
    response = client.get("/api/v1/aggregate/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"], error["message"]) == (400, "invalid", message)


def test_lines_of_a_return_whole_response(client, mini):
    body = client.get(f"/api/v1/lines/?spend_return={mini['pct_return'].pk}").json()
    ids = list(mini["pct_return"].lines.order_by("id").values_list("id", flat=True))
    common = {
        "spend_return": mini["pct_return"].pk,
        "organisation": "TPCT",
        "sector": "nhs",
        "financial_year": "2010-11",
        "spend_kind": "revenue",
        "driver_source": "",
        "description": "",
        "expense_type": "",
        "expense_area": "",
        "supplier_name": "",
        "supplier_redacted": False,
        "transaction_date": None,
        "transaction_ref": "",
    }
    assert body == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": ids[0],
                **common,
                "place": "E98000001",
                "theme": "t-roads",
                "amount": "50.00",
                "basis": "direct",
                "driver": "",
                "source_row": 2,
            },
            {
                "id": ids[1],
                **common,
                "place": "E98000003",
                "theme": "t-education",
                "amount": "-10.00",
                "basis": "apportioned",
                "driver": "population",
                "source_row": 3,
            },
        ],
    }


def test_lines_filters_and_cursor_pages(client, mini):
    first = client.get("/api/v1/lines/", {"place": "E98000001", "limit": 3}).json()
    assert len(first["results"]) == 3 and "limit=3" in first["next"] and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert "limit=3" in second["previous"]
    assert client.get(second["previous"]).json()["results"] == first["results"]
    ids = [line["id"] for line in first["results"] + second["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert (
        client.get("/api/v1/lines/", {"sector": "nhs", "theme": "t-roads"}).json()["results"][0][
            "amount"
        ]
        == "50.00"
    )
    bad = client.get("/api/v1/lines/", {"year": "often"})
    assert bad.status_code == 400 and bad.json()["error"]["message"] == (
        "year: no financial year “often”"
    )


def test_spend_returns_drafts_only_to_their_organisation(client, mini):
    draft = spend_return_create(organisation=mini["pct"], financial_year=mini["year"], actor=None)
    spend_lines_add(
        spend_return=draft,
        lines=[SpendLine(place=mini["south"], theme=mini["roads"], amount="1.00")],
    )
    public = client.get("/api/v1/spend-returns/", {"organisation": "TPCT"}).json()
    assert [r["status"] for r in public["results"]] == ["approved"]
    assert client.get(f"/api/v1/lines/?spend_return={draft.pk}").json()["results"] == []
    assert client.get(f"/api/v1/spend-returns/{draft.pk}/").status_code == 404

    member = UserFactory()
    membership_grant(user=member, organisation=mini["pct"], role="finance_officer")
    client.force_login(member)
    own = client.get("/api/v1/spend-returns/", {"organisation": "TPCT"}).json()
    assert [(r["version"], r["status"]) for r in own["results"]] == [(2, "draft"), (1, "approved")]
    assert own["results"][1] == {
        "id": mini["pct_return"].pk,
        "organisation": "TPCT",
        "financial_year": "2010-11",
        "place": None,
        "version": 1,
        "status": "approved",
        "title": "T",
        "source_filename": "",
        "source_sha256": "",
        "control_total": None,
        "is_illustrative": False,
        "created_at": own["results"][1]["created_at"],
        "submitted_at": own["results"][1]["submitted_at"],
        "approved_at": own["results"][1]["approved_at"],
        "superseded_at": None,
    }
    lines = client.get(f"/api/v1/lines/?spend_return={draft.pk}").json()["results"]
    assert [line["amount"] for line in lines] == ["1.00"]


def test_reference_detail_whole_responses(client, mini):
    assert client.get("/api/v1/places/north-testshire/").json() == {
        "code": "E98000002",
        "gss_code": "E98000002",
        "snac_code": None,
        "slug": "north-testshire",
        "name": "North Testshire",
        "official_name": "",
        "kind": "district",
        "parent": "E98000001",
        "valid_from": None,
        "valid_to": None,
    }
    assert client.get("/api/v1/organisations/TCC/").json() == {
        "code": "TCC",
        "name": "Testshire County Council",
        "sector": "local_government",
        "kind": "",
        "parent": None,
        "home_place": "E98000001",
    }
    assert client.get("/api/v1/themes/t-roads/").json() == {
        "code": "t-roads",
        "name": "T Roads",
        "parent": None,
        "sort_order": 2,
    }
    assert client.get("/api/v1/financial-years/2010-11/").json() == {
        "code": "2010-11",
        "start_date": "2010-04-01",
        "end_date": "2011-03-31",
    }
    assert client.get("/api/v1/organisations/NOPE/").json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "No organisation with code “NOPE”.",
        }
    }


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # One query a page: cursor pages need no COUNT (offset pages took two).
        ("/api/v1/places/?parent=E98000001", 1),
        ("/api/v1/organisations/?sector=nhs", 1),
        ("/api/v1/themes/", 1),
        ("/api/v1/financial-years/", 1),
        ("/api/v1/spend-returns/", 1),
        ("/api/v1/lines/?place=E98000001", 4),
        ("/api/v1/aggregate/?cut=place:E98000001&drilldown=organisation|year", 8),
    ],
)
def test_list_endpoints_use_a_fixed_number_of_queries(
    client, mini, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_list_query_counts_do_not_grow_with_rows(client, mini):
    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx)

    assert client.get("/api/v1/lines/?limit=4").status_code == 200
    small = count("/api/v1/lines/?limit=1")
    large = count("/api/v1/lines/?limit=4")
    assert small == large


def test_page_sizes_beyond_reason_are_not_a_crash(client, reference_data):
    """Found by the API fuzz: a limit past bigint reached PostgreSQL as LIMIT (a 500)."""
    response = client.get("/api/v1/places/", {"limit": "1" * 27})
    assert response.status_code == 200
    assert len(response.json()["results"]) > 300  # England's places: the query really ran


def test_the_page_size_is_capped_at_a_thousand(rf):
    from rest_framework.request import Request

    from totalplace.pagination import KeysetPagination, limit_from

    request = Request(rf.get("/api/v1/places/", {"limit": "5000"}))
    assert limit_from(request) == KeysetPagination().get_page_size(request) == 1000


def test_a_limit_past_any_integer_is_capped_not_a_server_error(client, mini):
    response = client.get("/api/v1/themes/", {"limit": "1" + "0" * 30})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"} and len(body["results"]) >= 2


@pytest.mark.parametrize("limit", ["0", "-5", "ten", "1.5"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(client, mini, limit):
    response = client.get("/api/v1/themes/", {"limit": limit})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "limit: A positive whole number."


def test_offsets_are_gone_and_say_so(client, mini):
    """One pagination style: ``offset`` is refused, naming the parameters that page."""
    message = client.get("/api/v1/themes/", {"offset": "5"}).json()["error"]["message"]
    assert message.startswith("offset: Unknown query parameter.")
    assert "cursor, format, limit" in message
