from django.urls import path

from .pages import evidence, initiatives, pilot, programmes

app_name = "pilots"

urlpatterns = [
    path("pilots/", programmes.programme_list, name="programme-list"),
    path("pilots/programmes/<slug:slug>/", programmes.programme_detail, name="programme-detail"),
    path("pilots/places/<slug:slug>/", programmes.place_savings, name="place-savings"),
    path("pilots/<slug:slug>/", pilot.pilot_detail, name="pilot-detail"),
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
