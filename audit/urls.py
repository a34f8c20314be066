from django.urls import path

from . import pages

urlpatterns = [
    path(
        "spend-returns/<int:pk>/history/",
        pages.spend_return_history,
        name="spend-return-history",
    ),
    path(
        "spend-returns/<int:pk>/history/lines/",
        pages.spend_return_line_changes,
        name="spend-return-line-changes",
    ),
    path(
        "spend-returns/<int:pk>/history/imports/<int:job_pk>/",
        pages.spend_return_import_lines,
        name="spend-return-import-lines",
    ),
]
