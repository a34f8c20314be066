"""A spend return's lines: added in batches (imports, the demo) or saved from the entry grid.

Lines change only while their return is a draft (or returned to its officers); once submitted
they are fixed, and a change means a new version (``ledger.services.returns``).
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ledger.models import SpendLine, SpendReturn
from ledger.return_selectors import EDITABLE_STATUSES

from .imports.jobs import require_officer

LINE_BATCH_SIZE = 5000


def spend_lines_add(*, spend_return: SpendReturn, lines: Iterable[SpendLine]) -> int:
    """Attach unsaved lines to a draft return in batches; returns how many were written."""
    if spend_return.status not in EDITABLE_STATUSES:
        raise ValidationError("Lines can only be added to a draft or returned spend return.")
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
    require_officer(actor, spend_return)
    for line in [*changed, *deleted]:
        if line.spend_return_id != spend_return.pk:
            raise PermissionDenied("A line of another return cannot be changed here.")
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
