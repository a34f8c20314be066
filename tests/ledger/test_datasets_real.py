"""The real national datasets, loaded as the demo loads them, against figures computed here
independently of the readers: the published total columns of DLUHC's revenue account (csv
module, Mac Roman, × 1,000) and HM Treasury's CRA database summed by region and year (openpyxl,
each value to Excel's 15 significant digits, × 1,000). Every pound must land, to the penny.

PostgreSQL only: the CRA alone makes 1.6 million lines (about half a minute there).
"""

import csv
import io
from collections import defaultdict
from decimal import Context, Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from ledger.calculations.precedence import PlaceTree
from ledger.models import (
    LOWEST_TIER_KINDS,
    Basis,
    DatasetEdition,
    DatasetLine,
    DatasetNotReported,
    Organisation,
    Place,
)
from ledger.models.fields import to_pence
from ledger.services.demo_datasets import demo_load_datasets
from ledger.services.reconciliation import reconciliation_run
from ledger.services.rollups import rollup_rebuild
from tests.services import require_postgres

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
DATASETS = Path(__file__).resolve().parents[2] / "fixtures" / "datasets"
EXCEL = Context(prec=15)


def _published_authorities() -> dict[str, tuple[int | None, str]]:
    """ONS code → (TOTAL SERVICE EXPENDITURE in pence, or None when "..."), from the CSV."""
    text = (DATASETS / "dluhc_revenue_account_2023-24_part1_by_la.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(text.decode("mac_roman"))))
    header = next(r for r in rows if r[:2] == ["E-code", "ONS Code"])
    column = header.index("TOTAL SERVICE EXPENDITURE")
    found = {}
    for row in rows[rows.index(header) + 1 :]:
        if not row[0].strip():
            continue
        value = row[column].replace(",", "")
        found[row[1]] = (None if value == "..." else int(value) * 100_000, row[2])
    return found


def _published_regions() -> dict[tuple[str, str], int]:
    """(NUTS region as published, year) → pence, summed straight from the workbook."""
    workbook = load_workbook(DATASETS / "hmt_cra_2018_database.xlsx", read_only=True)
    rows = workbook["CRA 2018 database"].iter_rows(values_only=True)
    header = next(rows)
    years = {i: h for i, h in enumerate(header) if str(h).startswith("20")}
    region = header.index("NUTS Region")
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        for i, year in years.items():
            if row[i]:
                value = EXCEL.create_decimal(repr(row[i])) if isinstance(row[i], float) else row[i]
                totals[(row[region].upper(), year)] += to_pence(Decimal(value) * 1000)
    workbook.close()
    return totals


def test_the_real_datasets_land_every_pound_in_places(reference_data):
    require_postgres()
    assert demo_load_datasets() == {
        "dluhc-revenue-account-budget": "approved",
        "hmt-country-and-regional-analysis": "approved",
    }
    dluhc = DatasetEdition.objects.get(dataset__slug="dluhc-revenue-account-budget")
    cra = DatasetEdition.objects.get(dataset__slug="hmt-country-and-regional-analysis")

    # DLUHC: every authority's lines add up to its published total, or it is "not reported".
    by_body = dict(
        DatasetLine.objects.filter(edition=dluhc)
        .values_list("organisation_id")
        .annotate(t=Sum("amount"))
    )
    not_reported = set(
        DatasetNotReported.objects.filter(edition=dluhc, complete=True).values_list(
            "organisation_id", flat=True
        )
    )
    published = _published_authorities()
    assert len(published) == 410
    for code, (pence, name) in published.items():
        body = Organisation.objects.by_code(code).get()
        if pence is None:
            assert body.pk in not_reported and body.pk not in by_body, name
        else:
            assert to_pence(by_body.get(body.pk, Decimal(0))) == pence, name
    assert len(not_reported) == 13
    assert to_pence(dluhc.money_loaded) == sum(p for p, _ in published.values() if p)

    # CRA: each region's (and country's) total by year, to the penny after the unit.
    loaded: dict[tuple[str, str], int] = defaultdict(int)
    for region, year, total in (
        DatasetLine.objects.filter(edition=cra)
        .values_list("figure__source_place", "financial_year__code")
        .annotate(t=Sum("amount"))
    ):  # "Yorkshire and the Humber" is spelt two ways in the file: one region
        loaded[(region.upper(), year)] += to_pence(total)
    regions = _published_regions()
    assert loaded == regions
    england = defaultdict(int)
    for (region, year), pence in regions.items():
        if region.startswith("ENGLAND_"):
            england[year] += pence
    tree = PlaceTree()
    england_places = tree.subtree(Place.objects.get(gss_code="E92000001").pk)
    in_england = (
        DatasetLine.objects.filter(edition=cra, place_id__in=england_places)
        .values_list("financial_year__code")
        .annotate(t=Sum("amount"))
    )
    assert {year: to_pence(t) for year, t in in_england} == england
    # England's estimates sit in its local authority areas, and only there.
    assert not (
        DatasetLine.objects.filter(edition=cra, place_id__in=england_places)
        .exclude(place__kind__in=LOWEST_TIER_KINDS)
        .exists()
    )
    assert set(DatasetLine.objects.filter(edition=cra).values_list("basis", flat=True)) == {
        Basis.ESTIMATED
    }
    rollup_rebuild()  # what approval queues after commit (a test's transaction never commits)
    assert reconciliation_run() == []
