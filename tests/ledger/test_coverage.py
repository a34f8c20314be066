"""Coverage: the months a return covers, from its dates or as declared, on pages and the API."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.calculations.coverage import (
    ALL_YEAR,
    FINANCIAL_YEAR_ORDER,
    MONTH_NAMES,
    combine,
    is_part_year,
    mask_to_months,
    month_count,
    months_label,
    months_to_mask,
    part_year_label,
)
from ledger.models import FinancialYear, SpendLine, SpendReturn, SpendReturnStatus
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.coverage import spend_return_months, spend_return_months_declare
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create, spend_return_new_version
from ledger.services.rollups import rollup_rebuild
from tests.csv_downloads import csv_table
from tests.factories import FinancialYearFactory
from tests.ledger.import_helpers import CRAVEN_FILE, LEEDS_FILE, preview

MASKS = st.integers(min_value=0, max_value=ALL_YEAR)
MONTHS = st.sets(st.integers(min_value=1, max_value=12))
# Pure functions, but the machine may be busy: no deadline, no "too slow" health check.
pure = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# The pure functions.


@pure
@given(MONTHS)
def test_months_and_masks_round_trip(months):
    mask = months_to_mask(months)
    assert sorted(mask_to_months(mask)) == sorted(months)
    assert month_count(mask) == len(months)
    assert months_to_mask(mask_to_months(mask)) == mask


@pure
@given(MASKS)
def test_months_come_in_financial_year_order(mask):
    listed = mask_to_months(mask)
    assert listed == sorted(listed, key=FINANCIAL_YEAR_ORDER.index)


@pure
@given(MASKS)
def test_the_label_names_every_month_once_in_runs(mask):
    label = months_label(mask)
    if mask == ALL_YEAR:
        assert label == "all year" and part_year_label(mask) == ""
        return
    if mask == 0:
        assert label == "none"
        return
    named = []
    for run in label.split(", "):
        first, _, last = run.partition("–")
        order = [MONTH_NAMES[m] for m in FINANCIAL_YEAR_ORDER]
        start = order.index(first)
        end = order.index(last) if last else start
        assert end >= start + (1 if last else 0)  # a run has two months or more
        named += order[start : end + 1]
    assert named == [MONTH_NAMES[m] for m in mask_to_months(mask)]
    assert part_year_label(mask) == f"part year ({len(named)} of 12 months)"


@pure
@given(st.lists(st.one_of(st.none(), MASKS), max_size=6))
def test_a_place_year_covers_the_months_every_known_body_covers(masks):
    combined = combine(masks)
    known = [m for m in masks if m is not None]
    if not known:
        assert combined is None
        return
    for month in range(1, 13):
        bit = 1 << (month - 1)
        assert bool(combined & bit) == all(m & bit for m in known)
    # A place-year is a part year whenever one of its bodies is.
    assert is_part_year(combined) == any(is_part_year(m) for m in known)


def test_labels_as_the_pages_show_them():
    assert months_label(months_to_mask([4, 5, 6, 1])) == "Apr–Jun, Jan"
    assert months_label(months_to_mask([2, 3, 4])) == "Apr, Feb–Mar"  # the year ends in March
    assert months_label(None) == "months not known" and part_year_label(None) == ""
    assert part_year_label(months_to_mask([3])) == "part year (1 of 12 months)"
    with pytest.raises(ValueError):
        months_to_mask([13])


# Real part-year files, approved, on the place page and in the API.


def _approved_file(organisation, year_code: str, path, declared_months=None) -> SpendReturn:
    spend_return = spend_return_create(
        organisation=organisation,
        financial_year=FinancialYear.objects.get(code=year_code),
        actor=None,
        declared_months=declared_months,
    )
    import_job_confirm(job=preview(spend_return, path), actor=None)
    spend_return_submit(spend_return=spend_return, actor=None)
    spend_return = spend_return_approve(spend_return=spend_return, actor=None)
    rollup_rebuild()
    spend_return.refresh_from_db()
    return spend_return


def _assert_shown_as(client, organisation, spend_return, year, months, name, badge):
    """The place page (headline, tables, export), the API and the return page agree."""
    place = organisation.home_place
    page = client.get(reverse("place-detail", args=[place.slug]), {"year": year})
    html = page.content.decode()
    if badge:
        assert f'id="part-year">{badge}</span>' in html
        assert f'id="part-year-bodies">{organisation.name}: {name} <span' in html
        compare = client.get(reverse("compare"), {"place": place.slug}).context["table"]
        assert f"{place.name} {year} is {badge}" in compare.note
    else:
        assert "part year" not in html
    by_organisation = page.context["tables"]["by-organisation"]
    assert by_organisation.columns[-1].label == "Months covered"
    assert by_organisation.rows[0].cells["name"] == organisation.name
    assert by_organisation.rows[0].cells["months"] == name
    assert by_organisation.rows[-1].cells["months"] == (badge or name)
    by_year = {r.cells["year"]: r.cells["months"] for r in page.context["tables"]["by-year"].rows}
    assert by_year[year] == (badge or name)

    exported = client.get(
        reverse("place-detail", args=[place.slug]),
        {"year": year, "export": "csv", "table": "by-organisation"},
    )
    rows = csv_table(exported)
    assert rows[0][-1] == "Months covered" and rows[1][-1] == name

    body = client.get(f"/api/v1/places/{place.code}/totals/", {"year": year}).json()
    (api_year,) = [y for y in body["years"] if y["year"] == year]
    assert api_year["coverage"] == {
        "months": months,
        "part_year": bool(badge),
        "label": badge or name,
        "by_organisation": [
            {
                "organisation": {"code": organisation.code, "name": organisation.name},
                "months": months,
                "label": name,
                "part_year": bool(badge),
            }
        ],
    }
    shown = client.get(reverse("spend-return-detail", args=[spend_return.pk])).content.decode()
    assert f'id="months-covered">{name}' in shown
    assert ('<span class="badge badge-part-year">' in shown) == bool(badge)


@pytest.mark.django_db
def test_craven_march_2017_is_a_part_year_on_the_place_page_and_in_the_api(client, craven):
    spend_return = _approved_file(craven, "2016-17", CRAVEN_FILE)
    assert spend_return.months == months_to_mask([3]) == spend_return_months(spend_return)
    _assert_shown_as(
        client, craven, spend_return, "2016-17", [3], "Mar", "part year (1 of 12 months)"
    )


@pytest.mark.django_db
def test_leeds_january_2011_is_a_part_year_by_its_dates_or_as_declared(client, leeds):
    """Leeds's "January 2011" file pays some invoices dated October to December 2010 too
    (1,396 of its 8,837 lines): its dates say four months; its officer can say January."""
    spend_return = _approved_file(leeds, "2010-11", LEEDS_FILE)
    assert spend_return.months == months_to_mask([10, 11, 12, 1])
    _assert_shown_as(
        client,
        leeds,
        spend_return,
        "2010-11",
        [10, 11, 12, 1],
        "Oct–Jan",
        "part year (4 of 12 months)",
    )
    declared = spend_return_new_version(spend_return=spend_return, actor=None)
    spend_return_months_declare(spend_return=declared, actor=None, months=months_to_mask([1]))
    spend_return_submit(spend_return=declared, actor=None)
    declared = spend_return_approve(spend_return=declared, actor=None)
    rollup_rebuild()
    _assert_shown_as(client, leeds, declared, "2010-11", [1], "Jan", "part year (1 of 12 months)")


@pytest.mark.django_db
def test_declared_months_override_the_dates(client, craven):
    """Craven's March file, declared by its officer as the whole year: not a part year."""
    spend_return = _approved_file(craven, "2016-17", CRAVEN_FILE, declared_months=ALL_YEAR)
    assert spend_return.months == months_to_mask([3])  # the dates still say March
    _assert_shown_as(
        client, craven, spend_return, "2016-17", list(FINANCIAL_YEAR_ORDER), "all year", ""
    )


