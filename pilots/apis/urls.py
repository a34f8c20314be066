"""Pilots and savings routes under /api/v1/ (route names are prefixed "api-")."""

from rest_framework.routers import SimpleRouter

from .views.pilots import PilotViewSet, ProgrammeViewSet
from .views.records import EvidenceViewSet, InitiativeViewSet, PlaceBudgetSubmissionViewSet
from .views.savings import (
    AppraisalViewSet,
    AttributionViewSet,
    BenefitFlowViewSet,
    CostLineViewSet,
    DiscountRateViewSet,
    UnitCostViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("programmes", ProgrammeViewSet, basename="api-programme")
router.register("pilots", PilotViewSet, basename="api-pilot")
router.register("initiatives", InitiativeViewSet, basename="api-initiative")
router.register("evidence", EvidenceViewSet, basename="api-evidence")
router.register("place-budget-submissions", PlaceBudgetSubmissionViewSet, basename="api-submission")
router.register("cost-lines", CostLineViewSet, basename="api-cost-line")
router.register("benefit-flows", BenefitFlowViewSet, basename="api-benefit-flow")
router.register("appraisals", AppraisalViewSet, basename="api-appraisal")
router.register("attributions", AttributionViewSet, basename="api-attribution")
router.register("unit-costs", UnitCostViewSet, basename="api-unit-cost")
router.register("discount-rates", DiscountRateViewSet, basename="api-discount-rate")

urlpatterns = router.urls
