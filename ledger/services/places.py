"""Loading places: the UK, its countries and England's regions (ONS codes), every English local
authority (mySociety), and the other codes and names places are known by."""

from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from ledger.models import FinancialYear, Place, PlaceAlias, PlaceKind, Population

from .loading import LoadResult, aliases_parse, csv_rows, date_or_none, upsert
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


def place_alias_set(*, place: Place, code: str, scheme: str) -> tuple[bool, bool]:
    """Record ``code`` (stored upper case) as another code or name of ``place``.

    Returns (created, changed). An alias already held by another place moves to this one: the
    files are the truth, and an alias names one place only.
    """
    _, created, changed = upsert(
        PlaceAlias, {"code": code.strip().upper()}, {"place_id": place.pk, "scheme": scheme}
    )
    return created, changed


def _place_get(code: str) -> Place:
    """A place by its GSS code, or by slug for one without (the notional places)."""
    return Place.objects.get(Q(gss_code=code) | Q(gss_code=None, slug=code))


@transaction.atomic
def regions_load(*, path: Path) -> LoadResult:
    """The United Kingdom, its four countries, England's nine regions and two notional places.

    Columns: code (GSS code; a notional place has none and is keyed by its slug, the code
    column), name, kind, parent (code; parents come first), aliases (``scheme:alias;…``: NUTS1
    codes and the names HM Treasury's CRA uses, "ENGLAND_North West", "OUTSIDE UK"). Upserts by
    code, so slugs and GSS codes never change and re-running creates nothing.
    """
    result = LoadResult()
    for row in csv_rows(path):
        kind = PlaceKind(row["kind"])
        if kind == PlaceKind.NOTIONAL:
            lookup, values = {"gss_code": None, "slug": row["code"]}, {}
        else:
            lookup, values = {"gss_code": row["code"]}, {"slug": slugify(row["name"])}
        values |= {
            "name": row["name"],
            "kind": kind,
            "parent": _place_get(row["parent"]) if row["parent"] else None,
        }
        place, created, changed = upsert(Place, lookup, values)
        for scheme, alias in aliases_parse(row["aliases"]):
            changed |= any(place_alias_set(place=place, code=alias, scheme=scheme))
        result.count(created, changed)
    return result


def _parent_corrections(path: Path | None) -> dict[str, str]:
    return {row["place"]: row["parent"] for row in csv_rows(path)} if path else {}


def _successor_region(row: dict, rows: dict[str, dict], regions: dict[str, Place]) -> Place | None:
    """The region of the authority that replaced an abolished one the file gives no region
    (Bournemouth and Poole → Bournemouth, Christchurch and Poole → South West)."""
    for code in row["replaced-by"].split(","):
        successor = rows.get(code.strip())
        if successor and successor["region"] in regions:
            return regions[successor["region"]]
    return None


@transaction.atomic
def places_load_mysociety(*, path: Path, corrections: Path | None = None) -> LoadResult:
    """Every English local authority in the mySociety file: codes, dates, parents, successors.

    Re-running updates in place (keyed on GSS code), so it never creates duplicates. Districts
    hang under their county, everything else under its region; an abolished authority with
    neither hangs under its successor's region. ``corrections`` (place, parent: GSS codes) fixes
    parents the file gets wrong. Successors come from ``replaced-by`` (Cumbria → Cumberland,
    Westmorland and Furness on 2023-04-01). Former GSS codes and DLUHC E-codes become aliases.
    """
    result = LoadResult()
    rows = [r for r in csv_rows(path) if r["nation"] == "England"]
    rows_by_code = {r["local-authority-code"]: r for r in rows}
    regions = {p.name: p for p in Place.objects.filter(kind=PlaceKind.REGION)}
    if not regions:
        raise ValueError("load the regions before the local authorities")
    parents_fixed = _parent_corrections(corrections)
    by_register_code: dict[str, Place] = {}
    # Counties first, so each district can hang under its county; everything else under its
    # region. Successors refer to other rows of the file, so they come in a second pass.
    for row in sorted(rows, key=lambda r: r["local-authority-type"] != "CTY"):
        gss_code = row["gss-code"].strip()
        parent = (
            by_register_code.get(row["county-la"].strip())
            or regions.get(row["region"])
            or _successor_region(row, rows_by_code, regions)
        )
        if gss_code in parents_fixed:
            parent = Place.objects.get(gss_code=parents_fixed[gss_code])
        if parent is None:
            result.notes.append(f"{gss_code} {row['nice-name']}: no county, region or successor")
        values = {
            "snac_code": row["snac"].strip() or None,
            "name": row["nice-name"].strip(),
            "official_name": row["official-name"].strip(),
            "slug": _unique_slug(row["nice-name"], gss_code),
            "kind": MYSOCIETY_KINDS[row["local-authority-type"]],
            "parent": parent,
            "valid_from": date_or_none(row["start-date"]),
            "valid_to": date_or_none(row["end-date"]),
        }
        place, created, changed = upsert(Place, {"gss_code": gss_code}, values)
        by_register_code[row["local-authority-code"]] = place
        aliases = [(c, "former_gss") for c in row["former-gss-codes"].split(",") if c.strip()]
        if row["ecode"].strip():
            aliases.append((row["ecode"], "ecode"))
        for code, scheme in aliases:
            changed |= any(place_alias_set(place=place, code=code, scheme=scheme))
        result.count(created, changed)
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


@transaction.atomic
def place_aliases_load(*, path: Path) -> LoadResult:
    """Codes the mySociety file lacks (DLUHC E-codes of new unitaries and combined authorities).

    Columns: place (GSS code), alias, scheme, note. Upserted by alias.
    """
    result = LoadResult()
    for row in csv_rows(path):
        place = Place.objects.get(gss_code=row["place"])
        result.count(*place_alias_set(place=place, code=row["alias"], scheme=row["scheme"]))
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
