"""Savings pages: where the savings land as CSV, an initiative's costs and benefits forms, and
a saving's steps from proposed to cashed.
The paths sit beside pilots' own (``/initiatives/<id>/costs/...``), which they extend."""

from django.urls import path

from .pages import august, inputs, matrix, realisation

app_name = "savings"

MATRIX_CSV = "where-savings-land.csv"

urlpatterns = [
    path(
        "submissions/<uuid:public_id>/august-2010/",
        august.submission_august_2010,
        name="submission-august-2010",
    ),
    path(
        "submissions/<uuid:public_id>/august-2010.xlsx",
        august.submission_august_2010_xlsx,
        name="submission-august-2010-xlsx",
    ),
    path(
        "initiatives/<uuid:public_id>/savings/new/",
        realisation.saving_create,
        name="saving-create",
    ),
    path("savings/<uuid:public_id>/agree/", realisation.saving_agree_view, name="saving-agree"),
    path("savings/<uuid:public_id>/cash/", realisation.saving_cash_view, name="saving-cash"),
    path(
        "savings/<uuid:public_id>/not-realised/",
        realisation.saving_not_realised_view,
        name="saving-not-realised",
    ),
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
