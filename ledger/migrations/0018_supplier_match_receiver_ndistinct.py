"""Tell PostgreSQL's planner to treat ``SupplierMatch.receiver_id`` as one value when it
estimates groups.

The rollup pass groups every counted line by its key *and* the body it pays (a LEFT JOIN to the
matches). Estimating groups, the planner multiplies the lines' key groups by the receivers'
distinct values, caps the product at the row count, and so expects no reduction at all: it then
gathers all 10M lines into one serial aggregate that spills to disk (~5x a bare GROUP BY).
Almost every line pays no public body, so the receiver barely adds groups; with this estimate
it aggregates in parallel workers (~1.7x). Only estimates change, never results.
"""

from django.db import migrations

TABLE, COLUMN = "ledger_suppliermatch", "receiver_id"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} SET (n_distinct = 1)")
        schema_editor.execute(f"ANALYZE {TABLE}")  # the override takes effect at the next ANALYZE


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} RESET (n_distinct)")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0017_transfers")]

    operations = [migrations.RunPython(forwards, backwards)]
