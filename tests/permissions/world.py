"""One small world for the permission matrix: two organisations with returns in every state,
imports, theme rules, two pilots with drafts and unpublished evidence, export jobs, and a
user for every role (signed in once; each request gets a fresh client with that session).

Built once for the package (tests/permissions) inside a transaction that is rolled back at
the end; each test runs in a savepoint of it (pytest-django's ``db``), so what one request
changes never leaks into the next test. No test here may use ``transactional_db``.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from ledger.models import (
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportJobStatus,
    Role,
    Sector,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    SupplierMatch,
    SupplierMatchMethod,
    ThemeRule,
)
from ledger.permissions import ANALYSTS_GROUP, DATASET_EDITORS_GROUP
from ledger.services.access import api_token_create, membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from pilots.models import EvidenceKind, InitiativeStatus
from pilots.services.access import pilot_lead_grant
from pilots.services.evidence import evidence_create
from pilots.services.initiatives import initiative_create
from pilots.services.submissions import submission_create
from savings.models import Attribution, DiscountRate
from savings.services.inputs import benefit_flow_create, cost_line_create
from savings.services.realisation import saving_agree, saving_propose
from savings.services.recompute import initiative_recompute
from savings.services.reference import discount_rates_load
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)
from tests.ledger.dataset_world import orm_edition, orm_figure
from tests.pilots.factories import PilotFactory, ProgrammeFactory, UnitCostFactory

ANON, OUTSIDER, OFFICER, APPROVER = "anonymous", "outsider", "officer_a", "approver_a"
ANALYST, LEAD, ADMIN, TOKEN = "analyst", "pilot_lead", "admin", "token_a"
EDITOR = "dataset_editor"
SESSION_ROLES = [ANON, OUTSIDER, OFFICER, APPROVER, ANALYST, LEAD, EDITOR, ADMIN]
API_ROLES = [*SESSION_ROLES, TOKEN]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    token_key: str = ""
    objects: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, role: str, *, api: bool = False, csrf: bool = False):
        """A client acting as ``role`` (a session cookie, or the API token), with no cookies
        left from earlier requests. Clients are reused: each new one would load the middleware
        again, and WhiteNoise's scans every static file when it starts."""
        key = (api, csrf)
        if key not in self._clients:
            self._clients[key] = (APIClient if api else Client)(enforce_csrf_checks=csrf)
        client = self._clients[key]
        client.cookies = SimpleCookie()
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if role == TOKEN:
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {self.token_key}"
        elif role != ANON:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


# The approved returns' suppliers: one named, one redacted (whose name no page may show).
SUPPLIER, REDACTED_SUPPLIER = "Matrix Supplies Ltd", "Matrix Secret Person"


def _return(
    organisation, year, place, theme, *, status, submitted_by=None, actor=None, supplier=""
):
    spend_return = spend_return_create(
        organisation=organisation, financial_year=year, place=place, actor=actor, title="Matrix"
    )
    line = SpendLine(
        place=place,
        theme=theme,
        amount=Decimal("100.00"),
        source_row=2,
        supplier_name=supplier,
        supplier_redacted=supplier == REDACTED_SUPPLIER,
    )
    spend_lines_add(spend_return=spend_return, lines=[line])
    if status in (SpendReturnStatus.SUBMITTED, SpendReturnStatus.APPROVED):
        spend_return_submit(spend_return=spend_return, actor=submitted_by)
    if status == SpendReturnStatus.APPROVED:
        spend_return_approve(spend_return=spend_return, actor=None)
    return SpendReturn.objects.get(pk=spend_return.pk)


def _job(spend_return, user):
    job = ImportJob.objects.create(
        spend_return=spend_return,
        organisation=spend_return.organisation,
        financial_year=spend_return.financial_year,
        status=ImportJobStatus.READY,
        filename="matrix.csv",
        sha256=f"{spend_return.pk:064d}",
        size=10,
        headers=["Amount", "Supplier"],
        samples=[["1.00", "A"]],
        mapping_used={"layout": "custom", "fields": {"amount": "Amount"}},
        created_by=user,
        finished_at=dt.datetime(2011, 1, 1, tzinfo=dt.UTC),
    )
    job.file.save("matrix.csv", ContentFile(b"Amount,Supplier\n1.00,A\n"), save=True)
    return job


