"""Pilots' pages and API, as every role. The lead leads Alpha only; Beta's draft initiative,
unpublished evidence and unpublished submission are fetched by id by everyone."""

from pilots.models import Initiative
from savings.models import CostLine

from .cases import LOGIN, UNAUTHENTICATED, api, expect, lists, page, unchanged
from .world import ADMIN, LEAD

OK, CREATED, NO_CONTENT, DONE, FORBIDDEN, MISSING = 200, 201, 204, 302, 403, 404
PUBLIC = expect(OK)
PUBLIC_API = expect(OK, api=True)
LEAD_FORM = expect(FORBIDDEN, anonymous=LOGIN, lead=OK, admin=OK)
LEAD_POST = expect(FORBIDDEN, anonymous=LOGIN, lead=DONE, admin=DONE)
BETA_DRAFT_FORM = expect(MISSING, anonymous=LOGIN, admin=OK)
ONLY_ADMIN_FINDS = expect(MISSING, admin=OK)
ONLY_ADMIN_FINDS_API = expect(MISSING, api=True, admin=OK)
SAVING_MEMBERS_API = expect(
    FORBIDDEN, api=True, anonymous=UNAUTHENTICATED, officer=OK, approver=OK, token=OK
)


def lead_api(success: int) -> dict:
    return expect(FORBIDDEN, api=True, anonymous=UNAUTHENTICATED, lead=success, admin=success)


def _uid(name):
    return lambda w: str(getattr(w, name).public_id)


def _pk(name):
    return lambda w: str(getattr(w, name).pk)


def _initiative_path(suffix=""):
    return lambda w: f"/initiatives/{w.published.public_id}/{suffix}"


def _published_exists(w) -> int:
    return Initiative.objects.filter(pk=w.published.pk).count()


