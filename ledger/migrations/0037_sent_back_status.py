"""Spend returns sent back to their officers say so: status "sent_back" (it was "returned"),
in the returns and in what their history recorded: the returns' history rows
(``audit_spendreturnevent.status``), the workflow events' action, and a later submission's
``status_before``.

The history tables are append-only (``audit.guards`` and pgtrigger's ``append_only``), and the
returns' own triggers would record the new word as a change someone made. Migrations run as
the tables' owner, so on PostgreSQL this switches those tables' user triggers off for these
statements only, inside the migration's transaction (a failure rolls the switch back too).
"""

from django.db import migrations

TABLES = ("ledger_spendreturn", "audit_spendreturnevent", "audit_workflowevent")


def _rename(schema_editor, old: str, new: str) -> None:
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            for table in TABLES:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        cursor.execute("UPDATE ledger_spendreturn SET status = %s WHERE status = %s", [new, old])
        cursor.execute(
            "UPDATE audit_spendreturnevent SET status = %s WHERE status = %s", [new, old]
        )
        cursor.execute("UPDATE audit_workflowevent SET action = %s WHERE action = %s", [new, old])
        if postgres:
            cursor.execute(
                "UPDATE audit_workflowevent SET detail = jsonb_set(detail, '{status_before}', "
                "to_jsonb(%s::text)) WHERE detail->>'status_before' = %s",
                [new, old],
            )
            for table in TABLES:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            cursor.execute(
                "UPDATE audit_workflowevent SET detail = json_set(detail, '$.status_before', %s) "
                "WHERE json_extract(detail, '$.status_before') = %s",
                [new, old],
            )


def forwards(apps, schema_editor):
    _rename(schema_editor, "returned", "sent_back")


def backwards(apps, schema_editor):
    _rename(schema_editor, "sent_back", "returned")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0036_send_back"),
        ("audit", "0019_send_back"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
