"""Workflow events and line change summaries move from the audit app to the ledger.

The ledger's services write the events and its approval rules read both (who prepared a
version), so the ledger must not have to import the audit app, which builds on the ledger (its
history tables name the ledger's models). Only Django's state moves: the tables keep their
names (``audit_workflowevent``, ``audit_linechangesummary``), rows, indexes and constraints.
Their append-only triggers are named after the model's app, so the audit app's migration 0025
drops the old ones and this one installs them under their new names (PostgreSQL only). The
content types follow the models, with any permission given on them.
"""

import django.db.models.deletion
import django.utils.timezone
import ledger.models.fields
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

MOVED = ("workflowevent", "linechangesummary")


def relabel_content_types(apps, schema_editor, *, old="audit", new="ledger"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not types.filter(app_label=new, model=model).exists():
            types.filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="ledger", new="audit")


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0040_supplier_rollups'),
        ('audit', '0025_workflow_events_to_ledger'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WorkflowEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('action', models.CharField(choices=[('created', 'Created'), ('submitted', 'Submitted for sign-off'), ('approved', 'Approved'), ('sent_back', 'Sent back for changes'), ('superseded', 'Superseded'), ('discarded', 'Discarded'), ('import_uploaded', 'File uploaded'), ('import_previewed', 'File previewed'), ('import_confirmed', 'Import confirmed'), ('import_refused', 'Import refused'), ('import_cancelled', 'Import cancelled'), ('import_corrected', 'Cells corrected'), ('themes_applied', 'Theme rules applied'), ('accruals_basis', 'Basis of the dates changed'), ('dataset_uploaded', 'Dataset file uploaded'), ('dataset_previewed', 'Dataset file previewed'), ('dataset_choices', 'Dataset choices made'), ('dataset_loaded', 'Dataset lines loaded'), ('dataset_approved', 'Dataset edition approved'), ('dataset_sent_back', 'Dataset edition sent back'), ('dataset_superseded', 'Dataset edition superseded'), ('dataset_cancelled', 'Dataset edition cancelled')], max_length=24)),
                        ('actor_name', models.CharField(blank=True, max_length=150)),
                        ('reason', models.TextField(blank=True)),
                        ('detail', models.JSONField(blank=True, default=dict)),
                        ('context_id', models.UUIDField(blank=True, null=True)),
                        ('context', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('dataset_edition', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='workflow_events', to='ledger.datasetedition')),
                        ('import_job', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='workflow_events', to='ledger.importjob')),
                        ('organisation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='ledger.organisation')),
                        ('spend_return', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='workflow_events', to='ledger.spendreturn')),
                    ],
                    options={
                        'db_table': 'audit_workflowevent',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='LineChangeSummary',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField()),
                        ('label', models.CharField(max_length=10)),
                        ('lines', models.PositiveIntegerField()),
                        ('amount', ledger.models.fields.MoneyField(db_column='amount_pence')),
                        ('sha256', models.CharField(blank=True, db_default='', max_length=64)),
                        ('actor', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('import_job', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='ledger.importjob')),
                        ('spend_return', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='line_change_summaries', to='ledger.spendreturn')),
                    ],
                    options={
                        'db_table': 'audit_linechangesummary',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['spend_return', '-id'], name='audit_linesum_return')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('import_job__isnull', False)), fields=('import_job',), name='audit_linesum_one_per_import')],
                    },
                ),
                migrations.AddIndex(
                    model_name='workflowevent',
                    index=models.Index(fields=['spend_return', '-created_at'], name='audit_wf_return'),
                ),
                migrations.AddIndex(
                    model_name='workflowevent',
                    index=models.Index(fields=['import_job'], name='audit_wf_import'),
                ),
                migrations.AddIndex(
                    model_name='workflowevent',
                    index=models.Index(fields=['dataset_edition', '-created_at'], name='audit_wf_dataset'),
                ),
            ],
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='linechangesummary',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='d5547290f200816a0f58e39d26a42d99b258eda2', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_6c849', table='audit_linechangesummary', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='workflowevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='3e9f8b0db80661bb5a6e20d7f286870b8767b8c0', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_bc9cf', table='audit_workflowevent', when='BEFORE')),
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
