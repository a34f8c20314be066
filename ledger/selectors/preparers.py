"""Who prepared a version of a spend return, read from its trail: whom separation of duties
keeps from approving it (``ledger.permissions``), and the lists of what waits for an approver.

The trail is the ledger's own workflow events and line change summaries
(``ledger.models.workflow``, ``ledger.models.line_changes``) beside its imports' records.
"""

from django.db.models import Exists, OuterRef, Q

from ledger.models import (
    ImportCorrection,
    ImportJob,
    LineChangeSummary,
    SpendReturn,
    WorkflowAction,
    WorkflowEvent,
)

# The steps that make a version what it is (on SQLite, where no line changes are recorded,
# these are all there is to go on).
AUTHOR_ACTIONS = (
    WorkflowAction.CREATED,
    WorkflowAction.SUBMITTED,
    WorkflowAction.IMPORT_CONFIRMED,
    WorkflowAction.THEMES_APPLIED,
    WorkflowAction.ACCRUALS_BASIS,  # saying why lines may fall outside the year is preparing
)


def spend_return_author_ids(*, spend_return: SpendReturn) -> set[int]:
    """Everyone who prepared this version: who created it; who added, changed or deleted its
    lines (by the user each statement's audit context names); who uploaded, corrected or
    confirmed an import into it; who applied theme rules to it; who submitted it.

    The lines' changes are read from their per-statement summaries (written by the same
    triggers as the line events, with the same context): a million-line import is one row.
    A handful of queries, however long the history.
    """
    pk = spend_return.pk
    ids = {spend_return.created_by_id, spend_return.submitted_by_id}
    ids.update(
        LineChangeSummary.objects.filter(spend_return_id=pk)
        .values_list("context__metadata__user", flat=True)
        .distinct()
    )
    imports = ImportJob.objects.filter(spend_return_id=pk, confirmed_at__isnull=False)
    for created_by, confirmed_by in imports.values_list("created_by_id", "confirmed_by_id"):
        ids.update((created_by, confirmed_by))
    ids.update(
        ImportCorrection.objects.filter(job__in=imports).values_list("created_by_id", flat=True)
    )
    ids.update(
        WorkflowEvent.objects.filter(spend_return_id=pk, action__in=AUTHOR_ACTIONS).values_list(
            "actor_id", flat=True
        )
    )
    return {int(i) for i in ids if i is not None}


def prepared_by_q(*, user_id: int) -> Q:
    """For a query of spend returns: those ``user_id`` prepared, by the same reading of the
    trail as ``spend_return_author_ids`` (lists of what waits for an approver use it)."""
    here = OuterRef("pk")
    lines = LineChangeSummary.objects.filter(spend_return_id=here, context__metadata__user=user_id)
    imports = ImportJob.objects.filter(spend_return_id=here, confirmed_at__isnull=False).filter(
        Q(created_by_id=user_id)
        | Q(confirmed_by_id=user_id)
        | Q(corrections__created_by_id=user_id)
    )
    steps = WorkflowEvent.objects.filter(
        spend_return_id=here, action__in=AUTHOR_ACTIONS, actor_id=user_id
    )
    return (
        Q(created_by_id=user_id)
        | Q(submitted_by_id=user_id)
        | Exists(lines)
        | Exists(imports)
        | Exists(steps)
    )
