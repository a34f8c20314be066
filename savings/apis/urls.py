"""Savings routes under /api/v1/ (route names are prefixed "api-")."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .pack import EvidencePackViewSet
from .realisation import SavingViewSet
from .views import (
    AppraisalViewSet,
    AttributionViewSet,
    BenefitFlowViewSet,
    CostLineViewSet,
    DiscountRateViewSet,
    EvidenceGradeViewSet,
    UnitCostViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("cost-lines", CostLineViewSet, basename="api-cost-line")
router.register("benefit-flows", BenefitFlowViewSet, basename="api-benefit-flow")
router.register("appraisals", AppraisalViewSet, basename="api-appraisal")
router.register("attributions", AttributionViewSet, basename="api-attribution")
router.register("unit-costs", UnitCostViewSet, basename="api-unit-cost")
router.register("discount-rates", DiscountRateViewSet, basename="api-discount-rate")
router.register("evidence-grades", EvidenceGradeViewSet, basename="api-evidence-grade")
router.register("savings", SavingViewSet, basename="api-saving")

urlpatterns = [
    path(
        "pilots/<slug:slug>/evidence-pack/",
        EvidencePackViewSet.as_view({"get": "retrieve"}),
        name="api-pilot-evidence-pack",
    ),
    *router.urls,
]
