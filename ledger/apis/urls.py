"""Ledger routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import APIRootView, DefaultRouter

from totalplace.query_params import KnownQueryParameters

from . import returns, returns_control_total, returns_themes
from .aggregate import AggregateView
from .count import PlaceCountView
from .datasets import DatasetEditionLinesView, DatasetEditionViewSet, DatasetViewSet
from .exports import ExportJobViewSet, FiscalDataPackageView
from .lines import SpendLineViewSet
from .reference import FinancialYearViewSet, OrganisationViewSet, PlaceViewSet, ServiceThemeViewSet
from .spend_returns import SpendReturnViewSet


class ApiRootView(KnownQueryParameters, APIRootView):
    """The API's entry point: a link to every list."""


# API route names start "api-" so they never shadow the pages' names ("place-detail" is a page).
router = DefaultRouter(trailing_slash=True)
router.APIRootView = ApiRootView
router.register("places", PlaceViewSet, basename="api-place")
router.register("organisations", OrganisationViewSet, basename="api-organisation")
router.register("themes", ServiceThemeViewSet, basename="api-theme")
router.register("financial-years", FinancialYearViewSet, basename="api-financial-year")
router.register("spend-returns", SpendReturnViewSet, basename="api-spend-return")
router.register("lines", SpendLineViewSet, basename="api-line")
router.register("exports", ExportJobViewSet, basename="api-export")
router.register("datasets", DatasetViewSet, basename="api-dataset")
router.register("dataset-editions", DatasetEditionViewSet, basename="api-dataset-edition")

urlpatterns = [
    path("aggregate/", AggregateView.as_view(), name="aggregate"),
    path("fiscal-data-package/", FiscalDataPackageView.as_view(), name="fiscal-data-package"),
    path("places/<str:code>/count/", PlaceCountView.as_view(), name="api-place-count"),
    path(
        "dataset-editions/<int:pk>/lines/",
        DatasetEditionLinesView.as_view(),
        name="api-dataset-edition-lines",
    ),
    *router.urls,
    *returns.urlpatterns,
    *returns_themes.urlpatterns,
    *returns_control_total.urlpatterns,
]
