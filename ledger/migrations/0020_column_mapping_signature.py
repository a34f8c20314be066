import pgtrigger.compiler
import pgtrigger.migrations
import re

from django.db import migrations, models

# As ledger.importers.layouts.header_signature was when this migration was written (a
# migration keeps its own copy: the importer may change later, the data it wrote may not).
_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def _normalise(header: str) -> str:
    text = header.replace("\ufeff", "").lower().replace("&", " and ")
    return _PUNCTUATION.sub(" ", text).strip()


def _signature(headers: list[str]) -> list[str]:
    return sorted(
        key
        for position, header in enumerate(headers, start=1)
        if header != f"Column {position}" and (key := _normalise(header))
    )


def sign_saved_mappings(apps, schema_editor):
    """Saved mappings get the signature of the headers they were saved with."""
    ColumnMapping = apps.get_model("ledger", "ColumnMapping")
    for saved in ColumnMapping.objects.only("pk", "headers"):
        if isinstance(saved.headers, list) and saved.headers:
            signature = _signature([str(h) for h in saved.headers])
            ColumnMapping.objects.filter(pk=saved.pk).update(signature=signature)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0019_staged_line_analyze"),
        # The new triggers write the history table's new columns.
        ("audit", "0014_column_mapping_signature_events"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="columnmapping",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="columnmapping",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="columnmapping",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="columnmapping",
            name="preferred",
            field=models.BooleanField(
                default=False,
                help_text="Always use this mapping for files with these columns, even one whose layout is recognised.",
            ),
        ),
        migrations.AddField(
            model_name="columnmapping",
            name="signature",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="importjob",
            name="save_mapping_preferred",
            field=models.BooleanField(default=False),
        ),
        # Before the triggers come back: signing the old mappings is no change a person made.
        migrations.RunPython(sign_saved_mappings, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name="columnmapping",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "audit_columnmappingevent" ("fields", "headers", "layout", "name", "options", "organisation_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "preferred", "signature") VALUES (NEW."fields", NEW."headers", NEW."layout", NEW."name", NEW."options", NEW."organisation_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."preferred", NEW."signature"); RETURN NULL;',
                    hash="251497c1a687dc58ec740a59fcd3a3cb15efc6a8",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_5070d",
                    table="ledger_columnmapping",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="columnmapping",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."fields" IS DISTINCT FROM (NEW."fields") OR OLD."headers" IS DISTINCT FROM (NEW."headers") OR OLD."layout" IS DISTINCT FROM (NEW."layout") OR OLD."name" IS DISTINCT FROM (NEW."name") OR OLD."options" IS DISTINCT FROM (NEW."options") OR OLD."organisation_id" IS DISTINCT FROM (NEW."organisation_id") OR OLD."preferred" IS DISTINCT FROM (NEW."preferred") OR OLD."signature" IS DISTINCT FROM (NEW."signature"))',
                    func='INSERT INTO "audit_columnmappingevent" ("fields", "headers", "layout", "name", "options", "organisation_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "preferred", "signature") VALUES (NEW."fields", NEW."headers", NEW."layout", NEW."name", NEW."options", NEW."organisation_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."preferred", NEW."signature"); RETURN NULL;',
                    hash="6452d4aea5ec6a1c52f107062115aea2fc2b6160",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_d3f78",
                    table="ledger_columnmapping",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="columnmapping",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "audit_columnmappingevent" ("fields", "headers", "layout", "name", "options", "organisation_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "preferred", "signature") VALUES (OLD."fields", OLD."headers", OLD."layout", OLD."name", OLD."options", OLD."organisation_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."preferred", OLD."signature"); RETURN NULL;',
                    hash="335538c7b998edf29fe0318465af74439c6973d2",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_14162",
                    table="ledger_columnmapping",
                    when="AFTER",
                ),
            ),
        ),
    ]
