"""A dataset's editions: upload, choices, cancel, load, approve, send back.

upload → preview (a Celery job: what the file holds, the money it reads, what needs a choice)
→ load (a Celery job: every line in one transaction, or none) → approve, by another dataset
editor: the edition becomes current for each year it covers, replacing the edition approved
before for those years only, and the count of every place is rebuilt. Every edition stays
viewable. ``actor=None`` is the system (the demo loader, the shell).
"""

import os

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from ledger.models import (
    DEFAULT_PRECEDENCE,
    Dataset,
    DatasetEdition,
    DatasetEditionStatus,
    DatasetEditionYear,
    DatasetFormat,
    DatasetRoute,
    WorkflowAction,
)
from ledger.services.workflow import workflow_event_record
from totalplace.permissions import require_perm
from totalplace.uploads import upload_digest, upload_too_large_message, validate_spreadsheet

Status = DatasetEditionStatus
CHOICE_KEYS = frozenset(
    {"sheet", "header_row", "measure", "unit_factor", "year", "driver", "bodies", "places"}
)


def _require_editor(actor: AbstractBaseUser | None) -> None:
    require_perm(
        actor,
        "ledger.load_datasets",
        message="Only dataset editors (and staff) can load national datasets.",
    )


@transaction.atomic
def dataset_create(
    *,
    title: str,
    publisher: str,
    format: str,
    route: str,
    actor: AbstractBaseUser | None,
    slug: str = "",
    source_url: str = "",
    licence: str = "",
    description: str = "",
    precedence: int | None = None,
) -> Dataset:
    """A new published series; its editions are uploaded to it."""
    _require_editor(actor)
    slug = slugify(slug or f"{publisher} {title}")[:80]
    if Dataset.objects.filter(slug=slug).exists():
        raise ValidationError(f"A dataset called “{slug}” exists already: add an edition to it.")
    route = DatasetRoute(route)
    dataset = Dataset(
        slug=slug,
        title=title.strip(),
        publisher=publisher.strip(),
        format=DatasetFormat(format),
        route=route,
        source_url=source_url,
        description=description,
        precedence=DEFAULT_PRECEDENCE[route] if precedence is None else precedence,
        created_by=actor,
    )
    if licence:
        dataset.licence = licence
    dataset.full_clean()
    dataset.save()
    return dataset


def _clean_choices(choices: dict | None) -> dict:
    choices = dict(choices or {})
    unknown = set(choices) - CHOICE_KEYS
    if unknown:
        raise ValidationError(
            f"Unknown choice{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}; "
            f"the choices are {', '.join(sorted(CHOICE_KEYS))}."
        )
    return choices


@transaction.atomic
def dataset_edition_upload(
    *,
    dataset: Dataset,
    edition: str,
    upload: File,
    actor: AbstractBaseUser | None,
    filename: str = "",
    choices: dict | None = None,
    is_illustrative: bool = False,
    start: bool = True,
) -> DatasetEdition:
    """Keep a file as a new edition (or a new version of one) and queue its preview.

    The same file (SHA-256) already in another edition of the dataset is refused, naming it.
    """
    _require_editor(actor)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    filename = os.path.basename(filename or upload.name or "dataset")[:255]
    sha256, size = upload_digest(upload)
    if size == 0:
        raise ValidationError("The file is empty (0 bytes).")
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(upload_too_large_message(size))
    validate_spreadsheet(upload, filename)
    same = (
        dataset.editions.filter(sha256=sha256)
        .exclude(status__in=(Status.CANCELLED, Status.SENT_BACK))
        .first()
    )
    if same is not None:
        raise ValidationError(
            f"This file is already edition “{same.edition}” (version {same.version}) of "
            f"{dataset}: it is not loaded twice."
        )
    label = edition.strip()
    if not label:
        raise ValidationError("Say which edition this file is, as the publisher names it.")
    version = (dataset.editions.filter(edition=label).aggregate(v=Max("version"))["v"] or 0) + 1
    record = DatasetEdition(
        dataset=dataset,
        edition=label[:100],
        version=version,
        filename=filename,
        sha256=sha256,
        size=size,
        choices=_clean_choices(choices),
        is_illustrative=is_illustrative,
        created_by=actor,
    )
    record.file.save(filename, upload, save=False)
    record.save()
    workflow_event_record(
        action=WorkflowAction.DATASET_UPLOADED,
        actor=actor,
        dataset_edition=record,
        detail={"file": filename, "sha256": sha256, "bytes": size, "dataset": dataset.slug},
    )
    if start:
        _queue(record)
    return record


