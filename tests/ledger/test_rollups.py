import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.models import (
    Basis,
    Reconciliation,
    RollupRun,
    SpendLine,
    SpendReturnStatus,
    SpendRollup,
)
from ledger.selectors.access import approved_lines
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.reconciliation import reconciliation_run
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild, rollup_refresh
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)

pytestmark = pytest.mark.django_db
KEY = ("place_id", "organisation_id", "theme_id", "financial_year_id", "basis")


def rollup_rows():
    return {
        tuple(getattr(r, f) for f in KEY): (r.amount, r.line_count)
        for r in SpendRollup.objects.all()
    }


def line_totals():
    return {
        tuple(row[f] for f in KEY): (row["total"], row["n"])
        for row in approved_lines().values(*KEY).annotate(total=Sum("amount"), n=Count("id"))
    }


def approved_return(organisation, year, lines, *, commit=None):
    spend_return = spend_return_create(organisation=organisation, financial_year=year, actor=None)
    spend_lines_add(spend_return=spend_return, lines=lines)
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return_approve(spend_return=spend_return, actor=None)


@pytest.fixture
def small_ledger():
    year = FinancialYearFactory(code="2009-10")
    places = [PlaceFactory(), PlaceFactory()]
    themes = [ServiceThemeFactory(), ServiceThemeFactory()]
    organisations = [OrganisationFactory(), OrganisationFactory()]
    return {"year": year, "places": places, "themes": themes, "organisations": organisations}


def lines_for(ledger, amounts, place=0, theme=0, basis=Basis.DIRECT):
    return [
        SpendLine(
            place=ledger["places"][place],
            theme=ledger["themes"][theme],
            amount=Decimal(a),
            basis=basis,
        )
        for a in amounts
    ]


def test_approval_refreshes_only_after_commit_and_supersedes(
    small_ledger, django_capture_on_commit_callbacks
):
    org, year = small_ledger["organisations"][0], small_ledger["year"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        approved_return(org, year, lines_for(small_ledger, ["10.00", "5.55"]))
    assert len(queued) == 1 and not SpendRollup.objects.exists()  # nothing before commit
    queued[0]()
    assert rollup_rows() == line_totals()
    assert SpendRollup.objects.get().amount == Decimal("15.55")

    with django_capture_on_commit_callbacks(execute=True):
        approved_return(org, year, lines_for(small_ledger, ["-2.00"], place=1, theme=1))
    # The old version is superseded: its row is gone, only the new one counts.
    assert rollup_rows() == line_totals()
    assert [(r.place_id, r.amount, r.line_count) for r in SpendRollup.objects.all()] == [
        (small_ledger["places"][1].pk, Decimal("-2.00"), 1)
    ]
    assert not reconciliation_run()


def test_refresh_and_rebuild_are_idempotent(small_ledger, django_capture_on_commit_callbacks):
    org, year = small_ledger["organisations"][0], small_ledger["year"]
    with django_capture_on_commit_callbacks(execute=True):
        approved_return(org, year, lines_for(small_ledger, ["1.00", "2.00"]))
    before = rollup_rows()
    run = rollup_refresh(keys=[(org.pk, year.pk)])
    assert (run.rows_inserted, run.rows_updated, run.rows_deleted) == (0, 0, 0)
    run = rollup_rebuild()
    assert (run.rows_inserted, run.rows_updated, run.rows_deleted) == (0, 0, 0)
    assert rollup_rows() == before


@pytest.mark.parametrize("fast", [True, False], ids=["postgresql-sql", "portable-orm"])
def test_both_paths_repair_any_damage(small_ledger, fast):
    from django.db import connection

    if fast and connection.vendor != "postgresql":
        pytest.skip("the SQL path is PostgreSQL's; the portable path covers SQLite")
    org, year = small_ledger["organisations"][0], small_ledger["year"]
    approved_return(org, year, lines_for(small_ledger, ["3.00", "4.00"]))
    approved_return(
        small_ledger["organisations"][1],
        year,
        lines_for(small_ledger, ["9.99"], basis="apportioned"),
    )
    # Damage: a wrong amount, a stray row and a missing row.
    rollup_rebuild(fast=fast)
    first = SpendRollup.objects.order_by("pk").first()
    first.amount = Decimal("1.23")
    first.save()
    SpendRollup.objects.create(
        place=small_ledger["places"][1],
        organisation=org,
        theme=small_ledger["themes"][1],
        financial_year=year,
        basis="direct",
        amount=Decimal("100"),
        line_count=1,
    )
    SpendRollup.objects.order_by("-pk")[1].delete()
    run = rollup_rebuild(fast=fast)
    assert run.fast_path is fast
    assert (run.rows_inserted, run.rows_updated, run.rows_deleted) == (1, 1, 1)
    assert rollup_rows() == line_totals()


def test_refresh_touches_only_its_scope(small_ledger):
    year = small_ledger["year"]
    a, b = small_ledger["organisations"]
    approved_return(a, year, lines_for(small_ledger, ["1.00"]))
    approved_return(b, year, lines_for(small_ledger, ["2.00"]))
    rollup_refresh(keys=[(a.pk, year.pk)])
    assert set(SpendRollup.objects.values_list("organisation_id", flat=True)) == {a.pk}


def test_reconciliation_shows_a_residual_to_the_penny(small_ledger):
    org, year = small_ledger["organisations"][0], small_ledger["year"]
    approved_return(org, year, lines_for(small_ledger, ["10.01", "0.02"]))
    rollup_rebuild()
    SpendRollup.objects.update(amount=Decimal("10.00"))
    residuals = reconciliation_run()
    assert [
        (r.organisation_id, r.residual, r.lines_amount, r.rollup_amount) for r in residuals
    ] == [(org.pk, Decimal("0.03"), Decimal("10.03"), Decimal("10.00"))]
    stored = Reconciliation.objects.get()
    assert stored.residual == Decimal("0.03") and not stored.matches
    assert stored.as_of <= dt.datetime.now(dt.UTC)


def test_only_approved_lines_count(small_ledger):
    org, year = small_ledger["organisations"][0], small_ledger["year"]
    draft = spend_return_create(organisation=org, financial_year=year, actor=None)
    spend_lines_add(spend_return=draft, lines=lines_for(small_ledger, ["50.00"]))
    rollup_rebuild()
    assert not SpendRollup.objects.exists()
    assert draft.status == SpendReturnStatus.DRAFT


amounts = st.lists(
    st.tuples(
        st.integers(min_value=-(10**9), max_value=10**11),  # pence, credits included
        st.integers(0, 1),
        st.integers(0, 1),
        st.sampled_from(["direct", "apportioned"]),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=amounts)
def test_rollups_sum_exactly_whatever_the_lines(small_ledger, rows):
    with transaction.atomic():
        org, year = small_ledger["organisations"][0], small_ledger["year"]
        lines = [
            SpendLine(
                place=small_ledger["places"][p],
                theme=small_ledger["themes"][t],
                amount=Decimal(pence).scaleb(-2),
                basis=basis,
            )
            for pence, p, t, basis in rows
        ]
        approved_return(org, year, lines)
        rollup_rebuild()
        expected = defaultdict(int)
        for pence, *_ in rows:
            expected["total"] += pence
        assert rollup_rows() == line_totals()
        total = SpendRollup.objects.aggregate(t=Sum("amount"))["t"]
        assert total == Decimal(expected["total"]).scaleb(-2)
        assert RollupRun.objects.exists()
        transaction.set_rollback(True)
