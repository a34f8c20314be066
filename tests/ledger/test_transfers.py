"""Transfers between public bodies: matched suppliers, net totals, officers' decisions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.calculations.cuts import Cut
from ledger.calculations.precedence import PlaceTree
from ledger.calculations.totals import aggregate
from ledger.calculations.transfers import receivers_within
from ledger.models import (
    FinancialYear,
    Organisation,
    OrganisationAlias,
    Place,
    Role,
    Sector,
    ServiceTheme,
    SpendLine,
    SupplierMatch,
    SupplierMatchStatus,
)
from ledger.services.access import membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from ledger.services.transfers import (
    SupplierIndex,
    supplier_match_decide,
    supplier_matches_for_return,
)
from tests.factories import UserFactory
from tests.ledger.dataset_helpers import approved_return

pytestmark = pytest.mark.django_db
YEAR = "2017-18"


@pytest.fixture
def nhs(reference_data) -> Organisation:
    body = Organisation.objects.create(code="NHS-T", name="NHS Testshire", sector=Sector.NHS)
    body.places.set([Place.objects.get(gss_code="E10000006")])
    return body


def _pays(payer: Organisation, supplier: str, amount: str, place="E10000006"):
    """An approved return of ``payer`` with one line paid to ``supplier``."""
    spend_return = approved_return(payer, YEAR, {place: Decimal(amount)})
    SpendLine.objects.filter(spend_return=spend_return).update(supplier_name=supplier)
    supplier_matches_for_return(spend_return=spend_return)
    return spend_return


def _approved_with(organisation: Organisation, lines: list[SpendLine]) -> None:
    spend_return = spend_return_create(
        organisation=organisation, financial_year=FinancialYear.objects.get(code=YEAR), actor=None
    )
    spend_lines_add(spend_return=spend_return, lines=lines)
    spend_return_submit(spend_return=spend_return, actor=None)  # matches its suppliers
    spend_return_approve(spend_return=spend_return, actor=None)


def _total(place: str, *, net: bool) -> Decimal:
    return aggregate(cut=Cut({"place": [place], "year": [YEAR]}), net=net).amount


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("WEST YORKSHIRE POLICE AUTHORITY", "E23000010"),
        ("KIRKLEES METROPOLITAN COUNCIL", "E08000034"),
        ("City Of York Council", "E06000014"),
        ("DEPARTMENT OF WORKS & PENSIONS", "DWP"),
        ("The Valuation Office Agency", "HMRC"),
        ("environment agency", "EA"),
        ("Merseyside Fire & CD Authority", "E31000041"),
    ],
)
def test_suppliers_in_real_files_are_found_among_the_public_bodies(reference_data, name, body):
    found = SupplierIndex().match(name)
    assert found is not None and found[0] == Organisation.objects.by_code(body).get().pk


@pytest.mark.parametrize("name", ["WILF WARD FAMILY TRUST", "Skipton Town Council", "Acme Ltd"])
def test_other_suppliers_are_not_matched(reference_data, name):
    assert SupplierIndex().match(name) is None


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Payments to (E08000034)", "E08000034"),  # a council by its area's GSS code
        ("Testshire Health Partners (RX9)", "RX9"),  # an NHS body by its ODS code
    ],
)
def test_a_supplier_name_carrying_a_bodys_code_is_matched_by_the_code(reference_data, name, body):
    Organisation.objects.create(code="RX9", name="NHS Testshire One", sector=Sector.NHS)
    found = SupplierIndex().match(name)
    assert found == (Organisation.objects.by_code(body).get().pk, "code")


def test_a_code_shared_by_two_bodies_matches_neither(reference_data):
    Organisation.objects.create(code="X1Y", name="Body one", sector=Sector.NHS)
    other = Organisation.objects.create(code="X1Z", name="Body two", sector=Sector.NHS)
    OrganisationAlias.objects.create(organisation=other, alias="X1Y", scheme="ods")
    assert SupplierIndex().match("Health body X1Y") is None


def test_the_index_of_every_body_is_built_only_for_a_name_not_yet_decided(nhs):
    """Matching reads every body and alias (about 60 ms); a return whose suppliers are all
    decided, or that names none, reads none of them."""
    council = Organisation.objects.get(code="E10000006")
    paid = _pays(council, "NHS TESTSHIRE", "1000.00")
    bodies = f'FROM "{Organisation._meta.db_table}"'
    for names in ("NHS TESTSHIRE", ""):  # matched already; no supplier named
        SpendLine.objects.filter(spend_return=paid).update(supplier_name=names)
        with CaptureQueriesContext(connection) as queries:
            assert supplier_matches_for_return(spend_return=paid) == []
        assert not [q["sql"] for q in queries.captured_queries if bodies in q["sql"]], names
    SpendLine.objects.filter(spend_return=paid).update(supplier_name="Acme Ltd")
    with CaptureQueriesContext(connection) as queries:
        assert supplier_matches_for_return(spend_return=paid) == []  # a company: no match
    assert [q["sql"] for q in queries.captured_queries if bodies in q["sql"]]


def test_a_councils_payment_to_an_nhs_body_in_the_place_counts_once_net(nhs):
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    approved_return(nhs, YEAR, {"E10000006": Decimal("1000.00")})  # the NHS body's own spend
    rollup_rebuild()
    match = SupplierMatch.objects.get(payer=council)
    assert (match.receiver, match.status) == (nhs, SupplierMatchStatus.SUGGESTED)
    for place in ("E10000006", "E12000002", "E92000001"):
        assert _total(place, net=False) == Decimal("2000.00"), place  # gross: twice
        assert _total(place, net=True) == Decimal("1000.00"), place  # net: once
    # A payment to a body that does not serve the place is not netted there.
    leeds = Organisation.objects.get(code="E08000035")
    _pays(leeds, "NHS Testshire", "50.00", place="E08000035")
    rollup_rebuild()
    assert _total("E08000035", net=True) == _total("E08000035", net=False) == Decimal("50.00")


def test_an_officer_rejects_a_match_and_the_net_total_follows(
    nhs, django_capture_on_commit_callbacks
):
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    rollup_rebuild()
    match = SupplierMatch.objects.get(payer=council)
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        supplier_match_decide(match=match, status="rejected", actor=stranger)
    officer = UserFactory(username="officer")
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    assert _total("E10000006", net=True) == Decimal("0.00")
    with django_capture_on_commit_callbacks(execute=True):
        supplier_match_decide(match=match, status="rejected", actor=officer)
    assert _total("E10000006", net=True) == Decimal("1000.00")  # refreshed after commit
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (SupplierMatchStatus.REJECTED, officer)


PLACES = ["E92000001", "E12000002", "E10000006", "E07000028", "E07000030"]
payments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # payer
        st.sampled_from(PLACES[2:]),  # where the line is
        st.integers(min_value=-1, max_value=3),  # receiver (-1: a company)
        st.integers(min_value=-100_000, max_value=10_000_000),  # pence
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payments=payments)
def test_net_is_gross_less_the_transfers_within_the_place_at_every_level(nhs, payments):
    """For random payments between four bodies (two serving Cumbria, one Carlisle, one
    England), the net total of every place in the hierarchy is its gross total less exactly
    the matched transfers whose receiver serves it, to the penny."""
    with transaction.atomic():
        bodies = [
            Organisation.objects.get(code="E10000006"),
            nhs,
            Organisation.objects.get(code="E07000028"),
            Organisation.objects.get(code="DWP"),
        ]
        by_payer: dict[int, list[SpendLine]] = {}
        for number, (payer, place, receiver, pence) in enumerate(payments):
            supplier = bodies[receiver].name.upper() if receiver >= 0 else f"Acme {number} Ltd"
            if receiver == payer:
                supplier = "Acme Ltd"  # a body never pays itself
            by_payer.setdefault(payer, []).append(
                SpendLine(
                    place=Place.objects.get(gss_code=place),
                    theme=ServiceTheme.objects.get(code="social-protection"),
                    amount=Decimal(pence) / 100,
                    supplier_name=supplier,
                )
            )
        for payer, lines in by_payer.items():
            _approved_with(bodies[payer], lines)
        rollup_rebuild()
        tree = PlaceTree()
        matches = {
            (m.payer_id, m.supplier_name): m.receiver_id for m in SupplierMatch.objects.all()
        }
        lines = list(SpendLine.objects.filter(spend_return__status="approved"))
        for code in PLACES:
            place = Place.objects.get(gss_code=code)
            subtree, inside = tree.subtree(place.pk), receivers_within([place.pk])
            here = [line for line in lines if line.place_id in subtree]
            gross = sum((line.amount for line in here), Decimal("0.00"))
            transfers = sum(
                (
                    line.amount
                    for line in here
                    if matches.get((line.organisation_id, line.supplier_name)) in inside
                ),
                Decimal("0.00"),
            )
            assert _total(code, net=False) == gross
            assert _total(code, net=True) == gross - transfers
        transaction.set_rollback(True)


def test_the_place_page_shows_net_by_default_gross_on_request_and_the_flows(client, nhs):
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    approved_return(nhs, YEAR, {"E10000006": Decimal("1000.00")})
    rollup_rebuild()
    url = f"/places/{Place.objects.get(gss_code='E10000006').slug}/?year={YEAR}"
    net = client.get(url).content.decode()
    assert 'id="headline-total">£1,000.00<' in net and "net of payments" in net
    assert 'id="table-transfers"' in net and "sankey-data" in net  # who paid whom, once
    assert council.name in net and "NHS Testshire" in net
    gross = client.get(url + "&transfers=gross").content.decode()
    assert 'id="headline-total">£2,000.00<' in gross and 'id="show-net"' in gross
    exported = b"".join(client.get(url + "&export=csv&table=transfers").streaming_content).decode()
    assert "NHS Testshire" in exported and "1000.00" in exported
    # Compare counts as the place page does, net unless asked, and says which.
    essex = Place.objects.get(gss_code="E10000006").slug
    compare = client.get("/compare/", {"place": essex}).context["table"]
    assert compare.caption.endswith("net of payments between each place's public bodies")
    assert compare.rows[-1].values(compare.columns)[1:] == [Decimal("1000.00")]
    compare = client.get("/compare/", {"place": essex, "transfers": "gross"}).context["table"]
    assert compare.caption.endswith("gross")
    assert compare.rows[-1].values(compare.columns)[1:] == [Decimal("2000.00")]
    # The headline's lines are gross, and say what the net total leaves out of them.
    lines = client.get(net.split('id="headline-total"')[0].rsplit('href="', 1)[1].split('"')[0])
    lines = lines.content.decode()
    assert 'id="lines-total">£2,000.00<' in lines
    assert 'id="netted">These are all the approved lines, gross. £1,000.00 of them' in lines
    assert "so it reads £1,000.00" in lines


def test_a_payment_to_a_body_with_no_spending_loaded_is_shown_as_counted_nowhere(client, nhs):
    """Net of transfers leaves a payment out as counted again in the receiver's spending; while
    the receiver has none loaded for the year that money is counted nowhere, and the page says
    how much, until the receiver's own return is in."""
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    rollup_rebuild()
    url = f"/places/{Place.objects.get(gss_code='E10000006').slug}/?year={YEAR}"
    page = client.get(url).content.decode()
    assert 'id="headline-total">£0.00<' in page
    assert 'id="uncounted-transfers">£1,000.00 of those payments' in page
    rows = client.get(url + "&export=csv&table=transfers")
    exported = b"".join(rows.streaming_content).decode()
    assert "NHS Testshire,1000.00,1,not loaded" in exported
    assert "£1,000.00 went to bodies with no spending of their own loaded" in page
    assert 'id="uncounted-transfers"' not in client.get(url + "&transfers=gross").content.decode()
    api = f"/api/v1/places/E10000006/totals/?year={YEAR}"
    assert client.get(api).json()["counted_nowhere"] == "1000.00"
    assert client.get(api + "&transfers=gross").json()["counted_nowhere"] == "0.00"

    approved_return(nhs, YEAR, {"E10000006": Decimal("400.00")})  # the receiver reports
    rollup_rebuild()
    page = client.get(url).content.decode()
    assert 'id="headline-total">£400.00<' in page and 'id="uncounted-transfers"' not in page
    assert client.get(api).json()["counted_nowhere"] == "0.00"
    exported = b"".join(client.get(url + "&export=csv&table=transfers").streaming_content)
    assert "NHS Testshire,1000.00,1,counted" in exported.decode()


