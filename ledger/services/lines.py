"""A spend return's lines: added in batches (imports, the demo) or saved from the entry grid.

Lines change only while their return is a draft (or sent back to its officers); once submitted
they are fixed, and a change means a new version (``ledger.services.returns``).
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from ledger.importers.lines import outside_year_message
from ledger.models import SpendLine, SpendReturn, SpendReturnStatus, WorkflowAction
from ledger.services.workflow import workflow_event_record

from .imports.jobs import require_officer
from .imports.themes import theme_matcher_for

LINE_BATCH_SIZE = 5000


def spend_lines_add(*, spend_return: SpendReturn, lines: Iterable[SpendLine]) -> int:
    """Attach unsaved lines to a draft return in batches; returns how many were written."""
    if spend_return.status not in SpendReturnStatus.editable():
        raise ValidationError("Lines can only be added to a draft or sent-back spend return.")
    batch, written = [], 0
    with transaction.atomic():
        for line in lines:
            line.spend_return = spend_return
            line.organisation_id = line.organisation_id or spend_return.organisation_id
            line.financial_year_id = line.financial_year_id or spend_return.financial_year_id
            batch.append(line)
            if len(batch) >= LINE_BATCH_SIZE:
                written += len(SpendLine.objects.bulk_create(batch))
                batch = []
        written += len(SpendLine.objects.bulk_create(batch))
    return written


# Where a line belongs: fixed when it is added. Moving a draft's line into another return (an
# approved one, say) or to another organisation or year would change signed-off totals with no
# sign-off, so an existing line keeps all three; a line in the wrong place is deleted and added
# again where it belongs.
PLACEMENT = ("spend_return_id", "organisation_id", "financial_year_id")


def _refuse_moves(lines: list[SpendLine], *, spend_return: SpendReturn) -> None:
    """Every line is one of ``spend_return``'s, as stored, and stays where it is."""
    stored = {
        row[0]: row[1:]
        for row in SpendLine.objects.filter(pk__in=[line.pk for line in lines])
        .order_by()
        .values_list("pk", *PLACEMENT)
    }
    for line in lines:
        placement = stored.get(line.pk)
        if placement is None or placement[0] != spend_return.pk:
            raise PermissionDenied("A line of another return cannot be changed here.")
        if tuple(getattr(line, name) for name in PLACEMENT) != placement:
            raise ValidationError(
                "A line stays in the return, organisation and financial year it was entered "
                "in: delete it and add it again where it belongs."
            )


def _locked_for_lines(spend_return: SpendReturn, actor: AbstractBaseUser | None) -> SpendReturn:
    """The return re-read under its row lock, then checked: a submission that held the lock
    while this waited has changed its status, and the lines must not follow it in. The same
    lock ``spend_return_submit`` and the import confirmation take."""
    spend_return = SpendReturn.objects.select_for_update(of=("self",)).get(pk=spend_return.pk)
    require_officer(actor, spend_return)
    return spend_return


@transaction.atomic
def spend_lines_save_grid(
    *,
    spend_return: SpendReturn,
    actor: AbstractBaseUser | None,
    changed: list[SpendLine],
    new: list[SpendLine],
    deleted: list[SpendLine],
) -> dict[str, int]:
    """Save what the line-entry grid changed, all of it or none."""
    spend_return = _locked_for_lines(spend_return, actor)
    _refuse_moves([*changed, *deleted], spend_return=spend_return)
    _refuse_outside_year(spend_return=spend_return, changed=changed, new=new)
    if deleted:
        SpendLine.objects.filter(pk__in=[line.pk for line in deleted]).delete()
    for line in changed:
        line.full_clean(exclude=["spend_return", "organisation", "financial_year", "import_job"])
    SpendLine.objects.bulk_update(changed, SpendLine.INPUT_FIELDS)
    for line in new:
        line.spend_return = spend_return
        line.organisation_id = spend_return.organisation_id
        line.financial_year_id = spend_return.financial_year_id
        line.full_clean(exclude=["import_job"])
    SpendLine.objects.bulk_create(new)
    return {"changed": len(changed), "added": len(new), "deleted": len(deleted)}


