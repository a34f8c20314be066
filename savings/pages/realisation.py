"""Proposing a saving, agreeing it for an organisation, recording it cashed or not realised."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pilots.pages.common import form_fields, initiative_of
from pilots.services.access import NOT_A_LEAD
from savings.forms import SavingCashForm, SavingForm, SavingNotRealisedForm
from savings.models import Saving
from savings.selectors.realisation import saving_actions, savings_visible
from savings.services.realisation import (
    NOT_THE_RECEIVER,
    saving_agree,
    saving_cash,
    saving_not_realised,
    saving_propose,
)
from totalplace.errors import error_text
from totalplace.forms import apply_errors
from totalplace.permissions import permission_required


def _saving(request, public_id) -> Saving:
    """A saving of an initiative the user may see (else 404)."""
    saving = (
        savings_visible(user=request.user)
        .select_related("initiative__pilot", "payer", "receiver", "financial_year")
        .filter(public_id=public_id)
        .first()
    )
    if saving is None:
        raise Http404("No such saving")
    return saving


def _back(saving: Saving):
    return redirect(f"{saving.initiative.get_absolute_url()}#savings")


def _render(request, saving_or_initiative, form, title: str, lede: str = ""):
    initiative = getattr(saving_or_initiative, "initiative", saving_or_initiative)
    context = {
        "form": form,
        "title": title,
        "lede": lede,
        "initiative": initiative,
        "pilot": initiative.pilot,
    }
    return render(request, "savings/saving_form.html", context)


@permission_required("pilots.edit_pilot", fn=initiative_of, message=NOT_A_LEAD)
def saving_create(request, public_id):
    """Claim a saving of this initiative for one organisation in one year (its leads)."""
    initiative = initiative_of(request, public_id)
    form = SavingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saving = saving_propose(initiative=initiative, actor=request.user, **form_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saving proposed. Each organisation now agrees it.")
            return _back(saving)
    lede = "The paying and the receiving organisation each agree a proposed saving."
    return _render(request, initiative, form, "Propose a saving", lede)


@require_POST
@login_required
def saving_agree_view(request, public_id):
    """Agree a saving for the organisation(s) the user is a member of."""
    saving = _saving(request, public_id)
    try:
        saving_agree(saving=saving, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Your organisation's agreement is recorded.")
    return _back(saving)


@login_required
def saving_cash_view(request, public_id):
    """Record an agreed saving as cashed (the receiving organisation's members)."""
    saving = _saving(request, public_id)
    form = SavingCashForm(request.POST or None, saving=saving)
    if request.method == "POST" and form.is_valid():
        try:
            saving_cash(saving=saving, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The saving is recorded as cashed.")
            return _back(saving)
    elif request.method == "GET" and "cash" not in saving_actions(saving=saving, user=request.user):
        raise PermissionDenied(NOT_THE_RECEIVER)
    lede = f"{saving.receiver} · forecast £{saving.forecast:,} in {saving.financial_year}"
    return _render(request, saving, form, "Record a saving as cashed", lede)


@login_required
def saving_not_realised_view(request, public_id):
    """Record that a saving did not happen, and why."""
    saving = _saving(request, public_id)
    form = SavingNotRealisedForm(request.POST or None)
    if request.method == "GET" and "not_realised" not in saving_actions(
        saving=saving, user=request.user
    ):
        raise PermissionDenied("Only the organisations named or the pilot's leads may say so.")
    if request.method == "POST" and form.is_valid():
        try:
            saving_not_realised(
                saving=saving, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The saving is recorded as not realised.")
            return _back(saving)
    lede = f"{saving.receiver} · forecast £{saving.forecast:,} in {saving.financial_year}"
    return _render(request, saving, form, "Record a saving as not realised", lede)
