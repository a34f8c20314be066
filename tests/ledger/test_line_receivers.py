"""Each line's receiver (``SpendLine.receiver``) follows its supplier's match, and the rollups
follow the lines: decisions, first matches, bulk loads; no line history for it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import SpendLineEvent
from ledger.models import (
    LineChangeSummary,
    Organisation,
    Place,
    Role,
    Sector,
    SpendLine,
    SpendReturn,
    SpendTransferRollup,
    SupplierMatch,
    SupplierMatchMethod,
    SupplierMatchStatus,
)
from ledger.services.access import membership_grant
from ledger.services.line_receivers import line_receivers_fill
from ledger.services.rollups import rollup_rebuild
from ledger.services.transfers import supplier_match_decide, supplier_matches_for_return
from tests.factories import UserFactory
from tests.ledger.dataset_helpers import approved_return
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db
ESSEX = "E10000006"


@pytest.fixture
def nhs(reference_data) -> Organisation:
    body = Organisation.objects.create(code="NHS-T", name="NHS Testshire", sector=Sector.NHS)
    body.places.set([Place.objects.get(gss_code=ESSEX)])
    return body


@pytest.fixture
def council(reference_data) -> Organisation:
    return Organisation.objects.get(code=ESSEX)


def _approved_paying(payer, supplier: str, amount: str, year: str = "2017-18") -> SpendReturn:
    """An approved return of ``payer`` with one line paid to ``supplier``, not matched yet."""
    spend_return = approved_return(payer, year, {ESSEX: Decimal(amount)})
    SpendLine.objects.filter(spend_return=spend_return).update(supplier_name=supplier)
    return spend_return


def _receivers(spend_return) -> set:
    return set(spend_return.lines.values_list("receiver_id", flat=True))


def _transfers() -> set:
    return set(SpendTransferRollup.objects.values_list("organisation_id", "receiver_id", "amount"))


def test_a_decision_moves_the_receiver_of_the_lines_and_the_rollups_follow_without_line_history(
    nhs, council, django_capture_on_commit_callbacks
):
    spend_return = _approved_paying(council, "NHS TESTSHIRE", "1000.00")
    supplier_matches_for_return(spend_return=spend_return)
    assert _receivers(spend_return) == {nhs.pk}
    rollup_rebuild()
    assert _transfers() == {(council.pk, nhs.pk, Decimal("1000.00"))}
    match = SupplierMatch.objects.get(payer=council)
    officer = UserFactory(username="officer")
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    other = Organisation.objects.create(code="NHS-O", name="NHS Otherplace", sector=Sector.NHS)
    history = (SpendLineEvent.objects.count(), LineChangeSummary.objects.count())

    # The officer names the right body: the line pays it, and the rollups say so after commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        supplier_match_decide(match=match, status="confirmed", actor=officer, receiver=other)
    assert callbacks  # the approved return's refresh (and what follows it)
    assert _receivers(spend_return) == {other.pk}
    assert _transfers() == {(council.pk, other.pk, Decimal("1000.00"))}

    # Rejected: the line pays no public body, and no transfer is left.
    with django_capture_on_commit_callbacks(execute=True):
        supplier_match_decide(match=match, status="rejected", actor=officer)
    assert _receivers(spend_return) == {None}
    assert _transfers() == set()

    # Confirming the same body again changes no line: nothing to refresh.
    with django_capture_on_commit_callbacks(execute=True):
        supplier_match_decide(match=match, status="suggested", actor=officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        supplier_match_decide(match=match, status="confirmed", actor=officer)
    assert callbacks == []
    # The decisions are the matches' history (SupplierMatchEvent), not the lines'.
    assert (SpendLineEvent.objects.count(), LineChangeSummary.objects.count()) == history
    rollup_rebuild()
    assert _transfers() == {(council.pk, other.pk, Decimal("1000.00"))}


def test_a_supplier_matched_for_the_first_time_moves_the_payers_earlier_approved_lines(
    nhs, council, django_capture_on_commit_callbacks
):
    earlier = _approved_paying(council, "NHS Testshire Ltd", "250.00", year="2016-17")
    rollup_rebuild()
    assert _receivers(earlier) == {None} and _transfers() == set()  # no match yet
    later = _approved_paying(council, "NHS Testshire Ltd", "40.00")  # matched when it is imported
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        supplier_matches_for_return(spend_return=later)
    assert callbacks  # the refresh of both approved returns
    assert _receivers(earlier) == _receivers(later) == {nhs.pk}
    assert _transfers() == {
        (council.pk, nhs.pk, Decimal("250.00")),
        (council.pk, nhs.pk, Decimal("40.00")),
    }


def test_a_bulk_load_fills_every_receiver_from_the_matches(nhs, council):
    paid = _approved_paying(council, "NHS TESTSHIRE", "10.00")
    other = _approved_paying(nhs, "Acme Ltd", "5.00")
    SupplierMatch.objects.create(
        payer=council, supplier_name="NHS TESTSHIRE", receiver=nhs, method=SupplierMatchMethod.NAME
    )
    SupplierMatch.objects.create(
        payer=nhs,
        supplier_name="Acme Ltd",
        receiver=council,
        method=SupplierMatchMethod.NAME,
        status=SupplierMatchStatus.REJECTED,
    )
    assert line_receivers_fill() == 1  # the rejected match leaves its lines as they were
    assert (_receivers(paid), _receivers(other)) == ({nhs.pk}, {None})
    assert line_receivers_fill() == 0  # nothing left to change


def test_an_imports_lines_are_written_with_their_receivers_once(nhs, council, leeds, leeds_draft):
    """The confirm matches the file's suppliers before its lines go in, and each line is
    written with its receiver: no UPDATE of the lines follows their INSERT."""
    other = Organisation.objects.create(code="NHS-O", name="NHS Otherplace", sector=Sector.NHS)
    SupplierMatch.objects.create(
        payer=leeds,
        supplier_name="NHS OTHERPLACE",
        receiver=other,
        method=SupplierMatchMethod.NAME,
        status=SupplierMatchStatus.REJECTED,
    )
    SupplierMatch.objects.create(
        payer=leeds, supplier_name="Old Friend", receiver=council, method=SupplierMatchMethod.ALIAS
    )
    rows = [
        dclg_row("10.00", supplier="NHS Testshire Ltd", number=1),  # matched by this import
        dclg_row("20.00", supplier="NHS OTHERPLACE", number=2),  # its match was rejected
        dclg_row("30.00", supplier="Old Friend", number=3),  # matched before
        dclg_row("40.00", supplier="Acme Ltd", number=4),  # a company
        dclg_row("50.00", supplier="NHS Testshire Ltd", number=5),
    ]
    with CaptureQueriesContext(connection) as queries:
        job = confirmed(leeds_draft, rows)
    statements = [q["sql"] for q in queries.captured_queries]
    (insert,) = [i for i, sql in enumerate(statements) if "INSERT INTO ledger_spendline" in sql]
    if connection.vendor == "postgresql":  # SQLite has no jsonb lookup: it sets them after
        assert not [sql for sql in statements[insert:] if "UPDATE ledger_spendline" in sql]
    lines = leeds_draft.lines.order_by("id")
    assert list(lines.values_list("source_row", "supplier_name", "receiver_id")) == [
        (2, "NHS Testshire Ltd", nhs.pk),
        (3, "NHS OTHERPLACE", None),
        (4, "Old Friend", council.pk),
        (5, "Acme Ltd", None),
        (6, "NHS Testshire Ltd", nhs.pk),
    ]
    match = SupplierMatch.objects.get(payer=leeds, supplier_name="NHS Testshire Ltd")
    assert (match.receiver, match.status) == (nhs, SupplierMatchStatus.SUGGESTED)
    if connection.vendor == "postgresql":  # the audit triggers are PostgreSQL's
        summaries = LineChangeSummary.objects.filter(spend_return=leeds_draft)
        assert list(summaries.values_list("label", "lines", "import_job")) == [
            ("insert", 5, job.pk)
        ]
        assert not SpendLineEvent.objects.filter(pgh_obj_id__in=lines.values("id")).exists()
