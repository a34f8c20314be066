"""Fuzz the API from its own OpenAPI schema: whatever the input, never a server error, and a
refused write leaves the database exactly as it was.

Two runs: every operation anonymously (reads, and writes that must be refused), and every write
operation with a token of a finance officer who also leads a pilot, so the spend-return and
pilot writes get past authentication and their validation, services and transactions are
exercised with hostile bodies. Half the time a path parameter names a real object.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from ledger.models import ExportJob, ImportJob, ImportStagedLine, SpendLine, SpendReturn
from ledger.services.returns import spend_return_create
from pilots.models import EvidenceItem, Initiative, Pilot, PlaceBudgetSubmission
from pilots.services.evidence import evidence_create
from savings.models import BenefitFlow, CostLine
from tests.factories import ServiceThemeFactory
from tests.ledger.import_helpers import preview
from tests.pilots.world import world  # noqa: F401 - the pilots' small world, as a fixture

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
FUZZ = settings(
    # CI: the same examples every run (a new failure then means a new bug, not a new draw);
    # FUZZ_RANDOM=1 draws afresh for a hunt.
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What a write could change: a failed request must leave every row of these as it found it.
WATCHED = [
    SpendReturn,
    SpendLine,
    ImportJob,
    ImportStagedLine,
    ExportJob,
    Pilot,
    Initiative,
    EvidenceItem,
    PlaceBudgetSubmission,
    CostLine,
    BenefitFlow,
]


def _select_all(model) -> str:
    quote = connection.ops.quote_name
    return f"SELECT * FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}"


_SELECT_ALL = {model: _select_all(model) for model in WATCHED}


@pytest.fixture
def wsgi_keeps_connection():
    """The WSGI app kept from closing the test's database connection after each request
    (Django's own test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_data(mini, wsgi_keeps_connection):
    return mini


@pytest.fixture
def writer(world, wsgi_keeps_connection) -> str:  # noqa: F811 - the fixture above
    """A token for lead A of pilot Alpha, also a finance officer of the world's council,
    with a draft return, an import job and a piece of evidence to aim at."""
    ServiceThemeFactory(code="unallocated", name="Unallocated")
    client = world.api(world.lead_a)
    key = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    draft = spend_return_create(
        organisation=world.council, financial_year=world.initiative.baseline_year, actor=None
    )
    preview(draft, b"Date,Supplier Name,Amount\r\n14/01/2011,A Ltd,10.00\r\n")
    evidence_create(pilot=world.alpha, actor=world.lead_a, kind="note", title="N", body="B")
    return key


def _snapshot() -> dict:
    """Every row of the watched tables, in plain SQL: building the ORM's eleven queries was most
    of this module's time (about 12,000 snapshots a run)."""
    with connection.cursor() as cursor:
        found = {}
        for model, sql in _SELECT_ALL.items():
            cursor.execute(sql)
            found[model._meta.label] = cursor.fetchall()
    return found


def _known(name: str) -> list:
    """Real values for a path parameter or body field, read now (earlier examples may have
    deleted some)."""
    if name in BODY_VALUES:
        return BODY_VALUES[name]()
    if name in ("slug", "pilot"):
        return list(Pilot.objects.values_list("slug", flat=True))
    if name in ("public_id", "initiative"):
        return [
            str(uid)
            for model in (Initiative, EvidenceItem, PlaceBudgetSubmission)
            for uid in model.objects.values_list("public_id", flat=True)
        ]
    return [
        pk
        for model in (SpendReturn, ImportJob, CostLine, BenefitFlow)
        for pk in model.objects.values_list("pk", flat=True)
    ]


BODY_VALUES = {
    "financial_year": lambda: ["2010-11", "2011-12"],
    "baseline_year": lambda: ["2010-11"],
    "payer": lambda: ["COUNCIL", "NHS", "POLICE"],
    "beneficiary": lambda: ["COUNCIL", "NHS", "POLICE"],
    "kind": lambda: ["note", "link", "document", "dataset", "revenue", "capital"],
    "service_theme": lambda: ["family-support"],
}


def _aim(case, data) -> None:
    """Point path parameters and some body fields at real objects, half the time each, so
    writes get past "not found" into validation, services and transactions."""
    for name in list(case.path_parameters or {}):
        known = _known(name)
        if known and data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
    if isinstance(case.body, dict):
        for name in list(case.body):
            known = _known(name) if name in (*BODY_VALUES, "pilot", "initiative") else []
            if known and data.draw(st.booleans(), label=f"real {name}"):
                case.body[name] = data.draw(st.sampled_from(known), label=name)


@pytest.mark.django_db
@schema.parametrize()
@settings(FUZZ, max_examples=12)
def test_endpoints_never_fail_with_a_server_error(case, fuzz_data):
    writes = case.method.upper() not in ("GET", "HEAD", "OPTIONS")
    before = _snapshot() if writes else None
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
    if writes and response.status_code >= 400:
        assert _snapshot() == before


@pytest.mark.django_db
@schema.include(method=["POST", "PATCH", "PUT", "DELETE"]).parametrize()
@schema.given(data=st.data())
@settings(FUZZ, max_examples=15)
def test_authenticated_writes_never_fail_and_never_half_write(case, data, writer):
    _aim(case, data)
    case.headers = {**(case.headers or {}), "Authorization": f"Token {writer}"}
    before = _snapshot()
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
    if response.status_code >= 400:
        assert _snapshot() == before, (response.status_code, response.text[:500])
