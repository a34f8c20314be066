"""National datasets' pages and API, as every role. Approved editions are everyone's; the
others only dataset editors' (the ``dataset_editor`` role and administrators), for whom the
rest are *not found*. The editor uploaded and loaded ``ds_loaded``: another editor (here the
administrator) approves it or sends it back."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import DatasetEdition, Organisation

from .cases import LOGIN, UNAUTHENTICATED, api, expect, lists, page, unchanged
from .world import ADMIN, EDITOR

OK, DONE, FORBIDDEN, MISSING, NOT_ALLOWED = 200, 302, 403, 404, 405

PUBLIC = expect(OK)
EDITORS_ONLY = expect(MISSING, editor=OK, admin=OK)
# Editors' actions on an edition only they see: the role first, then the service's rules.
EDITORS_ACT = expect(MISSING, anonymous=LOGIN, editor=DONE, admin=DONE)
# On an approved (public) edition: everyone finds it, so a non-editor is forbidden.
EDITORS_ACT_ON_PUBLIC = expect(FORBIDDEN, anonymous=LOGIN, editor=DONE, admin=DONE)
API_PUBLIC = expect(OK, api=True)
API_EDITORS_ONLY = expect(MISSING, api=True, editor=OK, admin=OK)


def _edition(name, action=""):
    return lambda w: f"/datasets/editions/{getattr(w, name).pk}/{action}"


def _status(name):
    return lambda w: DatasetEdition.objects.get(pk=getattr(w, name).pk).status


def _stays_loaded_for_its_uploader(world, role, response):
    """Separation of duties: the editor loaded it, so cannot approve or send it back."""
    status = DatasetEdition.objects.get(pk=world.ds_loaded.pk).status
    if role != ADMIN:
        assert status == "loaded", f"{role} decided on an edition it loaded ({status})"


def _upload(w):
    return {
        "title": "Matrix dataset",
        "publisher": "Matrix publisher",
        "format": "wide",
        "edition": "2010-11",
        "file": SimpleUploadedFile("matrix.csv", b"E-code,ONS Code,Local authority\n"),
    }


def _editions():
    return DatasetEdition.objects.count()


DATASET_PAGES = [
    page(
        "datasets",
        lambda w: "/datasets/",
        PUBLIC,
        check=lists({EDITOR, ADMIN}, _edition("ds_loaded")),
    ),
    page(
        "datasets-approved-for-all",
        lambda w: "/datasets/",
        PUBLIC,
        check=lists(set(expect(0)), _edition("ds_approved")),
    ),
    page(
        "dataset-upload-form",
        lambda w: "/datasets/new/",
        expect(FORBIDDEN, anonymous=LOGIN, editor=OK, admin=OK),
    ),
    page(
        "dataset-upload",
        lambda w: "/datasets/new/",
        expect(FORBIDDEN, anonymous=LOGIN, editor=DONE, admin=DONE),
        method="POST",
        data=_upload,
        check=unchanged(lambda w: _editions(), 4),
    ),
    page("dataset-edition-approved", _edition("ds_approved"), PUBLIC),
    page("dataset-edition-loaded", _edition("ds_loaded"), EDITORS_ONLY),
    page("dataset-edition-previewed", _edition("ds_previewed"), EDITORS_ONLY),
    page("dataset-edition-status-approved", _edition("ds_approved", "status/"), PUBLIC),
    page("dataset-edition-status-previewed", _edition("ds_previewed", "status/"), EDITORS_ONLY),
    page("dataset-edition-lines-approved", _edition("ds_approved", "lines/"), PUBLIC),
    page("dataset-edition-lines-loaded", _edition("ds_loaded", "lines/"), EDITORS_ONLY),
    # Line-level downloads are the analysts'.
    page(
        "dataset-edition-lines-download",
        lambda w: f"/datasets/editions/{w.ds_approved.pk}/lines/?export=csv",
        expect(FORBIDDEN, anonymous=LOGIN, analyst=OK, admin=OK),
    ),
    page("dataset-figure-approved", lambda w: f"/datasets/figures/{w.ds_figure.pk}/", PUBLIC),
    page(
        "dataset-figure-loaded",
        lambda w: f"/datasets/figures/{w.ds_loaded_figure.pk}/",
        EDITORS_ONLY,
    ),
    page(
        "place-lines-of-an-edition",
        lambda w: f"/places/matrixshire/lines/?source=edition-{w.ds_approved.pk}",
        PUBLIC,
    ),
    page("place-count-reconciliation", lambda w: "/places/matrixshire/reconciliation/", PUBLIC),
    page("dataset-edition-load-get", _edition("ds_ready", "load/"), expect(NOT_ALLOWED)),
    page(
        "dataset-edition-choose",
        _edition("ds_previewed", "choices/"),
        EDITORS_ACT,
        method="POST",
        data=lambda w: {"unit_factor": "1000", "driver": "population"},
        check=unchanged(_status("ds_previewed"), "needs_choices"),
    ),
    page(
        "dataset-edition-choose-approved",
        _edition("ds_approved", "choices/"),
        EDITORS_ACT_ON_PUBLIC,
        method="POST",
        data=lambda w: {"unit_factor": "1000"},
        check=lambda w, role, response: _approved_stays(w),
    ),
    page(
        "dataset-edition-exclude",
        _edition("ds_previewed", "exclude/"),
        EDITORS_ACT,
        method="POST",
        data=lambda w: {"kind": "bodies", "key": "E99999999", "action": "exclude"},
        check=unchanged(_status("ds_previewed"), "needs_choices"),
    ),
    page(
        "dataset-edition-body",
        _edition("ds_previewed", "bodies/"),
        EDITORS_ACT,
        method="POST",
        data=lambda w: {
            "key": "E99999999",
            "name": "Matrix Waste Authority",
            "sector": "local_government",
            "places": "E97000001",
        },
        check=unchanged(lambda w: Organisation.objects.filter(code="E99999999").count(), 0),
    ),
    page(
        "dataset-edition-place",
        _edition("ds_previewed", "places/"),
        EDITORS_ACT,
        method="POST",
        data=lambda w: {"key": "ATLANTIS", "code": "E97000001"},
        check=unchanged(_status("ds_previewed"), "needs_choices"),
    ),
    page(
        "dataset-edition-load",
        _edition("ds_ready", "load/"),
        EDITORS_ACT,
        method="POST",
        check=unchanged(_status("ds_ready"), "ready"),
    ),
    page(
        "dataset-edition-approve-own-load",
        _edition("ds_loaded", "approve/"),
        EDITORS_ACT,
        method="POST",
        check=_stays_loaded_for_its_uploader,
    ),
    page(
        "dataset-edition-send-back-own-load",
        _edition("ds_loaded", "send-back/"),
        EDITORS_ACT,
        method="POST",
        data=lambda w: {"reason": "Wrong file"},
        check=_stays_loaded_for_its_uploader,
    ),
    page(
        "dataset-edition-cancel",
        _edition("ds_previewed", "cancel/"),
        EDITORS_ACT,
        method="POST",
        check=unchanged(_status("ds_previewed"), "needs_choices"),
    ),
    page(
        "dataset-edition-cancel-approved",
        _edition("ds_approved", "cancel/"),
        EDITORS_ACT_ON_PUBLIC,
        method="POST",
        check=lambda w, role, response: _approved_stays(w),
    ),
]


def _approved_stays(world):
    status = DatasetEdition.objects.get(pk=world.ds_approved.pk).status
    assert status == "approved", f"an approved edition became {status}"


DATASET_API = [
    api(
        "datasets",
        lambda w: "/api/v1/datasets/",
        API_PUBLIC,
        check=lists({EDITOR, ADMIN}, lambda w: "matrix-ra", api=True, key="slug"),
    ),
    api(
        "datasets-are-read-only",
        lambda w: "/api/v1/datasets/",
        expect(NOT_ALLOWED, api=True, anonymous=UNAUTHENTICATED),
        method="POST",
        data=lambda w: {"slug": "new"},
    ),
    api("dataset-approved", lambda w: "/api/v1/datasets/matrix-cra/", API_PUBLIC),
    api("dataset-not-approved", lambda w: "/api/v1/datasets/matrix-ra/", API_EDITORS_ONLY),
    api(
        "dataset-edition-approved",
        lambda w: f"/api/v1/dataset-editions/{w.ds_approved.pk}/",
        API_PUBLIC,
    ),
    api(
        "dataset-edition-loaded",
        lambda w: f"/api/v1/dataset-editions/{w.ds_loaded.pk}/",
        API_EDITORS_ONLY,
    ),
    api(
        "dataset-edition-lines-approved",
        lambda w: f"/api/v1/dataset-editions/{w.ds_approved.pk}/lines/",
        API_PUBLIC,
        check=lists(set(expect(0, api=True)), lambda w: str(w.ds_figure.lines.get().pk), api=True),
    ),
    api(
        "dataset-edition-lines-loaded",
        lambda w: f"/api/v1/dataset-editions/{w.ds_loaded.pk}/lines/",
        API_EDITORS_ONLY,
    ),
    api("place-count", lambda w: "/api/v1/places/E97000001/count/", API_PUBLIC),
]