@transaction.atomic
def spend_line_correct(*, line: SpendLine) -> SpendLine:
    """Save an administrator's correction to one existing line (the admin site's change form).

    Only while its return is a draft or sent back to its officers, checked under the return's
    lock, and never into another return, organisation or year.
    """
    stored_return = SpendLine.objects.values_list("spend_return_id", flat=True).get(pk=line.pk)
    spend_return = SpendReturn.objects.select_for_update(of=("self",)).get(pk=stored_return)
    if spend_return.status not in SpendReturnStatus.editable():
        raise ValidationError(
            f"This line's return is {spend_return.get_status_display().lower()}, so its lines "
            "cannot change. Start a new version to make changes."
        )
    _refuse_moves([line], spend_return=spend_return)
    _refuse_outside_year(spend_return=spend_return, changed=[line], new=[])
    line.full_clean(exclude=["spend_return", "organisation", "financial_year", "import_job"])
    line.save()
    return line


def _refuse_outside_year(
    *, spend_return: SpendReturn, changed: list[SpendLine], new: list[SpendLine]
) -> None:
    """A line dated outside the return's year counts in the wrong year's totals: refused, row
    by row, unless the return is kept on an accruals basis."""
    if spend_return.accruals_basis:
        return
    year = spend_return.financial_year
    problems = []
    for number, line in [(line.source_row or f"line {line.pk}", line) for line in changed] + [
        (f"new line {i}", line) for i, line in enumerate(new, start=1)
    ]:
        day = line.transaction_date
        if day is not None and not year.start_date <= day <= year.end_date:
            problems.append(
                f"Row {number}, Date “{day:%Y-%m-%d}”: "
                + outside_year_message(year.start_date, year.end_date)
            )
    if problems:
        raise ValidationError(problems)


# The text a theme rule reads, in the order ``ThemeMatcher.theme_for`` takes it.
RULE_FIELDS = ("service_label", "expense_area", "expense_code", "expense_type", "description")
KEYS_PER_UPDATE = 500


@transaction.atomic
def spend_lines_apply_theme_rules(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None
) -> dict[str, int]:
    """Give a draft's unallocated lines the theme today's rules find for them.

    For the officer who adds rules after an import: the lines need not be imported again. Only
    unallocated lines change; a theme an import or a person gave a line is never overwritten.
    One ``UPDATE`` per theme and batch of distinct labels, so the audit trail records each line.
    """
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_officer(actor, spend_return)
    matcher = theme_matcher_for(organisation=spend_return.organisation)
    unallocated = spend_return.lines.filter(theme_id=matcher.unallocated_id)
    fields = RULE_FIELDS if matcher.uses_description else RULE_FIELDS[:-1]
    themes: dict[int, list[tuple]] = {}
    for key in unallocated.values_list(*fields).distinct().order_by():
        theme_id = matcher.theme_for(*key)
        if theme_id != matcher.unallocated_id:
            themes.setdefault(theme_id, []).append(key)
    allocated, total = 0, 0
    for theme_id, keys in themes.items():
        for start in range(0, len(keys), KEYS_PER_UPDATE):
            batch = keys[start : start + KEYS_PER_UPDATE]
            match = Q()
            for key in batch:
                match |= Q(**dict(zip(fields, key, strict=True)))
            lines = unallocated.filter(match)
            total += lines.aggregate(total=Sum("amount"))["total"] or 0
            allocated += lines.update(theme_id=theme_id)
    remaining = unallocated.count()
    if allocated:
        workflow_event_record(
            action=WorkflowAction.THEMES_APPLIED,
            actor=actor,
            spend_return=spend_return,
            detail={"lines": allocated, "total": str(total), "still_unallocated": remaining},
        )
    return {"allocated": allocated, "still_unallocated": remaining}
