"""Programmes, pilots and a pilot's whole evidence pack."""

from collections import defaultdict

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from ledger.models import Place
from pilots.apis.filters import PilotFilter
from pilots.apis.permissions import IsPilotLeadOrReadOnly
from pilots.apis.serializers.pack import EvidencePackSerializer
from pilots.apis.serializers.pilots import (
    PilotSerializer,
    PilotUpdateSerializer,
    ProgrammeSerializer,
)
from pilots.models import Pilot, Programme
from pilots.selectors import pages
from pilots.selectors.access import visible_evidence, visible_initiatives, visible_submissions
from pilots.services.pilots import pilot_update
from savings.models import BenefitFlow, CostLine
from totalplace.query_params import KnownQueryParameters


class ProgrammeViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Programmes of place-based working: Total Place 2009-10, its parallel places, Whole Place
    Community Budgets 2012-13."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.order_by("sort_order", "name")
    lookup_field = "slug"


class PilotViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Pilots and parallel places: footprint, lead organisation, themes and links to their
    evidence pack and where-savings-land results. Administrators set pilots up; a pilot's
    leads may change its summary, status and themes (PATCH)."""

    serializer_class = PilotSerializer
    filterset_class = PilotFilter
    lookup_field = "slug"
    permission_classes = [IsAuthenticatedOrReadOnly, IsPilotLeadOrReadOnly]

    @extend_schema(request=PilotUpdateSerializer, responses=PilotSerializer)
    def partial_update(self, request, slug=None):
        """Change the pilot's summary, status or themes (the pilot's leads only)."""
        pilot = self.get_object()
        serializer = PilotUpdateSerializer(pilot, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        pilot_update(pilot=pilot, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=pilot.pk)).data)

    def get_queryset(self):
        return (
            Pilot.objects.select_related("programme", "lead_organisation")
            .prefetch_related(
                Prefetch("places", queryset=Place.objects.order_by("name")),
                "deep_dives",
                "service_themes",
            )
            .order_by("programme__sort_order", "name")
        )

    @extend_schema(responses=EvidencePackSerializer)
    @action(detail=True, methods=["get"], url_path="evidence-pack", url_name="evidence-pack")
    def evidence_pack(self, request, slug=None):
        """The pilot's whole evidence pack in one call: the pilot, its ledger spend by year,
        every initiative the caller may see with its costs, benefits, appraisal, where its
        savings land and its evidence, the pilot's own evidence, its place-based budget
        submissions and the pilot's where-savings-land result; every item with its links."""
        pilot = self.get_object()
        user = request.user
        initiatives = list(
            visible_initiatives(user=user)
            .filter(pilot=pilot)
            .select_related(
                "pilot", "deep_dive", "service_theme", "baseline_year", "appraisal", "attribution"
            )
            .prefetch_related(
                Prefetch("costs", queryset=CostLine.objects.select_related("payer", "initiative")),
                Prefetch(
                    "benefits",
                    queryset=BenefitFlow.objects.select_related(
                        "beneficiary", "unit_cost", "initiative"
                    ),
                ),
            )
            .order_by("title")
        )
        evidence = list(
            visible_evidence(user=user)
            .filter(pilot=pilot)
            .select_related("pilot", "initiative")
            .order_by("title", "id")
        )
        by_initiative = defaultdict(list)
        for item in evidence:
            by_initiative[item.initiative_id].append(item)
        submissions = (
            visible_submissions(user=user)
            .filter(pilot=pilot)
            .select_related("pilot", "baseline_year")
            .prefetch_related(
                "savings__theme",
                "savings__organisation",
                "savings__initiative",
                Prefetch("linked_initiatives", queryset=visible_initiatives(user=user)),
                Prefetch("linked_evidence", queryset=visible_evidence(user=user)),
            )
        )
        attribution = getattr(pilot, "attribution", None)
        pack = {
            "pilot": pilot,
            "spend": pages.pilot_spend(pilot=pilot),
            "initiatives": initiatives,
            "evidence": by_initiative[None],
            "place_budget_submissions": submissions,
            "attribution": attribution,
        }
        context = {**self.get_serializer_context(), "evidence_by_initiative": by_initiative}
        return Response(EvidencePackSerializer(pack, context=context).data)
