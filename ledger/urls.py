from django.urls import include, path

from . import views
from .pages import compare, count, lines, organisations

urlpatterns = [
    path("", views.home, name="home"),
    path("places/<slug:slug>/", views.place_detail, name="place-detail"),
    path("places/<slug:slug>/lines/", lines.place_lines, name="place-lines"),
    path(
        "places/<slug:slug>/reconciliation/",
        count.place_count_reconciliation,
        name="place-count-reconciliation",
    ),
    path("lines/<int:pk>/", lines.line_detail, name="line-detail"),
    path("compare/", compare.compare, name="compare"),
    path("organisations/", organisations.organisation_list_view, name="organisation-list"),
    path(
        "organisations/<str:code>/",
        organisations.organisation_detail_view,
        name="organisation-detail",
    ),
    path("", include("ledger.pages.urls")),
]
