"""Costs, benefits, unit costs, the discount schedule, appraisals and attribution matrices."""

import uuid

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from pilots.apis.views.base import ServiceModelViewSet
from pilots.selectors.access import visible_evidence
from savings.apis.filters import AppraisalFilter, BenefitFlowFilter, CostLineFilter
from savings.apis.serializers import (
    AppraisalSerializer,
    AttributionSerializer,
    BenefitFlowSerializer,
    CostLineSerializer,
    DiscountRateSerializer,
    EvidenceGradeSerializer,
    UnitCostSerializer,
)
from savings.models import DiscountRate, EvidenceGrade, ScopeKind, UnitCost
from savings.selectors import (
    appraisals_visible,
    attributions_visible,
    benefit_flows_visible,
    cost_lines_visible,
)
from savings.services.inputs import (
    benefit_flow_create,
    benefit_flow_delete,
    benefit_flow_update,
    cost_line_create,
    cost_line_delete,
    cost_line_update,
)
from totalplace.query_params import KnownQueryParameters


class CostLineViewSet(ServiceModelViewSet):
    """An initiative's costs: who pays, in which year, how much, with an optimism-bias uplift.
    Every change queues a recompute of the appraisal and where the savings land."""

    serializer_class = CostLineSerializer
    filterset_class = CostLineFilter
    owner_field = "initiative"

    def get_queryset(self):
        return (
            cost_lines_visible(user=self.request.user)
            .select_related("initiative", "payer")
            .order_by("initiative_id", "year", "id")
        )

    def service_create(self, fields):
        return cost_line_create(
            initiative=fields.pop("initiative"), actor=self.request.user, **fields
        )

    def service_update(self, instance, fields):
        return cost_line_update(line=instance, actor=self.request.user, **fields)

    def service_delete(self, instance):
        cost_line_delete(line=instance, actor=self.request.user)


class BenefitFlowViewSet(ServiceModelViewSet):
    """An initiative's benefits and where each lands (``beneficiary``), with lag, duration,
    drop-off, deadweight, attribution, optimism bias and cashable share."""

    serializer_class = BenefitFlowSerializer
    filterset_class = BenefitFlowFilter
    owner_field = "initiative"

    def get_queryset(self):
        user = self.request.user
        return (
            benefit_flows_visible(user=user)
            .select_related(
                "initiative", "beneficiary", "unit_cost__evidence_grade", "evidence_grade"
            )
            .prefetch_related(Prefetch("evidence", queryset=visible_evidence(user=user)))
            .order_by("initiative_id", "value_type", "lag", "id")
        )

    def service_create(self, fields):
        return benefit_flow_create(
            initiative=fields.pop("initiative"), actor=self.request.user, **fields
        )

    def service_update(self, instance, fields):
        return benefit_flow_update(flow=instance, actor=self.request.user, **fields)

    def service_delete(self, instance):
        benefit_flow_delete(flow=instance, actor=self.request.user)


class EvidenceGradeViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Evidence grades, strongest first, and the optimism bias each sets by default (held as
    data, edited by administrators)."""

    serializer_class = EvidenceGradeSerializer
    queryset = EvidenceGrade.objects.order_by("rank")
    lookup_field = "code"


class UnitCostViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """The unit-cost library benefit flows value outcomes with (edited by administrators).
    Values marked ``is_illustrative`` are not published figures."""

    serializer_class = UnitCostSerializer
    queryset = UnitCost.objects.select_related("evidence_grade").order_by("agency", "description")
    lookup_field = "code"


class DiscountRateViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """The Green Book discount schedule in use (bands of years and their rates)."""

    serializer_class = DiscountRateSerializer
    queryset = DiscountRate.objects.order_by("from_year")


class AppraisalViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Stored appraisals, one per initiative, looked up by the initiative's id."""

    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilter
    lookup_field = "initiative__public_id"
    lookup_url_kwarg = "initiative"

    def get_queryset(self):
        return (
            appraisals_visible(user=self.request.user)
            .select_related("initiative")
            .order_by("initiative__title", "id")
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("scope", enum=ScopeKind.values, description="initiative, pilot…"),
            OpenApiParameter(
                "key",
                description="With scope: initiative id, pilot or programme slug, or place code",
            ),
        ]
    )
)
class AttributionViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Where the savings land: payer × beneficiary matrices of present values, net positions
    and fair-share deals, per initiative and summed per pilot, place and programme. Filter with
    ``?scope=pilot&key=<slug>`` (or initiative id, programme slug, place GSS/ONS code)."""

    serializer_class = AttributionSerializer
    filter_backends: list = []
    query_parameters = {"list": ("scope", "key")}

    def get_queryset(self):
        rows = (
            attributions_visible(user=self.request.user)
            .select_related("initiative", "pilot", "place", "programme")
            .order_by("scope", "id")
        )
        scope, key = self.request.query_params.get("scope"), self.request.query_params.get("key")
        if scope:
            if scope not in ScopeKind.values:
                raise ValidationError({"scope": [f"Choose one of {', '.join(ScopeKind.values)}."]})
            rows = rows.filter(scope=scope)
        if key:
            rows = rows.filter(self._key_filter(scope, key.strip()))
        return rows

    @staticmethod
    def _key_filter(scope: str | None, key: str) -> Q:
        if scope == ScopeKind.INITIATIVE:
            try:
                return Q(initiative__public_id=uuid.UUID(key))
            except ValueError:
                raise ValidationError({"key": ["An initiative's id is a UUID."]}) from None
        if scope == ScopeKind.PLACE:
            code = key.upper()
            return Q(place__gss_code=code) | Q(place__snac_code=code) | Q(place__slug=key)
        if scope in (ScopeKind.PILOT, ScopeKind.PROGRAMME):
            return Q(**{f"{scope}__slug": key})
        raise ValidationError({"key": ["Give a scope with the key."]})
