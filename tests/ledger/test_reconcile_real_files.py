"""Real councils' files (Craven, Leeds) reconcile to the penny in every channel, gross and net.

Apart from the demo's channel tests (test_reconcile_channels.py), whose module keeps the demo
loaded throughout.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command

from ledger.calculations.transfers import receivers_within
from ledger.models import Organisation, Place, SpendReturn, SupplierMatch, SupplierMatchStatus
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.reconciliation import reconciliation_run
from ledger.services.rollups import rollup_rebuild
from tests.ledger.import_helpers import CRAVEN_FILE, LEEDS_FILE
from tests.ledger.test_reconcile_channels import (
    assert_every_channel_reconciles,
    lines_total,
    page_tables,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_files_approved(officer, approver):
    """Craven (March 2017) and Leeds (January 2011) imported by the command, signed off, rolled
    up and reconciled: the path a council's real files take into the totals."""
    for path, organisation, year in [
        (CRAVEN_FILE, "E07000163", "2016-17"),
        (LEEDS_FILE, "00DA", "2010-11"),
    ]:
        call_command("import_spend", str(path), "--organisation", organisation, "--year", year)
        spend_return = SpendReturn.objects.get(
            organisation=Organisation.objects.by_code(organisation).get(),
            financial_year__code=year,
        )
        spend_return_submit(spend_return=spend_return, actor=officer)
        # One month each: a part year on the check-list, signed off with a reason.
        spend_return_approve(spend_return=spend_return, actor=approver, reason="One month.")
    rollup_rebuild()
    assert reconciliation_run() == []


def transfers_within(place, year) -> Decimal:
    """Lines paid to a matched public body that serves the place, summed from the matches
    themselves (not the transfer rollups the pages read)."""
    inside = receivers_within([place.pk])
    paid = Decimal("0.00")
    for match in SupplierMatch.objects.exclude(status=SupplierMatchStatus.REJECTED):
        if match.receiver_id in inside:
            paid += lines_total(
                place, year, organisation=match.payer_id, supplier_name=match.supplier_name
            )
    return paid


def test_the_real_files_reconcile_in_every_channel(client, real_files_approved):
    for slug, year, total in [
        ("craven", "2016-17", "726583.94"),
        ("leeds", "2010-11", "65483945.63"),
    ]:
        place = Place.objects.get(slug=slug)
        assert assert_every_channel_reconciles(client, place, year) == Decimal(total)
        # The default (net) figures are the gross ones less the payments between the place's
        # bodies, the same on the page and in the API.
        net = Decimal(total) - transfers_within(place, year)
        tables = page_tables(client, slug, year, transfers="net")
        assert tables["by-organisation"].rows[-1].cells["amount"] == net
        body = client.get(f"/api/v1/places/{place.code}/totals/", {"year": year}).json()
        assert body["transfers"] == "net"
        assert Decimal(next(r for r in body["years"] if r["year"] == year)["amount"]) == net
