"""Supplier rollups (``SpendSupplierRollup``): approved spend by return, place and the
supplier's spelling, with its key, for the supplier pages. Filled here from the approved lines,
so the pages do not wait for a refresh; the refreshes and rebuilds keep it.

The normalisation is copied (frozen) from ``ledger.services.transfers.supplier_key`` and
``ledger.calculations.suppliers.supplier_key_sql_text`` as they are today: a migration must not
change with the code.
"""

import re

import django.db.models.deletion
import ledger.models.fields
from django.db import migrations, models


_WORDS = re.compile(r"[^0-9A-Z]+")


def _key(name: str) -> str:
    words = _WORDS.sub(" ", name.upper().replace("&", " AND ")).split()
    while words and words[-1] in ("LTD", "LIMITED", "PLC"):
        words.pop()
    return " ".join(words)


_KEY_SQL = (
    "TRIM(REGEXP_REPLACE(' ' || TRIM(REGEXP_REPLACE(UPPER(REPLACE(g.supplier_name, '&', ' AND ') "
    "COLLATE \"C\"), '[^0-9A-Z]+', ' ', 'g')), '( (LTD|LIMITED|PLC))+$', ''))"
)
_COLUMNS = (
    "spend_return_id, place_id, supplier_name, redacted, organisation_id, financial_year_id, "
    "first_date, last_date, amount_pence, line_count"
)
_GROUPED = """
    SELECT l.spend_return_id, l.place_id,
           CASE WHEN l.supplier_redacted THEN '' ELSE l.supplier_name END AS supplier_name,
           l.supplier_redacted, l.organisation_id, l.financial_year_id,
           MIN(l.transaction_date), MAX(l.transaction_date), SUM(l.amount_pence), COUNT(*)
    FROM ledger_spendline l JOIN ledger_spendreturn r ON r.id = l.spend_return_id
    WHERE r.status = 'approved'
    GROUP BY 1, 2, 3, 4, 5, 6"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO ledger_spendsupplierrollup ({_COLUMNS}, supplier_key) "
                f"SELECT g.*, {_KEY_SQL} FROM ({_GROUPED}) g"
            )
            cursor.execute(
                "SELECT DISTINCT supplier_name FROM ledger_spendsupplierrollup "
                "WHERE supplier_name ~ '[^\\u0001-\\u007f]'"
            )
            names = [name for (name,) in cursor.fetchall()]
            if names:
                cursor.execute(
                    "UPDATE ledger_spendsupplierrollup t SET supplier_key = v.k "
                    "FROM unnest(%s::text[], %s::text[]) AS v(n, k) WHERE t.supplier_name = v.n",
                    [names, [_key(n) for n in names]],
                )
            return
        cursor.execute(_GROUPED)
        rows = [(*row, _key(row[2])) for row in cursor.fetchall()]
        cursor.executemany(
            f"INSERT INTO ledger_spendsupplierrollup ({_COLUMNS}, supplier_key) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0039_staged_line_truncate'),
    ]

    operations = [
        migrations.CreateModel(
            name='SpendSupplierRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('supplier_name', models.CharField(blank=True, max_length=255)),
                ('redacted', models.BooleanField(default=False)),
                ('supplier_key', models.CharField(blank=True, max_length=255)),
                ('amount', ledger.models.fields.MoneyField(db_column='amount_pence')),
                ('line_count', models.PositiveIntegerField()),
                ('first_date', models.DateField(null=True)),
                ('last_date', models.DateField(null=True)),
                ('financial_year', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, to='ledger.financialyear')),
                ('organisation', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='ledger.organisation')),
                ('place', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, to='ledger.place')),
                ('spend_return', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='ledger.spendreturn')),
            ],
            options={
                'indexes': [models.Index(fields=['supplier_key'], name='spend_supplier_rollup_supplier'), models.Index(fields=['place', 'financial_year'], name='spend_supplier_rollup_place'), models.Index(fields=['organisation', 'financial_year'], name='spend_supplier_rollup_body')],
                'constraints': [models.UniqueConstraint(fields=('spend_return', 'place', 'supplier_name', 'redacted'), name='spend_supplier_rollup_key')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
