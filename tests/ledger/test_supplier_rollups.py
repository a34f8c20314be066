"""Supplier rollups: equal to the approved lines' sums to the penny after every refresh and
rebuild (PostgreSQL's and the portable path), keyed as the transfer matching keys a name, and
never holding a redacted supplier's name."""

import random
import string
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from ledger.calculations.suppliers import supplier_key_sql_text
from ledger.models import SpendLine, SpendReturn, SpendReturnStatus, SpendSupplierRollup
from ledger.selectors.access import approved_lines
from ledger.selectors.suppliers import supplier_lines, supplier_profile, top_suppliers
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.returns import spend_return_new_version
from ledger.services.rollups import rollup_rebuild, rollup_refresh
from ledger.services.supplier_rollups import (
    stale_keys,
    stale_returns_keys,
    supplier_rollups_sync_portable,
)
from ledger.services.transfers import supplier_key
from tests.factories import OrganisationFactory
from tests.ledger.profiles_fixtures import SECRET, approved_return

pytestmark = pytest.mark.django_db

TRICKY = [
    "Acme Ltd",
    "ACME LIMITED",
    "acme ltd.",
    "Acme & Co",
    "&",
    "Ltd",
    "ltd ltd plc",
    "  Leeds Teaching Hospitals NHS Trust Ltd. ",
    "Smith's Plumbing PLC Ltd",
    "O'Neill -- Roofing (2010) Limited",
    "ltd acme",
    "PLCs Ltd",
    "X-LTD",
    "Ltd.Ltd",
    "a\tb\nc",
    "%_\\'\"",
    "iiii",  # upper-cased as I in every locale's "C" collation, not İ
    "",
]
NON_ASCII = ["Straße Bau GmbH", "ﬁne Foods Ltd", "Café Nero", "Müller & Söhne", "ǆ Ltd", "İzmir"]


def _sql_key(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {supplier_key_sql_text('%s')}", [name])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path: PostgreSQL")
def test_the_sql_key_is_pythons_for_every_ascii_name():
    rng = random.Random(17)
    alphabet = string.ascii_letters + string.digits + " &.-'()/\t" + "LTDPLCIMITED" * 3
    names = TRICKY + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(300)
    ]
    names += [f"{rng.choice(TRICKY)} {w}" for w in ("Ltd", "LIMITED", "plc", "ltd.", "& co")]
    assert {n: _sql_key(n) for n in names} == {n: supplier_key(n) for n in names}
    # Beyond ASCII the SQL may differ ("ß"): those rows take Python's key (next test).
    assert _sql_key("Straße") != supplier_key("Straße") == "STRASSE"


def _line_groups() -> dict:
    """(organisation, year, place, key or "redacted") → (pence, lines), from the lines."""
    found: dict = defaultdict(lambda: [Decimal("0.00"), 0])
    for line in approved_lines():
        if line.supplier_redacted:
            who = "redacted"
        elif line.supplier_name == "":
            continue
        else:
            who = supplier_key(line.supplier_name)
        group = found[(line.organisation_id, line.financial_year_id, line.place_id, who)]
        group[0] += line.amount
        group[1] += 1
    return {k: tuple(v) for k, v in found.items()}


def _rollup_groups() -> dict:
    found: dict = defaultdict(lambda: [Decimal("0.00"), 0])
    for row in SpendSupplierRollup.objects.exclude(supplier_name="", redacted=False):
        who = "redacted" if row.redacted else row.supplier_key
        group = found[(row.organisation_id, row.financial_year_id, row.place_id, who)]
        group[0] += row.amount
        group[1] += row.line_count
    return {k: tuple(v) for k, v in found.items()}


def _add_odd_names(suppliers, capture):
    """A new body's return with names beyond ASCII, one naming nobody and one that is only "Ltd",
    approved (its refresh run, as the worker would on commit)."""
    year = suppliers["year2"]
    lines = [
        SpendLine(
            place=suppliers["north"], theme=suppliers["roads"], amount=Decimal(a), supplier_name=n
        )
        for a, n in (
            ("1.01", "Straße Bau GmbH"),
            ("2.02", "STRASSE BAU GMBH"),
            ("3.03", "ﬁne Foods"),
            ("4.04", ""),
            ("5.05", "Ltd"),
        )
    ]
    with capture(execute=True):
        return approved_return(OrganisationFactory(code="TFT", name="Testshire Trust"), year, lines)


@pytest.mark.parametrize("path", ["postgres", "portable"])
def test_figures_equal_the_lines_sums_after_refresh_and_rebuild(
    suppliers, path, monkeypatch, django_capture_on_commit_callbacks
):
    if path == "portable":
        from ledger.services import rollups

        monkeypatch.setattr(rollups, "_use_fast_path", lambda: False)
    _add_odd_names(
        suppliers, django_capture_on_commit_callbacks
    )  # approved after the fixture's rebuild: refreshed on approval
    assert _rollup_groups() == _line_groups()
    rollup_rebuild()
    assert _rollup_groups() == _line_groups()
    strasse = SpendSupplierRollup.objects.filter(supplier_name__startswith="Stra")
    assert {r.supplier_key for r in strasse} == {"STRASSE BAU GMBH"}
    profile = supplier_profile(key="STRASSE BAU GMBH")
    assert (profile.amount, profile.lines) == (Decimal("3.03"), 2)
    assert profile.spellings == ["STRASSE BAU GMBH", "Straße Bau GmbH"]
    assert sorted(line.amount for line in supplier_lines(key="STRASSE BAU GMBH")) == [
        Decimal("1.01"),
        Decimal("2.02"),
    ]
    # Every approved line is in exactly one row: a body-year's rows add up to its lines.
    total = sum(r.amount for r in SpendSupplierRollup.objects.all())
    assert total == sum(line.amount for line in approved_lines())


