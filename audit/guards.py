"""Guards no session can switch off: the history tables stay append-only whoever asks.

Why not pgtrigger's triggers alone: each of them first asks ``_pgtrigger_should_ignore``, which any
role satisfies with ``SET LOCAL pgtrigger.ignore = '{...}'`` (what ``pgtrigger.ignore()`` does).
These triggers are plain PostgreSQL, created here, with nothing to ask: only a table's owner can
disable them (``ALTER TABLE ... DISABLE TRIGGER``), and only a superuser can skip them
(``session_replication_role = replica``, which the test suite's flush uses). The app runs as a
role that is neither (``audit.roles``), so for the app they cannot be skipped.

What is guarded is read from the catalog, not from a list, so a history table added by a later
migration (anyone's) is covered by the next ``migrate`` (``guards_install`` runs in a migration
and after every migrate, from the ``post_migrate`` signal):

- history tables, those with pgtrigger's ``append_only`` trigger (every pghistory event table,
  the line change summaries, the workflow events): UPDATE, DELETE and TRUNCATE refused;
- pghistory's contexts (who, through what): DELETE and TRUNCATE refused. A context's metadata
  is updated while its request runs (the user, once the API has authenticated the token), so
  UPDATE may fill it in but never replace what it recorded: an update keeps the id, the time
  and every value already recorded (not null, not empty), silently, so no request fails on it;
- tracked tables, whose triggers write history (they call ``_pgh_attach_context``): a write while
  ``pgtrigger.ignore`` is set is refused, unless by the table's owner, who could disable the
  triggers anyway (``bench/import_bench.py`` prices the audit that way);
- the functions of those triggers look tables up with ``pg_temp`` last: a temporary table named
  like a history table (temporary tables come first by default) cannot catch the history rows.
"""

from dataclasses import dataclass, field

from django.db import connections, transaction

APPEND_ONLY = "audit_guard_append_only"
NO_IGNORE = "audit_guard_no_ignore"
CONTEXT_TABLE = "pghistory_context"

CONTEXT_KEEP = "audit_guard_context_keep"

# pg_trigger.tgtype bits.
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 4, 8, 16, 32

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION audit_guard_refuse() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('Cannot %s %s: the audit trail is append-only', lower(TG_OP),
                         TG_TABLE_NAME);
END;
$$;

CREATE OR REPLACE FUNCTION audit_guard_context_keep() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.id := OLD.id;
    NEW.created_at := OLD.created_at;
    NEW.metadata := NEW.metadata || COALESCE(
        (SELECT jsonb_object_agg(key, value) FROM jsonb_each(OLD.metadata)
         WHERE value NOT IN ('null'::jsonb, '""'::jsonb)),
        '{}'::jsonb);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION audit_guard_no_ignore() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF COALESCE(current_setting('pgtrigger.ignore', true), '') NOT IN ('', '{}')
       AND NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('Cannot %s %s while pgtrigger.ignore is set: its history must be '
                             'written', lower(TG_OP), TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END;
$$;
"""

# Tables with pgtrigger's append-only trigger (pghistory's ``append_only=True`` and
# ``pgtrigger.Protect(name="append_only", ...)`` both make one).
HISTORY_TABLES_SQL = """
SELECT DISTINCT c.oid::regclass::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger\\_append\\_only\\_%'
  AND c.relpersistence <> 't'
ORDER BY 1
"""

# Functions of triggers that write history: pghistory's, and any of ours that attach a context.
HISTORY_WRITERS_SQL = """
SELECT c.oid::regclass::text, p.oid::regprocedure::text, n.nspname, p.proconfig
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE NOT t.tgisinternal AND c.relpersistence <> 't'
  AND p.prosrc LIKE '%\\_pgh\\_attach\\_context()%'
UNION ALL
SELECT NULL, p.oid::regprocedure::text, n.nspname, p.proconfig
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.proname = '_pgh_attach_context' AND n.nspname = ANY (current_schemas(false))
"""


@dataclass
class GuardReport:
    history_tables: list[str] = field(default_factory=list)
    tracked_tables: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # "table: trigger" made or remade now


def history_tables(cursor) -> list[str]:
    """The append-only tables, as schema-qualified (where needed) and quoted names."""
    cursor.execute(HISTORY_TABLES_SQL)
    return [row[0] for row in cursor.fetchall()]


def context_table(cursor) -> str | None:
    cursor.execute("SELECT to_regclass(%s)::text", [CONTEXT_TABLE])
    return cursor.fetchone()[0]


def _ensure(cursor, table: str, name: str, events: int, function: str, report: GuardReport):
    """The trigger as it should be: created if missing or different, re-enabled if disabled."""
    cursor.execute(
        "SELECT tgtype, tgfoid::regproc::text, tgenabled FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND tgname = %s",
        [table, name],
    )
    found = cursor.fetchone()
    if found and (found[0], found[1]) == (_BEFORE | events, function):
        if found[2] != "O":  # disabled (or set to fire always or on replicas only): as it was
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
            report.created.append(f"{table}: {name}")
        return
    operations = [
        word
        for bit, word in ((_INSERT, "INSERT"), (_UPDATE, "UPDATE"), (_DELETE, "DELETE"))
        if events & bit
    ] + (["TRUNCATE"] if events & _TRUNCATE else [])
    level = "ROW" if events & _ROW else "STATEMENT"
    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    cursor.execute(
        f"CREATE TRIGGER {name} BEFORE {' OR '.join(operations)} ON {table} "
        f"FOR EACH {level} EXECUTE FUNCTION {function}()"
    )
    report.created.append(f"{table}: {name}")


def guards_install(*, using: str = "default") -> GuardReport:
    """Install (or repair) every guard; idempotent, cheap when nothing is missing.

    PostgreSQL only (SQLite has no triggers at all: there the trail is the workflow events).
    Run as the tables' owner: by a migration and after every ``migrate``.
    """
    connection = connections[using]
    report = GuardReport()
    if connection.vendor != "postgresql":
        return report
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        report.history_tables = history_tables(cursor)
        for table in report.history_tables:
            events = _UPDATE | _DELETE | _TRUNCATE
            _ensure(cursor, table, APPEND_ONLY, events, "audit_guard_refuse", report)
        contexts = context_table(cursor)
        if contexts:
            events = _DELETE | _TRUNCATE
            _ensure(cursor, contexts, APPEND_ONLY, events, "audit_guard_refuse", report)
            events = _ROW | _UPDATE
            _ensure(cursor, contexts, CONTEXT_KEEP, events, "audit_guard_context_keep", report)
        cursor.execute(HISTORY_WRITERS_SQL)
        writers = cursor.fetchall()
        report.tracked_tables = sorted({table for table, *_ in writers if table})
        for table in report.tracked_tables:
            events = _INSERT | _UPDATE | _DELETE
            _ensure(cursor, table, NO_IGNORE, events, "audit_guard_no_ignore", report)
        for function, schema in sorted({(f, s) for _, f, s, config in writers}):
            # pgtrigger re-creates its functions (CREATE OR REPLACE drops this setting) whenever
            # a migration touches a trigger; the post_migrate run puts it back.
            configs = {c for _, f, _, config in writers if f == function for c in config or []}
            if f"search_path={schema}, pg_temp" not in configs:
                cursor.execute(
                    f"ALTER FUNCTION {function} SET search_path = "
                    f"{connection.ops.quote_name(schema)}, pg_temp"
                )
    return report
