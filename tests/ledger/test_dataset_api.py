"""The datasets API and the count of a place, on the small factory-built ledger (``mini``) with
a top-down edition and a bottom-up one written straight to the database: whole responses,
visibility, cursor pages, query counts. One test reads lines loaded from a real-layout file."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import DatasetEditionYear, DatasetNotReported, Place, Sector
from ledger.services.rollups import rollup_rebuild
from tests.factories import OrganisationFactory, UserFactory
from tests.ledger.dataset_helpers import editor
from tests.ledger.dataset_world import ADUR, Status, approved_datasets, orm_edition, orm_figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(mini):
    """Testshire's returns, plus: a department's top-down estimate (£300.00, North 180 / South
    120); a sector total's estimate (£100.00) that the county council's return outranks; the
    fire authority listed as not reported by a bottom-up edition; the police with no figures;
    and a loaded edition not yet approved."""
    county, north, south, year = mini["county"], mini["north"], mini["south"], mini["year"]
    department = OrganisationFactory(
        code="TDWP", name="Test Department for Work", sector=Sector.CENTRAL_GOVERNMENT
    )
    sector_total = OrganisationFactory(
        code="TLG",
        name="Local government in Testshire",
        aggregate_of=["local_government", "police", "fire"],
    )
    police = OrganisationFactory(code="TPOL", name="Testshire Police", sector=Sector.POLICE)
    fire = OrganisationFactory(code="TFIRE", name="Testshire Fire", sector=Sector.FIRE)
    police.places.set([county])
    fire.places.set([county])
    top_down = orm_edition(slug="cra-test", edition="CRA 2011")
    orm_figure(
        top_down,
        organisation=department,
        year=year,
        theme=mini["roads"],
        shares={north: Decimal("180.00"), south: Decimal("120.00")},
        region="NORTH",
    )
    orm_figure(
        top_down,
        organisation=sector_total,
        year=year,
        theme=mini["education"],
        shares={north: Decimal("60.00"), south: Decimal("40.00")},
        row=3,
        region="NORTH",
    )
    bottom_up = orm_edition(slug="ra-test", route="bottom_up", edition="2010-11")
    DatasetEditionYear.objects.create(edition=bottom_up, financial_year=year, is_current=True)
    DatasetNotReported.objects.create(
        edition=bottom_up, organisation=fire, financial_year=year, source_row=7, cells=12
    )
    bottom_up.not_reported_count = 1
    bottom_up.years = [year.code]
    bottom_up.save()
    draft = orm_edition(slug="draft-test", status=Status.LOADED, edition="Draft")
    orm_figure(
        draft,
        organisation=department,
        year=year,
        theme=mini["roads"],
        shares={north: Decimal("1.00")},
    )
    rollup_rebuild()
    return {**mini, "top_down": top_down, "bottom_up": bottom_up, "draft": draft, "fire": fire}


def _edition(edition, **changes) -> dict:
    body = {
        "id": edition.pk,
        "dataset": edition.dataset.slug,
        "edition": edition.edition,
        "version": 1,
        "status": "approved",
        "status_label": "Approved",
        "is_illustrative": False,
        "filename": edition.filename,
        "sha256": edition.sha256,
        "unit_factor": 1,
        "measure": "",
        "years": [],
        "money": {"read": "0.00", "loaded": "0.00", "excluded": [], "adds_up": True},
        "line_count": 0,
        "not_reported_count": 0,
        "not_reported": [],
        "loaded_at": None,
        "approved_at": None,
    }
    return {**body, **changes}


def _without_created(body):
    for dataset in body if isinstance(body, list) else [body]:
        for edition in dataset.get("editions", [dataset]):
            assert edition.pop("created_at")
    return body


def test_datasets_whole_response_shows_approved_editions(client, counted):
    top_down, bottom_up = counted["top_down"], counted["bottom_up"]
    body = client.get("/api/v1/datasets/").json()
    assert body["next"] is None and body["previous"] is None
    assert _without_created(body["results"]) == [
        {
            "slug": "cra-test",
            "title": "Cra test",
            "publisher": "A publisher",
            "format": "regional",
            "route": "top_down",
            "source_url": "",
            "licence": "Open Government Licence v3.0",
            "description": "",
            "precedence": 100,
            "editions": [
                _edition(
                    top_down,
                    years=[{"year": "2010-11", "is_current": True, "amount": "400.00", "lines": 4}],
                    money={
                        "read": "400.00",
                        "loaded": "400.00",
                        "excluded": [],
                        "adds_up": True,
                    },
                    line_count=4,
                )
            ],
        },
        {
            "slug": "ra-test",
            "title": "Ra test",
            "publisher": "A publisher",
            "format": "wide",
            "route": "bottom_up",
            "source_url": "",
            "licence": "Open Government Licence v3.0",
            "description": "",
            "precedence": 20,
            "editions": [
                _edition(
                    bottom_up,
                    years=[{"year": "2010-11", "is_current": True, "amount": "0.00", "lines": 0}],
                    not_reported_count=1,
                    not_reported=[
                        {
                            "organisation": {"code": "TFIRE", "name": "Testshire Fire"},
                            "year": "2010-11",
                            "complete": True,
                            "missing_figures": 12,
                        }
                    ],
                )
            ],
        },
    ]
    detail = client.get("/api/v1/datasets/cra-test/").json()
    assert detail["editions"][0]["id"] == top_down.pk
    edition = _without_created(client.get(f"/api/v1/dataset-editions/{top_down.pk}/").json())
    assert edition == body["results"][0]["editions"][0]


def test_only_dataset_editors_see_editions_not_approved(client, counted):
    draft = counted["draft"]
    for path in (
        "/api/v1/datasets/draft-test/",
        f"/api/v1/dataset-editions/{draft.pk}/",
        f"/api/v1/dataset-editions/{draft.pk}/lines/",
    ):
        assert client.get(path).status_code == 404, path
    assert "draft-test" not in {
        d["slug"] for d in client.get("/api/v1/datasets/").json()["results"]
    }
    client.force_login(UserFactory(username="outsider"))
    assert client.get(f"/api/v1/dataset-editions/{draft.pk}/").status_code == 404
    client.force_login(editor("an-editor"))
    listed = client.get("/api/v1/datasets/").json()["results"]
    assert [d["slug"] for d in listed] == ["cra-test", "draft-test", "ra-test"]
    shown = client.get(f"/api/v1/dataset-editions/{draft.pk}/").json()
    assert (shown["status"], shown["status_label"]) == ("loaded", "Loaded, waiting for approval")
    lines = client.get(f"/api/v1/dataset-editions/{draft.pk}/lines/").json()["results"]
    assert [line["amount"] for line in lines] == ["1.00"]


def test_an_editions_lines_whole_response_and_cursor_pages(client, counted):
    top_down = counted["top_down"]
    url = f"/api/v1/dataset-editions/{top_down.pk}/lines/"
    body = client.get(f"{url}?place=E98000002").json()
    figures = {line.figure_id for line in top_down.lines.all()}
    department_figure, sector_figure = sorted(figures)
    ids = sorted(top_down.lines.filter(place__gss_code="E98000002").values_list("pk", flat=True))

    def line(pk, organisation, theme, amount, figure, figure_amount, row, body_name, control):
        return {
            "id": pk,
            "edition": top_down.pk,
            "place": "E98000002",
            "organisation": organisation,
            "theme": theme,
            "financial_year": "2010-11",
            "amount": amount,
            "spend_kind": "revenue",
            "basis": "estimated",
            "control": control,
            "source": {
                "figure": figure,
                "figure_amount": figure_amount,
                "row": row,
                "column": "2010-11",
                "code": f"SEG-{row}",
                "label": f"{'T Roads' if theme == 't-roads' else 'T Education'} as published",
                "place": "NORTH",
                "body": body_name,
                "cofog": "",
            },
            "driver": {"name": "population", "year": "2010-11", "source": "Population: a test"},
        }

    assert body == {
        "next": None,
        "previous": None,
        "results": [
            line(
                ids[0],
                "TDWP",
                "t-roads",
                "180.00",
                department_figure,
                "300.00",
                2,
                "TEST DEPARTMENT FOR WORK",
                "central",
            ),
            line(
                ids[1],
                "TLG",
                "t-education",
                "60.00",
                sector_figure,
                "100.00",
                3,
                "LOCAL GOVERNMENT IN TESTSHIRE",
                "local",
            ),
        ],
    }
    first = client.get(f"{url}?limit=3").json()
    second = client.get(first["next"]).json()
    assert [r["id"] for r in first["results"] + second["results"]] == sorted(
        top_down.lines.values_list("pk", flat=True)
    )
    assert second["next"] is None
    filtered = client.get(f"{url}?organisation=TLG&basis=estimated&year=2010-11").json()
    assert [r["amount"] for r in filtered["results"]] == ["60.00", "40.00"]
    bad = client.get(f"{url}?place=NOWHERE")
    assert bad.status_code == 400 and "no place “NOWHERE”" in bad.json()["error"]["message"]


def test_the_count_of_a_place_whole_response(client, counted):
    top_down, bottom_up = counted["top_down"], counted["bottom_up"]
    body = client.get("/api/v1/places/E98000001/count/?year=2010-11").json()
    assert body.pop("as_of")
    estimate = {"code": f"edition-{top_down.pk}", "name": "Cra test, CRA 2011"}
    returns = {"code": "returns", "name": "Approved spend returns"}
    assert body == {
        "place": {"code": "E98000001", "name": "Testshire"},
        "includes_places_below": True,
        "year": "2010-11",
        "years": ["2010-11"],
        "illustrative": False,
        "transfers": "net",
        "total": {"amount": "1440.01", "lines": 6},
        "by_basis": [
            {
                "code": "returned",
                "name": "Returned: the bodies' own figures",
                "amount": "1140.01",
                "lines": 4,
            },
            {
                "code": "estimated",
                "name": "Estimated: top-down, apportioned from national figures",
                "amount": "300.00",
                "lines": 2,
            },
        ],
        "by_control": [
            {"code": "local", "name": "Local bodies", "amount": "1100.01", "lines": 2},
            {"code": "central", "name": "Central government", "amount": "340.00", "lines": 4},
        ],
        "by_sector": [
            {
                "code": "local_government",
                "name": "Local government",
                "amount": "1100.01",
                "lines": 2,
            },
            {
                "code": "central_government",
                "name": "Central government",
                "amount": "300.00",
                "lines": 2,
            },
            {"code": "nhs", "name": "NHS", "amount": "40.00", "lines": 2},
        ],
        "bodies": [
            {
                "organisation": {"code": "TCC", "name": "Testshire County Council"},
                "sector": "local_government",
                "amount": "1100.01",
                "lines": 2,
                "basis": "returned",
                "source": returns,
            },
            {
                "organisation": {"code": "TDWP", "name": "Test Department for Work"},
                "sector": "central_government",
                "amount": "300.00",
                "lines": 2,
                "basis": "estimated",
                "source": estimate,
            },
            {
                "organisation": {"code": "TPCT", "name": "Testshire PCT"},
                "sector": "nhs",
                "amount": "40.00",
                "lines": 2,
                "basis": "returned",
                "source": returns,
            },
        ],
        "coverage": {
            "complete": False,
            "expected": [{"code": "TPOL", "name": "Testshire Police", "sector": "police"}],
            "not_reported": [
                {
                    "organisation": {"code": "TFIRE", "name": "Testshire Fire"},
                    "source": {"code": f"edition-{bottom_up.pk}", "name": "Ra test, 2010-11"},
                    "complete": True,
                    "missing_figures": 12,
                }
            ],
            "top_down": [estimate],
        },
    }
    # The sector total's estimate is never counted beside the council's own figures.
    assert "TLG" not in {b["organisation"]["code"] for b in body["bodies"]}
    # The default year is the latest with figures; a district's count is its own.
    assert client.get("/api/v1/places/E98000001/count/").json()["year"] == "2010-11"
    north = client.get("/api/v1/places/north-testshire/count/").json()
    assert north["total"] == {"amount": "280.01", "lines": 2}
    assert client.get("/api/v1/places/NOWHERE/count/").status_code == 404
    assert client.get("/api/v1/places/E98000001/count/?year=not-a-year").status_code == 404


def test_a_place_without_figures_has_an_empty_count(client, counted):
    Place.objects.create(gss_code="E98000009", name="Emptyshire", slug="emptyshire")
    body = client.get("/api/v1/places/E98000009/count/").json()
    assert (body["year"], body["years"], body["total"], body["bodies"]) == (
        None,
        [],
        {"amount": "0.00", "lines": 0},
        [],
    )


def test_the_aggregate_shows_estimated_for_top_down_lines(client, counted):
    body = client.get("/api/v1/aggregate/?cut=place:E98000001|year:2010-11&drilldown=basis").json()
    assert [(c["basis"], c["amount"], c["lines"]) for c in body["cells"]] == [
        ({"code": "direct", "name": "Direct"}, "1150.01", 3),
        ({"code": "estimated", "name": "Estimated (top-down)"}, "300.00", 2),
        ({"code": "apportioned", "name": "Apportioned"}, "-10.00", 1),
    ]
    estimated = client.get(
        "/api/v1/aggregate/?cut=basis:estimated|source:edition-"
        f"{counted['top_down'].pk}&drilldown=organisation"
    ).json()
    assert [(c["organisation"]["code"], c["amount"]) for c in estimated["cells"]] == [
        ("TDWP", "300.00")
    ]


def test_the_dataset_list_takes_the_same_queries_however_many_editions(client, counted):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/datasets/").status_code == 200
        return len(captured)

    before = queries()
    for number in range(3):
        orm_edition(dataset=counted["top_down"].dataset, edition=f"Another {number}")
    assert queries() == before


def test_an_editions_lines_take_the_same_queries_however_many(client, counted):
    url = f"/api/v1/dataset-editions/{counted['top_down'].pk}/lines/?limit="

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(f"{url}{size}").json()["results"]) == size
        return len(captured)

    assert queries(1) == queries(4)


def test_a_line_loaded_from_a_file_says_where_it_is_in_the_file(client, reference_data):
    cra = approved_datasets(editor("uploader"), editor("approver"))["cra"]
    body = client.get(f"/api/v1/dataset-editions/{cra.pk}/lines/?place={ADUR}&year=2023-24").json()
    (line,) = [r for r in body["results"] if r["organisation"] == "DWP"]
    assert line["basis"] == "estimated" and line["control"] == "central"
    assert {k: line["source"][k] for k in ("row", "column", "place", "body", "cofog")} == {
        "row": 3,
        "column": "2023-24",
        "place": "ENGLAND_South East",
        "body": "Department for Work and Pensions",
        "cofog": "10.2",
    }
    assert line["source"]["figure_amount"] == "2000000.00"
    assert line["driver"]["name"] == "population" and line["driver"]["year"]


def test_the_schema_publishes_the_dataset_and_count_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/v1/datasets/",
        "/api/v1/datasets/{slug}/",
        "/api/v1/dataset-editions/{id}/",
        "/api/v1/dataset-editions/{id}/lines/",
        "/api/v1/places/{code}/count/",
    ):
        assert "get" in paths[path], path
