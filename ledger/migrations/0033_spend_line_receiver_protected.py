import django.db.models.deletion
from django.db import migrations, models

# The body a line pays (``SpendLine.receiver``) is checked like the line's other references
# (ledger 0009): the lines an INSERT or UPDATE writes must name a body that exists (locked FOR
# KEY SHARE until commit, so a concurrent delete waits and then sees them), and a body that a
# line pays may not be deleted nor renumbered. Frozen here, as in 0009. Cost on the 10M-line
# ledger: catalog changes only (no row is read or rewritten); afterwards each INSERT or UPDATE
# of lines adds one column to the distinct keys its statement check gathers, and deleting a
# body looks for lines paying it through the paid-body index (spend_line_paid_body).
REFERENCES = (
    ("spend_return_id", "ledger_spendreturn"),
    ("place_id", "ledger_place"),
    ("organisation_id", "ledger_organisation"),
    ("theme_id", "ledger_servicetheme"),
    ("financial_year_id", "ledger_financialyear"),
)
RECEIVER = ("receiver_id", "ledger_organisation")


def _check_function(references) -> str:
    """0009's statement check over ``references``; a NULL (a line paying no body) is no key."""
    columns = ", ".join(column for column, _ in references)
    arrays = ", ".join(f"array_agg(DISTINCT {column})" for column, _ in references)
    names = ", ".join(f"k_{column}" for column, _ in references)
    declares = "".join(f"    k_{column} bigint[];\n" for column, _ in references)
    checks = "".join(
        f"""
    PERFORM 1 FROM {table} WHERE id = ANY (k_{column}) FOR KEY SHARE;
    SELECT k INTO missing FROM unnest(k_{column}) AS k
     WHERE k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} WHERE id = k) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('insert or update on table "ledger_spendline" violates its '
                             'reference to "{table}": key ({column})=(%s) is not present '
                             'in table "{table}"', missing);
    END IF;"""
        for column, table in references
    )
    return f"""
CREATE OR REPLACE FUNCTION ledger_spendline_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
{declares}    missing bigint;
BEGIN
    SELECT {arrays} INTO {names}
      FROM (SELECT DISTINCT {columns} FROM new_rows) AS keys;{checks}
    RETURN NULL;
END;
$$;
"""


# The referenced side reuses 0009's ledger_spendline_refuse_orphans(column).
TRIGGERS = [
    f"CREATE TRIGGER ledger_spendline_receiver_{event.lower()} AFTER {event} ON ledger_organisation "
    f"REFERENCING OLD TABLE AS old_rows{new} FOR EACH STATEMENT "
    "EXECUTE FUNCTION ledger_spendline_refuse_orphans('receiver_id')"
    for event, new in (("DELETE", ""), ("UPDATE", " NEW TABLE AS new_rows"))
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in [_check_function((*REFERENCES, RECEIVER)), *TRIGGERS]:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for event in ("delete", "update"):
            schema_editor.execute(
                f"DROP TRIGGER ledger_spendline_receiver_{event} ON ledger_organisation"
            )
        schema_editor.execute(_check_function(REFERENCES), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0032_staged_line_key_only"),
    ]

    operations = [
        # PROTECT: the ORM (the admin) refuses to delete a body that lines pay, naming them.
        # No SQL: the column has no database constraint (db_constraint=False).
        migrations.AlterField(
            model_name="spendline",
            name="receiver",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.organisation",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