@pytest.mark.django_db
def test_an_officer_declares_a_drafts_months_on_its_page(client, officer, craven):
    draft = spend_return_create(
        organisation=craven, financial_year=FinancialYear.objects.get(code="2016-17"), actor=None
    )
    client.force_login(officer)
    url = reverse("spend-return-months", args=[draft.pk])
    assert (
        'id="months-form"'
        in client.get(reverse("spend-return-detail", args=[draft.pk])).content.decode()
    )
    client.post(url, {"months": ["4", "5", "6", "1"]})
    draft.refresh_from_db()
    assert draft.declared_months == months_to_mask([4, 5, 6, 1])
    shown = client.get(reverse("spend-return-detail", args=[draft.pk])).content.decode()
    assert "Apr–Jun, Jan" in shown and "as its officer declared" in shown
    client.post(url, {"months": ["all", "3"]})
    draft.refresh_from_db()
    assert draft.declared_months == ALL_YEAR
    client.post(url, {})  # nothing ticked: back to the lines' dates
    draft.refresh_from_db()
    assert draft.declared_months is None
    # Once submitted, its months are fixed: the officer's page no longer offers the form.
    draft.status = SpendReturnStatus.SUBMITTED
    draft.save(update_fields=["status"])
    assert client.post(url, {"months": ["all"]}).status_code == 403
    draft.refresh_from_db()
    assert draft.declared_months is None


