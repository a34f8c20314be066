"""The ledger's API, as every role and as an API token for organisation A whose user is also
a finance officer of B: the token acts for A only."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import ImportCorrection, ImportJob, SpendReturn, SpendReturnStatus

from .cases import UNAUTHENTICATED, api, expect, lists, unchanged
from .world import ADMIN, ANALYST, APPROVER, OFFICER, TOKEN

OK, CREATED, ACCEPTED, FORBIDDEN, MISSING = 200, 201, 202, 403, 404
PUBLIC = expect(OK, api=True)
A_MEMBERS = {OFFICER, APPROVER, ADMIN, TOKEN}
# The organisation API takes tokens only: a signed-in session is not enough.
TOKEN_ONLY = expect(UNAUTHENTICATED, api=True, token=OK)
TOKEN_NOT_FOR_B = expect(UNAUTHENTICATED, api=True, token=MISSING)


def _id(name):
    return lambda w: str(getattr(w, name).pk)


def _import_file(w):
    return {"file": SimpleUploadedFile("spend.csv", b"Amount,Supplier\n1.00,A\n")}


def _status(name):
    return lambda w: SpendReturn.objects.get(pk=getattr(w, name).pk).status


LEDGER_API = [
    api("api-root", lambda w: "/api/v1/", PUBLIC),
    api("schema", lambda w: "/api/schema/", PUBLIC),
    api("docs", lambda w: "/api/docs/", PUBLIC),
    api("aggregate", lambda w: "/api/v1/aggregate/?drilldown=organisation", PUBLIC),
    api("fiscal-data-package", lambda w: "/api/v1/fiscal-data-package/?cut=year:2010-11", PUBLIC),
    api("places", lambda w: "/api/v1/places/?search=matrix", PUBLIC),
    api("place", lambda w: "/api/v1/places/E97000001/", PUBLIC),
    api("place-totals", lambda w: "/api/v1/places/E97000001/totals/", PUBLIC),
    api("organisations", lambda w: "/api/v1/organisations/?search=matrix", PUBLIC),
    api("organisation", lambda w: "/api/v1/organisations/MXA/", PUBLIC),
    api("themes", lambda w: "/api/v1/themes/", PUBLIC),
    api("theme", lambda w: "/api/v1/themes/matrix-theme/", PUBLIC),
    api("years", lambda w: "/api/v1/financial-years/", PUBLIC),
    api("year", lambda w: "/api/v1/financial-years/2010-11/", PUBLIC),
    api(
        "returns-no-b-draft",
        lambda w: "/api/v1/spend-returns/?organisation=MXB",
        PUBLIC,
        check=lists({ADMIN}, _id("b_draft"), api=True),
    ),
    api(
        "returns-a-draft-for-a",
        lambda w: "/api/v1/spend-returns/?organisation=MXA",
        PUBLIC,
        check=lists(A_MEMBERS, _id("a_draft"), api=True),
    ),
    api("return-approved", lambda w: f"/api/v1/spend-returns/{w.a_approved.pk}/", PUBLIC),
    api(
        "return-a-draft",
        lambda w: f"/api/v1/spend-returns/{w.a_draft.pk}/",
        expect(MISSING, api=True, officer=OK, approver=OK, admin=OK, token=OK),
    ),
    # The token's user is a finance officer of B, but the token is for A.
    api(
        "return-b-draft-by-id",
        lambda w: f"/api/v1/spend-returns/{w.b_draft.pk}/",
        expect(MISSING, api=True, admin=OK),
    ),
    api("lines", lambda w: "/api/v1/lines/", PUBLIC),
    api(
        "lines-of-a-draft",
        lambda w: f"/api/v1/lines/?spend_return={w.a_draft.pk}",
        PUBLIC,
        check=lists(A_MEMBERS, _id("a_draft_line"), api=True),
    ),
    api(
        "lines-of-b-draft-by-id",
        lambda w: f"/api/v1/lines/?spend_return={w.b_draft.pk}",
        PUBLIC,
        check=lists({ADMIN}, _id("b_draft_line"), api=True),
    ),
    api("line-approved", lambda w: f"/api/v1/lines/{w.approved_line.pk}/", PUBLIC),
    api(
        "line-of-b-draft",
        lambda w: f"/api/v1/lines/{w.b_draft_line.pk}/",
        expect(MISSING, api=True),
    ),
    # Large exports: analysts (and admins) queue them and see their own.
    api(
        "export-queue",
        lambda w: "/api/v1/exports/",
        expect(FORBIDDEN, api=True, anonymous=UNAUTHENTICATED, analyst=ACCEPTED, admin=ACCEPTED),
        method="POST",
        data=lambda w: {"cut": "year:2010-11"},
    ),
    api(
        "export-job",
        lambda w: f"/api/v1/exports/{w.analyst_export.pk}/",
        expect(MISSING, api=True, anonymous=UNAUTHENTICATED, analyst=OK, admin=OK),
    ),
    api(
        "export-download",
        lambda w: f"/api/v1/exports/{w.analyst_export.pk}/download/",
        expect(MISSING, api=True, anonymous=UNAUTHENTICATED, analyst=OK, admin=OK),
    ),
    # A return's line download written by a job is fetched through its page, never here.
    api(
        "export-download-of-return-lines",
        lambda w: f"/api/v1/exports/{w.lines_export.pk}/download/",
        expect(MISSING, api=True, anonymous=UNAUTHENTICATED),
    ),
    # The organisation API: the token's own organisation, whatever else its user belongs to.
    api(
        "own-returns",
        lambda w: "/api/v1/organisation/spend-returns/",
        TOKEN_ONLY,
        check=lists({TOKEN}, _id("a_draft"), api=True),
    ),
    api(
        "own-returns-never-b",
        lambda w: "/api/v1/organisation/spend-returns/",
        TOKEN_ONLY,
        check=lists(set(), _id("b_draft"), api=True),
    ),
    api(
        "own-return-create",
        lambda w: "/api/v1/organisation/spend-returns/",
        expect(UNAUTHENTICATED, api=True, token=CREATED),
        method="POST",
        data=lambda w: {"financial_year": "2010-11"},
    ),
    api(
        "own-return-a", lambda w: f"/api/v1/organisation/spend-returns/{w.a_draft.pk}/", TOKEN_ONLY
    ),
    api(
        "own-return-b-by-id",
        lambda w: f"/api/v1/organisation/spend-returns/{w.b_draft.pk}/",
        TOKEN_NOT_FOR_B,
    ),
    *[
        case
        # ``files/`` is the deprecated address of ``imports/``: the same view, the same rules.
        for route in ("imports", "files")
        for case in (
            api(
                f"own-import-a-{route}",
                lambda w, route=route: (
                    f"/api/v1/organisation/spend-returns/{w.a_draft.pk}/{route}/"
                ),
                expect(UNAUTHENTICATED, api=True, token=ACCEPTED),
                method="POST",
                data=_import_file,
                format="multipart",
            ),
            api(
                f"own-import-b-by-id-{route}",
                lambda w, route=route: (
                    f"/api/v1/organisation/spend-returns/{w.b_draft.pk}/{route}/"
                ),
                TOKEN_NOT_FOR_B,
                method="POST",
                data=_import_file,
                format="multipart",
                check=unchanged(
                    lambda w: ImportJob.objects.filter(spend_return=w.b_draft).count(), 1
                ),
            ),
        )
    ],
    api(
        "own-submit-a",
        lambda w: f"/api/v1/organisation/spend-returns/{w.a_draft.pk}/submit/",
        TOKEN_ONLY,
        method="POST",
        check=unchanged(_status("a_draft"), SpendReturnStatus.DRAFT),
    ),
    api(
        "own-submit-b-by-id",
        lambda w: f"/api/v1/organisation/spend-returns/{w.b_draft.pk}/submit/",
        TOKEN_NOT_FOR_B,
        method="POST",
        check=unchanged(_status("b_draft"), SpendReturnStatus.DRAFT),
    ),
    # Sign-off is the approvers': the token's user is a finance officer, never an approver.
    api(
        "own-approve-a",
        lambda w: f"/api/v1/organisation/spend-returns/{w.a_submitted.pk}/approve/",
        expect(UNAUTHENTICATED, api=True, token=FORBIDDEN),
        method="POST",
        data=lambda w: {"reason": "Checked."},
        check=unchanged(_status("a_submitted"), SpendReturnStatus.SUBMITTED),
    ),
    api(
        "own-approve-b-by-id",
        lambda w: f"/api/v1/organisation/spend-returns/{w.b_submitted.pk}/approve/",
        expect(UNAUTHENTICATED, api=True, token=FORBIDDEN),
        method="POST",
        data=lambda w: {"reason": "Checked."},
        check=unchanged(_status("b_submitted"), SpendReturnStatus.SUBMITTED),
    ),
    api(
        "own-apply-theme-rules-a",
        lambda w: f"/api/v1/organisation/spend-returns/{w.a_draft.pk}/apply-theme-rules/",
        TOKEN_ONLY,
        method="POST",
    ),
    api(
        "own-apply-theme-rules-b-by-id",
        lambda w: f"/api/v1/organisation/spend-returns/{w.b_draft.pk}/apply-theme-rules/",
        TOKEN_NOT_FOR_B,
        method="POST",
    ),
    api(
        "own-control-total-a",
        lambda w: f"/api/v1/organisation/spend-returns/{w.a_draft.pk}/control-total/",
        TOKEN_ONLY,
        method="POST",
        data=lambda w: {"control_total": "1.00"},
    ),
    api(
        "own-control-total-b-by-id",
        lambda w: f"/api/v1/organisation/spend-returns/{w.b_draft.pk}/control-total/",
        TOKEN_NOT_FOR_B,
        method="POST",
        data=lambda w: {"control_total": "1.00"},
    ),
    api("own-import-a", lambda w: f"/api/v1/organisation/imports/{w.a_job.pk}/", TOKEN_ONLY),
    api(
        "own-import-b-by-id",
        lambda w: f"/api/v1/organisation/imports/{w.b_job.pk}/",
        TOKEN_NOT_FOR_B,
    ),
    api(
        "own-confirm-a",
        lambda w: f"/api/v1/organisation/imports/{w.a_job.pk}/confirm/",
        expect(UNAUTHENTICATED, api=True, token=ACCEPTED),
        method="POST",
    ),
    api(
        "own-confirm-b-by-id",
        lambda w: f"/api/v1/organisation/imports/{w.b_job.pk}/confirm/",
        TOKEN_NOT_FOR_B,
        method="POST",
        check=unchanged(lambda w: ImportJob.objects.get(pk=w.b_job.pk).status, "ready"),
    ),
    api(
        "own-corrections-a",
        lambda w: f"/api/v1/organisation/imports/{w.a_job.pk}/corrections/",
        expect(UNAUTHENTICATED, api=True, token=ACCEPTED),
        method="POST",
        data=lambda w: {"corrections": [{"row": 2, "column": "Amount", "remove": True}]},
    ),
    api(
        "own-corrections-b-by-id",
        lambda w: f"/api/v1/organisation/imports/{w.b_job.pk}/corrections/",
        TOKEN_NOT_FOR_B,
        method="POST",
        data=lambda w: {"corrections": [{"row": 2, "column": "Amount", "value": "2.00"}]},
        check=unchanged(lambda w: ImportCorrection.objects.filter(job=w.b_job).count(), 0),
    ),
]

__all__ = ["LEDGER_API", "ANALYST"]
