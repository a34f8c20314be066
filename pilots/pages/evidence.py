"""Evidence permalinks, downloads and forms; place-based budget submission pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledger.calculations.footprint import footprint_spend
from pilots.forms import EvidenceForm
from pilots.models import PlaceBudgetSubmission
from pilots.selectors import pages
from pilots.selectors.access import visible_evidence, visible_initiatives
from pilots.services.access import NOT_A_LEAD
from pilots.services.evidence import evidence_create, evidence_delete, evidence_update
from totalplace.forms import apply_errors
from totalplace.permissions import has_perm, permission_required

from .common import demo_label, evidence_of, form_fields, initiative_of, pilot_of


def evidence_detail(request, public_id):
    """The permalink of one piece of evidence: it survives every edit."""
    item = evidence_of(request, public_id)
    context = {
        "item": item,
        "pilot": item.pilot,
        "can_edit": has_perm(request.user, "pilots.edit_pilot", item),
        "demo_label": demo_label(),
    }
    return render(request, "pilots/evidence_detail.html", context)


def evidence_download(request, public_id):
    item = evidence_of(request, public_id)
    if not item.file:
        raise Http404("This evidence has no file")
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)


def _fields(form) -> dict:
    fields = form_fields(form)
    upload = fields.pop("file")
    if upload:  # False means "clear", None means "keep": neither is a new file
        fields["file"] = upload
    return fields


@permission_required("pilots.edit_pilot", fn=pilot_of, message=NOT_A_LEAD)
def evidence_create_view(request, slug: str, public_id=None):
    pilot = pilot_of(request, slug)
    initiative = initiative_of(request, public_id) if public_id else None
    if initiative is not None and initiative.pilot_id != pilot.pk:
        raise Http404("That initiative belongs to another pilot")
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        pilot=pilot,
        initial={"initiative": initiative},
    )
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        try:
            item = evidence_create(
                pilot=pilot,
                actor=request.user,
                kind=fields.pop("kind"),
                title=fields.pop("title"),
                **fields,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Evidence added. Its permanent link is below.")
            return redirect(item)
    return render(
        request, "pilots/evidence_form.html", {"form": form, "pilot": pilot, "item": None}
    )


@permission_required("pilots.edit_pilot", fn=evidence_of, message=NOT_A_LEAD)
def evidence_edit_view(request, public_id):
    item = evidence_of(request, public_id)
    form = EvidenceForm(
        request.POST or None, request.FILES or None, instance=item, pilot=item.pilot
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence_update(item=item, actor=request.user, **_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Evidence saved. Its permanent link has not changed.")
            return redirect(item)
    return render(
        request, "pilots/evidence_form.html", {"form": form, "pilot": item.pilot, "item": item}
    )


@require_POST
@permission_required("pilots.edit_pilot", fn=evidence_of, message=NOT_A_LEAD)
def evidence_delete_view(request, public_id):
    item = evidence_of(request, public_id)
    pilot, initiative = item.pilot, item.initiative
    evidence_delete(item=item, actor=request.user)
    messages.success(request, f"“{item.title}” was deleted.")
    if initiative is not None:
        return redirect(initiative)
    return redirect("pilots:pilot-detail", slug=pilot.slug)


def submission_detail(request, public_id):
    try:
        submission = pages.submission_get(public_id=public_id, user=request.user)
    except PlaceBudgetSubmission.DoesNotExist as exc:
        raise Http404("No such submission") from exc
    pilot = submission.pilot
    ledger = footprint_spend(places=pilot.places.all(), financial_year=submission.baseline_year)
    savings = list(submission.savings.all())
    total_saving = sum((row.saving for row in savings), start=0)
    baseline = (
        submission.total_spend_baseline
        if submission.total_spend_baseline is not None
        else (ledger[0].amount if ledger else None)
    )
    context = {
        "submission": submission,
        "pilot": pilot,
        "savings": savings,
        "total_saving": total_saving,
        "baseline": baseline,
        "baseline_from_ledger": submission.total_spend_baseline is None and bool(ledger),
        "saving_percent": (total_saving / baseline * 100) if baseline else None,
        "linked_initiatives": visible_initiatives(user=request.user).filter(submissions=submission),
        "linked_evidence": visible_evidence(user=request.user).filter(submissions=submission),
        "demo_label": demo_label(),
    }
    return render(request, "pilots/submission_detail.html", context)
