"""Loading classifications, service themes, crosswalks and organisations from fixtures/."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ledger.models import (
    Classification,
    Organisation,
    Place,
    PlaceKind,
    Sector,
    ServiceTheme,
    ThemeCrosswalk,
)

from .imports.themes import theme_rules_load
from .loading import LoadResult, upsert
from .places import places_load_mysociety, regions_load
from .rollup_generation import rollup_generation_deferred
from .years import financial_years_ensure

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"
COUNCIL_KINDS = {
    PlaceKind.COUNTY: "County council",
    PlaceKind.DISTRICT: "District council",
    PlaceKind.METROPOLITAN_DISTRICT: "Metropolitan district council",
    PlaceKind.LONDON_BOROUGH: "London borough council",
    PlaceKind.UNITARY: "Unitary authority",
    PlaceKind.CITY_CORPORATION: "City corporation",
    PlaceKind.COMBINED_AREA: "Combined authority",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def classifications_load(*, scheme: str, path: Path) -> LoadResult:
    result = LoadResult()
    for row in _rows(path):  # parents come before their children in the files
        parent = (
            Classification.objects.get(scheme=scheme, code=row["parent"]) if row["parent"] else None
        )
        _, created, changed = upsert(
            Classification,
            {"scheme": scheme, "code": row["code"]},
            {"name": row["name"], "parent": parent},
        )
        result.count(created, changed)
    return result


@transaction.atomic
def themes_load(*, path: Path) -> LoadResult:
    result = LoadResult()
    for row in _rows(path):
        parent = ServiceTheme.objects.get(code=row["parent"]) if row["parent"] else None
        _, created, changed = upsert(
            ServiceTheme,
            {"code": row["code"]},
            {"name": row["name"], "parent": parent, "sort_order": int(row["sort_order"])},
        )
        result.count(created, changed)
    return result


@transaction.atomic
def crosswalks_load(*, path: Path) -> LoadResult:
    """Theme → classification weights. Rows no longer in the file are removed (it is the truth)."""
    result = LoadResult()
    keep = set()
    for row in _rows(path):
        theme = ServiceTheme.objects.get(code=row["theme"])
        classification = Classification.objects.get(scheme=row["scheme"], code=row["code"])
        crosswalk, created, changed = upsert(
            ThemeCrosswalk,
            {"theme": theme, "classification": classification, "valid_from": None},
            {"weight": Decimal(row["weight"])},
        )
        keep.add(crosswalk.pk)
        result.count(created, changed)
    ThemeCrosswalk.objects.filter(valid_from__isnull=True).exclude(pk__in=keep).delete()
    return result


@transaction.atomic
def organisations_load(*, path: Path) -> LoadResult:
    """Public bodies from a CSV: code, name, sector, kind, parent (code), places (codes, ``;``)."""
    result = LoadResult()
    for row in _rows(path):
        parent = Organisation.objects.get(code=row["parent"]) if row["parent"] else None
        organisation, created, changed = upsert(
            Organisation,
            {"code": row["code"]},
            {
                "name": row["name"],
                "sector": Sector(row["sector"]),
                "kind": row["kind"],
                "parent": parent,
            },
        )
        places = [Place.objects.by_code(code).get() for code in row["places"].split(";") if code]
        organisation.places.set(places)
        result.count(created, changed)
    return result


@transaction.atomic
def councils_ensure() -> LoadResult:
    """One local-government organisation per council area, coded by the area's GSS code."""
    result = LoadResult()
    for place in Place.objects.filter(kind__in=list(COUNCIL_KINDS)).exclude(gss_code=None):
        organisation, created, changed = upsert(
            Organisation,
            {"code": place.gss_code},
            {
                "name": place.official_name or place.name,
                "sector": Sector.LOCAL_GOVERNMENT,
                "kind": COUNCIL_KINDS[PlaceKind(place.kind)],
                "home_place": place,
            },
        )
        if created:
            organisation.places.set([place])
        result.count(created, changed)
    return result


def pilot_footprints(*, path: Path | None = None) -> list[dict]:
    """The Total Place pilots and Counting Cumbria, each with its lead council and places.

    The pilots app builds its Pilot rows from this; here we only check every place resolves.
    """
    footprints = []
    for row in _rows(path or REFERENCE_DIR / "total_place_pilots.csv"):
        codes = [code for code in row["places"].split(";") if code]
        footprints.append(
            {
                "code": row["code"],
                "name": row["name"],
                "kind": row["kind"],
                "lead_organisation": Organisation.objects.get(code=row["lead_organisation"]),
                "places": [Place.objects.by_code(code).get() for code in codes],
            }
        )
    return footprints


def reference_load_all(*, directory: Path = REFERENCE_DIR) -> dict[str, LoadResult]:
    """Everything the app needs before any spend: years, places, themes, crosswalks, bodies."""
    # Names, populations and crosswalks show in cached totals: raise the generation once.
    with rollup_generation_deferred():
        financial_years_ensure()
        results = {
            "regions": regions_load(path=directory / "regions.csv"),
            "places": places_load_mysociety(
                path=directory / "mysociety_uk_local_authorities_future.csv"
            ),
            "cofog": classifications_load(scheme="cofog", path=directory / "cofog.csv"),
            "revenue_outturn": classifications_load(
                scheme="revenue_outturn", path=directory / "revenue_outturn.csv"
            ),
            "deep_dive": classifications_load(
                scheme="deep_dive", path=directory / "deep_dives.csv"
            ),
            "themes": themes_load(path=directory / "themes.csv"),
            "crosswalks": crosswalks_load(path=directory / "theme_crosswalks.csv"),
            "organisations": organisations_load(path=directory / "organisations.csv"),
            "councils": councils_ensure(),
            "theme_rules": theme_rules_load(path=directory / "theme_rules.csv"),
        }
        # Fails loudly if a pilot's place is gone.
        pilot_footprints(path=directory / "total_place_pilots.csv")
    return results
