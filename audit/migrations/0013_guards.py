"""Guards on the history tables that no session can skip (audit.guards), installed now.

The same install runs after every migrate (the post_migrate handler in audit.apps), so history
tables added by later migrations are guarded too; this migration guards the existing ones at
the point in the history where the guards began.
"""

from django.db import migrations


def install(apps, schema_editor):
    from audit.guards import guards_install

    guards_install(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0012_spend_line_every_column"),
        ("ledger", "0018_spend_line_every_column"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
