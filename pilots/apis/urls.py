"""Pilots routes under /api/v1/ (route names are prefixed "api-")."""

from rest_framework.routers import SimpleRouter

from .views.pilots import PilotViewSet, ProgrammeViewSet
from .views.records import EvidenceViewSet, InitiativeViewSet, PlaceBudgetSubmissionViewSet

router = SimpleRouter(trailing_slash=True)
router.register("programmes", ProgrammeViewSet, basename="api-programme")
router.register("pilots", PilotViewSet, basename="api-pilot")
router.register("initiatives", InitiativeViewSet, basename="api-initiative")
router.register("evidence", EvidenceViewSet, basename="api-evidence")
router.register("place-budget-submissions", PlaceBudgetSubmissionViewSet, basename="api-submission")

urlpatterns = router.urls
