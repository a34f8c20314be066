"""The database role the app runs as: not the tables' owner, not a superuser.

Migrations run as the owner; the web, worker and beat processes connect as this role, which may
read and write the app's tables but only add to and read the history tables. A role that owns
nothing cannot disable a trigger, truncate, alter or drop a table, or set
``session_replication_role``: the audit guards (``audit.guards``) hold for it.

What the app does that would need ownership, and how it does it under this role:
- a confirmation empties the staging table by ``TRUNCATE`` through
  ``ledger_stagedline_truncate_alone()``, a function that runs as the owner, can truncate that
  one table only, and does so only when the confirmed job's lines are all it holds (ledger
  migration 0039);
- the rollups' full rebuild builds a new table and swaps it in only when it runs as the rollup
  table's owner (``rollup_swap.swap_possible``); as this role it updates the live table in place
  (the diff), two to three times slower on ten million lines, with the same result;
- COPY into the staging and dataset tables needs INSERT only; the rollups' temporary tables
  need TEMPORARY on the database, granted here.
"""

import re
from dataclasses import dataclass, field

from django.db import connections, transaction

from .guards import context_table, history_tables

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AppRoleError(Exception):
    """The role named cannot be the app's: it is the owner, a superuser, or the owner's member."""


@dataclass
class AppRoleResult:
    role: str
    created: bool
    tables: int = 0
    history_tables: list[str] = field(default_factory=list)


def _role(cursor, role: str) -> tuple | None:
    """(superuser or bypasses row security, has some table owner's privileges), or None."""
    cursor.execute(
        """SELECT r.rolsuper OR r.rolbypassrls,
                  EXISTS (SELECT 1 FROM pg_class c
                          WHERE c.relnamespace = current_schema()::regnamespace
                            AND pg_has_role(r.oid, c.relowner, 'MEMBER'))
           FROM pg_roles r WHERE r.rolname = %s""",
        [role],
    )
    return cursor.fetchone()


def _grant(connection, cursor, quoted: str) -> AppRoleResult:
    """Exactly the privileges the app needs, on every table there is now (re-run after migrate)."""
    cursor.execute("SELECT current_database(), current_schema()")
    database, schema = (connection.ops.quote_name(name) for name in cursor.fetchone())
    cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {quoted}")
    cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
    cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}")
    cursor.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}"
    )
    history = history_tables(cursor)
    for table in history:
        cursor.execute(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted}")
    contexts = context_table(cursor)
    if contexts:  # a context's metadata is upserted as its request learns who is acting
        cursor.execute(f"REVOKE DELETE ON {contexts} FROM {quoted}")
    cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}")
    cursor.execute(
        "SELECT COUNT(*) FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind IN "
        "('r', 'p', 'v', 'm')",
        [schema],
    )
    return AppRoleResult(
        role="", created=False, tables=cursor.fetchone()[0], history_tables=history
    )


def app_role_apply(*, role: str, password: str = "", using: str = "default") -> AppRoleResult:
    """Create or update the app's login role and grant it what the app needs; idempotent.

    Run as the tables' owner (with CREATEROLE to create the role) after every ``migrate``.
    An empty password leaves the role's password as it is (or creates it without one).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise AppRoleError("database roles are PostgreSQL's: nothing to do on SQLite")
    if not ROLE_NAME.match(role):
        raise AppRoleError(f"not a plain role name: {role!r} (lower case, digits, _)")
    quoted = connection.ops.quote_name(role)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            raise AppRoleError(f"{role} is the role running this command, the tables' owner")
        found = _role(cursor, role)
        if found is None:
            cursor.execute(
                f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                "NOREPLICATION NOBYPASSRLS"
            )
        elif found[0]:
            raise AppRoleError(f"{role} is a superuser (or bypasses row security)")
        elif found[1]:
            raise AppRoleError(f"{role} has a table owner's privileges (a member of its role)")
        if password:
            cursor.execute(f"ALTER ROLE {quoted} LOGIN PASSWORD %s", [password])
        result = _grant(connection, cursor, quoted)
    result.role, result.created = role, found is None
    return result


def app_role_grants_refresh(*, role: str, using: str = "default") -> AppRoleResult | None:
    """Re-grant an existing app role after a migrate (new tables), as ``app_role_apply`` does;
    nothing if the role does not exist yet or cannot be the app's."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not ROLE_NAME.match(role or ""):
        return None
    with transaction.atomic(using=using), connection.cursor() as cursor:
        found = _role(cursor, role)
        if found is None or found[0] or found[1]:
            return None
        result = _grant(connection, cursor, connection.ops.quote_name(role))
    result.role = role
    return result
