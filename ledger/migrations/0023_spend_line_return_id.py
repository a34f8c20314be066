"""A return's lines by (return, id): its page lists them a keyset page at a time.

The new index leads with the return, so it serves everything the index on the return alone did
(reading, replacing and deleting a return's lines, the reference triggers): that one is dropped,
and the import still maintains the same number of indexes. Built before the old one goes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0022_upload_random_names"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="spendline",
            index=models.Index(fields=["spend_return", "id"], name="spend_line_return_id"),
        ),
        migrations.AlterField(
            model_name="spendline",
            name="spend_return",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="ledger.spendreturn",
            ),
        ),
    ]
