"""Loading classifications, service themes, crosswalks and organisations from fixtures/."""

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

from .cofog_themes import cofog_themes, cofog_themes_by_control
from .imports.themes import theme_rules_load
from .loading import LoadResult, csv_rows, upsert
from .places import place_aliases_load, places_load_mysociety, regions_load
from .public_bodies import organisation_aliases_load, organisations_load
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


@transaction.atomic
def classifications_load(*, scheme: str, path: Path) -> LoadResult:
    result = LoadResult()
    for row in csv_rows(path):  # parents come before their children in the files
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
    for row in csv_rows(path):
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
    for row in csv_rows(path):
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
    for row in csv_rows(path or REFERENCE_DIR / "total_place_pilots.csv"):
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


def cofog_themes_check(*, path: Path) -> None:
    """Every COFOG code loaded has a theme, and every theme named exists: fails loudly if not."""
    themes = cofog_themes(path=path)
    unmapped = set(
        Classification.objects.filter(scheme="cofog").values_list("code", flat=True)
    ) - set(themes)
    named = set(themes.values()) | set(cofog_themes_by_control(path=path).values())
    unknown = named - set(ServiceTheme.objects.values_list("code", flat=True))
    if unmapped or unknown:
        raise ValueError(
            f"{path.name}: COFOG codes with no theme {sorted(unmapped)}, "
            f"unknown themes {sorted(unknown)}"
        )


def reference_load_all(*, directory: Path = REFERENCE_DIR) -> dict[str, LoadResult]:
    """Everything the app needs before any spend: years, places, themes, crosswalks, bodies.

    Keys: regions, places, place_aliases, cofog, revenue_outturn, deep_dive, themes,
    crosswalks, organisations (central government and sector totals), councils,
    organisation_aliases, public_bodies (police, fire, parks, waste), nhs_commissioners,
    theme_rules.
    """
    # Names, populations and crosswalks show in cached totals: raise the generation once.
    with rollup_generation_deferred():
        financial_years_ensure()
        results = {
            "regions": regions_load(path=directory / "regions.csv"),
            "places": places_load_mysociety(
                path=directory / "mysociety_uk_local_authorities_future.csv",
                corrections=directory / "place_parents.csv",
            ),
            "place_aliases": place_aliases_load(path=directory / "place_aliases.csv"),
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
            "organisation_aliases": organisation_aliases_load(
                path=directory / "organisation_aliases.csv"
            ),
            "public_bodies": organisations_load(path=directory / "public_bodies.csv"),
            "nhs_commissioners": organisations_load(path=directory / "nhs_commissioners.csv"),
            "theme_rules": theme_rules_load(path=directory / "theme_rules.csv"),
        }
        # Fail loudly if a pilot's place is gone, or a COFOG code has lost its theme.
        pilot_footprints(path=directory / "total_place_pilots.csv")
        cofog_themes_check(path=directory / "cofog_themes.csv")
    return results