PILOT_PAGES = [
    page("programmes", lambda w: "/pilots/", PUBLIC),
    page("programme", lambda w: "/pilots/programmes/matrix-programme/", PUBLIC),
    page(
        "programme-csv",
        lambda w: "/pilots/programmes/matrix-programme/where-savings-land.csv",
        PUBLIC,
    ),
    page("place-savings", lambda w: "/pilots/places/matrixshire/", PUBLIC),
    page("place-csv", lambda w: "/pilots/places/matrixshire/where-savings-land.csv", PUBLIC),
    page(
        "pilot-alpha-hides-beta-draft",
        lambda w: "/pilots/matrix-alpha/",
        PUBLIC,
        check=lists({LEAD, ADMIN}, lambda w: "Alpha draft"),
    ),
    page("pilot-csv", lambda w: "/pilots/matrix-alpha/where-savings-land.csv", PUBLIC),
    page("initiative-create-alpha", lambda w: "/pilots/matrix-alpha/initiatives/new/", LEAD_FORM),
    page(
        "initiative-create-beta",
        lambda w: "/pilots/matrix-beta/initiatives/new/",
        expect(FORBIDDEN, anonymous=LOGIN, admin=OK),
    ),
    page(
        "initiative-create-beta-post",
        lambda w: "/pilots/matrix-beta/initiatives/new/",
        expect(FORBIDDEN, anonymous=LOGIN, admin=DONE),
        method="POST",
        data=lambda w: {
            "title": "Hijack",
            "status": "draft",
            "service_theme": w.theme.pk,
            "baseline_year": w.year.pk,
        },
        check=unchanged(lambda w: Initiative.objects.filter(title="Hijack").count(), 0),
    ),
    page("evidence-create", lambda w: "/pilots/matrix-alpha/evidence/new/", LEAD_FORM),
    page(
        "initiative-evidence-create",
        lambda w: f"/pilots/matrix-alpha/initiatives/{w.published.public_id}/evidence/new/",
        LEAD_FORM,
    ),
    page("initiative-published", _initiative_path(), PUBLIC),
    page(
        "initiative-alpha-draft",
        lambda w: f"/initiatives/{w.alpha_draft.public_id}/",
        expect(MISSING, lead=OK, admin=OK),
    ),
    page(
        "initiative-beta-draft-by-id",
        lambda w: f"/initiatives/{w.beta_draft.public_id}/",
        ONLY_ADMIN_FINDS,
    ),
    page("initiative-edit", _initiative_path("edit/"), LEAD_FORM),
    page(
        "initiative-edit-beta-draft-by-id",
        lambda w: f"/initiatives/{w.beta_draft.public_id}/edit/",
        BETA_DRAFT_FORM,
    ),
    page(
        "initiative-delete",
        _initiative_path("delete/"),
        LEAD_POST,
        method="POST",
        check=unchanged(_published_exists, 1),
    ),
    page("initiative-csv", _initiative_path("where-savings-land.csv"), PUBLIC),
    page(
        "initiative-csv-beta-draft-by-id",
        lambda w: f"/initiatives/{w.beta_draft.public_id}/where-savings-land.csv",
        ONLY_ADMIN_FINDS,
    ),
    page("cost-create", _initiative_path("costs/new/"), LEAD_FORM),
    page(
        "cost-edit",
        lambda w: f"/initiatives/{w.published.public_id}/costs/{w.published_cost.pk}/edit/",
        LEAD_FORM,
    ),
    page(
        "cost-delete",
        lambda w: f"/initiatives/{w.published.public_id}/costs/{w.published_cost.pk}/delete/",
        LEAD_POST,
        method="POST",
        check=unchanged(lambda w: CostLine.objects.filter(pk=w.published_cost.pk).count(), 1),
    ),
    page(
        "cost-of-beta-draft-by-id",
        lambda w: f"/initiatives/{w.beta_draft.public_id}/costs/{w.beta_cost.pk}/edit/",
        BETA_DRAFT_FORM,
    ),
    page("saving-create", _initiative_path("savings/new/"), LEAD_FORM),
    page(
        "saving-agree",
        lambda w: f"/savings/{w.proposed_saving.public_id}/agree/",
        # Members of the paying or receiving organisation only: not the lead, not an admin.
        expect(FORBIDDEN, anonymous=LOGIN, officer=DONE, approver=DONE),
        method="POST",
    ),
    page(
        "saving-cash",
        lambda w: f"/savings/{w.agreed_saving.public_id}/cash/",
        expect(FORBIDDEN, anonymous=LOGIN, officer=OK, approver=OK),
    ),
    page(
        "saving-not-realised",
        lambda w: f"/savings/{w.proposed_saving.public_id}/not-realised/",
        expect(FORBIDDEN, anonymous=LOGIN, officer=OK, approver=OK, lead=OK, admin=OK),
    ),
    page(
        "saving-of-beta-draft-by-id",
        lambda w: f"/savings/{w.beta_saving.public_id}/not-realised/",
        expect(MISSING, anonymous=LOGIN, admin=OK),
    ),
    page("benefit-create", _initiative_path("benefits/new/"), LEAD_FORM),
    page(
        "benefit-edit",
        lambda w: f"/initiatives/{w.published.public_id}/benefits/{w.published_benefit.pk}/edit/",
        LEAD_FORM,
    ),
    page(
        "benefit-delete",
        lambda w: f"/initiatives/{w.published.public_id}/benefits/{w.published_benefit.pk}/delete/",
        LEAD_POST,
        method="POST",
    ),
    page("evidence", lambda w: f"/evidence/{w.alpha_document.public_id}/", PUBLIC),
    page(
        "evidence-unpublished-by-id",
        lambda w: f"/evidence/{w.beta_hidden.public_id}/",
        ONLY_ADMIN_FINDS,
    ),
    page(
        "evidence-download", lambda w: f"/evidence/{w.alpha_document.public_id}/download/", PUBLIC
    ),
    page(
        "evidence-download-unpublished-by-id",
        lambda w: f"/evidence/{w.beta_hidden.public_id}/download/",
        ONLY_ADMIN_FINDS,
    ),
    page("evidence-edit", lambda w: f"/evidence/{w.alpha_document.public_id}/edit/", LEAD_FORM),
    page(
        "evidence-delete",
        lambda w: f"/evidence/{w.alpha_document.public_id}/delete/",
        LEAD_POST,
        method="POST",
    ),
    page("submission", lambda w: f"/submissions/{w.alpha_submission.public_id}/", PUBLIC),
    page(
        "submission-unpublished-by-id",
        lambda w: f"/submissions/{w.beta_hidden_submission.public_id}/",
        ONLY_ADMIN_FINDS,
    ),
    page(
        "submission-august-2010",
        lambda w: f"/submissions/{w.alpha_submission.public_id}/august-2010/",
        PUBLIC,
    ),
    page(
        "submission-august-2010-xlsx",
        lambda w: f"/submissions/{w.alpha_submission.public_id}/august-2010.xlsx",
        PUBLIC,
    ),
    page(
        "submission-august-2010-unpublished-by-id",
        lambda w: f"/submissions/{w.beta_hidden_submission.public_id}/august-2010.xlsx",
        ONLY_ADMIN_FINDS,
    ),
]

