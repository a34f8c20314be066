"""Reference data for the whole public sector of a place, checked against the real national files.

The DLUHC revenue account 2023-24 and HM Treasury's CRA 2018 are read here with the csv module
and openpyxl, independently of the readers that load them.
"""

import csv
import datetime as dt
import io
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Q
from openpyxl import load_workbook

from ledger.importers.datasets.regional_frame import cofog_code
from ledger.models import (
    LOWEST_TIER_KINDS,
    Organisation,
    OrganisationAlias,
    Place,
    PlaceAlias,
    PlaceKind,
)
from ledger.services.reference import cofog_themes, reference_load_all

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
REFERENCE = FIXTURES / "reference"
BODY_FILES = ["organisations.csv", "public_bodies.csv", "nhs_commissioners.csv"]
YEAR_2023 = dt.date(2023, 7, 1)
GREATER_MANCHESTER = {f"E0800000{n}" for n in range(1, 10)} | {"E08000010"}
# Councils that run their own fire and rescue service (2023-24): Cornwall, the Isles of Scilly,
# Gloucestershire, Hertfordshire, Lincolnshire, Norfolk, Northumberland, Oxfordshire, Suffolk,
# Surrey, Warwickshire, West Sussex.
COUNCIL_FIRE_SERVICES = [
    "E06000052",
    "E06000053",
    "E10000013",
    "E10000015",
    "E10000019",
    "E10000020",
    "E06000057",
    "E10000025",
    "E10000029",
    "E10000030",
    "E10000031",
    "E10000032",
]
CRA_REGIONS = {
    "ENGLAND_North East": "E12000001",
    "ENGLAND_North West": "E12000002",
    "ENGLAND_Yorkshire and the Humber": "E12000003",
    "ENGLAND_Yorkshire and The Humber": "E12000003",
    "ENGLAND_East Midlands": "E12000004",
    "ENGLAND_West Midlands": "E12000005",
    "ENGLAND_East": "E12000006",
    "ENGLAND_London": "E12000007",
    "ENGLAND_South East": "E12000008",
    "ENGLAND_South West": "E12000009",
    "ENGLAND": "E92000001",
    "SCOTLAND": "S92000003",
    "WALES": "W92000004",
    "NORTHERN IRELAND": "N92000002",
    "OUTSIDE UK": "outside-uk",
    "NON-REGIONAL": "not-identifiable",
}


