"""The illustrative Cumbria data set: Counting Cumbria's £7.1bn (2006-07) shape, invented figures.

Every return it creates is flagged ``is_illustrative`` and the pages label it. Loading twice does
not double anything: a return already loaded for an organisation and year is left alone.
"""

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ledger.calculations.apportion import apportion
from ledger.models import (
    LOCAL_SECTORS,
    Basis,
    FinancialYear,
    Organisation,
    Place,
    Population,
    ServiceTheme,
    SpendKind,
    SpendLine,
    SpendReturn,
)

from .approval import spend_return_approve, spend_return_submit
from .lines import spend_lines_add
from .reference import organisations_load
from .returns import spend_return_create
from .rollup_generation import rollup_generation_deferred

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
COUNTY_CODE = "E10000006"
POPULATION_SOURCE = "Illustrative: approximate mid-year estimates rounded to hundreds (demo)"
DEMO_TITLE = "Illustrative demo return (Counting Cumbria shape)"


def _rows(name: str) -> list[dict[str, str]]:
    with (DEMO_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _month_ends(year: FinancialYear) -> list[dt.date]:
    ends = []
    for offset in range(12):
        month = (year.start_date.month - 1 + offset) % 12 + 1
        calendar_year = year.start_date.year + (year.start_date.month - 1 + offset) // 12
        next_month = dt.date(calendar_year + month // 12, month % 12 + 1, 1)
        ends.append(next_month - dt.timedelta(days=1))
    return ends


def _populations_load() -> dict[str, dict[int, int]]:
    """District populations from the fixture; the county's is their sum. Returns place→year→n."""
    county = Place.objects.get(gss_code=COUNTY_CODE)
    by_year: dict[str, dict[int, int]] = defaultdict(dict)
    county_totals: dict[str, int] = defaultdict(int)
    for row in _rows("populations.csv"):
        place = Place.objects.get(gss_code=row["place"])
        for code, persons in row.items():
            if code == "place":
                continue
            year = FinancialYear.objects.get(code=code)
            Population.objects.update_or_create(
                place=place,
                financial_year=year,
                defaults={
                    "persons": int(persons),
                    "source": POPULATION_SOURCE,
                    "is_illustrative": True,
                },
            )
            by_year[code][place.pk] = int(persons)
            county_totals[code] += int(persons)
    for code, persons in county_totals.items():
        Population.objects.update_or_create(
            place=county,
            financial_year=FinancialYear.objects.get(code=code),
            defaults={"persons": persons, "source": POPULATION_SOURCE, "is_illustrative": True},
        )
    return by_year


def _lines_for(
    row: dict,
    amount: Decimal,
    year: FinancialYear,
    drivers: dict[int, int],
    driver_year: str,
    places: dict[str, Place],
    themes: dict[str, ServiceTheme],
) -> list[SpendLine]:
    months = _month_ends(year)
    if row["basis"] == Basis.APPORTIONED:
        shares = apportion(amount, drivers)
        driver = "population"
        driver_source = f"{POPULATION_SOURCE}, {driver_year}"
    else:
        shares = {places[row["place"]].pk: amount}
        driver = driver_source = ""
    lines = []
    for place_id, share in shares.items():
        monthly = apportion(share, {month: 1 for month in months})
        for month, part in monthly.items():
            lines.append(
                SpendLine(
                    place_id=place_id,
                    theme=themes[row["theme"]],
                    amount=part,
                    spend_kind=SpendKind(row["spend_kind"]),
                    basis=Basis(row["basis"]),
                    driver=driver,
                    driver_source=driver_source,
                    description=f"{themes[row['theme']].name} ({month:%B %Y}, illustrative)",
                    transaction_date=month,
                )
            )
    return lines


@transaction.atomic
def demo_load_cumbria() -> dict[str, int]:
    """Load the Cumbria demo bodies, populations and approved returns: every body for 2006-07 to
    2010-11, the county's own bodies for 2013-14 to 2017-18."""
    # The populations show in cached per-head figures: raise the generation once, at the end.
    with rollup_generation_deferred():
        return _cumbria_load()


def _cumbria_load() -> dict[str, int]:
    organisations_load(path=DEMO_DIR / "organisations.csv")
    drivers_by_year = _populations_load()
    spec = _rows("cumbria_spend_2006-07.csv")
    index = {row["financial_year"]: Decimal(row["index"]) for row in _rows("year_index.csv")}
    # Later years carry only the county's own bodies (councils, police, fire, the park): what
    # the rest of government spends there comes from the top-down estimate, HM Treasury's CRA.
    local_only = {
        row["financial_year"] for row in _rows("year_index.csv") if row["bodies"] == "local"
    }
    themes = {t.code: t for t in ServiceTheme.objects.all()}
    places = {p.gss_code: p for p in Place.objects.filter(gss_code__in={r["place"] for r in spec})}
    by_organisation: dict[str, list[dict]] = defaultdict(list)
    for row in spec:
        by_organisation[row["organisation"]].append(row)

    created = skipped = lines_written = 0
    for year_code, factor in index.items():
        year = FinancialYear.objects.get(code=year_code)
        for org_code, rows in by_organisation.items():
            organisation = Organisation.objects.get(code=org_code)
            if year_code in local_only and organisation.sector not in LOCAL_SECTORS:
                continue
            if SpendReturn.objects.filter(
                organisation=organisation, financial_year=year, is_illustrative=True
            ).exists():
                skipped += 1
                continue
            spend_return = spend_return_create(
                organisation=organisation,
                financial_year=year,
                title=DEMO_TITLE,
                is_illustrative=True,
                actor=None,
            )
            lines = []
            for row in rows:
                amount = (Decimal(row["amount"]) * factor).quantize(Decimal("0.01"))
                # Later years share county-wide spend by the last demo year's populations.
                driver_year = year_code if year_code in drivers_by_year else max(drivers_by_year)
                drivers = drivers_by_year[driver_year]
                lines += _lines_for(row, amount, year, drivers, driver_year, places, themes)
            lines_written += spend_lines_add(spend_return=spend_return, lines=lines)
            spend_return_submit(spend_return=spend_return, actor=None)
            spend_return_approve(spend_return=spend_return, actor=None)
            created += 1
    return {"returns_created": created, "returns_skipped": skipped, "lines": lines_written}
