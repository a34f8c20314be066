"""A dataset edition's page: its progress, money account, what the preview found, the choices
it needs, its years and history; and the editors' actions (choose, load, approve, send back,
cancel)."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from ledger.models import DatasetEdition, DatasetEditionStatus, Sector
from ledger.selectors.datasets import (
    dataset_edition_account,
    dataset_edition_events,
    dataset_edition_get,
    dataset_edition_not_reported,
    dataset_edition_progress,
    dataset_edition_years,
    is_dataset_editor,
)
from ledger.services.datasets.queueing import dataset_edition_retry_if_delayed
from ledger.tables import Column, Table
from totalplace.permissions import has_perm

from . import dataset_found as found
from .common import export_or_none
from .dataset_forms import EditionChoicesForm, SendBackForm

Status = DatasetEditionStatus
ERRORS_SHOWN = 100


def edition_of(request, pk: int, **kwargs) -> DatasetEdition:
    """An edition the user may see (anyone else's draft is a 404, not a 403)."""
    try:
        return dataset_edition_get(user=request.user, pk=pk)
    except DatasetEdition.DoesNotExist as exc:
        raise Http404("No such dataset edition") from exc


def _percent(edition: DatasetEdition, done: int, total: int) -> int:
    if edition.is_finished:
        return 100
    return min(99, done * 100 // total) if total else 0


def edition_status(edition: DatasetEdition) -> dict:
    done, total = dataset_edition_progress(edition=edition)
    return {
        "id": edition.pk,
        "status": edition.status,
        "status_label": edition.get_status_display(),
        "finished": edition.is_finished,
        "rows_done": done,
        "rows_total": total,
        # What is counted: rows of the file while it is read, lines while they are written.
        "unit": "line" if edition.status == Status.LOADING else "row",
        "percent": _percent(edition, done, total),
        "delayed": edition.delayed_at is not None,
        "message": edition.message,
    }


def dataset_edition_status(request, pk: int):
    """A small JSON status for the progress bar to poll (it also re-queues a delayed job)."""
    edition = edition_of(request, pk)
    if dataset_edition_retry_if_delayed(edition=edition):
        edition = edition_of(request, pk)
    payload = edition_status(edition)
    payload["url"] = reverse("dataset-edition-detail", args=[edition.pk])
    return JsonResponse(payload)


def _account_table(edition: DatasetEdition) -> Table:
    account = dataset_edition_account(edition=edition)
    loaded = edition.status in (Status.LOADED, Status.APPROVED)
    table = Table(
        "money-account",
        "Where the money read from the file goes",
        [Column("what", "Money"), Column("amount", "Amount", "money")],
        note="Nothing is lost silently: the money loaded and every amount excluded, by reason, "
        "add up to the money read from the file.",
    )
    table.add(what="Loaded into the ledger" if loaded else "To be loaded", amount=account.loaded)
    for reason, amount in account.excluded:
        table.add(what=f"Excluded: {reason}", amount=amount)
    if not account.adds_up:  # never expected: the preview refuses to record such an account
        table.add(css="residual", what="Not accounted for", amount=account.read - account.accounted)
    table.add(css="total", what="Money read from the file", amount=account.read)
    return table


def _choices_made(edition: DatasetEdition) -> list[dict]:
    made = []
    for kind in ("bodies", "places"):
        for key, choice in sorted(edition.choices.get(kind, {}).items()):
            if choice.get("action"):
                made.append({"kind": kind, "key": key, **choice})
    return made


def dataset_edition_detail(request, pk: int):
    """Status and progress while the job runs; then the money account, what was found, the
    choices it needs, the years it covers, the actions open to the user and its history."""
    edition = edition_of(request, pk)
    account_table = _account_table(edition)
    tables = {account_table.id: account_table}
    export = export_or_none(request, tables, f"dataset-edition-{edition.pk}")
    if export is not None:
        return export
    user = request.user
    is_editor = is_dataset_editor(user)
    can_choose = is_editor and edition.status in Status.previewed()
    context = {
        "edition": edition,
        "dataset": edition.dataset,
        "status": edition_status(edition),
        "account": dataset_edition_account(edition=edition),
        "account_table": account_table,
        "columns": found.dataset_edition_columns(edition=edition),
        "header_levels": found.dataset_edition_header_levels(edition=edition),
        "years": dataset_edition_years(edition=edition),
        "unknown_bodies": found.dataset_edition_unknown_bodies(edition=edition),
        "unmapped_places": found.dataset_edition_unmapped_places(edition=edition),
        "not_reported": dataset_edition_not_reported(edition=edition),
        "errors": edition.errors[:ERRORS_SHOWN],
        "events": dataset_edition_events(edition=edition),
        "choices_made": _choices_made(edition),
        "is_editor": is_editor,
        "can_choose": can_choose,
        "choices_form": EditionChoicesForm(edition=edition) if can_choose else None,
        "sectors": Sector.choices,
        "can_load": is_editor and edition.status == Status.READY,
        "can_approve": has_perm(user, "ledger.approve_dataset_edition", edition),
        "can_cancel": is_editor
        and edition.status not in (Status.APPROVED, Status.LOADING)
        and edition.status != Status.CANCELLED,
        "send_back_form": SendBackForm(),
        "has_lines": edition.status in (Status.LOADED, Status.APPROVED),
    }
    return render(request, "ledger/datasets/edition.html", context)