@cache
def dluhc_bodies() -> list[dict[str, str]]:
    """Bodies in the DLUHC revenue account by authority (Mac Roman bytes, header under titles)."""
    text = (FIXTURES / "datasets" / "dluhc_revenue_account_2023-24_part1_by_la.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(text.decode("mac_roman"))))
    start = next(i for i, row in enumerate(rows) if row and row[0].strip() == "E-code")
    header = [cell.strip() for cell in rows[start]]
    return [dict(zip(header, row, strict=False)) for row in rows[start + 1 :] if row[0].strip()]


@cache
def cra_values() -> dict[str, set[str]]:
    """The distinct values of the CRA 2018 database's columns that name bodies, places, COFOG."""
    book = load_workbook(FIXTURES / "datasets" / "hmt_cra_2018_database.xlsx", read_only=True)
    rows = book["CRA 2018 database"].iter_rows(values_only=True)
    header = next(rows)
    wanted = ["Department Name", "NUTS Region", "Country", "COFOG Level 0", "COFOG Level 1"]
    columns = {name: header.index(name) for name in wanted}
    values: dict[str, set[str]] = {name: set() for name in wanted}
    for row in rows:
        for name, index in columns.items():
            values[name].add(row[index])
    book.close()
    return values


def _reference_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _code(place: Place) -> str:
    return place.gss_code or place.slug


def _lowest_tier_served(organisation: Organisation, day: dt.date) -> set[str]:
    """The lowest-tier areas current on ``day`` that a body serves, its counties opened up."""
    served, frontier = set(), list(organisation.places.all())
    while frontier:
        place = frontier.pop()
        if place.kind in LOWEST_TIER_KINDS:
            served.add(place.gss_code)
        frontier.extend(place.children.all())
    current = Place.objects.current_on(day).filter(kind__in=LOWEST_TIER_KINDS)
    return served & set(current.values_list("gss_code", flat=True))


def test_the_dluhc_table_has_the_bodies_these_tests_expect():
    bodies = dluhc_bodies()
    assert len(bodies) == 410
    assert sum(1 for body in bodies if body["Class"] == "O") == 93


def test_every_dluhc_body_resolves_to_one_organisation_by_e_code_and_by_ons_code(
    reference_data,
):
    for body in dluhc_bodies():
        by_e_code = list(Organisation.objects.by_code(body["E-code"]))
        by_ons_code = list(Organisation.objects.by_code(body["ONS Code"]))
        assert len(by_e_code) == 1, body
        assert by_e_code == by_ons_code, body


def test_the_dataset_resolver_finds_every_dluhc_body_and_somewhere_to_put_its_money(
    reference_data,
):
    """As a wide edition's preview resolves them: by E-code or ONS code, to a body with places."""
    from ledger.services.datasets.resolve import Resolver

    resolver = Resolver()
    for body in dluhc_bodies():
        organisation_id = resolver.body(body["E-code"])
        assert organisation_id is not None, body
        assert resolver.body(body["ONS Code"]) == organisation_id, body
        assert resolver.body_places(organisation_id), body
    for value, code in CRA_REGIONS.items():
        assert _code(Place.objects.get(pk=resolver.place(value))) == code


@pytest.mark.parametrize(
    ("e_code", "ons_code", "expected"),
    [
        ("E5100", "E12000007", "Greater London Authority"),  # London's region code: the GLA
        ("E6348", "E47000001", "Greater Manchester"),  # a combined authority (its area's name)
        ("E0920", "E10000006", "Cumbria"),  # an abolished council, from mySociety's E-codes
        ("E0901", "E06000063", "Cumberland"),  # a new unitary mySociety has no E-code for
        ("E7009", "E23000002", "Cumbria Police and Crime Commissioner"),
        ("E6135", "E31000009", "Cumbria Commissioner Fire and Rescue Authority"),
        ("E6803", "E6803", "Lee Valley Regional Park Authority"),
    ],
)
def test_dluhc_codes_name_the_right_body(reference_data, e_code, ons_code, expected):
    organisation = Organisation.objects.by_code(e_code).get()
    assert organisation == Organisation.objects.by_code(ons_code).get()
    assert expected in organisation.name
    # London's region code finds the GLA only as an organisation; as a place it is London.
    assert Place.objects.by_code("E12000007").get().kind == PlaceKind.REGION


def test_every_cra_department_resolves_to_one_organisation(reference_data):
    departments = cra_values()["Department Name"]
    assert len(departments) == 68
    unresolved = {name for name in departments if Organisation.objects.by_code(name).count() != 1}
    assert unresolved == set()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Department of Health and Social Care", "DH"),
        ("Ministry of Housing, Communities and Local Government", "DCLG"),
        ("DLUHC", "DCLG"),
        ("MHCLG", "DCLG"),
        ("Department for Education", "DCSF"),
        ("Department for Business, Energy and Industrial Strategy", "BEIS"),
        ("Central Exchequer (CG)", "CENTRAL-EXCHEQUER"),
        ("Central Exchequer (BOE)", "CENTRAL-EXCHEQUER"),
        ("Local Government England", "LG-ENG"),
        ("Cabinet Office: Civil Superannuation", "CO-CSPS"),
    ],
)
def test_renames_are_aliases_and_mergers_are_new_bodies(reference_data, name, code):
    assert Organisation.objects.by_code(name).get().code == code
    assert Organisation.objects.by_code(name.lower()).get().code == code


def test_beis_is_a_new_body_not_bis_or_decc(reference_data):
    beis, bis, decc = (Organisation.objects.get(code=c) for c in ("BEIS", "BIS", "DECC"))
    assert len({beis.pk, bis.pk, decc.pk}) == 3
    assert bis.valid_to == decc.valid_to == beis.valid_from == dt.date(2016, 7, 14)


@pytest.mark.parametrize("code", ["LG-ENG", "LG-SCO", "LG-WAL", "LG-NI"])
def test_local_government_sector_totals_stand_for_local_sectors(reference_data, code):
    total = Organisation.objects.get(code=code)
    assert total.aggregate_of == ["local_government", "police", "fire"]
    assert total.is_aggregate
    assert total.control == "local"
    assert total.kind == "Sector total (top-down)"
    [country] = total.places.all()
    assert country.kind == PlaceKind.COUNTRY


def test_central_exchequer_is_one_body_under_the_treasury(reference_data):
    exchequer = Organisation.objects.get(code="CENTRAL-EXCHEQUER")
    assert exchequer.parent.code == "HMT"
    assert exchequer.aliases.filter(scheme="cra").count() == 4
    assert not Organisation.objects.get(code="HMT").is_aggregate


def test_devolved_administrations_serve_their_countries(reference_data):
    for code, country in [
        ("SCOT-GOV", "S92000003"),
        ("WELSH-GOV", "W92000004"),
        ("NI-EXEC", "N92000002"),
    ]:
        assert [p.gss_code for p in Organisation.objects.get(code=code).places.all()] == [country]


def test_every_cra_region_and_country_resolves_to_one_place(reference_data):
    values = cra_values()
    assert values["NUTS Region"] | values["Country"] <= set(CRA_REGIONS)
    for value in values["NUTS Region"] | values["Country"]:
        assert [_code(p) for p in Place.objects.by_code(value)] == [CRA_REGIONS[value]], value


