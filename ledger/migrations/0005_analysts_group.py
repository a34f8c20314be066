"""The "Analysts" group: membership makes a user an analyst (ledger/rules.py)."""

from django.db import migrations

ANALYSTS_GROUP = "Analysts"  # ledger.rules.ANALYSTS_GROUP (a migration must not import it)


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ANALYSTS_GROUP)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ANALYSTS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("ledger", "0004_imports"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
