"""Forms for an initiative's costs and benefits (its pilot's leads only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilots.pages.common import form_fields, initiative_of
from pilots.services.access import NOT_A_LEAD
from savings.forms import BenefitFlowForm, CostLineForm
from savings.services.inputs import (
    benefit_flow_create,
    benefit_flow_delete,
    benefit_flow_update,
    cost_line_create,
    cost_line_delete,
    cost_line_update,
)
from totalplace.forms import apply_errors
from totalplace.permissions import permission_required

KINDS = {
    "cost": {
        "form": lambda data, instance, initiative: CostLineForm(data, instance=instance),
        "related": "costs",
        "create": cost_line_create,
        "update": lambda obj, **kw: cost_line_update(line=obj, **kw),
        "delete": lambda obj, **kw: cost_line_delete(line=obj, **kw),
        "noun": "cost",
    },
    "benefit": {
        "form": lambda data, instance, initiative: BenefitFlowForm(
            data, instance=instance, initiative=initiative
        ),
        "related": "benefits",
        "create": benefit_flow_create,
        "update": lambda obj, **kw: benefit_flow_update(flow=obj, **kw),
        "delete": lambda obj, **kw: benefit_flow_delete(flow=obj, **kw),
        "noun": "benefit",
    },
}


@permission_required("pilots.edit_pilot", fn=initiative_of, message=NOT_A_LEAD)
def input_edit(request, public_id, kind: str, pk: int | None = None):
    """Add (``pk`` None) or change a cost line or a benefit flow."""
    spec = KINDS[kind]
    initiative = initiative_of(request, public_id)
    obj = get_object_or_404(getattr(initiative, spec["related"]), pk=pk) if pk else None
    form = spec["form"](request.POST or None, obj, initiative)
    if request.method == "POST" and form.is_valid():
        fields = form_fields(form)
        try:
            if obj is None:
                spec["create"](initiative=initiative, actor=request.user, **fields)
            else:
                spec["update"](obj, actor=request.user, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"The {spec['noun']} was saved; recalculating.")
            return redirect(f"{initiative.get_absolute_url()}#{spec['related']}")
    context = {"form": form, "initiative": initiative, "pilot": initiative.pilot, "obj": obj}
    context["noun"] = spec["noun"]
    return render(request, "savings/input_form.html", context)


@require_POST
@permission_required("pilots.edit_pilot", fn=initiative_of, message=NOT_A_LEAD)
def input_delete(request, public_id, kind: str, pk: int):
    spec = KINDS[kind]
    initiative = initiative_of(request, public_id)
    obj = get_object_or_404(getattr(initiative, spec["related"]), pk=pk)
    spec["delete"](obj, actor=request.user)
    messages.success(request, f"The {spec['noun']} was deleted; recalculating.")
    return redirect(f"{initiative.get_absolute_url()}#{spec['related']}")
