import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from ledger.models import (
    Classification,
    FinancialYear,
    Organisation,
    Place,
    PlaceKind,
    ServiceTheme,
    ThemeCrosswalk,
)
from ledger.services.reference import pilot_footprints, reference_load_all
from ledger.services.years import financial_year_get, financial_year_start

pytestmark = pytest.mark.django_db

CUMBRIA_DISTRICTS = {
    "E07000026": ("16UB", "Allerdale", "Cumberland"),
    "E07000027": ("16UC", "Barrow-in-Furness", "Westmorland and Furness"),
    "E07000028": ("16UD", "Carlisle", "Cumberland"),
    "E07000029": ("16UE", "Copeland", "Cumberland"),
    "E07000030": ("16UF", "Eden", "Westmorland and Furness"),
    "E07000031": ("16UG", "South Lakeland", "Westmorland and Furness"),
}


NOT_AUTHORITY_AREAS = [
    PlaceKind.UNITED_KINGDOM,
    PlaceKind.COUNTRY,
    PlaceKind.REGION,
    PlaceKind.NOTIONAL,
]


def test_all_english_authorities_and_regions_load(reference_data):
    assert Place.objects.exclude(kind__in=NOT_AUTHORITY_AREAS).count() == 380
    assert Place.objects.filter(kind=PlaceKind.REGION).count() == 9
    assert Place.objects.filter(kind=PlaceKind.COUNTRY).count() == 4
    # England's authorities only: Scotland is there as a country, none of its councils.
    assert not Place.objects.filter(gss_code__startswith="S").exclude(kind="country").exists()


def test_rerunning_the_loaders_creates_nothing_new(reference_data):
    counts = (Place.objects.count(), Organisation.objects.count(), ThemeCrosswalk.objects.count())
    results = reference_load_all()
    assert all(result.created == 0 for result in results.values()), results
    assert all(result.updated == 0 for result in results.values()), results
    assert (
        Place.objects.count(),
        Organisation.objects.count(),
        ThemeCrosswalk.objects.count(),
    ) == counts


@pytest.mark.parametrize("gss,snac_name_successor", CUMBRIA_DISTRICTS.items())
def test_both_code_systems_resolve_to_the_same_place(reference_data, gss, snac_name_successor):
    snac, name, _ = snac_name_successor
    assert Place.objects.by_code(gss).get() == Place.objects.by_code(snac).get()
    assert Place.objects.by_code(snac.lower()).get().name == name


def test_former_gss_codes_resolve(reference_data):
    # Gateshead was recoded E08000020 → E08000037 in 2013; 2009-10 sources use the old code.
    assert Place.objects.by_code("E08000020").get().gss_code == "E08000037"


def test_cumbria_and_its_districts_end_in_2023_with_successors(reference_data):
    cumbria = Place.objects.by_code("16").get()
    assert cumbria.gss_code == "E10000006"
    assert cumbria.kind == PlaceKind.COUNTY
    assert cumbria.valid_to == dt.date(2023, 4, 1)
    assert cumbria.parent.name == "North West"
    assert {p.name for p in cumbria.successors.all()} == {"Cumberland", "Westmorland and Furness"}
    for gss, (_, name, successor) in CUMBRIA_DISTRICTS.items():
        district = Place.objects.get(gss_code=gss)
        assert district.parent == cumbria
        assert district.valid_to == dt.date(2023, 4, 1)
        assert [p.name for p in district.successors.all()] == [successor]
    assert set(cumbria.children.values_list("gss_code", flat=True)) == set(CUMBRIA_DISTRICTS)
    # Current on 2022-06-01, gone on 2023-06-01; the successors the other way round.
    assert Place.objects.current_on(dt.date(2022, 6, 1)).filter(pk=cumbria.pk).exists()
    assert not Place.objects.current_on(dt.date(2023, 6, 1)).filter(pk=cumbria.pk).exists()
    assert Place.objects.current_on(dt.date(2023, 6, 1)).filter(name="Cumberland").exists()


def test_every_council_area_has_a_council_found_by_either_code(reference_data):
    leeds = Organisation.objects.by_code("00DA").get()
    assert leeds == Organisation.objects.by_code("E08000035").get()
    assert leeds.home_place.name == "Leeds"
    councils = Organisation.objects.filter(home_place__isnull=False).count()
    places = Place.objects.exclude(kind__in=NOT_AUTHORITY_AREAS).count()
    assert councils == places


def test_cofog_has_ten_divisions_and_their_groups(reference_data):
    divisions = Classification.objects.filter(scheme="cofog", parent__isnull=True)
    assert sorted(divisions.values_list("code", flat=True)) == [f"{n:02d}" for n in range(1, 11)]
    groups = Classification.objects.filter(scheme="cofog", parent__isnull=False)
    assert all(g.code.startswith(g.parent.code + ".") for g in groups.select_related("parent"))
    assert groups.count() == 69


def test_every_theme_maps_wholly_to_cofog_except_unallocated(reference_data):
    weights = dict(
        ThemeCrosswalk.objects.filter(classification__scheme="cofog")
        .values_list("theme__code")
        .annotate(total=Sum("weight"))
    )
    for theme in ServiceTheme.objects.exclude(code=ServiceTheme.UNALLOCATED_CODE):
        assert weights.get(theme.code) == Decimal("1"), theme.code
    assert ServiceTheme.UNALLOCATED_CODE not in weights


def test_no_theme_is_over_allocated_in_any_scheme(reference_data):
    over = (
        ThemeCrosswalk.objects.values("theme__code", "classification__scheme")
        .annotate(total=Sum("weight"), n=Count("id"))
        .filter(total__gt=1)
    )
    assert list(over) == []


def test_deep_dive_themes_and_revenue_outturn_lines_are_there(reference_data):
    assert Classification.objects.filter(scheme="deep_dive").count() == 8
    assert (
        Classification.objects.get(scheme="revenue_outturn", code="ASC").name == "Adult social care"
    )


def test_total_place_pilots_and_cumbria_resolve(reference_data):
    footprints = pilot_footprints()
    pilots = [f for f in footprints if f["kind"] == "pilot"]
    assert len(pilots) == 13
    manchester = next(f for f in footprints if f["code"] == "manchester-warrington")
    assert len(manchester["places"]) == 11
    assert "Warrington" in {p.name for p in manchester["places"]}
    cumbria = next(f for f in footprints if f["kind"] == "forerunner")
    assert cumbria["lead_organisation"].code == "E10000006"


@pytest.mark.parametrize(
    "code,start", [("2006-07", 2006), ("2006/07", 2006), ("2010-2011", 2010), ("1999-00", 1999)]
)
def test_financial_year_codes(reference_data, code, start):
    assert financial_year_start(code) == start
    year = financial_year_get(code)
    assert year.start_date == dt.date(start, 4, 1)
    assert year.end_date == dt.date(start + 1, 3, 31)


@pytest.mark.parametrize("code", ["2006-08", "06-07", "next year", ""])
def test_bad_financial_year_codes_are_refused(code):
    with pytest.raises(ValueError):
        financial_year_start(code)


def test_financial_years_are_contiguous(reference_data):
    years = list(FinancialYear.objects.order_by("start_date"))
    assert len(years) >= 10  # a pair at least, or the loop below checks nothing
    for before, after in zip(years, years[1:], strict=False):
        assert after.start_date == before.end_date + dt.timedelta(days=1)