@pytest.mark.parametrize(
    ("code", "region"),
    [("UKC", "North East"), ("UKH", "East of England"), ("UKK", "South West"), ("UKM", "Scotland")],
)
def test_nuts1_codes_resolve(reference_data, code, region):
    assert Place.objects.by_code(code).get().name == region


def test_the_place_tree_has_the_united_kingdom_at_its_root(reference_data):
    uk = Place.objects.get(gss_code="K02000001")
    assert uk.parent is None
    assert list(Place.objects.filter(parent=None)) == [uk]
    england = Place.objects.get(gss_code="E92000001")
    assert england.parent == uk
    assert set(uk.children.values_list("slug", flat=True)) == {
        "england",
        "scotland",
        "wales",
        "northern-ireland",
        "outside-uk",
        "not-identifiable",
    }
    regions = Place.objects.filter(kind=PlaceKind.REGION)
    assert {r.parent for r in regions} == {england}
    # Existing slugs stay as they were: pages and tests link to them.
    assert {"east-of-england", "yorkshire-and-the-humber"} <= set(
        regions.values_list("slug", flat=True)
    )
    # Every place reaches the UK, within a few steps.
    parents = dict(Place.objects.values_list("pk", "parent_id"))
    for pk in parents:
        steps, node = 0, pk
        while parents[node] is not None:
            node, steps = parents[node], steps + 1
            assert steps < 8
        assert node == uk.pk


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("E06000028", "E12000009"),  # Bournemouth (abolished, no region): BCP's region
        ("E06000029", "E12000009"),  # Poole
        ("E10000002", "E12000008"),  # Buckinghamshire County: Buckinghamshire's region
        ("E07000048", "E10000009"),  # Christchurch: under its county
        ("E10000007", "E12000004"),  # Derbyshire: East Midlands, corrected
        ("E10000019", "E12000004"),  # Lincolnshire: East Midlands, corrected
        ("E07000201", "E10000029"),  # Forest Heath: Suffolk, corrected
    ],
)
def test_places_the_register_leaves_out_of_the_tree_hang_in_it(reference_data, code, parent):
    assert Place.objects.get(gss_code=code).parent.gss_code == parent


def test_notional_places_have_no_gss_code(reference_data):
    notional = Place.objects.filter(kind=PlaceKind.NOTIONAL)
    assert sorted(notional.values_list("slug", flat=True)) == ["not-identifiable", "outside-uk"]
    assert set(notional.values_list("gss_code", flat=True)) == {None}
    assert Place.objects.by_code("Outside the UK").get().slug == "outside-uk"
    assert Place.objects.by_code("non-identifiable").get().slug == "not-identifiable"


@pytest.mark.parametrize("name", BODY_FILES)
def test_every_place_and_parent_in_the_body_files_exists(reference_data, name):
    for row in _reference_rows(name):
        for code in filter(None, row["places"].split(";")):
            assert Place.objects.by_code(code).count() == 1, (row["code"], code)
        organisation = Organisation.objects.get(code=row["code"])
        assert organisation.places.count() == len(row["places"].split(";"))
        if row["parent"]:
            assert organisation.parent.code == row["parent"]


@pytest.mark.parametrize("name", ["public_bodies.csv", "nhs_commissioners.csv"])
def test_local_bodies_serve_the_areas_of_2023_24(reference_data, name):
    """Areas as they stood in 2023-24, never an abolished one beside its successor (a body's
    figures are shared over its places: Cumbria and Cumberland both would count twice)."""
    for row in _reference_rows(name):
        codes = set(filter(None, row["places"].split(";")))
        for day in (dt.date(2023, 4, 1), dt.date(2024, 3, 31)):
            current = Place.objects.current_on(day).filter(gss_code__in=codes)
            assert set(current.values_list("gss_code", flat=True)) == codes, row["code"]


def test_every_code_and_alias_names_exactly_one_body(reference_data):
    codes = list(Organisation.objects.values_list("code", flat=True))
    aliases = list(OrganisationAlias.objects.values_list("alias", flat=True))
    ambiguous = [c for c in codes + aliases if Organisation.objects.by_code(c).count() != 1]
    assert ambiguous == []
    assert all(alias == alias.upper() for alias in aliases)
    assert all(code == code.upper() for code in PlaceAlias.objects.values_list("code", flat=True))


def test_place_aliases_name_exactly_one_place(reference_data):
    codes = PlaceAlias.objects.values_list("code", flat=True)
    assert [c for c in codes if Place.objects.by_code(c).count() != 1] == []