PILOT_API = [
    api("programmes", lambda w: "/api/v1/programmes/", PUBLIC_API),
    api("programme", lambda w: "/api/v1/programmes/matrix-programme/", PUBLIC_API),
    api("pilots", lambda w: "/api/v1/pilots/", PUBLIC_API),
    api("pilot", lambda w: "/api/v1/pilots/matrix-alpha/", PUBLIC_API),
    api(
        "pilot-patch",
        lambda w: "/api/v1/pilots/matrix-alpha/",
        lead_api(OK),
        method="PATCH",
        data=lambda w: {"summary": "Changed"},
    ),
    api(
        "pilot-patch-beta",
        lambda w: "/api/v1/pilots/matrix-beta/",
        lead_api(FORBIDDEN) | {ADMIN: OK},
        method="PATCH",
        data=lambda w: {"summary": "Changed"},
    ),
    api(
        "evidence-pack",
        lambda w: "/api/v1/pilots/matrix-beta/evidence-pack/",
        PUBLIC_API,
        check=lists({ADMIN}, lambda w: "Beta draft"),
    ),
    api(
        "initiatives",
        lambda w: "/api/v1/initiatives/",
        PUBLIC_API,
        check=lists({ADMIN}, _uid("beta_draft"), api=True),
    ),
    api(
        "initiatives-alpha-draft",
        lambda w: "/api/v1/initiatives/",
        PUBLIC_API,
        check=lists({LEAD, ADMIN}, _uid("alpha_draft"), api=True),
    ),
    api("initiative", lambda w: f"/api/v1/initiatives/{w.published.public_id}/", PUBLIC_API),
    api(
        "initiative-beta-draft-by-id",
        lambda w: f"/api/v1/initiatives/{w.beta_draft.public_id}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api(
        "initiative-create",
        lambda w: "/api/v1/initiatives/",
        lead_api(CREATED),
        method="POST",
        data=lambda w: {"pilot": "matrix-alpha", "title": "New", "service_theme": "matrix-theme"},
    ),
    api(
        "initiative-patch",
        lambda w: f"/api/v1/initiatives/{w.published.public_id}/",
        lead_api(OK),
        method="PATCH",
        data=lambda w: {"summary": "Changed"},
    ),
    api(
        "initiative-delete",
        lambda w: f"/api/v1/initiatives/{w.published.public_id}/",
        lead_api(NO_CONTENT),
        method="DELETE",
        check=unchanged(_published_exists, 1),
    ),
    api(
        "evidence-list",
        lambda w: "/api/v1/evidence/",
        PUBLIC_API,
        check=lists({ADMIN}, _uid("beta_hidden"), api=True),
    ),
    api("evidence-item", lambda w: f"/api/v1/evidence/{w.alpha_document.public_id}/", PUBLIC_API),
    api(
        "evidence-unpublished-by-id",
        lambda w: f"/api/v1/evidence/{w.beta_hidden.public_id}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api(
        "evidence-create",
        lambda w: "/api/v1/evidence/",
        lead_api(CREATED),
        method="POST",
        data=lambda w: {"pilot": "matrix-alpha", "kind": "note", "title": "N", "body": "Text"},
    ),
    api(
        "evidence-patch-beta-by-id",
        lambda w: f"/api/v1/evidence/{w.beta_hidden.public_id}/",
        expect(MISSING, api=True, anonymous=UNAUTHENTICATED, admin=OK),
        method="PATCH",
        data=lambda w: {"title": "Hijacked"},
    ),
    api(
        "submissions",
        lambda w: "/api/v1/place-budget-submissions/",
        PUBLIC_API,
        check=lists({ADMIN}, _uid("beta_hidden_submission"), api=True),
    ),
    api(
        "submission",
        lambda w: f"/api/v1/place-budget-submissions/{w.alpha_submission.public_id}/",
        PUBLIC_API,
    ),
    api(
        "submission-unpublished-by-id",
        lambda w: f"/api/v1/place-budget-submissions/{w.beta_hidden_submission.public_id}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api(
        "submission-delete",
        lambda w: f"/api/v1/place-budget-submissions/{w.alpha_submission.public_id}/",
        lead_api(NO_CONTENT),
        method="DELETE",
    ),
    api(
        "cost-lines",
        lambda w: "/api/v1/cost-lines/",
        PUBLIC_API,
        check=lists({ADMIN}, _pk("beta_cost"), api=True),
    ),
    api("cost-line", lambda w: f"/api/v1/cost-lines/{w.published_cost.pk}/", PUBLIC_API),
    api(
        "cost-line-of-beta-draft-by-id",
        lambda w: f"/api/v1/cost-lines/{w.beta_cost.pk}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api(
        "cost-line-create",
        lambda w: "/api/v1/cost-lines/",
        lead_api(CREATED),
        method="POST",
        data=lambda w: {
            "initiative": str(w.published.public_id),
            "payer": "MXA",
            "year": 1,
            "amount": "5.00",
        },
    ),
    api(
        "cost-line-patch",
        lambda w: f"/api/v1/cost-lines/{w.published_cost.pk}/",
        lead_api(OK),
        method="PATCH",
        data=lambda w: {"amount": "7.00"},
    ),
    api(
        "benefit-flows",
        lambda w: "/api/v1/benefit-flows/",
        PUBLIC_API,
        check=lists({ADMIN}, _pk("beta_benefit"), api=True),
    ),
    api("benefit-flow", lambda w: f"/api/v1/benefit-flows/{w.published_benefit.pk}/", PUBLIC_API),
    api(
        "benefit-flow-of-beta-draft-by-id",
        lambda w: f"/api/v1/benefit-flows/{w.beta_benefit.pk}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api(
        "benefit-flow-delete",
        lambda w: f"/api/v1/benefit-flows/{w.published_benefit.pk}/",
        lead_api(NO_CONTENT),
        method="DELETE",
    ),
    api(
        "appraisals",
        lambda w: "/api/v1/appraisals/",
        PUBLIC_API,
        check=lists({ADMIN}, _uid("beta_draft"), api=True, key="initiative"),
    ),
    api("appraisal", lambda w: f"/api/v1/appraisals/{w.published.public_id}/", PUBLIC_API),
    api(
        "appraisal-of-beta-draft-by-id",
        lambda w: f"/api/v1/appraisals/{w.beta_draft.public_id}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api("attributions", lambda w: "/api/v1/attributions/", PUBLIC_API),
    api(
        "attribution",
        lambda w: f"/api/v1/attributions/{w.published_attribution.pk}/",
        PUBLIC_API,
    ),
    api(
        "attribution-of-beta-draft-by-id",
        lambda w: f"/api/v1/attributions/{w.beta_attribution.pk}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api("unit-costs", lambda w: "/api/v1/unit-costs/", PUBLIC_API),
    api("unit-cost", lambda w: "/api/v1/unit-costs/matrix-unit-cost/", PUBLIC_API),
    api("discount-rates", lambda w: "/api/v1/discount-rates/", PUBLIC_API),
    api("discount-rate", lambda w: f"/api/v1/discount-rates/{w.discount_rate.pk}/", PUBLIC_API),
    api("evidence-grades", lambda w: "/api/v1/evidence-grades/", PUBLIC_API),
    api("savings", lambda w: "/api/v1/savings/", PUBLIC_API),
    api("saving", lambda w: f"/api/v1/savings/{w.proposed_saving.public_id}/", PUBLIC_API),
    api(
        "saving-of-beta-draft-by-id",
        lambda w: f"/api/v1/savings/{w.beta_saving.public_id}/",
        ONLY_ADMIN_FINDS_API,
    ),
    api(
        "savings-realisation",
        lambda w: "/api/v1/savings/realisation/?scope=pilot&key=matrix-alpha",
        PUBLIC_API,
    ),
    api(
        "saving-create",
        lambda w: "/api/v1/savings/",
        lead_api(CREATED),
        method="POST",
        data=lambda w: {
            "initiative": str(w.published.public_id),
            "payer": "MXA",
            "receiver": "MXB",
            "financial_year": w.year.code,
            "forecast": "1.00",
        },
    ),
    # Members of the paying or receiving organisation (A) only; the token acts for A.
    api(
        "saving-agree",
        lambda w: f"/api/v1/savings/{w.proposed_saving.public_id}/agree/",
        SAVING_MEMBERS_API,
        method="POST",
    ),
    api(
        "saving-cash",
        lambda w: f"/api/v1/savings/{w.agreed_saving.public_id}/cash/",
        SAVING_MEMBERS_API,
        method="POST",
        data=lambda w: {"amount": "5.00", "financial_year": w.year.code},
    ),
    api(
        "saving-not-realised",
        lambda w: f"/api/v1/savings/{w.proposed_saving.public_id}/not-realised/",
        expect(
            FORBIDDEN,
            api=True,
            anonymous=UNAUTHENTICATED,
            officer=OK,
            approver=OK,
            token=OK,
            lead=OK,
            admin=OK,
        ),
        method="POST",
        data=lambda w: {"reason": "Not this year."},
    ),
    api("evidence-grade", lambda w: "/api/v1/evidence-grades/expert-judgement/", PUBLIC_API),
]