def _queue(edition: DatasetEdition) -> None:
    from .queueing import dataset_edition_dispatch

    # After commit (the worker must find the edition); a broker outage delays it, never loses it.
    transaction.on_commit(lambda: dataset_edition_dispatch(edition_id=edition.pk))


def _locked(edition: DatasetEdition) -> DatasetEdition:
    return DatasetEdition.objects.select_for_update().select_related("dataset").get(pk=edition.pk)


@transaction.atomic
def dataset_edition_choose(
    *, edition: DatasetEdition, choices: dict, actor: AbstractBaseUser | None
) -> DatasetEdition:
    """Record the user's choices (merged into those made before) and preview the file again."""
    _require_editor(actor)
    edition = _locked(edition)
    if edition.status not in Status.previewed():
        raise ValidationError(f"This edition is {edition.get_status_display().lower()}.")
    merged = {**edition.choices, **_clean_choices(choices)}
    for key in ("bodies", "places"):  # per-item choices merge item by item
        if key in choices:
            merged[key] = {**edition.choices.get(key, {}), **choices[key]}
    edition.choices = {k: v for k, v in merged.items() if v not in (None, "")}
    edition.status = Status.QUEUED
    edition.rows_done = 0
    edition.save()
    # What was decided (a body excluded or added, another unit) shows in the edition's history.
    workflow_event_record(
        action=WorkflowAction.DATASET_CHOICES,
        actor=actor,
        dataset_edition=edition,
        detail={"choices": choices, "summary": _describe(choices)},
    )
    _queue(edition)
    return edition


@transaction.atomic
def dataset_edition_cancel(
    *, edition: DatasetEdition, actor: AbstractBaseUser | None
) -> DatasetEdition:
    """Abandon an edition before it is approved; any lines it loaded are deleted."""
    _require_editor(actor)
    edition = _locked(edition)
    if edition.status in (Status.APPROVED, Status.LOADING):
        raise ValidationError(f"An edition {edition.get_status_display().lower()} is kept.")
    previous = edition.status
    _forget_lines(edition)
    edition.status, edition.finished_at = Status.CANCELLED, timezone.now()
    edition.save(update_fields=["status", "finished_at"])
    workflow_event_record(
        action=WorkflowAction.DATASET_CANCELLED,
        actor=actor,
        dataset_edition=edition,
        detail={"file": edition.filename, "status_before": previous},
    )
    return edition


def _describe(choices: dict) -> str:
    """The choices in words, for the edition's history: "unit 1,000; E07999999 excluded"."""
    words = []
    for key, value in choices.items():
        if key in ("bodies", "places"):
            for item, choice in value.items():
                action = choice.get("action", "") if isinstance(choice, dict) else choice
                target = choice.get("organisation") or choice.get("code") or ""
                words.append(f"{item} {action}{' as ' + target if target else ''}".strip())
        else:
            words.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(words)


def _forget_lines(edition: DatasetEdition) -> None:
    """An edition that will not count keeps its file and its history, not its lines."""
    edition.lines.all().delete()
    edition.figures.all().delete()
    edition.not_reported.all().delete()
    edition.year_set.all().delete()


