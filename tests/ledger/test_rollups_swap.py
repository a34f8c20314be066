"""PostgreSQL's rebuild by table swap: same schema, safe beside refreshes and readers, atomic."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from ledger import tasks
from ledger.models import (
    RollupGeneration,
    SpendLine,
    SpendRollup,
    SpendTransferRollup,
    SupplierMatch,
    SupplierMatchMethod,
    SupplierMatchStatus,
)
from ledger.models.fields import to_pence
from ledger.selectors.access import approved_lines
from ledger.services import rollup_swap
from ledger.services.counted_lines import TRANSFER_FIELDS, counted_transfer_groups
from ledger.services.rollup_generation import rollup_generation_bump
from ledger.services.rollups import rollup_rebuild, rollup_refresh
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)
from tests.ledger.test_rollups import approved_return, line_totals, rollup_rows
from tests.services import require_postgres

TABLE = SpendRollup._meta.db_table


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def schema() -> dict:
    """Everything about the table a migration or the ORM could depend on, by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "a.attidentity FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY a.attnum",
            [TABLE],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [TABLE]
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), reloptions FROM pg_class WHERE relname = %s",
            [TABLE, TABLE],
        )
        sequence, options = cursor.fetchone()
    return {
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
        "sequence": sequence,
        "options": options,
    }


@pytest.mark.django_db
def test_the_swap_keeps_the_schema_and_the_ids_go_on():
    year, place, theme, organisations = _ledger(rebuild=False)
    with connection.cursor() as cursor:  # a setting an operator might tune: kept too
        cursor.execute(f"ALTER TABLE {TABLE} SET (autovacuum_vacuum_scale_factor = 0.05)")
    before = schema()  # as the migrations made it
    run = rollup_rebuild()
    assert run.fast_path and (run.rows_inserted, run.rows_updated, run.rows_deleted) == (2, 0, 0)
    assert schema() == before
    assert rollup_rows() == line_totals()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{TABLE}_rebuild"])
        assert cursor.fetchone()[0] is None  # no leftovers
    # New rows get ids after the rebuilt ones, from the ORM and from a refresh alike.
    SpendRollup.objects.create(
        place=place,
        organisation=organisations[0],
        theme=ServiceThemeFactory(),
        financial_year=year,
        basis="direct",
        amount=Decimal("1.00"),
        line_count=1,
    )
    approved_return(
        organisations[1], year, [SpendLine(place=PlaceFactory(), theme=theme, amount=Decimal(5))]
    )
    rollup_refresh(keys=[(o.pk, year.pk) for o in organisations])
    assert rollup_rows() == line_totals()
    assert schema() == before


@pytest.mark.django_db
def test_a_failed_swap_leaves_the_live_table_as_it_was(mini, monkeypatch):
    before = rollup_rows()
    generation = RollupGeneration.objects.get().number

    def refuse(live):
        raise RuntimeError("lock refused")

    monkeypatch.setattr(rollup_swap, "_lock_live", refuse)
    with pytest.raises(RuntimeError):
        rollup_rebuild()
    assert rollup_rows() == before
    assert RollupGeneration.objects.get().number == generation
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{TABLE}_rebuild"])
        assert cursor.fetchone()[0] is None


@pytest.mark.django_db
def test_a_table_the_swap_cannot_reproduce_is_rebuilt_by_the_diff(mini):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_rollup_noop() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NULL; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_rollup_noop AFTER INSERT ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION test_rollup_noop()"
        )
    assert not rollup_swap.swap_possible()
    SpendRollup.objects.filter(organisation=mini["council"]).delete()
    run = rollup_rebuild()
    assert (run.rows_inserted, run.rows_updated, run.rows_deleted) == (2, 0, 0)
    assert rollup_rows() == line_totals()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'test_rollup_noop'")
        assert cursor.fetchone()[0] == 1  # the table was never replaced


def _ledger(rebuild=True):
    year = FinancialYearFactory(code="2009-10")
    place, theme = PlaceFactory(), ServiceThemeFactory()
    organisations = [OrganisationFactory(), OrganisationFactory()]
    for n, organisation in enumerate(organisations):
        approved_return(
            organisation,
            year,
            [SpendLine(place=place, theme=theme, amount=Decimal(f"{n + 1}.00"))],
        )
    if rebuild:
        rollup_rebuild()
    return year, place, theme, organisations


def _total() -> Decimal:
    return SpendRollup.objects.aggregate(t=Sum("amount"))["t"]


