"""The ledger's pages, as every role. ``a_*`` belong to organisation A (where the officer,
the approver and the token act), ``b_*`` to organisation B (where none of them does, though
the token's user is a finance officer of B too)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import (
    ApiToken,
    ImportCorrection,
    ImportJob,
    SpendReturn,
    SpendReturnStatus,
    SupplierMatch,
    ThemeRule,
)

from .cases import LOGIN, expect, lists, outcome, page, unchanged
from .world import ADMIN, ANALYST, APPROVER, EDITOR, LEAD, OFFICER, REDACTED_SUPPLIER

OK, FORBIDDEN, MISSING, NOT_ALLOWED = 200, 403, 404, 405
DONE = 302  # a successful form post redirects
MOVED, MOVED_POST = 301, 308  # an old address: a GET, and a POST kept a POST
UNKNOWN_CHANGE = "00000000-0000-4000-8000-000000000000"
# Who took a step, in a history (the world's approved returns were approved by the system).
WHO_ACTED = "<strong>the system</strong>"

PUBLIC = expect(OK)
SIGNED_IN = expect(OK, anonymous=LOGIN)


def _redacted_never_named(world, role, response):
    """Redacted suppliers are counted, never named: not to anyone, on any page."""
    assert REDACTED_SUPPLIER not in response.content.decode(), f"{role} saw a redacted name"


def _status(name):
    return lambda w: SpendReturn.objects.get(pk=getattr(w, name).pk).status


def _detail(name):
    return lambda w: f"/spend-returns/{getattr(w, name).pk}/"


def _action(name, action):
    return lambda w: f"/spend-returns/{getattr(w, name).pk}/{action}/"


def _lines_of(name):
    return lambda w: f"/spend-returns/{getattr(w, name).pk}/history/lines/?context={UNKNOWN_CHANGE}"


def _import_of(name):
    return lambda w: (
        f"/spend-returns/{getattr(w, name).pk}/history/imports/{getattr(w, name + '_import').pk}/"
    )


def _import_file(w):
    return {
        "file": SimpleUploadedFile("spend.csv", b"Amount,Supplier\n1.00,A\n"),
        "mode": "add",
        "where": "home",
        "driver": "population",
    }


def _moved_to(name, action, jobs=None):
    def check(world, role, response):
        spend_return = getattr(world, name)
        assert response["Location"] == f"/spend-returns/{spend_return.pk}/{action}/"
        if jobs is not None:
            assert ImportJob.objects.filter(spend_return=spend_return).count() == jobs

    return check


def _token_created(world, role, response):
    """Only members of A get a token for A (the form offers their own organisations only)."""
    created = ApiToken.objects.filter(name="matrix new", organisation=world.org_a).exists()
    assert created == (role in {OFFICER, APPROVER}), f"{role}: token created={created}"


def _token_without_organisation_created(world, role, response):
    """Analysts, pilot leads, dataset editors and admins may hold a token for no organisation;
    members' tokens act for one of their organisations (they are asked to choose one)."""
    created = ApiToken.objects.filter(name="matrix none", organisation=None).exists()
    allowed = role in {ANALYST, LEAD, EDITOR, ADMIN}
    assert created == allowed, f"{role}: token created={created}"


def _b_job_unchanged(world, role, response):
    """A rule added "from" B's import is A's rule, no more: B's import is not read again, and
    the officer goes back to the rules, not to B's import."""
    assert ImportJob.objects.get(pk=world.b_job.pk).status == world.b_job.status
    if outcome(response) == DONE:
        assert response["Location"] == "/theme-rules/", response["Location"]


def _unanswered():
    """Notifications no step has marked read: the world's approved returns' requests for
    sign-off were read when they were answered (``notifications_send``)."""
    from django.db.models import Q

    from ledger.models import Notification, NotificationKind, SpendReturnStatus

    return Notification.objects.exclude(
        Q(kind=NotificationKind.SUBMITTED) & ~Q(spend_return__status=SpendReturnStatus.SUBMITTED)
    )


def _only_own_read(world, role, response):
    """Marking read marks one's own notifications, never anyone else's."""
    others = _unanswered().exclude(
        recipient__username=getattr(response.wsgi_request.user, "username", None)
    )
    assert not others.filter(read_at__isnull=False).exists(), f"{role} read others' notifications"


