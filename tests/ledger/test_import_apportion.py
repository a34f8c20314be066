"""Spend across several places, apportioned by a driver, exact to the penny."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.models import (
    Basis,
    FinancialYear,
    ImportJobStatus,
    Organisation,
    Place,
    Population,
    Role,
)
from ledger.services.access import membership_grant
from ledger.services.imports import staging
from ledger.services.imports.apportionment import Driver, apportionment_places, driver_for
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.returns import spend_return_create
from tests.ledger.import_helpers import csv_bytes, preview

pytestmark = pytest.mark.django_db
DISTRICTS = ["Allerdale", "Barrow-in-Furness", "Carlisle", "Copeland", "Eden", "South Lakeland"]


@given(
    pence=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=12).filter(
        any
    ),
)
def test_every_split_sums_to_the_whole_to_the_penny(pence, weights):
    parts = Driver("population", "test", dict(enumerate(weights))).splitter()(pence)
    assert sum(part for _, part in parts) == pence
    assert [place for place, _ in parts] == list(range(len(weights)))
    total = sum(weights)
    for (place, part), weight in zip(parts, weights, strict=True):
        exact = Decimal(pence) * weight / total
        assert abs(part - exact) < 1  # each part is within a penny of its exact share
        assert part == 0 or (part > 0) == (pence > 0)  # a credit stays a credit


@pytest.fixture
def cumbria(reference_data, officer):
    county = Organisation.objects.by_code("E10000006").get()
    membership_grant(user=officer, organisation=county, role=Role.FINANCE_OFFICER)
    return county


@pytest.fixture
def populations(reference_data):
    year = FinancialYear.objects.get(code="2010-11")
    people = dict(zip(DISTRICTS, [96_100, 71_900, 107_500, 70_600, 52_600, 103_800], strict=True))
    for name, persons in people.items():
        Population.objects.create(
            place=Place.objects.get(name=name),
            financial_year=year,
            persons=persons,
            source="Test mid-year estimates",
        )
    return people


def test_a_county_apportions_across_its_districts(cumbria):
    year = FinancialYear.objects.get(code="2010-11")
    places = apportionment_places(organisation=cumbria, financial_year=year)
    assert [p.name for p in places] == DISTRICTS


# The fixtures (a county, populations, an officer) are shared read-only; each example makes
# and removes its own return.
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=6))
def test_imported_lines_are_apportioned_exactly_and_say_how(amounts, cumbria, populations, officer):
    year = FinancialYear.objects.get(code="2010-11")
    spend_return = spend_return_create(organisation=cumbria, financial_year=year, actor=None)
    rows = [["Date", "Supplier Name", "Expense Area", "Amount"]] + [
        ["14/01/2011", f"Supplier {n}", "Highways", f"{Decimal(p).scaleb(-2):.2f}"]
        for n, p in enumerate(amounts)
    ]
    job = preview(spend_return, csv_bytes(rows), actor=officer, apportion=True)
    assert job.status == ImportJobStatus.READY, job.errors
    assert (job.line_count, job.staged_count) == (len(amounts), 6 * len(amounts))
    import_job_confirm(job=job, actor=officer)
    by_row = defaultdict(list)
    for line in spend_return.lines.select_related("place"):
        by_row[line.source_row].append(line)
    for row, amount in enumerate(amounts, start=2):
        parts = by_row[row]
        assert sum(line.amount for line in parts) == Decimal(amount).scaleb(-2)
        assert sorted(line.place.name for line in parts) == DISTRICTS
        assert {(line.basis, line.driver) for line in parts} == {(Basis.APPORTIONED, "population")}
        assert {line.driver_source for line in parts} == {
            "Population 2010-11: Test mid-year estimates"
        }
    spend_return.lines.all().delete()
    spend_return.import_jobs.all().delete()
    spend_return.delete()


def test_population_from_the_nearest_year_is_used_and_said(cumbria):
    # Only mySociety's 2020 populations exist for these districts.
    driver = driver_for(
        organisation=cumbria,
        financial_year=FinancialYear.objects.get(code="2010-11"),
        name="population",
    )
    assert driver.source.startswith(
        "Population 2020-21 (nearest year with figures for every place to 2010-11): mySociety"
    )
    assert len(driver.weights) == 6 and all(driver.weights.values())


def test_equal_shares_and_refusals(cumbria, leeds):
    year = FinancialYear.objects.get(code="2010-11")
    equal = driver_for(organisation=cumbria, financial_year=year, name="equal")
    assert set(equal.weights.values()) == {1} and equal.source == "Equal shares"
    with pytest.raises(ValidationError, match="nothing to apportion across"):
        driver_for(organisation=leeds, financial_year=year, name="population")
    with pytest.raises(ValidationError, match="Unknown apportionment driver"):
        driver_for(organisation=cumbria, financial_year=year, name="rainfall")


def test_a_file_of_direct_and_apportioned_lines_stages_the_same_by_copy_and_by_the_orm(
    cumbria, populations, officer, monkeypatch
):
    """Only a chunk with apportioned lines sends the basis and driver (the staging table's
    defaults say "direct" otherwise); either way, and by either path, each line says how it was
    placed, and every confirmed line is the job's organisation's (not staged: from the job)."""
    year = FinancialYear.objects.get(code="2010-11")
    carlisle = Place.objects.get(name="Carlisle")
    header = ["Date", "Supplier Name", "Expense Area", "Place Code", "Amount"]
    copied = []
    sql = staging.copy_sql
    monkeypatch.setattr(staging, "copy_sql", lambda columns: copied.append(columns) or sql(columns))
    staged = {}
    # SQLite has only the ORM's path; PostgreSQL both.
    for by_copy in (True, False)[connection.vendor != "postgresql" :]:
        monkeypatch.setattr(staging, "uses_copy", lambda by_copy=by_copy: by_copy)
        spend_return = spend_return_create(organisation=cumbria, financial_year=year, actor=None)
        rows = [  # another file for each path: a file is imported once
            header,
            ["14/01/2011", f"Direct Ltd {by_copy}", "Highways", carlisle.gss_code, "10.00"],
            ["14/01/2011", "Split Ltd", "Highways", "", "6.00"],
        ]
        job = preview(spend_return, csv_bytes(rows), actor=officer, apportion=True)
        assert job.status == ImportJobStatus.READY, job.errors
        staged[by_copy] = list(
            job.staged_lines.order_by("id").values_list(
                "source_row", "place_id", "amount", "basis", "driver", "driver_source"
            )
        )
        import_job_confirm(job=job, actor=officer)
        lines = spend_return.lines.order_by("id")
        assert {line.organisation_id for line in lines} == {cumbria.pk}
        assert [(line.basis, line.driver) for line in lines] == [
            (Basis.DIRECT, ""),
            *[(Basis.APPORTIONED, "population")] * 6,
        ]
    assert staged[False][0] == (2, carlisle.pk, Decimal("10.00"), "direct", "", "")
    assert {line[3:] for line in staged[False][1:]} == {
        ("apportioned", "population", "Population 2010-11: Test mid-year estimates")
    }
    if True in staged:
        assert staged[True] == staged[False]
        assert [("basis" in c, "driver" in c, "organisation_id" in c) for c in copied] == [
            (True, True, False)
        ]
