"""Programmes, pilots and a pilot's whole evidence pack."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from ledger.models import Place
from pilots.apis.filters import PilotFilter
from pilots.apis.permissions import IsPilotLeadOrReadOnly
from pilots.apis.serializers.pilots import (
    PilotSerializer,
    PilotUpdateSerializer,
    ProgrammeSerializer,
)
from pilots.models import Pilot, Programme
from pilots.services.pilots import pilot_update
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
