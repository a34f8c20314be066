"""Saved column mappings: made once per organisation, reused for its next files."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.importers.mapping import Mapping
from ledger.models import ColumnMapping, ImportJob, Organisation, SpendReturn


def column_mapping_matching(*, organisation: Organisation, headers: list[str]):
    """The organisation's most recently used mapping whose columns this file has, if any."""
    present = set(headers)
    for saved in ColumnMapping.objects.filter(organisation=organisation).order_by(
        "-last_used_at", "-updated_at"
    ):
        mapping = mapping_of(saved)
        if (
            mapping.fields
            and not mapping.missing(headers)
            and set(mapping.fields.values()) <= present
        ):
            return saved, mapping
    return None, None


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
) -> ColumnMapping:
    """Save (or update) the organisation's mapping called ``name``."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError({"name": "Give the mapping a name."})
    data = mapping.as_json()
    options = {k: v for k, v in data.items() if k not in ("layout", "fields")}
    saved, _ = ColumnMapping.objects.update_or_create(
        organisation=organisation,
        name=name,
        defaults={
            "layout": mapping.layout,
            "fields": data["fields"],
            "options": options,
            "headers": headers,
            "last_used_at": timezone.now(),
        },
        create_defaults={
            "layout": mapping.layout,
            "fields": data["fields"],
            "options": options,
            "headers": headers,
            "last_used_at": timezone.now(),
            "created_by": actor,
        },
    )
    return saved


def column_mapping_remember(*, job: ImportJob, spend_return: SpendReturn, actor) -> None:
    """After a confirmed import: keep the mapping that worked, so the next file reuses it.

    A built-in layout needs no saving (it is recognised again); a saved mapping is marked as
    used; anything chosen by hand or recognised column by column is saved.
    """
    if job.mapping_id:
        ColumnMapping.objects.filter(pk=job.mapping_id).update(last_used_at=timezone.now())
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
    )
    spend_return.mapping_id = saved.pk
