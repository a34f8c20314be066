import django.db.models.deletion
from django.db import migrations, models

# Each existing line's receiver from its supplier's match (``ledger.services.line_receivers``
# keeps it from here on). One UPDATE of the matched lines only: the column starts null, and
# null is right for every other line. Plain SQL that PostgreSQL and SQLite (3.33+) both run.
FILL = """
UPDATE ledger_spendline SET receiver_id = m.receiver_id
FROM ledger_suppliermatch m
WHERE m.payer_id = ledger_spendline.organisation_id
  AND m.supplier_name = ledger_spendline.supplier_name
  AND m.status <> 'rejected'
"""



def estimate(apps, schema_editor):
    """The planner's estimate of the groups the rollups make (as ledger 0018 did for the
    matches' receivers): grouping by the body a line pays barely adds groups (almost every line
    pays none), but multiplying the key's groups by its distinct values and capping at the row
    count, the planner expects no reduction and gathers 10M lines into one serial aggregate.
    Only estimates change, never results; the override takes effect at the next ANALYZE."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE ledger_spendline ALTER COLUMN receiver_id SET (n_distinct = 1)"
        )
        schema_editor.execute("ANALYZE ledger_spendline (receiver_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0027_spend_line_no_theme_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="spendline",
            name="receiver",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="ledger.organisation",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(estimate, migrations.RunPython.noop),
    ]
