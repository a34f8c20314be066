"""Loading public bodies from CSV files: central departments and HM Treasury's sector totals,
police and crime commissioners, fire, national park and waste authorities, NHS commissioners."""

from pathlib import Path

from django.db import transaction

from ledger.models import Control, Organisation, OrganisationAlias, Place, Sector

from .loading import LoadResult, aliases_parse, codes_split, csv_rows, date_or_none, upsert


def organisation_alias_set(
    *, organisation: Organisation, alias: str, scheme: str
) -> tuple[bool, bool]:
    """Record ``alias`` (stored upper case) as another code or name of ``organisation``.

    Returns (created, changed). An alias names one body only: one already held by another body
    moves to this one (the files are the truth).
    """
    _, created, changed = upsert(
        OrganisationAlias,
        {"alias": alias.strip().upper()},
        {"organisation_id": organisation.pk, "scheme": scheme},
    )
    return created, changed


def _places_set(organisation: Organisation, codes: list[str]) -> bool:
    """Set the places a body serves; True if they changed. Fails loudly on an unknown code."""
    places = [Place.objects.by_code(code).get() for code in codes]
    if set(organisation.places.values_list("pk", flat=True)) == {p.pk for p in places}:
        return False
    organisation.places.set(places)
    return True


@transaction.atomic
def organisations_load(*, path: Path) -> LoadResult:
    """Public bodies from a CSV, upserted by code: re-running creates and changes nothing.

    Columns: code, name, sector, kind, parent (code; parents come first), places (codes, ``;``);
    and optionally aliases (``scheme:alias;…``, e.g. ``ecode:E7009;cra:Home Office``), control
    (local|central|public_corporation; blank = as the sector says), aggregate_of (sectors a
    national total stands for, ``;``), valid_from, valid_to (ISO dates; ``valid_to`` is the
    first day the body no longer existed). The reference files list the council areas a body
    serves as they stood in 2023-24 (Cumberland, not Cumbria): areas before a reorganisation are
    the ``predecessors`` of those.
    """
    result = LoadResult()
    for row in csv_rows(path):
        parent = Organisation.objects.get(code=row["parent"]) if row["parent"] else None
        organisation, created, changed = upsert(
            Organisation,
            {"code": row["code"]},
            {
                "name": row["name"],
                "sector": Sector(row["sector"]),
                "kind": row["kind"],
                "parent": parent,
                "control": Control(row["control"]) if row.get("control") else "",
                "aggregate_of": [Sector(s).value for s in codes_split(row.get("aggregate_of"))],
                "valid_from": date_or_none(row.get("valid_from")),
                "valid_to": date_or_none(row.get("valid_to")),
            },
        )
        changed |= _places_set(organisation, codes_split(row["places"]))
        for scheme, alias in aliases_parse(row.get("aliases")):
            changed |= any(
                organisation_alias_set(organisation=organisation, alias=alias, scheme=scheme)
            )
        result.count(created, changed)
    return result


@transaction.atomic
def organisation_aliases_load(*, path: Path) -> LoadResult:
    """Other codes and names of bodies loaded elsewhere (a council, a combined authority, the
    GLA, which DLUHC codes E12000007, London's region code).

    Columns: organisation (its code), alias, scheme, note. Upserted by alias.
    """
    result = LoadResult()
    for row in csv_rows(path):
        organisation = Organisation.objects.get(code=row["organisation"])
        result.count(
            *organisation_alias_set(
                organisation=organisation, alias=row["alias"], scheme=row["scheme"]
            )
        )
    return result
