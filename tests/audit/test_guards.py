"""The trail cannot be rewritten: guards no session can skip, and the app's role (audit.guards,
audit.roles). Real PostgreSQL; the suite connects as a superuser, the app's role is made here."""

import contextlib
from decimal import Decimal
from io import StringIO

import pghistory.models
import pgtrigger
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.guards import APPEND_ONLY, guards_install, history_tables
from audit.models import SpendLineEvent
from audit.models.events import SPEND_LINE_FIELDS, SPEND_LINE_UNTRACKED
from audit.roles import app_role_apply, app_role_grants_refresh
from ledger.models import LineChangeSummary, SpendLine, SpendReturn, WorkflowEvent
from ledger.services import rollup_swap
from ledger.services.imports import staging
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.rollups import rollup_rebuild
from tests.audit.helpers import events_of
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    SpendLineFactory,
)
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.ledger.test_rollups import approved_return, line_totals, rollup_rows
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db]

LINE_EVENTS = SpendLineEvent._meta.db_table


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def refused(statement: str, match: str) -> None:
    """``statement`` fails (its savepoint rolled back, the test's transaction goes on)."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        sql(statement)


@pytest.fixture
def app_role():
    """The app's role, made by the service inside the test's transaction (rolled back after)."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    result = app_role_apply(role=role)
    assert result.created
    return role


@contextlib.contextmanager
def acting_as(role: str):
    sql(f'SET ROLE "{role}"')
    try:
        yield
    finally:
        sql("RESET ROLE")


def a_line_event() -> SpendLineEvent:
    return SpendLineEvent.objects.get(pgh_obj_id=SpendLineFactory().pk)


# --- every column of a line is in its history ----------------------------------------------


def test_every_spend_line_column_is_tracked():
    columns = {f.name for f in SpendLine._meta.concrete_fields} - {"id"}
    assert set(SPEND_LINE_FIELDS) == columns - set(SPEND_LINE_UNTRACKED)
    assert set(SPEND_LINE_UNTRACKED) == {"receiver"}  # derived: see its comment


CHANGES = {
    "organisation": lambda: OrganisationFactory(),
    "financial_year": lambda: FinancialYearFactory(code="2011-12"),
    "supplier_redacted": lambda: True,
    "transaction_ref": lambda: "INV-0042",
    "expense_code": lambda: "R4410",
    "service_label": lambda: "Adult social care",
    "driver": lambda: "population",
    "driver_source": lambda: "ONS mid-year estimates 2011",
}


@pytest.mark.parametrize("name", CHANGES)
def test_an_update_of_each_column_writes_history(name):
    line = SpendLineFactory()
    value = CHANGES[name]()
    assert SpendLine.objects.filter(pk=line.pk).update(**{name: value}) == 1
    insert, update = events_of(line)
    assert (insert.pgh_label, update.pgh_label) == ("insert", "update")
    assert getattr(update, name) == value != getattr(insert, name)
    assert LineChangeSummary.objects.filter(spend_return=line.spend_return, label="update").exists()


# --- the guards, even for the owner and a superuser ----------------------------------------


def test_every_history_table_is_guarded():
    """Read from the models, not the catalog: a history table the guards missed fails here."""
    expected = {
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, pghistory.models.Event) and not m._meta.proxy
    } | {LineChangeSummary._meta.db_table, WorkflowEvent._meta.db_table, "pghistory_context"}
    guarded = sql(
        "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s AND tgenabled = 'O'",
        [APPEND_ONLY],
    )
    assert {table for (table,) in guarded} == expected
    assert set(history_tables(connection.cursor())) == expected - {"pghistory_context"}


def test_pgtrigger_ignore_does_not_unlock_history():
    event = a_line_event()
    update = f"UPDATE {LINE_EVENTS} SET amount_pence = 0 WHERE pgh_id = {event.pgh_id}"
    delete = f"DELETE FROM {LINE_EVENTS} WHERE pgh_id = {event.pgh_id}"
    with pgtrigger.ignore("audit.SpendLineEvent:append_only"):
        refused(update, "Cannot update audit_spendlineevent: the audit trail is append-only")
        refused(delete, "Cannot delete audit_spendlineevent")
    # The same by hand, naming pgtrigger's own append-only trigger.
    (pgid,) = sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
        "AND tgname LIKE 'pgtrigger_append_only_%%'",
        [LINE_EVENTS],
    )[0]
    sql(f"SET LOCAL pgtrigger.ignore = '{{{pgid}}}'")
    refused(update, "append-only")
    # Without our guard (only the owner can disable it), the ignore would have rewritten it.
    with transaction.atomic():
        sql(f"ALTER TABLE {LINE_EVENTS} DISABLE TRIGGER {APPEND_ONLY}")
        sql(update)
        assert SpendLineEvent.objects.get(pk=event.pk).amount == 0
        transaction.set_rollback(True)
    sql("SET LOCAL pgtrigger.ignore = ''")
    assert SpendLineEvent.objects.get(pk=event.pk).amount == event.amount