def test_the_portable_sync_matches_the_sql_one(suppliers, django_capture_on_commit_callbacks):
    _add_odd_names(suppliers, django_capture_on_commit_callbacks)
    fields = (
        "spend_return_id",
        "place_id",
        "supplier_name",
        "redacted",
        "supplier_key",
        "amount",
        "line_count",
        "first_date",
        "last_date",
        "organisation_id",
        "financial_year_id",
    )
    from_sql = sorted(SpendSupplierRollup.objects.values_list(*fields))
    SpendSupplierRollup.objects.all().delete()
    supplier_rollups_sync_portable(None)
    assert sorted(SpendSupplierRollup.objects.values_list(*fields)) == from_sql


def test_redacted_suppliers_are_counted_never_named(suppliers, client):
    rows = SpendSupplierRollup.objects.filter(redacted=True)
    assert {(r.supplier_name, r.supplier_key) for r in rows} == {("", "")}
    assert (sum(r.amount for r in rows), sum(r.line_count for r in rows)) == (Decimal("20.00"), 2)
    for word in ("Jane", "Secret", "JANE"):
        assert not SpendSupplierRollup.objects.filter(supplier_name__icontains=word).exists()
        assert not SpendSupplierRollup.objects.filter(supplier_key__icontains=word).exists()
    top = top_suppliers(year=suppliers["year2"])
    assert (top.redacted.amount, top.redacted.lines) == (Decimal("20.00"), 2)
    page = client.get(reverse("supplier-list"))
    assert page.status_code == 200 and SECRET not in page.content.decode()
    table = page.context["table"]
    assert table.rows[-1].cells == {"supplier": "Redacted", "amount": Decimal("20.00"), "lines": 2}
    named = sum(r.cells["amount"] for r in table.rows[:-1])
    assert named + Decimal("20.00") == sum(
        line.amount for line in approved_lines().filter(financial_year=suppliers["year2"])
    )
    csv = client.get(reverse("supplier-list"), {"export": "csv", "table": "suppliers"})
    body = b"".join(csv.streaming_content).decode()
    assert csv.status_code == 200 and "Redacted" in body and SECRET not in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path: PostgreSQL")
def test_a_refresh_recomputes_only_what_no_longer_adds_up(suppliers):
    assert stale_keys() == []
    council = suppliers["council_return2"]
    key = (council.organisation_id, council.financial_year_id)
    acme = SpendSupplierRollup.objects.get(spend_return=council, supplier_name="Acme Ltd")
    before = (acme.amount, acme.line_count)
    SpendSupplierRollup.objects.filter(pk=acme.pk).update(amount=Decimal("1.00"))
    pct = suppliers["pct_return2"]
    SpendSupplierRollup.objects.filter(spend_return=pct).delete()  # rows missing
    pct_key = (pct.organisation_id, pct.financial_year_id)
    assert stale_keys() == sorted([key, pct_key])
    assert stale_returns_keys() == [pct_key]  # the nightly check reads no sums
    rollup_refresh(keys=[key, pct_key])
    acme = SpendSupplierRollup.objects.get(spend_return=council, supplier_name="Acme Ltd")
    assert (acme.amount, acme.line_count) == before
    assert _rollup_groups() == _line_groups() and stale_keys() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path: PostgreSQL")
def test_the_nightly_rebuild_finds_rows_of_returns_no_longer_approved_or_missing(suppliers):
    """The rebuild checks which returns hold rows (one index probe each), not their sums."""
    assert stale_returns_keys() == []
    pct = suppliers["pct_return2"]
    council = suppliers["council_return2"]
    SpendSupplierRollup.objects.filter(spend_return=pct).delete()  # an approved return's rows
    SpendReturn.objects.filter(pk=council.pk).update(status=SpendReturnStatus.SENT_BACK)
    keys = [(r.organisation_id, r.financial_year_id) for r in (pct, council)]
    assert stale_returns_keys() == sorted(keys)
    rollup_rebuild()
    assert stale_returns_keys() == [] and stale_keys() == []
    assert not SpendSupplierRollup.objects.filter(spend_return=council).exists()
    assert _rollup_groups() == _line_groups()


def test_a_new_version_replaces_the_old_ones_rows(suppliers, django_capture_on_commit_callbacks):
    old = suppliers["pct_return2"]
    with django_capture_on_commit_callbacks(execute=True):
        new = spend_return_new_version(spend_return=old, actor=None)
        new.lines.filter(supplier_name="acme ltd.").update(supplier_name="Zed Ltd")
        spend_return_submit(spend_return=new, actor=None)
        spend_return_approve(spend_return=new, actor=None)
    old.refresh_from_db()
    assert old.status != SpendReturnStatus.APPROVED
    assert not SpendSupplierRollup.objects.filter(spend_return=old).exists()
    assert SpendSupplierRollup.objects.get(spend_return=new).supplier_key == "ZED"
    assert _rollup_groups() == _line_groups()
    rollup_refresh(keys=[(old.organisation_id, old.financial_year_id)])
    assert _rollup_groups() == _line_groups()
