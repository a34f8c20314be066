"""Helpers shared by the pilot views."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404

from pilots.models import EvidenceItem, Initiative, Pilot
from pilots.selectors import pages


def pilot_of(request, slug: str, **kwargs) -> Pilot:
    """The pilot named in the URL (pilots themselves are public)."""
    return get_object_or_404(Pilot, slug=slug)


def initiative_of(request, public_id, **kwargs) -> Initiative:
    """An initiative the user may see (a draft of someone else's pilot is a 404)."""
    try:
        return pages.initiative_get(public_id=public_id, user=request.user)
    except Initiative.DoesNotExist as exc:
        raise Http404("No such initiative") from exc


def evidence_of(request, public_id, **kwargs) -> EvidenceItem:
    """Evidence the user may see (someone else's unpublished evidence is a 404)."""
    try:
        return pages.evidence_get(public_id=public_id, user=request.user)
    except EvidenceItem.DoesNotExist as exc:
        raise Http404("No such evidence") from exc


def form_fields(form) -> dict:
    """The form's cleaned values for its own fields: what the service is given."""
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


def demo_label() -> str:
    return settings.TOTALPLACE_DEMO_LABEL