def test_truncate_of_any_history_table_is_refused():
    a_line_event()
    for table in [*history_tables(connection.cursor()), "pghistory_context"]:
        refused(f"TRUNCATE {table} CASCADE", f"Cannot truncate {table}")
    assert SpendLineEvent.objects.exists()


def test_contexts_cannot_be_deleted():
    with pghistory.context(user=1):
        event = a_line_event()
    refused("DELETE FROM pghistory_context", "Cannot delete pghistory_context")
    assert pghistory.models.Context.objects.filter(pk=event.pgh_context_id).exists()


def test_a_context_can_be_filled_in_but_what_it_recorded_is_kept():
    sql(
        "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
        'VALUES (gen_random_uuid(), \'{"user": null, "username": "", "url": "/a/"}\', '
        "now() - interval '1 day', now())"
    )
    context = pghistory.models.Context.objects.get()
    # The API authenticates its token once the request has started: the user is filled in.
    sql(
        "UPDATE pghistory_context SET metadata = "
        '\'{"user": 5, "username": "bob", "url": "/a/", "api_token": "t"}\''
    )
    filled = {"user": 5, "username": "bob", "url": "/a/", "api_token": "t"}
    assert pghistory.models.Context.objects.get().metadata == filled
    # Rewriting who did it, or when, changes nothing (even for a superuser).
    sql(
        'UPDATE pghistory_context SET metadata = \'{"user": 6, "username": "eve"}\', '
        "created_at = now(), id = gen_random_uuid()"
    )
    kept = pghistory.models.Context.objects.get()
    assert (kept.pk, kept.created_at, kept.metadata) == (context.pk, context.created_at, filled)


def test_a_new_history_table_is_guarded_by_the_next_migrate_and_a_disabled_guard_restored():
    sql("CREATE TABLE audit_scratchevent (id integer)")
    sql(
        "CREATE FUNCTION scratch_protect() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$"
    )
    sql(
        "CREATE TRIGGER pgtrigger_append_only_00000 BEFORE UPDATE ON audit_scratchevent "
        "FOR EACH ROW EXECUTE FUNCTION scratch_protect()"
    )
    sql(f"ALTER TABLE {LINE_EVENTS} DISABLE TRIGGER {APPEND_ONLY}")
    # What the post_migrate handler runs once a migrate has added the table.
    apps.get_app_config("audit").ready()  # connecting twice is harmless (dispatch_uid)
    call_command("migrate", "audit", verbosity=0)
    refused("TRUNCATE audit_scratchevent", "Cannot truncate audit_scratchevent")
    refused(f"DELETE FROM {LINE_EVENTS}", "append-only")
    assert guards_install().created == []  # idempotent: nothing left to do


def test_the_owner_may_write_a_tracked_table_with_pgtrigger_ignore_as_it_may_disable_triggers():
    line = SpendLineFactory()
    with pgtrigger.ignore("ledger.SpendLine:update_update"):
        SpendLine.objects.filter(pk=line.pk).update(description="quietly")
    assert [e.pgh_label for e in events_of(line)] == ["insert"]


# --- the app's role -------------------------------------------------------------------------


def test_the_app_role_cannot_disable_skip_or_rewrite_anything(app_role):
    event = a_line_event()
    line = SpendLine.objects.get(pk=event.pgh_obj_id)
    with acting_as(app_role):
        refused(f"ALTER TABLE {LINE_EVENTS} DISABLE TRIGGER {APPEND_ONLY}", "must be owner")
        refused("ALTER TABLE ledger_spendline DISABLE TRIGGER USER", "must be owner")
        refused("SET session_replication_role = replica", "permission denied")
        refused(f"UPDATE {LINE_EVENTS} SET amount_pence = 0", "permission denied")
        refused(f"DELETE FROM {LINE_EVENTS}", "permission denied")
        refused(f"TRUNCATE {LINE_EVENTS}", "permission denied")
        refused("TRUNCATE ledger_spendline", "permission denied")
        refused("DELETE FROM pghistory_context", "permission denied")
        with (
            pgtrigger.ignore("ledger.SpendLine:update_update"),
            pytest.raises(DatabaseError, match="pgtrigger.ignore is set"),
            transaction.atomic(),
        ):
            SpendLine.objects.filter(pk=line.pk).update(description="quietly")
        # A temporary table named like the history table does not catch the history rows.
        sql(f"CREATE TEMP TABLE {LINE_EVENTS} (LIKE public.{LINE_EVENTS} INCLUDING ALL)")
        SpendLine.objects.filter(pk=line.pk).update(description="openly")
        sql(f"DROP TABLE pg_temp.{LINE_EVENTS}")
    assert [(e.pgh_label, e.description) for e in events_of(line)][1:] == [("update", "openly")]


