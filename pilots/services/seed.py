"""Seeding programmes and pilots from fixtures (idempotent: keyed on slugs, never duplicated)."""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ledger.models import Organisation, Place
from ledger.services.loading import LoadResult, upsert
from ledger.services.reference import pilot_footprints
from pilots.models import Pilot, PilotKind, PilotStatus, Programme

PILOTS_DIR = Path(settings.BASE_DIR) / "fixtures" / "pilots"
TOTAL_PLACE = "total-place-2009-10"
PARALLEL_PLACES = "total-place-parallel-places"
WHOLE_PLACE = "whole-place-community-budgets"
KINDS = {"pilot": PilotKind.PILOT, "forerunner": PilotKind.FORERUNNER}
COUNTING_CUMBRIA_SUMMARY = (
    "Counting Cumbria (2007-08) mapped every penny of public spending in the county, about "
    "£7.1bn in 2006-07, and showed how little of it local bodies controlled together. It was the "
    "forerunner of Total Place."
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def programmes_load(*, path: Path = PILOTS_DIR / "programmes.csv") -> LoadResult:
    result = LoadResult()
    for row in _rows(path):
        _, created, changed = upsert(
            Programme,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "period": row["period"],
                "summary": row["summary"],
                "sort_order": int(row["sort_order"]),
            },
        )
        result.count(created, changed)
    return result


def _pilot_upsert(*, slug, name, programme, kind, lead, places, summary="") -> tuple[bool, bool]:
    values = {
        "name": name,
        "programme": programme,
        "kind": kind,
        "lead_organisation": lead,
    }
    pilot = Pilot.objects.filter(slug=slug).first()
    if pilot is None:
        pilot = Pilot.objects.create(
            slug=slug, status=PilotStatus.COMPLETED, summary=summary, **values
        )
        pilot.places.set(places)
        return True, True
    # Later edits to status and summary (by admins or leads) are kept; the footprint is data.
    _, _, changed = upsert(Pilot, {"slug": slug}, values)
    if set(pilot.places.values_list("pk", flat=True)) != {p.pk for p in places}:
        pilot.places.set(places)
        changed = True
    return False, changed


@transaction.atomic
def pilots_seed() -> LoadResult:
    """The 13 Total Place pilots, Counting Cumbria (the forerunner, inside the Total Place
    programme) and the four Whole Place Community Budget pilots, with their footprints."""
    programmes_load()
    result = LoadResult()
    total_place = Programme.objects.get(slug=TOTAL_PLACE)
    for footprint in pilot_footprints():
        kind = KINDS[footprint["kind"]]
        summary = COUNTING_CUMBRIA_SUMMARY if kind == PilotKind.FORERUNNER else ""
        result.count(
            *_pilot_upsert(
                slug=footprint["code"],
                name=footprint["name"],
                programme=total_place,
                kind=kind,
                lead=footprint["lead_organisation"],
                places=footprint["places"],
                summary=summary,
            )
        )
    whole_place = Programme.objects.get(slug=WHOLE_PLACE)
    for row in _rows(PILOTS_DIR / "whole_place_community_budgets.csv"):
        lead = row["lead_organisation"]
        result.count(
            *_pilot_upsert(
                slug=f"wpcb-{row['code']}",
                name=row["name"],
                programme=whole_place,
                kind=PilotKind.PILOT,
                lead=Organisation.objects.get(code=lead) if lead else None,
                places=[Place.objects.by_code(c).get() for c in row["places"].split(";")],
            )
        )
    return result