def build_world() -> World:
    world = World()
    o = world.objects
    year = FinancialYearFactory(code="2010-11")
    county = PlaceFactory(gss_code="E97000001", name="Matrixshire", slug="matrixshire")
    theme = ServiceThemeFactory(code="matrix-theme", name="Matrix theme")
    # Reference data always has it: where lines no theme rule matches go.
    ServiceThemeFactory(code="unallocated", name="Unallocated")
    org_a = OrganisationFactory(code="MXA", name="Matrix A Council", home_place=county)
    org_b = OrganisationFactory(code="MXB", name="Matrix B Council", home_place=county)
    o.update(year=year, place=county, theme=theme, org_a=org_a, org_b=org_b)

    users = world.users
    for role in SESSION_ROLES[1:]:
        users[role] = UserFactory(username=f"matrix-{role}")
    users[ADMIN].is_superuser = users[ADMIN].is_staff = True
    users[ADMIN].save()
    users[ANALYST].groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    users[EDITOR].groups.add(Group.objects.get_or_create(name=DATASET_EDITORS_GROUP)[0])
    membership_grant(user=users[OFFICER], organisation=org_a, role=Role.FINANCE_OFFICER)
    membership_grant(user=users[APPROVER], organisation=org_a, role=Role.APPROVER)
    # The token's user is a finance officer of both A and B; the token is for A only.
    token_user = UserFactory(username="matrix-token-user")
    for organisation in (org_a, org_b):
        membership_grant(user=token_user, organisation=organisation, role=Role.FINANCE_OFFICER)
    _, world.token_key = api_token_create(user=token_user, organisation=org_a, name="matrix")
    o["own_token"], _ = api_token_create(user=users[OFFICER], organisation=org_a, name="own")
    o["token_user"] = token_user
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    officer = users[OFFICER]
    o["a_approved"] = _return(
        org_a, year, county, theme, status=SpendReturnStatus.APPROVED, supplier=SUPPLIER
    )
    o["a_draft"] = _return(org_a, year, county, theme, status="draft", actor=officer)
    o["a_submitted"] = _return(
        org_a, year, county, theme, status=SpendReturnStatus.SUBMITTED, submitted_by=officer
    )
    # Submitted by the approver, with a finance officer role since removed.
    officer_role = membership_grant(
        user=users[APPROVER], organisation=org_a, role=Role.FINANCE_OFFICER
    )
    o["a_own_submission"] = _return(
        org_a, year, county, theme, status=SpendReturnStatus.SUBMITTED, submitted_by=users[APPROVER]
    )
    officer_role.delete()
    o["b_approved"] = _return(
        org_b, year, county, theme, status=SpendReturnStatus.APPROVED, supplier=REDACTED_SUPPLIER
    )
    o["b_draft"] = _return(org_b, year, county, theme, status="draft", actor=token_user)
    o["b_submitted"] = _return(
        org_b, year, county, theme, status=SpendReturnStatus.SUBMITTED, submitted_by=token_user
    )
    o["approved_line"] = o["a_approved"].lines.get()
    o["a_draft_line"] = o["a_draft"].lines.get()
    o["b_draft_line"] = o["b_draft"].lines.get()
    o["a_job"] = _job(o["a_draft"], officer)
    o["b_job"] = _job(o["b_draft"], token_user)
    # Confirmed imports (of no lines) on the approved returns, for their history's import pages.
    for name, user in (("a_approved", officer), ("b_approved", token_user)):
        o[f"{name}_import"] = _job(o[name], user)
        o[f"{name}_import"].status = ImportJobStatus.CONFIRMED
        o[f"{name}_import"].save(update_fields=["status"])
    o["a_rule"] = ThemeRule.objects.create(
        organisation=org_a, field="service_label", match="exact", pattern="matrix a", theme=theme
    )
    o["b_rule"] = ThemeRule.objects.create(
        organisation=org_b, field="service_label", match="exact", pattern="matrix b", theme=theme
    )
    o["a_match"], o["b_match"] = (
        SupplierMatch.objects.create(
            payer=payer, supplier_name=name, receiver=receiver, method=SupplierMatchMethod.NAME
        )
        for payer, name, receiver in (
            (org_a, "MATRIX B PAYEE", org_b),
            (org_b, "MATRIX A PAYEE", org_a),
        )
    )
    analyst_export = ExportJob.objects.create(
        params={"cut": ""}, created_by=users[ANALYST], status=ExportStatus.DONE
    )
    analyst_export.file.save("matrix.zip", ContentFile(b"PK matrix"), save=True)
    o["analyst_export"] = analyst_export
    # A download of A's approved return too big to stream, written for its finance officer.
    lines_export = ExportJob.objects.create(
        kind="spend-return-lines",
        params={"spend_return": o["a_approved"].pk, "filename": "matrix-lines.csv"},
        created_by=users[OFFICER],
        status=ExportStatus.DONE,
    )
    lines_export.file.save("matrix-lines.csv", ContentFile(b"\xef\xbb\xbfLine id\r\n"), save=True)
    o["lines_export"] = lines_export
    _pilots(world)
    _datasets(world)
    rollup_rebuild()  # the approved returns in the totals, so the place pages have figures
    return world


