"""The reconciliation checks each approved line's receiver (the body it pays, which the net
totals subtract) against the supplier match it is derived from, and reports a mismatch."""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from ledger.models import (
    Reconciliation,
    SpendLine,
    SupplierMatch,
    SupplierMatchMethod,
    SupplierMatchStatus,
)
from ledger.services import reconciliation
from ledger.services.reconciliation import reconciliation_run
from ledger.services.rollups import rollup_rebuild
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)
from tests.ledger.test_rollups import approved_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def paying():
    """A body paying another (a suggested match: it counts until rejected) and a stranger."""
    year, place, theme = FinancialYearFactory(code="2009-10"), PlaceFactory(), ServiceThemeFactory()
    payer, receiver = OrganisationFactory(), OrganisationFactory()
    SupplierMatch.objects.create(
        payer=payer, supplier_name="The body", receiver=receiver, method=SupplierMatchMethod.NAME
    )
    approved_return(
        payer,
        year,
        [
            SpendLine(place=place, theme=theme, amount=Decimal(a), supplier_name=name)
            for a, name in (("10.00", "The body"), ("5.00", "The body"), ("1.00", "A shop"))
        ],
    )
    rollup_rebuild()
    return {"year": year, "payer": payer, "receiver": receiver}


def _lines(paying, supplier):
    return SpendLine.objects.filter(organisation=paying["payer"], supplier_name=supplier)


def test_lines_paying_the_body_their_match_names_reconcile(paying):
    assert set(_lines(paying, "The body").values_list("receiver_id", flat=True)) == {
        paying["receiver"].pk
    }
    assert reconciliation_run() == []
    check = Reconciliation.objects.get(organisation=paying["payer"])
    assert (check.receivers_mismatched, check.matches) == (0, True)


@pytest.mark.parametrize("path", ["postgres", "portable"])
def test_a_line_whose_receiver_disagrees_with_the_matches_is_reported(paying, path):
    if path == "postgres" and connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statement")
    stranger = OrganisationFactory()
    # Written around the services: one line lost its receiver, one pays a body no match names,
    # and a rejected match no longer makes its lines pay anyone.
    _lines(paying, "The body").filter(amount=Decimal("5.00")).update(receiver=None)
    _lines(paying, "A shop").update(receiver=stranger)
    key = (paying["payer"].pk, paying["year"].pk)
    compare = getattr(reconciliation, f"_compare_{path}")
    with transaction.atomic():
        assert compare([key])[key] == (1600, 3, 1600, 3, 2)  # the totals agree; 2 lines do not
    residuals = reconciliation_run(keys=[key]) if path == "postgres" else None
    if residuals is not None:
        assert [(r.organisation_id, r.receivers_mismatched) for r in residuals] == [(key[0], 2)]
        assert not Reconciliation.objects.get(organisation=paying["payer"]).matches
    SupplierMatch.objects.update(status=SupplierMatchStatus.REJECTED)
    with transaction.atomic():  # now the receiver left on the 10.00 line is the stale one
        assert compare([key])[key][4] == 2