def test_the_app_role_does_what_the_app_does(app_role, leeds_draft, officer, monkeypatch):
    monkeypatch.setattr(staging, "ORDERED_READ_AFTER_ROWS", 1)
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.50", supplier=f"S{n}") for n in range(1, 31)]
    staged_file = "SELECT pg_relation_filenode(%s)"
    before = sql(staged_file, [staging.STAGED_TABLE])
    with acting_as(app_role):
        job = preview(leeds_draft, csv_bytes(rows), actor=officer)  # COPY into staging
        import_job_confirm(job=job, actor=officer)  # sorting off for its INSERT; TRUNCATE
        line = SpendLine.objects.filter(spend_return=leeds_draft).first()
        line.description = "Corrected"
        line.save()
        SpendLine.objects.filter(pk=line.pk).delete()
    # Its insert is the import's one record; its update and delete are its own.
    assert [e.pgh_label for e in events_of(line)] == ["update", "delete"]
    record = LineChangeSummary.objects.get(spend_return=leeds_draft, label="insert")
    assert (record.import_job_id, record.lines, record.actor_id) == (job.pk, 30, officer.pk)
    assert SpendLine.objects.filter(spend_return=leeds_draft).count() == 29
    # The staging table was emptied by TRUNCATE (a new file) as its owner: the role may not.
    assert sql(staged_file, [staging.STAGED_TABLE]) != before
    assert sql(f"SELECT count(*) FROM {staging.STAGED_TABLE}") == [(0,)]


def test_the_rollups_rebuild_under_the_app_role_by_the_diff(app_role):
    year, place, theme = FinancialYearFactory(code="2009-10"), PlaceFactory(), ServiceThemeFactory()
    organisation = OrganisationFactory()
    with acting_as(app_role):
        assert not rollup_swap.swap_possible()  # not the owner: never drops or renames
        lines = [SpendLine(place=place, theme=theme, amount=Decimal(a)) for a in ("10.00", "2.50")]
        approved_return(organisation, year, lines)
        rollup_rebuild()
    assert rollup_rows() == line_totals() != {}
    assert SpendReturn.objects.get(organisation=organisation).status == "approved"


def test_grants_are_refreshed_for_tables_a_later_migration_adds(app_role):
    sql("CREATE TABLE scratch_later (id integer)")
    assert sql("SELECT has_table_privilege(%s, 'scratch_later', 'INSERT')", [app_role]) == [
        (False,)
    ]
    app_role_grants_refresh(role=app_role)
    assert sql("SELECT has_table_privilege(%s, 'scratch_later', 'INSERT')", [app_role]) == [(True,)]
    history = f"has_table_privilege(%s, '{LINE_EVENTS}', %s)"
    granted = sql(
        f"SELECT {history}, {history}, {history}, {history}",
        [app_role, "SELECT", app_role, "INSERT", app_role, "UPDATE", app_role, "DELETE"],
    )
    assert granted == [(True, True, False, False)]


def test_db_app_role_command_is_idempotent_and_refuses_the_owner(app_role, settings):
    settings.TOTALPLACE_APP_DB_PASSWORD = "s3cret-app-password"
    out = StringIO()
    call_command("db_app_role", role=app_role, stdout=out)
    call_command("db_app_role", role=app_role, stdout=out)
    assert out.getvalue().count(f"updated role {app_role}: read and write on") == 2
    assert sql("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", [app_role]) == [
        (True, False)
    ]
    (owner,) = sql("SELECT current_user")[0]
    with pytest.raises(CommandError, match="the tables' owner"):
        call_command("db_app_role", role=owner)
    with pytest.raises(CommandError, match="TOTALPLACE_APP_DB_ROLE"):
        call_command("db_app_role", role="")
