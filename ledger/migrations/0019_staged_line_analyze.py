"""``ledger_stagedline_analyze()``: ANALYZE the import staging table as its owner.

The app runs as a role that owns no table (audit.roles), and before PostgreSQL 17 only a
table's owner may ANALYZE it: a non-owner's ANALYZE is skipped with a warning, and a million-line
confirm is then planned as if the job held a few hundred lines (ledger.services.imports.staging).
This function runs with its owner's rights (SECURITY DEFINER) and can analyze that table only.
"""

from django.db import migrations


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        # search_path fixed, temporary schema last: nothing the caller creates is looked up.
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {schema}.ledger_stagedline_analyze() RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
                BEGIN
                    ANALYZE ledger_importstagedline;
                END;
                $$"""
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_stagedline_analyze()")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0018_spend_line_every_column")]

    operations = [migrations.RunPython(create, drop)]