def _approver_notification(world) -> int:
    """The approver's notification of A's return submitted by its officer."""
    from ledger.models import Notification

    return Notification.objects.get(
        recipient=world.users[APPROVER], spend_return=world.a_submitted
    ).pk


def _one_read(path_end: str):
    def path(world):
        return f"/notifications/{_approver_notification(world)}/{path_end}"

    return path


def _only_the_approvers_read(world, role, response):
    """Only the recipient marks their notification read (it opens A's submitted return);
    no one's other notifications change."""
    read = set(_unanswered().filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == ({_approver_notification(world)} if role == APPROVER else set()), role
    if role == APPROVER and response.wsgi_request.method == "GET":
        assert response["Location"] == f"/spend-returns/{world.a_submitted.pk}/"


def _asks(name, step, status):
    """The question's page posts the step to itself and changes nothing."""

    def check(world, role, response):
        assert _status(name)(world) == status, f"{role}: a GET changed the return"
        if response.status_code == OK:
            form = f'<form method="post" action="{_action(name, step)(world)}"'
            assert form in response.content.decode(), f"{role}: no form that takes the step"

    return check


def _own_submission_stays_submitted(world, role, response):
    status = SpendReturn.objects.get(pk=world.a_own_submission.pk).status
    if role != ADMIN:  # the administrator did not submit it
        assert status == SpendReturnStatus.SUBMITTED, f"{role} signed off their own submission"


def _accruals_only_for_officers(name):
    def check(world, role, response):
        marked = SpendReturn.objects.get(pk=getattr(world, name).pk).accruals_basis
        allowed = role in {OFFICER, ADMIN} if name == "a_draft" else role == ADMIN
        assert marked == allowed, f"{role}: accruals basis={marked}"

    return check


def _months_declared_by_officers(world, role, response):
    declared = SpendReturn.objects.get(pk=world.a_draft.pk).declared_months
    assert (declared is not None) == (role in {OFFICER, ADMIN}), f"{role}: declared={declared}"


def _control_total_declared_by_officers(world, role, response):
    declared = SpendReturn.objects.get(pk=world.a_draft.pk).control_total
    assert (declared is not None) == (role in {OFFICER, ADMIN}), f"{role}: declared={declared}"


def _the_file(world, role, response):
    """Allowed roles get the file as an attachment under its original name, nothing else."""
    if response.status_code == OK:
        assert response["Content-Disposition"] == 'attachment; filename="matrix.csv"'
        assert b"".join(response.streaming_content) == b"Amount,Supplier\n1.00,A\n"


# A draft of A: its finance officer edits it; its approver sees it; nobody else finds it.
A_DRAFT_EDIT = expect(MISSING, anonymous=LOGIN, officer=OK, approver=FORBIDDEN, admin=OK)
# A draft of B: only an administrator finds it.
B_DRAFT_EDIT = expect(MISSING, anonymous=LOGIN, admin=OK)
# Actions on a return of A: role first (403), then the service's rules (a message).
A_OFFICER_ACTION = expect(MISSING, anonymous=LOGIN, officer=DONE, approver=FORBIDDEN, admin=DONE)
A_APPROVER_ACTION = expect(MISSING, anonymous=LOGIN, officer=FORBIDDEN, approver=DONE, admin=DONE)
B_ACTION = expect(MISSING, anonymous=LOGIN, admin=DONE)
GET_ON_POST_ONLY = expect(NOT_ALLOWED)

LEDGER_PAGES = [
    page("health", lambda w: "/health/", PUBLIC),
    page("login", lambda w: "/accounts/login/", PUBLIC),
    page("logout", lambda w: "/accounts/logout/", expect(DONE), method="POST"),
    page("home", lambda w: "/", PUBLIC),
    page("place", lambda w: "/places/matrixshire/", PUBLIC),
    page("place-lines", lambda w: "/places/matrixshire/lines/", PUBLIC),
    # Line-level downloads are the analysts'.
    page(
        "place-lines-download",
        lambda w: "/places/matrixshire/lines/?export=csv",
        expect(FORBIDDEN, anonymous=LOGIN, analyst=OK, admin=OK),
    ),
    page("line-approved", lambda w: f"/lines/{w.approved_line.pk}/", PUBLIC),
    page("line-of-a-draft", lambda w: f"/lines/{w.a_draft_line.pk}/", expect(MISSING)),
    page("line-of-b-draft", lambda w: f"/lines/{w.b_draft_line.pk}/", expect(MISSING)),
    page("compare", lambda w: "/compare/?place=matrixshire", PUBLIC),
    page("organisation-list", lambda w: "/organisations/?q=matrix", PUBLIC),
    page("organisation-detail", lambda w: "/organisations/MXA/?measure=real", PUBLIC),
    page(
        "organisation-detail-redacted-supplier",
        lambda w: "/organisations/MXB/",
        PUBLIC,
        check=_redacted_never_named,
    ),
    page(
        "place-lines-by-supplier",
        lambda w: "/places/matrixshire/lines/?sort=supplier&q=matrix",
        PUBLIC,
        check=_redacted_never_named,
    ),
    page("supplier-list", lambda w: "/suppliers/?q=matrix", PUBLIC, check=_redacted_never_named),
    page(
        "supplier-detail",
        lambda w: "/suppliers/matrix-supplies/",
        PUBLIC,
        check=_redacted_never_named,
    ),
    page("supplier-redacted", lambda w: "/suppliers/matrix-secret-person/", expect(MISSING)),
    page(
        "return-list-no-b-draft",
        lambda w: "/spend-returns/?organisation=all",
        PUBLIC,
        check=lists({ADMIN}, _detail("b_draft")),
    ),
    page(
        "return-list-a-draft-for-a",
        lambda w: "/spend-returns/?organisation=all",
        PUBLIC,
        check=lists({OFFICER, APPROVER, ADMIN}, _detail("a_draft")),
    ),
    page("return-create-form", lambda w: "/spend-returns/new/", SIGNED_IN),
    page(
        "return-create",
        lambda w: "/spend-returns/new/",
        expect(FORBIDDEN, anonymous=LOGIN, officer=DONE, admin=OK),  # admin: no organisation
        method="POST",
        data=lambda w: {"organisation": w.org_a.pk, "financial_year": "2010-11"},
        check=unchanged(lambda w: SpendReturn.objects.filter(organisation=w.org_a).count(), 4),
    ),
    page("return-approved", _detail("a_approved"), PUBLIC),
    page(
        "return-a-draft",
        _detail("a_draft"),
        expect(MISSING, officer=OK, approver=OK, admin=OK),
    ),
    page("return-b-draft-by-id", _detail("b_draft"), expect(MISSING, admin=OK)),
    page("return-b-submitted-by-id", _detail("b_submitted"), expect(MISSING, admin=OK)),
    # A return's own lines as CSV: its organisation's people and analysts.
    page(
        "return-lines-download-approved",
        _action("a_approved", "lines/download"),
        expect(FORBIDDEN, anonymous=LOGIN, officer=OK, approver=OK, analyst=OK, admin=OK),
    ),
    page(
        "return-lines-download-a-draft",
        _action("a_draft", "lines/download"),
        expect(MISSING, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
    ),
    page(
        "return-lines-download-b-draft-by-id",
        _action("b_draft", "lines/download"),
        expect(MISSING, anonymous=LOGIN, admin=OK),
    ),
    # A download written by an export job: its maker (while they may download the lines
    # directly) and administrators; an analyst may download A's lines, but not this job's file.
    *(
        page(
            f"export-job{suffix.replace('/', '-').rstrip('-')}",
            lambda w, suffix=suffix: f"/exports/{w.lines_export.pk}/{suffix}",
            expect(MISSING, anonymous=LOGIN, officer=OK, admin=OK),
        )
        for suffix in ("", "status/", "download/")
    ),
    page(
        "export-job-of-a-data-package",
        lambda w: f"/exports/{w.analyst_export.pk}/",
        expect(MISSING, anonymous=LOGIN),
    ),
    # A return's history is as visible as the return itself; its trail (who, its lines'
    # changes, its imports) only to its organisation's people and staff: the rest read its
    # status changes.
    page(
        "history-approved",
        _action("a_approved", "history"),
        PUBLIC,
        check=lists({OFFICER, APPROVER, ADMIN}, lambda w: WHO_ACTED),
    ),
    page(
        "history-b-approved",
        _action("b_approved", "history"),
        PUBLIC,
        check=lists({ADMIN}, lambda w: WHO_ACTED),
    ),
    page(
        "history-a-draft",
        _action("a_draft", "history"),
        expect(MISSING, officer=OK, approver=OK, admin=OK),
    ),
    page("history-b-draft-by-id", _action("b_draft", "history"), expect(MISSING, admin=OK)),
    # A change's line list: the trail's (an unknown change lists nothing).
    page(
        "history-lines-approved",
        _lines_of("a_approved"),
        expect(FORBIDDEN, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
    ),
    page(
        "history-lines-b-approved",
        _lines_of("b_approved"),
        expect(FORBIDDEN, anonymous=LOGIN, admin=OK),
    ),
    page(
        "history-lines-a-draft",
        _lines_of("a_draft"),
        expect(MISSING, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
    ),
    page(
        "history-lines-b-draft-by-id",
        _lines_of("b_draft"),
        expect(MISSING, anonymous=LOGIN, admin=OK),
    ),
    # A confirmed import's one record and its lines: the trail's too.
    page(
        "history-import-approved",
        _import_of("a_approved"),
        expect(FORBIDDEN, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
    ),
    page(
        "history-import-b-approved",
        _import_of("b_approved"),
        expect(FORBIDDEN, anonymous=LOGIN, admin=OK),
    ),
    page("grid-a-draft", _action("a_draft", "lines"), A_DRAFT_EDIT),
    page("grid-b-draft-by-id", _action("b_draft", "lines"), B_DRAFT_EDIT),
    page(
        "grid-approved-is-not-editable",
        _action("a_approved", "lines"),
        expect(FORBIDDEN, anonymous=LOGIN),
    ),
    page(
        "grid-b-draft-post",
        _action("b_draft", "lines"),
        expect(MISSING, anonymous=LOGIN, admin=OK),
        method="POST",
        data=lambda w: {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1"},
        check=unchanged(lambda w: w.b_draft.lines.count(), 1),
    ),
    page("import-a-draft", _action("a_draft", "import"), A_DRAFT_EDIT),
    page(
        "import-b-draft-by-id",
        _action("b_draft", "import"),
        expect(MISSING, anonymous=LOGIN, admin=DONE),
        method="POST",
        data=_import_file,
        check=unchanged(lambda w: ImportJob.objects.filter(spend_return=w.b_draft).count(), 1),
    ),
    # The import page's old address sends everyone on (the new page asks the permissions); a
    # POST as a 308, which clients repeat as a POST there, and which changes nothing itself.
    page(
        "upload-moved-a-draft",
        _action("a_draft", "upload"),
        expect(MOVED),
        check=_moved_to("a_draft", "import"),
    ),
    page(
        "upload-moved-b-draft-post",
        _action("b_draft", "upload"),
        expect(MOVED_POST),
        method="POST",
        data=_import_file,
        check=_moved_to("b_draft", "import", jobs=1),
    ),
    # Submit, approve and discard ask first: a GET is the question (a page that changes nothing).
    page(
        "submit-confirm-a-draft",
        _action("a_draft", "submit"),
        A_DRAFT_EDIT,
        check=_asks("a_draft", "submit", SpendReturnStatus.DRAFT),
    ),
    page("submit-confirm-b-draft-by-id", _action("b_draft", "submit"), B_DRAFT_EDIT),
    page(
        "approve-confirm-a-submitted",
        _action("a_submitted", "approve"),
        expect(MISSING, anonymous=LOGIN, officer=FORBIDDEN, approver=OK, admin=OK),
        check=_asks("a_submitted", "approve", SpendReturnStatus.SUBMITTED),
    ),
    # One's own submission: the question is not asked (back to the return, which says why).
    page(
        "approve-confirm-own-submission",
        _action("a_own_submission", "approve"),
        expect(MISSING, anonymous=LOGIN, officer=FORBIDDEN, approver=DONE, admin=OK),
        check=_asks("a_own_submission", "approve", SpendReturnStatus.SUBMITTED),
    ),
    page("approve-confirm-b-by-id", _action("b_submitted", "approve"), B_DRAFT_EDIT),
    page(
        "discard-confirm-a-draft",
        _action("a_draft", "discard"),
        A_DRAFT_EDIT,
        check=_asks("a_draft", "discard", SpendReturnStatus.DRAFT),
    ),
    page(
        "submit-a-draft",
        _action("a_draft", "submit"),
        A_OFFICER_ACTION,
        method="POST",
        check=unchanged(_status("a_draft"), SpendReturnStatus.DRAFT),
    ),
    page(
        "submit-b-draft-by-id",
        _action("b_draft", "submit"),
        B_ACTION,
        method="POST",
        check=unchanged(_status("b_draft"), SpendReturnStatus.DRAFT),
    ),
    page(
        "approve-a-submitted",
        _action("a_submitted", "approve"),
        A_APPROVER_ACTION,
        method="POST",
        check=unchanged(_status("a_submitted"), SpendReturnStatus.SUBMITTED),
    ),
    # Separation of duties: the approver submitted this one, so cannot sign it off.
    page(
        "approve-own-submission",
        _action("a_own_submission", "approve"),
        A_APPROVER_ACTION,
        method="POST",
        check=_own_submission_stays_submitted,
    ),
    page(
        "send-back-own-submission",
        _action("a_own_submission", "send-back"),
        A_APPROVER_ACTION,
        method="POST",
        data=lambda w: {"reason": "Mine"},
        check=_own_submission_stays_submitted,
    ),
    page(
        "approve-b-submitted-by-id",
        _action("b_submitted", "approve"),
        B_ACTION,
        method="POST",
        check=unchanged(_status("b_submitted"), SpendReturnStatus.SUBMITTED),
    ),
    page(
        "send-back-a-submitted",
        _action("a_submitted", "send-back"),
        A_APPROVER_ACTION,
        method="POST",
        data=lambda w: {"reason": "Totals differ"},
        check=unchanged(_status("a_submitted"), SpendReturnStatus.SUBMITTED),
    ),
    page(
        "new-version-of-approved",
        _action("a_approved", "new-version"),
        expect(FORBIDDEN, anonymous=LOGIN, officer=DONE, admin=DONE),
        method="POST",
        check=unchanged(lambda w: SpendReturn.objects.filter(organisation=w.org_a).count(), 4),
    ),
    page(
        "discard-a-draft",
        _action("a_draft", "discard"),
        A_OFFICER_ACTION,
        method="POST",
        check=unchanged(lambda w: SpendReturn.objects.filter(pk=w.a_draft.pk).count(), 1),
    ),
    # Declaring the months a draft covers: its officers only, and only while it is a draft.
    page("months-get", _action("a_draft", "months"), GET_ON_POST_ONLY),
    page(
        "months-a-draft",
        _action("a_draft", "months"),
        A_OFFICER_ACTION,
        method="POST",
        data=lambda w: {"months": ["all"]},
        check=_months_declared_by_officers,
    ),
    page(
        "months-a-submitted",
        _action("a_submitted", "months"),
        expect(MISSING, anonymous=LOGIN, officer=FORBIDDEN, approver=FORBIDDEN, admin=FORBIDDEN),
        method="POST",
        data=lambda w: {"months": ["all"]},
        check=unchanged(
            lambda w: SpendReturn.objects.get(pk=w.a_submitted.pk).declared_months, None
        ),
    ),
    page(
        "months-b-draft-by-id",
        _action("b_draft", "months"),
        B_ACTION,
        method="POST",
        data=lambda w: {"months": ["all"]},
    ),
    # Declaring a draft's control total: as its months.
    page("control-total-get", _action("a_draft", "control-total"), GET_ON_POST_ONLY),
    page(
        "control-total-a-draft",
        _action("a_draft", "control-total"),
        A_OFFICER_ACTION,
        method="POST",
        data=lambda w: {"control_total": "1.00"},
        check=_control_total_declared_by_officers,
    ),
    page(
        "control-total-a-submitted",
        _action("a_submitted", "control-total"),
        expect(MISSING, anonymous=LOGIN, officer=FORBIDDEN, approver=FORBIDDEN, admin=FORBIDDEN),
        method="POST",
        data=lambda w: {"control_total": "1.00"},
        check=unchanged(lambda w: SpendReturn.objects.get(pk=w.a_submitted.pk).control_total, None),
    ),
    page(
        "control-total-b-draft-by-id",
        _action("b_draft", "control-total"),
        B_ACTION,
        method="POST",
        data=lambda w: {"control_total": "1.00"},
    ),
    page("apply-theme-rules-get", _action("a_draft", "apply-theme-rules"), GET_ON_POST_ONLY),
    page(
        "apply-theme-rules-a-draft",
        _action("a_draft", "apply-theme-rules"),
        A_OFFICER_ACTION,
        method="POST",
    ),
    page(
        "apply-theme-rules-b-draft-by-id",
        _action("b_draft", "apply-theme-rules"),
        B_ACTION,
        method="POST",
    ),
    # Marking a draft as kept on an accruals basis: its finance officers only.
    page("accruals-get", _action("a_draft", "accruals"), GET_ON_POST_ONLY),
    page(
        "accruals-a-draft",
        _action("a_draft", "accruals"),
        A_OFFICER_ACTION,
        method="POST",
        data=lambda w: {"accruals_basis": "1", "reason": "Accrued."},
        check=_accruals_only_for_officers("a_draft"),
    ),
    page(
        "accruals-b-draft-by-id",
        _action("b_draft", "accruals"),
        B_ACTION,
        method="POST",
        data=lambda w: {"accruals_basis": "1", "reason": "Accrued."},
        check=_accruals_only_for_officers("b_draft"),
    ),
    page("theme-rules", lambda w: "/theme-rules/", SIGNED_IN),
    # Notifications: one's own, whoever one is (signed in).
    page("notifications", lambda w: "/notifications/", SIGNED_IN),
    page("notifications-read-get", lambda w: "/notifications/read/", GET_ON_POST_ONLY),
    page(
        "notifications-read",
        lambda w: "/notifications/read/",
        expect(DONE, anonymous=LOGIN),
        method="POST",
        check=_only_own_read,
    ),
    # One notification: read by opening it or by its button, only by whom it was sent to
    # (anyone else's is missing, as a number that does not exist is).
    page(
        "notification-open",
        _one_read(""),
        expect(MISSING, anonymous=LOGIN, approver=DONE),
        check=_only_the_approvers_read,
    ),
    page(
        "notification-read-get",
        _one_read("read/"),
        expect(NOT_ALLOWED),
    ),
    page(
        "notification-read",
        _one_read("read/"),
        expect(MISSING, anonymous=LOGIN, approver=DONE),
        method="POST",
        check=_only_the_approvers_read,
    ),
    # Payments to public bodies: each organisation's officers decide its own matches.
    page(
        "supplier-matches",
        lambda w: "/transfers/",
        SIGNED_IN,
        check=lists({OFFICER, ADMIN}, lambda w: "MATRIX B PAYEE"),
    ),
    page(
        "supplier-match-decide-get",
        lambda w: f"/transfers/{w.a_match.pk}/decide/",
        GET_ON_POST_ONLY,
    ),
    page(
        "supplier-match-decide-a",
        lambda w: f"/transfers/{w.a_match.pk}/decide/",
        expect(MISSING, anonymous=LOGIN, officer=DONE, admin=DONE),
        method="POST",
        data=lambda w: {"status": "rejected"},
        check=unchanged(lambda w: SupplierMatch.objects.get(pk=w.a_match.pk).status, "suggested"),
    ),
    page(
        "supplier-match-decide-b-by-id",
        lambda w: f"/transfers/{w.b_match.pk}/decide/",
        B_ACTION,
        method="POST",
        data=lambda w: {"status": "rejected"},
        check=unchanged(lambda w: SupplierMatch.objects.get(pk=w.b_match.pk).status, "suggested"),
    ),
    page(
        "theme-rule-add",
        lambda w: "/theme-rules/",
        expect(FORBIDDEN, anonymous=LOGIN, officer=DONE, admin=OK),  # admin: no organisation
        method="POST",
        data=lambda w: {
            "organisation": w.org_a.pk,
            "field": "service_label",
            "match": "exact",
            "pattern": "matrix new",
            "theme": w.theme.pk,
        },
        check=unchanged(lambda w: ThemeRule.objects.filter(pattern="matrix new").count(), 0),
    ),
    page(
        "theme-rule-add-from-b-import",
        lambda w: f"/theme-rules/?import={w.b_job.pk}",
        expect(FORBIDDEN, anonymous=LOGIN, officer=DONE, admin=OK),  # admin: no organisation
        method="POST",
        data=lambda w: {
            "import": w.b_job.pk,
            "organisation": w.org_a.pk,
            "field": "service_label",
            "match": "exact",
            "pattern": "matrix from b",
            "theme": w.theme.pk,
        },
        check=_b_job_unchanged,
    ),
    page(
        "theme-rule-delete-a",
        lambda w: f"/theme-rules/{w.a_rule.pk}/delete/",
        expect(MISSING, anonymous=LOGIN, officer=DONE, approver=FORBIDDEN, admin=DONE),
        method="POST",
        check=unchanged(lambda w: ThemeRule.objects.filter(pk=w.a_rule.pk).count(), 1),
    ),
    page(
        "theme-rule-delete-b-by-id",
        lambda w: f"/theme-rules/{w.b_rule.pk}/delete/",
        expect(MISSING, anonymous=LOGIN, admin=DONE),
        method="POST",
        check=unchanged(lambda w: ThemeRule.objects.filter(pk=w.b_rule.pk).count(), 1),
    ),
    page(
        "import-a",
        lambda w: f"/imports/{w.a_job.pk}/",
        expect(MISSING, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
    ),
    page("import-b-by-id", lambda w: f"/imports/{w.b_job.pk}/", B_DRAFT_EDIT),
    page(
        "import-status-a",
        lambda w: f"/imports/{w.a_job.pk}/status/",
        expect(MISSING, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
    ),
    page("import-status-b-by-id", lambda w: f"/imports/{w.b_job.pk}/status/", B_DRAFT_EDIT),
    # The stored file: the organisation's people only (it may hold what was never published).
    page(
        "import-file-a",
        lambda w: f"/imports/{w.a_job.pk}/file/",
        expect(MISSING, anonymous=LOGIN, officer=OK, approver=OK, admin=OK),
        check=_the_file,
    ),
    page("import-file-b-by-id", lambda w: f"/imports/{w.b_job.pk}/file/", B_DRAFT_EDIT),
    page("import-mapping-a", lambda w: f"/imports/{w.a_job.pk}/mapping/", A_DRAFT_EDIT),
    page("import-mapping-b-by-id", lambda w: f"/imports/{w.b_job.pk}/mapping/", B_DRAFT_EDIT),
    page(
        "import-confirm-a",
        lambda w: f"/imports/{w.a_job.pk}/confirm/",
        A_OFFICER_ACTION,
        method="POST",
    ),
    page(
        "import-confirm-b-by-id",
        lambda w: f"/imports/{w.b_job.pk}/confirm/",
        B_ACTION,
        method="POST",
        check=unchanged(lambda w: ImportJob.objects.get(pk=w.b_job.pk).status, "ready"),
    ),
    page(
        "import-cancel-a",
        lambda w: f"/imports/{w.a_job.pk}/cancel/",
        A_OFFICER_ACTION,
        method="POST",
        check=unchanged(lambda w: ImportJob.objects.get(pk=w.a_job.pk).status, "ready"),
    ),
    # Undoing a correction the job does not have: allowed roles change nothing, and the form
    # needs no stored file to be read.
    page(
        "import-corrections-a",
        lambda w: f"/imports/{w.a_job.pk}/corrections/",
        A_OFFICER_ACTION,
        method="POST",
        data=lambda w: {"remove_row": "2", "remove_column": "Amount"},
    ),
    page(
        "import-corrections-b-by-id",
        lambda w: f"/imports/{w.b_job.pk}/corrections/",
        B_ACTION,
        method="POST",
        data=lambda w: {"cell-2-0": "2.00", "shown-2-0": "1.00"},
        check=unchanged(lambda w: ImportCorrection.objects.filter(job=w.b_job).count(), 0),
    ),
    page("api-tokens", lambda w: "/account/api-tokens/", SIGNED_IN),
    # Every role may create tokens; a signed-in user with no role has no use for one.
    page(
        "api-token-create",
        lambda w: "/account/api-tokens/",
        expect(OK, anonymous=LOGIN, outsider=FORBIDDEN),
        method="POST",
        data=lambda w: {"name": "matrix new", "organisation": w.org_a.pk, "lifetime_days": 30},
        check=_token_created,
    ),
    page(
        "api-token-create-without-organisation",
        lambda w: "/account/api-tokens/",
        expect(OK, anonymous=LOGIN, outsider=FORBIDDEN),
        method="POST",
        data=lambda w: {"name": "matrix none", "organisation": "", "lifetime_days": 30},
        check=_token_without_organisation_created,
    ),
    page(
        "api-token-revoke-own",
        lambda w: f"/account/api-tokens/{w.own_token.pk}/revoke/",
        expect(MISSING, anonymous=LOGIN, officer=DONE),
        method="POST",
        check=unchanged(lambda w: ApiToken.objects.get(pk=w.own_token.pk).revoked_at, None),
    ),
]