@pytest.mark.django_db
def test_the_api_takes_declared_months_as_numbers_or_all_year(officer, craven):
    from tests.ledger.test_returns_api import _client

    api = _client(officer, craven)
    url = "/api/v1/organisation/spend-returns/"
    made = api.post(url, {"financial_year": "2016-17", "declared_months": [4, 5, 6]}, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["months"], made.json()["months_label"]) == ([4, 5, 6], "Apr–Jun")
    whole = api.post(
        url, {"financial_year": "2016-17", "declared_months": "all year"}, format="json"
    )
    assert whole.json()["declared_months"] == list(FINANCIAL_YEAR_ORDER)
    for wrong in ([], [13], "spring", [True]):
        refused = api.post(
            url, {"financial_year": "2016-17", "declared_months": wrong}, format="json"
        )
        assert refused.status_code == 400, wrong
        assert "declared_months" in json.dumps(refused.json())


@pytest.mark.django_db
def test_dates_outside_the_year_and_undated_lines_add_no_months(mini):
    spend_return = spend_return_create(
        organisation=mini["pct"], financial_year=mini["year"], actor=None
    )
    dates = ["2010-04-01", "2011-03-31", "2011-04-01", "2010-03-31", None]
    spend_lines_add(
        spend_return=spend_return,
        lines=[
            SpendLine(
                place=mini["county"],
                theme=mini["roads"],
                amount=Decimal("1.00"),
                transaction_date=d,
            )
            for d in dates
        ],
    )
    assert spend_return_months(spend_return) == months_to_mask([4, 3])


@pytest.mark.django_db
def test_the_compare_page_leaves_a_missing_year_as_a_gap_not_zero(client, mini):
    """North Testshire has 2011-12 figures, South Testshire none: a gap, not £0."""
    later = FinancialYearFactory(code="2011-12")
    spend_return = spend_return_create(
        organisation=mini["council"], financial_year=later, actor=None
    )
    spend_lines_add(
        spend_return=spend_return,
        lines=[SpendLine(place=mini["north"], theme=mini["roads"], amount=Decimal("5.00"))],
    )
    spend_return_submit(spend_return=spend_return, actor=None)
    spend_return_approve(spend_return=spend_return, actor=None)
    rollup_rebuild()
    page = client.get(reverse("compare"), {"place": ["north-testshire", "south-testshire"]})
    chart = page.context["chart"]
    assert chart["years"] == ["2010-11", "2011-12"]
    assert chart["places"][1] == {"label": "South Testshire", "data": ["-10.00", None]}
    html = page.content.decode()
    assert page.context["table"].rows[1].cells[f"p{mini['south'].pk}"] is None
    rows = html.split('id="table-comparison"')[1].split("<tbody>")[1].split("</tr>")
    row = next(r for r in rows if "2011-12" in r)
    assert "—" in row and "£0.00" not in row
    assert "— not reported" in html


def test_the_audit_trail_shows_declared_months_as_months():
    from audit.formatting import Names, display

    field = SpendReturn._meta.get_field("declared_months")
    assert display(field, months_to_mask([4, 5, 6]), Names()) == "Apr–Jun"
    assert display(field, ALL_YEAR, Names()) == "all year"
