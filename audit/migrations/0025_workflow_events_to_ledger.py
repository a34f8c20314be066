"""Workflow events and line change summaries move to the ledger (its migration 0041 says why).

Only Django's state moves: the tables stay as they are. Their append-only triggers go here
(PostgreSQL), to be installed again under the ledger's names by ledger migration 0041.
"""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0024_submission_counterfactual_source'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='workflowevent',
            name='append_only',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='linechangesummary',
            name='append_only',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='LineChangeSummary'),
                migrations.DeleteModel(name='WorkflowEvent'),
            ],
        ),
    ]
