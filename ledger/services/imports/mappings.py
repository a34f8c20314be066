"""Saved column mappings: made once per organisation, reused for its next files."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ledger.importers.layouts import header_signature
from ledger.importers.mapping import Mapping
from ledger.models import ColumnMapping, ImportJob, Organisation, SpendReturn


def column_mappings_fitting(
    *, organisation: Organisation, headers: list[str]
) -> list[tuple[ColumnMapping, Mapping]]:
    """The organisation's saved mappings that fit a file with these headers, most recently
    used first: saved from a file with the same real column names (``signature``; a mapping
    saved from a file of blank headers fits none) and finding every column they name."""
    signature = header_signature(headers)
    if not signature:
        return []
    fitting = []
    for saved in ColumnMapping.objects.filter(organisation=organisation).order_by(
        F("last_used_at").desc(nulls_last=True), "-updated_at"
    ):
        if saved.signature != signature:
            continue
        mapping = mapping_of(saved)
        if mapping.fields and not mapping.missing(headers):
            fitting.append((saved, mapping))
    return fitting


def mapping_of(saved: ColumnMapping) -> Mapping:
    return Mapping.from_json({"layout": saved.layout, **saved.options, "fields": saved.fields})


@transaction.atomic
def column_mapping_save(
    *,
    organisation: Organisation,
    name: str,
    mapping: Mapping,
    headers: list[str],
    actor: AbstractBaseUser | None,
    preferred: bool | None = None,
) -> ColumnMapping:
    """Save (or update) the organisation's mapping called ``name``, for files with these
    ``headers``; ``preferred`` True or False marks it (or not) as always used for them, over
    a built-in layout (None leaves an existing mapping's choice as it was)."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError({"name": "Give the mapping a name."})
    data = mapping.as_json()
    # How this file's headers were read is about this file, not the mapping.
    options = {k: v for k, v in data.items() if k not in ("layout", "fields", "read_as")}
    values = {
        "layout": mapping.layout,
        "fields": data["fields"],
        "options": options,
        "headers": headers,
        "signature": header_signature(headers),
        "last_used_at": timezone.now(),
    }
    if preferred is not None:
        values["preferred"] = preferred
    saved, _ = ColumnMapping.objects.update_or_create(
        organisation=organisation,
        name=name,
        defaults=values,
        create_defaults={**values, "created_by": actor},
    )
    return saved


def column_mapping_remember(*, job: ImportJob, spend_return: SpendReturn, actor) -> None:
    """After a confirmed import: keep the mapping that worked, so the next file reuses it.

    A built-in layout needs no saving (it is recognised again); a saved mapping is marked as
    used; anything chosen by hand or recognised column by column is saved. The job's
    ``save_mapping_preferred`` marks the mapping saved or used as preferred.
    """
    if job.mapping_id:
        used = {"last_used_at": timezone.now()}
        if job.save_mapping_preferred:
            used["preferred"] = True
        ColumnMapping.objects.filter(pk=job.mapping_id).update(**used)
        spend_return.mapping_id = job.mapping_id
        return
    layout = job.mapping_used.get("layout", "")
    if not job.save_mapping_as and layout not in ("custom", "generic", "revenue_outturn_wide"):
        return
    name = job.save_mapping_as or f"Columns of {job.filename}"
    saved = column_mapping_save(
        organisation=job.organisation,
        name=name,
        mapping=Mapping.from_json(job.mapping_used),
        headers=job.headers,
        actor=actor,
        preferred=True if job.save_mapping_preferred else None,
    )
    spend_return.mapping_id = saved.pk
