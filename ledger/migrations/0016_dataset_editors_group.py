"""The "Dataset editors" group: membership lets a user load and approve national datasets."""

from django.db import migrations

GROUP = "Dataset editors"  # ledger.rules.DATASET_EDITORS_GROUP (a migration must not import it)


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0015_datasets")]

    operations = [migrations.RunPython(create_group, remove_group)]
