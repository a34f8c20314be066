"""Adding a body a dataset edition names but the reference data does not know.

A national table names bodies the reference data may not have yet (a new combined authority, a
waste authority, a renamed department). The editor either excludes the body (its money is then
counted as excluded, by reason) or adds it here: a new organisation with the codes the file
gives it, the places it serves (where its own figures go) and who controls its money; then the
edition is previewed again, and the body is found like any other.
"""

import re

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ledger.models import (
    LOCAL_SECTORS,
    Control,
    DatasetEdition,
    DatasetEditionStatus,
    DatasetFormat,
    Organisation,
    OrganisationAlias,
    Place,
    Sector,
)
from totalplace.permissions import require_perm

from .editions import dataset_edition_choose

# A GSS/ONS code: a country letter and eight digits ("E23000036", "E31000004").
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
NO_PLACE = "has no place it serves"
CODE_LENGTH = Organisation._meta.get_field("code").max_length


def _key(text: str) -> str:
    # As the dataset resolver compares codes and names: upper case, spaces collapsed.
    return " ".join(str(text).split()).upper()


def _unknown_body(edition: DatasetEdition, key: str) -> dict:
    for body in edition.unknown_bodies:
        if body["key"] == key:
            return body
    raise ValidationError(
        f"“{key}” is not one of the bodies this edition's preview could not place: "
        "the preview may have changed; look again."
    )


def _codes(body: dict, name: str) -> tuple[str, list[tuple[str, str]]]:
    """The new body's code and its aliases (scheme, alias): its ONS/GSS code if it has one,
    else its E-code, else a slug of its name; every other code, and a name as published that
    is the key the file is read by, are aliases."""
    given = [
        _key(c) for c in (body.get("alt_code", ""), body.get("code", "")) if c and str(c).strip()
    ]
    gss = [c for c in given if GSS_CODE.match(c)]
    code = (gss or given or [slugify(name).upper()])[0][:CODE_LENGTH]
    aliases = [("gss" if GSS_CODE.match(c) else "ecode", c) for c in given if c != code]
    key = _key(body["key"])
    if key != code and key not in given:  # a department's name, as HM Treasury publishes it
        aliases.append(("name", key))
    return code, aliases


def _refuse_codes_in_use(codes: list[str]) -> None:
    for code in codes:
        holder = Organisation.objects.by_code(code).first()
        if holder is not None:
            raise ValidationError(
                f"The code “{code}” is already used by {holder.name} ({holder.code}): choose "
                "that body in the reference data, or exclude this one."
            )


def _known_body(codes: list[str]) -> Organisation:
    for code in codes:
        found = Organisation.objects.by_code(code).first()
        if found is not None:
            return found
    raise ValidationError(f"No body has the code “{codes[0]}” any more: preview the file again.")


def _places(codes: list[str]) -> list[Place]:
    places = []
    for code in (c.strip() for c in codes):
        if not code:
            continue
        found = list(Place.objects.by_code(code)[:2]) or list(
            Place.objects.filter(slug=code.lower())
        )
        if len(found) != 1:
            raise ValidationError(f"No place has the code “{code}”.")
        places.append(found[0])
    return places


@transaction.atomic
def dataset_body_add(
    *,
    edition: DatasetEdition,
    key: str,
    name: str,
    sector: str,
    place_codes: list[str],
    actor: AbstractBaseUser | None,
) -> Organisation:
    """Add an unknown body of ``edition`` to the reference data and preview the edition again.

    The organisation is coded by the body's ONS/GSS code if the file gives one, else its E-code,
    else a slug of its name; its other codes (and a department's name as published) become
    aliases; it serves ``place_codes``; its money is controlled as its sector says. A body the
    reference data has but with no place it serves gets those places instead. A code another
    body already uses is refused, naming that body. The choice is recorded on the edition
    (``bodies[key] = {"action": "add", "organisation": code}``). Only dataset editors.
    """
    require_perm(
        actor,
        "ledger.load_datasets",
        message="Only dataset editors (and staff) can add bodies to the reference data.",
    )
    editions = DatasetEdition.objects.select_for_update().select_related("dataset")
    edition = editions.get(pk=edition.pk)
    if edition.status not in DatasetEditionStatus.previewed():
        raise ValidationError(f"This edition is {edition.get_status_display().lower()}.")
    body = _unknown_body(edition, key)
    try:
        sector = Sector(sector)
    except ValueError as exc:
        raise ValidationError(f"“{sector}” is not a sector.") from exc
    places = _places(place_codes)
    if not places and edition.dataset.format == DatasetFormat.WIDE:
        raise ValidationError(
            "Say which places the body serves: a table of bodies' own figures puts each "
            "body's money in its places."
        )
    name = " ".join((name or body.get("name") or "").split())
    if not name:
        raise ValidationError("Give the body's name.")
    code, aliases = _codes(body, name)
    if body.get("problem") == NO_PLACE:
        # Known, but nowhere to put its figures: give it its places, nothing new.
        organisation = _known_body([code, *(alias for _, alias in aliases)])
    else:
        _refuse_codes_in_use([code, *(alias for _, alias in aliases)])
        organisation = Organisation.objects.create(
            code=code,
            name=name[:200],
            sector=sector,
            kind=(body.get("subclass") or body.get("class") or "")[:80],
            control=Control.LOCAL if sector in LOCAL_SECTORS else Control.CENTRAL,
        )
        OrganisationAlias.objects.bulk_create(
            OrganisationAlias(organisation=organisation, alias=alias, scheme=scheme)
            for scheme, alias in aliases
        )
    if places:
        organisation.places.add(*places)
    dataset_edition_choose(
        edition=edition,
        choices={"bodies": {key: {"action": "add", "organisation": organisation.code}}},
        actor=actor,
    )
    return organisation
