"""What dataset editors do on an edition's page: make the preview's choices, add or exclude an
unknown body, say which place a region is, load, approve, send back, cancel.

Each checks the role here (403 for the wrong one, 404 for an edition the user may not see); the
state (already loaded, your own upload) is the service's to refuse, with a message, since a page
may simply be out of date.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ledger.models import Place
from ledger.services.datasets.bodies import dataset_body_add
from ledger.services.datasets.editions import (
    dataset_edition_approve,
    dataset_edition_cancel,
    dataset_edition_choose,
    dataset_edition_request_load,
    dataset_edition_send_back,
)
from totalplace.errors import error_text
from totalplace.permissions import permission_required

from .dataset_editions import edition_of
from .dataset_forms import BodyAddForm, EditionChoicesForm, ExcludeForm, PlaceChoiceForm

ONLY_EDITORS = "Only dataset editors (and staff) can change a dataset edition."


def _form_errors(form) -> str:
    return " ".join(f"{e}" for errors in form.errors.values() for e in errors)


def _act(request, pk: int, action, success: str, anchor: str = ""):
    edition = edition_of(request, pk)
    try:
        action(edition)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect(f"{edition_url(edition.pk)}{anchor}")


def edition_url(pk: int) -> str:
    return reverse("dataset-edition-detail", args=[pk])


editor_only = permission_required("ledger.load_datasets", fn=edition_of, message=ONLY_EDITORS)


@require_POST
@editor_only
def dataset_edition_choose_view(request, pk: int):
    edition = edition_of(request, pk)
    form = EditionChoicesForm(request.POST, edition=edition)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(edition_url(pk) + "#choices-heading")
    return _act(
        request,
        pk,
        lambda e: dataset_edition_choose(edition=e, choices=form.choices(), actor=request.user),
        "Your choices are saved: the file is being read again with them.",
    )


@require_POST
@editor_only
def dataset_edition_exclude(request, pk: int):
    """Exclude an unknown body or place (or undo that): its money is counted as excluded."""
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(edition_url(pk))
    kind, key, action = (form.cleaned_data[k] for k in ("kind", "key", "action"))
    choice = {"action": "exclude"} if action else {}
    done = f"“{key}” is excluded" if action else f"“{key}” waits for a choice again"
    return _act(
        request,
        pk,
        lambda e: dataset_edition_choose(
            edition=e, choices={kind: {key: choice}}, actor=request.user
        ),
        f"{done}: the file is being read again.",
    )


@require_POST
@editor_only
def dataset_edition_body_add(request, pk: int):
    """Add an unknown body to the reference data, then read the file again."""
    form = BodyAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(edition_url(pk) + "#bodies-heading")
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda e: dataset_body_add(
            edition=e,
            key=data["key"],
            name=data["name"],
            sector=data["sector"],
            place_codes=form.place_codes(),
            actor=request.user,
        ),
        f"{data['name']} is added to the reference data: the file is being read again.",
        "#bodies-heading",
    )


@require_POST
@editor_only
def dataset_edition_place(request, pk: int):
    """Say which place a region as published is, then read the file again."""
    form = PlaceChoiceForm(request.POST)
    code = request.POST.get("code", "").strip()
    if not form.is_valid() or not Place.objects.by_code(code).exists():
        messages.error(request, f"No place has the code “{code}”.")
        return redirect(edition_url(pk) + "#places-heading")
    key = form.cleaned_data["key"]
    return _act(
        request,
        pk,
        lambda e: dataset_edition_choose(
            edition=e,
            choices={"places": {key: {"action": "place", "code": code.upper()}}},
            actor=request.user,
        ),
        f"“{key}” is read as {code.upper()}: the file is being read again.",
    )


@require_POST
@editor_only
def dataset_edition_load_view(request, pk: int):
    return _act(
        request,
        pk,
        lambda e: dataset_edition_request_load(edition=e, actor=request.user),
        "Loading its lines: all of them, or none. Another dataset editor approves it next.",
    )


@require_POST
@editor_only
def dataset_edition_approve_view(request, pk: int):
    return _act(
        request,
        pk,
        lambda e: dataset_edition_approve(edition=e, actor=request.user),
        "Approved: it is the current edition for the years it covers, and the count of every "
        "place is being rebuilt.",
    )


@require_POST
@editor_only
def dataset_edition_send_back_view(request, pk: int):
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda e: dataset_edition_send_back(edition=e, actor=request.user, reason=reason),
        "Sent back: its lines are deleted; the file is kept.",
    )


@require_POST
@editor_only
def dataset_edition_cancel_view(request, pk: int):
    return _act(
        request,
        pk,
        lambda e: dataset_edition_cancel(edition=e, actor=request.user),
        "Cancelled: nothing of it counts anywhere.",
    )
