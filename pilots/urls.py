from django.urls import path

from .pages import evidence, initiatives, pilot, programmes
from .views import inputs, savings

app_name = "pilots"

urlpatterns = [
    path("pilots/", programmes.programme_list, name="programme-list"),
    path("pilots/programmes/<slug:slug>/", programmes.programme_detail, name="programme-detail"),
    path(
        "pilots/programmes/<slug:key>/where-savings-land.csv",
        savings.matrix_csv,
        {"kind": "programme"},
        name="programme-matrix-csv",
    ),
    path("pilots/places/<slug:slug>/", programmes.place_savings, name="place-savings"),
    path(
        "pilots/places/<slug:key>/where-savings-land.csv",
        savings.matrix_csv,
        {"kind": "place"},
        name="place-matrix-csv",
    ),
    path("pilots/<slug:slug>/", pilot.pilot_detail, name="pilot-detail"),
    path(
        "pilots/<slug:key>/where-savings-land.csv",
        savings.matrix_csv,
        {"kind": "pilot"},
        name="pilot-matrix-csv",
    ),
    path(
        "pilots/<slug:slug>/initiatives/new/",
        initiatives.initiative_create_view,
        name="initiative-create",
    ),
    path("pilots/<slug:slug>/evidence/new/", evidence.evidence_create_view, name="evidence-create"),
    path(
        "pilots/<slug:slug>/initiatives/<uuid:public_id>/evidence/new/",
        evidence.evidence_create_view,
        name="initiative-evidence-create",
    ),
    path("initiatives/<uuid:public_id>/", initiatives.initiative_detail, name="initiative-detail"),
    path(
        "initiatives/<uuid:public_id>/edit/",
        initiatives.initiative_edit_view,
        name="initiative-edit",
    ),
    path(
        "initiatives/<uuid:public_id>/delete/",
        initiatives.initiative_delete_view,
        name="initiative-delete",
    ),
    path(
        "initiatives/<uuid:key>/where-savings-land.csv",
        savings.matrix_csv,
        {"kind": "initiative"},
        name="initiative-matrix-csv",
    ),
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
    path("evidence/<uuid:public_id>/", evidence.evidence_detail, name="evidence-detail"),
    path(
        "evidence/<uuid:public_id>/download/",
        evidence.evidence_download,
        name="evidence-download",
    ),
    path("evidence/<uuid:public_id>/edit/", evidence.evidence_edit_view, name="evidence-edit"),
    path(
        "evidence/<uuid:public_id>/delete/",
        evidence.evidence_delete_view,
        name="evidence-delete",
    ),
    path("submissions/<uuid:public_id>/", evidence.submission_detail, name="submission-detail"),
]
