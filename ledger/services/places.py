"""Loading places from the mySociety list of local authorities and the ONS region codes."""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from ledger.models import FinancialYear, Place, PlaceAlias, PlaceKind, Population

from .loading import LoadResult, upsert
from .years import financial_years_ensure

MYSOCIETY_KINDS = {
    "CTY": PlaceKind.COUNTY,
    "NMD": PlaceKind.DISTRICT,
    "MD": PlaceKind.METROPOLITAN_DISTRICT,
    "LBO": PlaceKind.LONDON_BOROUGH,
    "UA": PlaceKind.UNITARY,
    "CC": PlaceKind.CITY_CORPORATION,
    "COMB": PlaceKind.COMBINED_AREA,
    "SRA": PlaceKind.COMBINED_AREA,
}
POPULATION_2020_SOURCE = "mySociety uk_local_authority_names_and_codes, 2020 population"


def _unique_slug(name: str, gss_code: str) -> str:
    """The name's slug, or slug-and-code when another place already has it (a region and a
    combined authority are both "North East")."""
    slug = slugify(name)[:60]
    if Place.objects.filter(slug=slug).exclude(gss_code=gss_code).exists():
        return f"{slug}-{gss_code.lower()}"
    return slug


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text.strip() else None


@transaction.atomic
def regions_load(*, path: Path) -> LoadResult:
    """England and its nine regions (ONS GSS codes)."""
    result = LoadResult()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    country = None
    for row in rows:
        kind = PlaceKind(row["kind"])
        _, created, changed = upsert(
            Place,
            {"gss_code": row["gss_code"]},
            {"name": row["name"], "slug": slugify(row["name"]), "kind": kind, "parent": country},
        )
        result.count(created, changed)
        if kind == PlaceKind.COUNTRY:
            country = Place.objects.get(gss_code=row["gss_code"])
    return result


@transaction.atomic
def places_load_mysociety(*, path: Path) -> LoadResult:
    """Every English local authority in the mySociety file: codes, dates, parents, successors.

    Re-running updates in place (keyed on GSS code), so it never creates duplicates. Districts
    hang under their county, everything else under its region; successors come from
    ``replaced-by`` (Cumbria → Cumberland, Westmorland and Furness on 2023-04-01).
    """
    result = LoadResult()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["nation"] == "England"]
    regions = {p.name: p for p in Place.objects.filter(kind=PlaceKind.REGION)}
    if not regions:
        raise ValueError("load the regions before the local authorities")
    by_register_code: dict[str, Place] = {}
    # Counties first, so each district can hang under its county; everything else under its
    # region. Successors refer to other rows of the file, so they come in a second pass.
    for row in sorted(rows, key=lambda r: r["local-authority-type"] != "CTY"):
        county = by_register_code.get(row["county-la"].strip())
        values = {
            "snac_code": row["snac"].strip() or None,
            "name": row["nice-name"].strip(),
            "official_name": row["official-name"].strip(),
            "slug": _unique_slug(row["nice-name"], row["gss-code"].strip()),
            "kind": MYSOCIETY_KINDS[row["local-authority-type"]],
            "parent": county or regions.get(row["region"]),
            "valid_from": _date(row["start-date"]),
            "valid_to": _date(row["end-date"]),
        }
        place, created, changed = upsert(Place, {"gss_code": row["gss-code"].strip()}, values)
        result.count(created, changed)
        by_register_code[row["local-authority-code"]] = place
        for former in filter(None, (c.strip() for c in row["former-gss-codes"].split(","))):
            PlaceAlias.objects.update_or_create(
                code=former, defaults={"place": place, "scheme": "former_gss"}
            )
    for row in rows:
        place = by_register_code[row["local-authority-code"]]
        successors = [
            by_register_code[code.strip()]
            for code in row["replaced-by"].split(",")
            if code.strip() in by_register_code
        ]
        if successors:
            place.successors.set(successors)
    _populations_2020_load(rows, by_register_code)
    return result


def _populations_2020_load(rows: list[dict], places: dict[str, Place]) -> None:
    financial_years_ensure()
    year = FinancialYear.objects.get(code="2020-21")
    for row in rows:
        persons = row["pop-2020"].strip()
        if not persons:
            continue
        Population.objects.update_or_create(
            place=places[row["local-authority-code"]],
            financial_year=year,
            defaults={"persons": int(Decimal(persons)), "source": POPULATION_2020_SOURCE},
        )