def _datasets(world: World) -> None:
    """An approved top-down edition (public), and editions of a bottom-up dataset that only
    dataset editors see: loaded by the editor (another editor approves it), ready to load, and
    a preview waiting for choices about a body and a region it does not know."""
    o, editor = world.objects, world.users[EDITOR]
    department = OrganisationFactory(
        code="MXD", name="Matrix Department", sector=Sector.CENTRAL_GOVERNMENT
    )
    approved = orm_edition(slug="matrix-cra", edition="CRA 2011", actor=world.users[ADMIN])
    figure = orm_figure(
        approved,
        organisation=department,
        year=world.year,
        theme=world.theme,
        shares={world.place: Decimal("50.00")},
    )
    loaded = orm_edition(
        slug="matrix-ra", route="bottom_up", status="loaded", edition="2010-11", actor=editor
    )
    loaded_figure = orm_figure(
        loaded,
        organisation=department,
        year=world.year,
        theme=world.theme,
        shares={world.place: Decimal("7.00")},
        basis="direct",
    )
    previewed = orm_edition(
        dataset=loaded.dataset,
        slug="matrix-ra",
        status="needs_choices",
        edition="choices",
        actor=editor,
        unknown_bodies=[
            {
                "key": "E99999999",
                "code": "E9999",
                "alt_code": "E99999999",
                "name": "Matrix Waste Authority",
                "class": "O",
                "subclass": "Waste",
                "problem": "not in the reference data",
                "rows": [12],
                "pence": 100,
            }
        ],
        unmapped_places=[
            {"key": "ATLANTIS", "name": "ATLANTIS", "rows": 1, "pence": 5, "problem": "unknown"}
        ],
    )
    o.update(
        ds_approved=approved,
        ds_figure=figure,
        ds_loaded=loaded,
        ds_loaded_figure=loaded_figure,
        ds_ready=orm_edition(
            dataset=loaded.dataset, slug="matrix-ra", status="ready", edition="ready", actor=editor
        ),
        ds_previewed=previewed,
    )


def _pilots(world: World) -> None:
    o, w, lead = world.objects, world, world.users[LEAD]
    programme = ProgrammeFactory(slug="matrix-programme", name="Matrix programme")
    alpha = PilotFactory(slug="matrix-alpha", name="Alpha", programme=programme, places=[w.place])
    beta = PilotFactory(slug="matrix-beta", name="Beta", programme=programme, places=[w.place])
    pilot_lead_grant(pilot=alpha, user=lead)
    discount_rates_load()
    o["discount_rate"] = DiscountRate.objects.order_by("from_year").first()
    UnitCostFactory(code="matrix-unit-cost")
    common = {"service_theme": w.theme, "summary": "Matrix."}
    published = initiative_create(
        pilot=alpha, actor=None, title="Published", status=InitiativeStatus.PUBLISHED, **common
    )
    alpha_draft = initiative_create(pilot=alpha, actor=None, title="Alpha draft", **common)
    beta_draft = initiative_create(pilot=beta, actor=None, title="Beta draft", **common)
    for initiative in (published, beta_draft):
        cost_line_create(
            initiative=initiative, actor=None, payer=w.org_a, year=0, amount=Decimal("100.00")
        )
        benefit_flow_create(
            initiative=initiative,
            actor=None,
            beneficiary=w.org_b,
            amount_per_year=Decimal("30.00"),
            lag=1,
            duration=5,
        )
        initiative_recompute(initiative_id=initiative.pk)
    document = SimpleUploadedFile("matrix.txt", b"evidence", content_type="text/plain")

    def saving(initiative, payer, receiver):
        return saving_propose(
            initiative=initiative,
            actor=None,
            payer=payer,
            receiver=receiver,
            financial_year=w.year,
            forecast=Decimal("10.00"),
        )

    # Proposed, A paying and B receiving; agreed, B paying and A receiving (A's people cash it).
    o["proposed_saving"] = saving(published, w.org_a, w.org_b)
    o["agreed_saving"] = saving_agree(saving=saving(published, w.org_b, w.org_a), actor=None)
    o["beta_saving"] = saving(beta_draft, w.org_a, w.org_b)
    o.update(
        alpha=alpha,
        beta=beta,
        published=published,
        alpha_draft=alpha_draft,
        beta_draft=beta_draft,
        published_cost=published.costs.get(),
        published_benefit=published.benefits.get(),
        beta_cost=beta_draft.costs.get(),
        beta_benefit=beta_draft.benefits.get(),
        published_attribution=Attribution.objects.get(initiative=published),
        beta_attribution=Attribution.objects.get(initiative=beta_draft),
        alpha_document=evidence_create(
            pilot=alpha, actor=None, kind=EvidenceKind.DOCUMENT, title="Doc", file=document
        ),
        beta_hidden=evidence_create(
            pilot=beta,
            actor=None,
            kind=EvidenceKind.DOCUMENT,
            title="Hidden",
            file=SimpleUploadedFile("hidden.txt", b"not yet", content_type="text/plain"),
            is_published=False,
        ),
        alpha_submission=submission_create(pilot=alpha, actor=None, title="Alpha submission"),
        beta_hidden_submission=submission_create(
            pilot=beta, actor=None, title="Beta hidden submission", is_published=False
        ),
    )


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The world, committed to nothing: rolled back when the module's tests are done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