def test_an_officer_decides_a_match_on_the_review_page(client, nhs):
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    match = SupplierMatch.objects.get(payer=council)
    officer = UserFactory(username="officer")
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    client.force_login(officer)
    page = client.get("/transfers/").content.decode()
    assert "NHS TESTSHIRE" in page and "Matched (not yet checked)" in page
    response = client.post(f"/transfers/{match.pk}/decide/", {"status": "confirmed"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (SupplierMatchStatus.CONFIRMED, officer)
    assert client.post(f"/transfers/{match.pk}/decide/", {"status": "x"}).status_code == 400


def test_the_apis_answer_net_or_gross_and_say_which(client, nhs):
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    approved_return(nhs, YEAR, {"E10000006": Decimal("1000.00")})
    rollup_rebuild()
    totals = f"/api/v1/places/E10000006/totals/?year={YEAR}"
    count = f"/api/v1/places/E10000006/count/?year={YEAR}"
    aggregate = f"/api/v1/aggregate/?cut=place:E10000006|year:{YEAR}"
    for url, default, amount in (
        (totals, "net", lambda b: b["years"][0]["amount"]),
        (count, "net", lambda b: b["total"]["amount"]),
        (aggregate, "gross", lambda b: b["summary"]["amount"]),
    ):
        expected = {"net": ("net", "1000.00"), "gross": ("gross", "2000.00")}
        for wanted in ("", "net", "gross"):  # each its own cached answer
            body = client.get(url + (f"&transfers={wanted}" if wanted else "")).json()
            assert (body["transfers"], amount(body)) == expected[wanted or default], url
        assert client.get(url + "&transfers=both").status_code == 400


def test_a_place_page_reads_the_bodies_and_places_once_and_a_new_body_counts_at_once(client, nhs):
    """Per request, the bodies and the place tree are read once (a county page read them 18
    times); outside a request they are read afresh, so a body added since is found."""
    council = Organisation.objects.get(code="E10000006")
    _pays(council, "NHS TESTSHIRE", "1000.00")
    rollup_rebuild()
    url = f"/places/{Place.objects.get(gss_code='E10000006').slug}/?year={YEAR}"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    bodies = 'SELECT "ledger_organisation"."id" AS "pk", "ledger_organisation"."parent_id"'
    bodies_reads = [q for q in queries if q["sql"].startswith(bodies)]
    assert len(bodies_reads) == 1
    essex = Place.objects.get(gss_code="E10000006")
    before = receivers_within([essex.pk])
    other = Organisation.objects.create(code="NHS-T2", name="NHS Testshire Two", sector=Sector.NHS)
    other.places.set([essex])
    assert receivers_within([essex.pk]) == before | {other.pk}