@transaction.atomic
def dataset_edition_request_load(
    *, edition: DatasetEdition, actor: AbstractBaseUser | None
) -> DatasetEdition:
    """Queue the load of a previewed edition: its lines, all or none, for approval."""
    _require_editor(actor)
    edition = _locked(edition)
    if edition.status == Status.LOADING:
        return edition
    if edition.status != Status.READY:
        raise ValidationError(
            f"This edition cannot be loaded (“{edition.get_status_display()}”): only a preview "
            "without errors or open choices can."
        )
    edition.status, edition.loaded_by, edition.rows_done = Status.LOADING, actor, 0
    edition.save(update_fields=["status", "loaded_by", "rows_done"])
    _queue(edition)
    return edition


@transaction.atomic
def dataset_edition_approve(
    *, edition: DatasetEdition, actor: AbstractBaseUser | None
) -> DatasetEdition:
    """Make a loaded edition current for every year it covers, replacing for those years the
    edition approved before; then rebuild the count (after commit)."""
    edition = _locked(edition)
    if edition.status != Status.LOADED:
        raise ValidationError("Only a loaded edition can be approved.")
    require_perm(
        actor,
        "ledger.approve_dataset_edition",
        edition,
        message="Another dataset editor must approve it: not the person who uploaded or loaded it.",
    )
    # Editions of the dataset that lose a year: one at a time (two approvals of one dataset).
    Dataset.objects.select_for_update().get(pk=edition.dataset_id)
    year_ids = list(edition.year_set.values_list("financial_year_id", flat=True))
    replaced = (
        DatasetEditionYear.objects.filter(
            edition__dataset_id=edition.dataset_id, financial_year_id__in=year_ids, is_current=True
        )
        .exclude(edition=edition)
        .select_related("edition", "financial_year")
    )
    for year in replaced:
        workflow_event_record(
            action=WorkflowAction.DATASET_SUPERSEDED,
            actor=actor,
            dataset_edition=year.edition,
            detail={"year": year.financial_year.code, "by_edition": edition.pk},
        )
    replaced.update(is_current=False)
    edition.year_set.update(is_current=True)
    edition.status = Status.APPROVED
    edition.approved_at, edition.approved_by = timezone.now(), actor
    edition.save(update_fields=["status", "approved_at", "approved_by"])
    workflow_event_record(
        action=WorkflowAction.DATASET_APPROVED,
        actor=actor,
        dataset_edition=edition,
        detail={"lines": edition.line_count, "total": str(edition.money_loaded)},
    )
    _rebuild_count_after_commit()
    return edition


def _rebuild_count_after_commit() -> None:
    from ledger.tasks import rollups_rebuild
    from totalplace.celery import send_or_log

    # Every place's count may change (a national edition reaches every place): rebuild, which
    # is idempotent and takes the rollups' exclusive lock. If the broker is down the nightly
    # rebuild catches up.
    transaction.on_commit(lambda: send_or_log(rollups_rebuild))


@transaction.atomic
def dataset_edition_send_back(
    *, edition: DatasetEdition, actor: AbstractBaseUser | None, reason: str
) -> DatasetEdition:
    """Refuse a loaded edition, with a reason; its lines are deleted (the file stays)."""
    edition = _locked(edition)
    if edition.status != Status.LOADED:
        raise ValidationError("Only a loaded edition can be sent back.")
    require_perm(
        actor,
        "ledger.approve_dataset_edition",
        edition,
        message="Another dataset editor must decide: not the person who uploaded or loaded it.",
    )
    if not reason.strip():
        raise ValidationError("Say why the edition is sent back.")
    _forget_lines(edition)
    edition.status = Status.SENT_BACK
    edition.sent_back_at, edition.sent_back_by = timezone.now(), actor
    edition.send_back_reason = reason.strip()
    edition.save(update_fields=["status", "sent_back_at", "sent_back_by", "send_back_reason"])
    workflow_event_record(
        action=WorkflowAction.DATASET_SENT_BACK,
        actor=actor,
        dataset_edition=edition,
        reason=edition.send_back_reason,
    )
    return edition