@pytest.mark.django_db(transaction=True)
def test_an_approval_during_a_rebuild_is_refreshed_after_the_swap(monkeypatch):
    year, place, theme, organisations = _ledger()
    built, swap, events, errors = threading.Event(), threading.Event(), [], []
    diff = rollup_swap._diff

    def paused_diff(live, new):  # the new table is built; hold the swap back
        built.set()
        swap.wait(20)
        return diff(live, new)

    monkeypatch.setattr(rollup_swap, "_diff", paused_diff)

    def run(name, fn):
        try:
            fn()
            events.append(name)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    rebuild = threading.Thread(target=run, args=("rebuilt", rollup_rebuild))
    rebuild.start()
    assert built.wait(20)
    assert _total() == Decimal("3.00")  # readers read the live table meanwhile, unblocked
    queued = []
    monkeypatch.setattr("totalplace.celery.send_or_log", lambda task, ids: queued.append(ids))
    approved_return(
        organisations[0], year, [SpendLine(place=place, theme=theme, amount=Decimal("10.00"))]
    )
    refresh = threading.Thread(
        target=run, args=("refreshed", lambda: tasks.rollups_refresh(queued[0]))
    )
    refresh.start()
    refresh.join(0.7)
    assert refresh.is_alive(), "the refresh did not wait for the rebuild"
    swap.set()
    rebuild.join(20)
    refresh.join(20)
    assert not errors, errors
    assert sorted(events) == ["rebuilt", "refreshed"]
    assert rollup_rows() == line_totals()
    assert _total() == Decimal("12.00")


@pytest.mark.django_db(transaction=True)
def test_generation_bumps_commit_in_the_order_of_their_numbers():
    year, _, _, organisations = _ledger()
    start = RollupGeneration.objects.get().number
    bumped, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            rollup_generation_bump()  # start + 1, not yet committed
            bumped.set()
            release.wait(20)
        connection.close()

    def refresh():
        rollup_refresh(keys=[(organisations[1].pk, year.pk)])  # start + 2
        done.set()
        connection.close()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=refresh)]
    threads[0].start()
    assert bumped.wait(20)
    threads[1].start()
    # The later number cannot commit first: a reader would see start + 2 while the totals
    # behind start + 1 are still invisible, and cache stale figures under the newer number.
    assert not done.wait(0.7)
    assert RollupGeneration.objects.get().number == start
    release.set()
    assert done.wait(20)
    for thread in threads:
        thread.join(20)
    assert RollupGeneration.objects.get().number == start + 2


def _transfer_ledger():
    """Two bodies, the first paying the second (a confirmed match), rebuilt once."""
    year, place, theme, organisations = _ledger(rebuild=False)
    payer, receiver = organisations
    SupplierMatch.objects.create(
        payer=payer,
        supplier_name="The other body",
        receiver=receiver,
        method=SupplierMatchMethod.PERSON,
        status=SupplierMatchStatus.CONFIRMED,
    )
    approved_return(
        payer,
        year,
        [
            SpendLine(place=place, theme=theme, amount=Decimal(a), supplier_name=supplier)
            for a, supplier in (("7.00", "The other body"), ("2.50", "The other body"), ("4", "X"))
        ],
    )
    rollup_rebuild()
    return year, place, theme, organisations


def transfer_rows() -> dict:
    return {
        tuple(getattr(r, f) for f in TRANSFER_FIELDS): (to_pence(r.amount), r.line_count)
        for r in SpendTransferRollup.objects.all()
    }


def _leftovers() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", ["%\\_rebuild"])
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_builds_the_transfers_in_a_second_session(monkeypatch):
    builders = []
    build = rollup_swap._build_transfers

    def recorded(ids):
        builders.append(threading.current_thread().name)
        return build(ids)

    monkeypatch.setattr(rollup_swap, "_build_transfers", recorded)
    _transfer_ledger()
    assert builders == ["rollup-transfers"]  # not this thread
    assert rollup_rows() == line_totals()
    assert transfer_rows() == counted_transfer_groups(None, approved_lines())
    assert sum(pence for pence, _ in transfer_rows().values()) == 950
    assert not _leftovers()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failing", ["rollups", "transfers"])
def test_a_rebuild_failing_in_either_session_swaps_neither_and_leaves_nothing(monkeypatch, failing):
    year, place, theme, organisations = _transfer_ledger()
    approved_return(  # changes both tables' totals, were the rebuild to swap
        organisations[0],
        year,
        [SpendLine(place=place, theme=theme, amount=Decimal(3), supplier_name="The other body")],
    )
    before, transfers_before, tables = rollup_rows(), transfer_rows(), _table_ids()

    def fail(*args):
        raise RuntimeError("disk full")

    # The rollups fail once the transfer rollups are committed by the second session.
    monkeypatch.setattr(rollup_swap, "_diff" if failing == "rollups" else "_build_transfers", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        rollup_rebuild()
    assert (rollup_rows(), transfer_rows()) == (before, transfers_before)
    assert _table_ids() == tables  # neither table was replaced
    assert not _leftovers()


def _table_ids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::regclass::oid, %s::regclass::oid",
            [TABLE, SpendTransferRollup._meta.db_table],
        )
        return list(cursor.fetchone())
