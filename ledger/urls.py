from django.urls import include, path

from . import views
from .pages import compare, count, lines

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
    path("", include("ledger.pages.urls")),
]
