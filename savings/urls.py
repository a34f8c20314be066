"""Savings pages: where the savings land as CSV, and an initiative's costs and benefits forms.
The paths sit beside pilots' own (``/initiatives/<id>/costs/...``), which they extend."""

from django.urls import path

from .pages import inputs, matrix

app_name = "savings"

MATRIX_CSV = "where-savings-land.csv"

urlpatterns = [
    *[
        path(f"{prefix}/{MATRIX_CSV}", matrix.matrix_csv, {"kind": kind}, name=f"{kind}-matrix-csv")
        for kind, prefix in (
            ("programme", "pilots/programmes/<slug:key>"),
            ("place", "pilots/places/<slug:key>"),
            ("pilot", "pilots/<slug:key>"),
            ("initiative", "initiatives/<uuid:key>"),
        )
    ],
    *[
        route
        for kind, plural in (("cost", "costs"), ("benefit", "benefits"))
        for route in (
            path(
                f"initiatives/<uuid:public_id>/{plural}/new/",
                inputs.input_edit,
                {"kind": kind},
                name=f"{kind}-create",
            ),
            path(
                f"initiatives/<uuid:public_id>/{plural}/<int:pk>/edit/",
                inputs.input_edit,
                {"kind": kind},
                name=f"{kind}-edit",
            ),
            path(
                f"initiatives/<uuid:public_id>/{plural}/<int:pk>/delete/",
                inputs.input_delete,
                {"kind": kind},
                name=f"{kind}-delete",
            ),
        )
    ],
]
