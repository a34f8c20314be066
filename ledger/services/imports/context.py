"""What the readers need from the ledger, loaded once per job into plain dictionaries.

The readers run in a tight loop (and may run in a producer thread), so they never query the
database: every organisation and place code is looked up in memory.
"""

from django.core.exceptions import ValidationError

from ledger.importers.context import Context
from ledger.importers.mapping import Mapping
from ledger.models import (
    Classification,
    ClassificationScheme,
    ImportJob,
    Organisation,
    Place,
    PlaceAlias,
)

from .apportionment import driver_for
from .themes import theme_matcher_for


def organisation_codes() -> tuple[dict[str, int], dict[int, str], dict[int, int | None]]:
    """Every code that finds an organisation (its own, its area's GSS/SNAC/aliases)."""
    codes: dict[str, int] = {}
    names: dict[int, str] = {}
    home: dict[int, int | None] = {}
    place_codes = place_codes_by_id()
    for pk, code, name, home_place_id in Organisation.objects.values_list(
        "pk", "code", "name", "home_place_id"
    ):
        names[pk] = name
        home[pk] = home_place_id
        codes.setdefault(code.upper(), pk)
    for pk, home_place_id in home.items():
        for code in place_codes.get(home_place_id, ()):
            codes.setdefault(code, pk)
    return codes, names, home


def place_codes_by_id() -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    for pk, gss, snac in Place.objects.values_list("pk", "gss_code", "snac_code"):
        codes[pk] = [c.upper() for c in (gss, snac) if c]
    for place_id, code in PlaceAlias.objects.values_list("place_id", "code"):
        codes.setdefault(place_id, []).append(code.upper())
    return codes


def service_lines() -> dict[str, str]:
    """Revenue-outturn service line names → codes, for recognising wide tables."""
    return dict(
        Classification.objects.filter(scheme=ClassificationScheme.REVENUE_OUTTURN).values_list(
            "name", "code"
        )
    )


def context_for(*, job: ImportJob, mapping: Mapping) -> Context:
    """The reader's context for ``job``: codes, themes, where lines go and how they split."""
    spend_return = job.spend_return
    organisation = job.organisation
    codes, names, home = organisation_codes()
    places = {code: pk for pk, found in place_codes_by_id().items() for code in found}
    matcher = theme_matcher_for(organisation=organisation)
    year = job.financial_year
    context = Context(
        organisation_id=organisation.pk,
        organisation_by_code=lambda code: codes.get(code.upper()),
        organisation_name=lambda pk: names.get(pk, f"organisation {pk}"),
        place_by_code=lambda code: places.get(code.strip().upper()),
        home_place_of=lambda pk: home.get(pk),
        theme_for=matcher.theme_for,
        unallocated_theme_id=matcher.unallocated_id,
        year_start=year.start_date,
        year_end=year.end_date,
        theme_uses_description=matcher.uses_description,
        job_id=job.pk,
        accruals_basis=spend_return.accruals_basis,
    )
    if mapping.is_wide:
        return context
    if job.apportion:
        driver = driver_for(organisation=organisation, financial_year=year, name=job.driver)
        context.split = driver.splitter()
        context.driver, context.driver_source = driver.name, driver.source
        return context
    place = job.place or spend_return.place or organisation.home_place
    if place is None and "place_code" not in mapping.fields:
        raise ValidationError(
            f"{organisation} has no place of its own: choose the place these lines are spent "
            "in, apportion them across the places it serves, or map a place code column."
        )
    context.place_id = place.pk if place else None
    return context
