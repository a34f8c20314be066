"""Initiatives, evidence and place-based budget submissions: read for all, write for leads."""

from django.db.models import Prefetch
from rest_framework.parsers import MultiPartParser

from pilots.apis.filters import EvidenceFilter, InitiativeFilter, SubmissionFilter
from pilots.apis.serializers.pilots import (
    EvidenceSerializer,
    InitiativeSerializer,
    PlaceBudgetSubmissionSerializer,
)
from pilots.selectors.access import visible_evidence, visible_initiatives, visible_submissions
from pilots.services.evidence import evidence_create, evidence_delete, evidence_update
from pilots.services.initiatives import initiative_create, initiative_delete, initiative_update
from pilots.services.submissions import submission_create, submission_delete, submission_update
from totalplace.parsers import LimitedFormParser, LimitedJSONParser

from .base import ServiceModelViewSet


class InitiativeViewSet(ServiceModelViewSet):
    """Initiatives (business cases). Everyone reads published and withdrawn ones; a pilot's
    leads also see its drafts and may create, change and delete its initiatives. The baseline
    is computed from the ledger (footprint × theme with sub-themes × baseline year) by the
    recompute job, and again soon after a return for that footprint and year is approved;
    ``baseline_entered_amount`` (with a source) is used only when the ledger has none."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    lookup_field = "public_id"

    def get_queryset(self):
        return (
            visible_initiatives(user=self.request.user)
            .select_related("pilot", "deep_dive", "service_theme", "baseline_year")
            .order_by("pilot__name", "title", "id")
        )

    def service_create(self, fields):
        return initiative_create(
            pilot=fields.pop("pilot"), actor=self.request.user, title=fields.pop("title"), **fields
        )

    def service_update(self, instance, fields):
        return initiative_update(initiative=instance, actor=self.request.user, **fields)

    def service_delete(self, instance):
        initiative_delete(initiative=instance, actor=self.request.user)


class EvidenceViewSet(ServiceModelViewSet):
    """Evidence items: documents (upload ``file`` as multipart), links (``link``), datasets
    (file or link) and notes (``body``). ``permalink`` is stable across edits; files download
    from ``download_url``. Unpublished items are visible only to the pilot's leads."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    lookup_field = "public_id"
    parser_classes = [LimitedJSONParser, MultiPartParser, LimitedFormParser]

    def get_queryset(self):
        return (
            visible_evidence(user=self.request.user)
            .select_related("pilot", "initiative")
            .order_by("pilot__name", "title", "id")
        )

    def service_create(self, fields):
        return evidence_create(
            pilot=fields.pop("pilot"),
            actor=self.request.user,
            kind=fields.pop("kind"),
            title=fields.pop("title"),
            **fields,
        )

    def service_update(self, instance, fields):
        if not fields.get("file"):
            fields.pop("file", None)
        return evidence_update(item=instance, actor=self.request.user, **fields)

    def service_delete(self, instance):
        evidence_delete(item=instance, actor=self.request.user)


class PlaceBudgetSubmissionViewSet(ServiceModelViewSet):
    """Place-based budget submissions (the August 2010 request to the pilots)."""

    serializer_class = PlaceBudgetSubmissionSerializer
    filterset_class = SubmissionFilter
    lookup_field = "public_id"

    def get_queryset(self):
        user = self.request.user
        return (
            visible_submissions(user=user)
            .select_related("pilot", "baseline_year")
            .prefetch_related(
                "savings__theme",
                "savings__organisation",
                "savings__initiative",
                Prefetch("linked_initiatives", queryset=visible_initiatives(user=user)),
                Prefetch("linked_evidence", queryset=visible_evidence(user=user)),
            )
            .order_by("pilot__name", "-submitted_on", "id")
        )

    def service_create(self, fields):
        return submission_create(
            pilot=fields.pop("pilot"), actor=self.request.user, title=fields.pop("title"), **fields
        )

    def service_update(self, instance, fields):
        return submission_update(submission=instance, actor=self.request.user, **fields)

    def service_delete(self, instance):
        submission_delete(submission=instance, actor=self.request.user)
