"""The initiative page and the forms its pilot's leads use to change it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pilots.forms import InitiativeForm
from pilots.selectors import pages
from pilots.services.access import NOT_A_LEAD
from pilots.services.initiatives import initiative_create, initiative_delete, initiative_update
from totalplace.forms import apply_errors
from totalplace.permissions import has_perm, permission_required

from .common import demo_label, form_fields, initiative_of, pilot_of, sections


def initiative_detail(request, public_id):
    initiative = initiative_of(request, public_id)
    can_edit = has_perm(request.user, "pilots.edit_pilot", initiative)
    context = {
        "initiative": initiative,
        "pilot": initiative.pilot,
        "evidence": pages.evidence_for(
            user=request.user, pilot=initiative.pilot, initiative=initiative
        ),
        "submissions": pages.submissions_for(user=request.user, pilot=initiative.pilot).filter(
            linked_initiatives=initiative
        ),
        "can_edit": can_edit,
        "demo_label": demo_label(),
        **sections("initiative", request=request, subject=initiative, may_edit=can_edit),
    }
    return render(request, "pilots/initiative_detail.html", context)


@permission_required("pilots.edit_pilot", fn=pilot_of, message=NOT_A_LEAD)
def initiative_create_view(request, slug: str):
    pilot = pilot_of(request, slug)
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form_fields(form)
        try:
            initiative = initiative_create(
                pilot=pilot, actor=request.user, title=fields.pop("title"), **fields
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Initiative added. Add its costs and benefits next.")
            return redirect(initiative)
    return render(
        request, "pilots/initiative_form.html", {"form": form, "pilot": pilot, "initiative": None}
    )


@permission_required("pilots.edit_pilot", fn=initiative_of, message=NOT_A_LEAD)
def initiative_edit_view(request, public_id):
    initiative = initiative_of(request, public_id)
    form = InitiativeForm(request.POST or None, instance=initiative)
    if request.method == "POST" and form.is_valid():
        try:
            initiative_update(initiative=initiative, actor=request.user, **form_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Initiative saved; its appraisal is being recalculated.")
            return redirect(initiative)
    context = {"form": form, "pilot": initiative.pilot, "initiative": initiative}
    return render(request, "pilots/initiative_form.html", context)


@require_POST
@permission_required("pilots.edit_pilot", fn=initiative_of, message=NOT_A_LEAD)
def initiative_delete_view(request, public_id):
    initiative = initiative_of(request, public_id)
    pilot = initiative.pilot
    initiative_delete(initiative=initiative, actor=request.user)
    messages.success(request, f"“{initiative.title}” was deleted.")
    return redirect("pilots:pilot-detail", slug=pilot.slug)