def test_police_force_areas_cover_england_outside_london_and_greater_manchester(reference_data):
    """Each area current in 2023-24 has one police and crime commissioner, except London (the
    Mayor's office) and Greater Manchester (the mayor of the combined authority)."""
    served: dict[str, int] = {}
    for pcc in Organisation.objects.filter(kind="Police and crime commissioner"):
        for code in _lowest_tier_served(pcc, YEAR_2023):
            served[code] = served.get(code, 0) + 1
    current = Place.objects.current_on(YEAR_2023).filter(kind__in=LOWEST_TIER_KINDS)
    expected = (
        set(current.exclude(parent__gss_code="E12000007").values_list("gss_code", flat=True))
        - GREATER_MANCHESTER
    )
    assert set(served) == expected
    assert set(served.values()) == {1}


def test_fire_authorities_cover_england_where_councils_do_not_run_fire_services(reference_data):
    """One fire authority for each area current in 2023-24, except London and Greater
    Manchester (the mayors') and the counties and unitaries whose council runs the service."""
    served: dict[str, int] = {}
    for authority in Organisation.objects.filter(kind="Fire and rescue authority"):
        for code in _lowest_tier_served(authority, YEAR_2023):
            served[code] = served.get(code, 0) + 1
    current = Place.objects.current_on(YEAR_2023).filter(kind__in=LOWEST_TIER_KINDS)
    council_run = Q(gss_code__in=COUNCIL_FIRE_SERVICES) | Q(
        parent__gss_code__in=COUNCIL_FIRE_SERVICES
    )
    expected = (
        set(
            current.exclude(parent__gss_code="E12000007")
            .exclude(council_run)
            .values_list("gss_code", flat=True)
        )
        - GREATER_MANCHESTER
    )
    assert set(served) == expected
    assert set(served.values()) == {1}


def test_integrated_care_boards_cover_england(reference_data):
    boards = Organisation.objects.filter(kind="Integrated care board")
    assert boards.count() == 42
    assert {b.parent.code for b in boards} == {"DH"}
    assert {b.valid_from for b in boards} == {dt.date(2022, 7, 1)}
    assert all(b.code.startswith("E54") for b in boards)
    served: dict[str, int] = {}
    for board in boards:
        for code in _lowest_tier_served(board, YEAR_2023):
            served[code] = served.get(code, 0) + 1
    current = Place.objects.current_on(YEAR_2023).filter(kind__in=LOWEST_TIER_KINDS)
    assert set(served) == set(current.values_list("gss_code", flat=True))
    # Two authorities are split between boards: East Suffolk, Westmorland and Furness.
    assert {code for code, n in served.items() if n > 1} == {"E07000244", "E06000064"}


def test_rerunning_the_loaders_leaves_aliases_and_places_alone(reference_data):
    before = (
        PlaceAlias.objects.count(),
        OrganisationAlias.objects.count(),
        Organisation.places.through.objects.count(),
    )
    results = reference_load_all()
    assert {"place_aliases", "organisation_aliases", "public_bodies", "nhs_commissioners"} <= set(
        results
    )
    assert all(r.created == r.updated == 0 for r in results.values()), results
    assert results["places"].notes == []
    after = (
        PlaceAlias.objects.count(),
        OrganisationAlias.objects.count(),
        Organisation.places.through.objects.count(),
    )
    assert after == before


def test_every_cofog_code_maps_to_a_theme_that_exists(reference_data):
    from ledger.models import Classification, ServiceTheme

    themes = cofog_themes()
    cofog = set(Classification.objects.filter(scheme="cofog").values_list("code", flat=True))
    assert len(cofog) == 79
    assert cofog <= set(themes)
    assert set(themes.values()) <= set(ServiceTheme.objects.values_list("code", flat=True))


def _theme(label: str) -> str | None:
    """A CRA COFOG label's theme as the dataset resolver finds it: its group's, else its
    division's."""
    themes, code = cofog_themes(), cofog_code(label)
    return themes.get(code) or themes.get(code.split(".")[0])


@pytest.mark.parametrize(
    ("label", "theme"),
    [
        ("10.2 Old age", "benefits-pensions"),
        ("07.3", "health-hospital"),
        ("09.1", "education-early-primary"),
        ("1.7 Public Sector Debt Interest", "central-other"),
        ("10. Social protection", "social-protection"),
        ("7.A Medical services", "health"),
        ("EU02 EC receipts", "international"),
        ("3.1 Police services", "police"),
        ("3.2 Fire-protection services", "fire"),
    ],
)
def test_cofog_labels_as_hm_treasury_writes_them_have_their_themes(label, theme):
    assert _theme(label) == theme


def test_every_cra_cofog_label_has_a_theme():
    values = cra_values()
    labels = values["COFOG Level 0"] | values["COFOG Level 1"]
    assert len(labels) > 70
    assert [label for label in labels if _theme(label) is None] == []
