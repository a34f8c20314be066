"""What a dataset's codes and names are in the ledger: bodies, places, themes and years.

Loaded once per preview or load into dictionaries (a national table names a few hundred bodies
and a dozen regions thousands of times). Codes and names are compared upper case, as aliases
are stored.
"""

from ledger.models import (
    FinancialYear,
    Organisation,
    OrganisationAlias,
    Place,
    PlaceAlias,
    ServiceTheme,
    control_of,
)
from ledger.services.cofog_themes import cofog_themes, cofog_themes_by_control


def _key(text: str) -> str:
    return " ".join(str(text).split()).upper()


class Resolver:
    """Bodies by code, alias or their area's codes; places by code, alias or slug; themes."""

    def __init__(self):
        self.places: dict[str, int] = {}
        for pk, gss, snac, slug in Place.objects.values_list("pk", "gss_code", "snac_code", "slug"):
            for code in (gss, snac, slug):
                if code:
                    self.places.setdefault(_key(code), pk)
        for place_id, code in PlaceAlias.objects.values_list("place_id", "code"):
            self.places.setdefault(_key(code), place_id)
        self.bodies: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.home: dict[int, int | None] = {}
        self.control: dict[int, str] = {}
        self.sector: dict[int, str] = {}
        for organisation in Organisation.objects.only(
            "pk", "code", "name", "home_place_id", "control", "sector"
        ):
            pk = organisation.pk
            self.bodies.setdefault(_key(organisation.code), pk)
            self.names[pk], self.home[pk] = organisation.name, organisation.home_place_id
            self.control[pk], self.sector[pk] = control_of(organisation), organisation.sector
        for organisation_id, alias in OrganisationAlias.objects.values_list(
            "organisation_id", "alias"
        ):
            self.bodies.setdefault(_key(alias), organisation_id)
        # A council is also found by its area's codes (Leeds files say "00DA").
        by_place = {home: pk for pk, home in self.home.items() if home}
        for code, place_id in list(self.places.items()):
            if place_id in by_place:
                self.bodies.setdefault(code, by_place[place_id])
        self.served: dict[int, list[int]] = {}
        for organisation_id, place_id in Organisation.places.through.objects.values_list(
            "organisation_id", "place_id"
        ):
            self.served.setdefault(organisation_id, []).append(place_id)
        self.themes = dict(ServiceTheme.objects.values_list("code", "pk"))
        self.unallocated = self.themes[ServiceTheme.UNALLOCATED_CODE]
        self.cofog = {code: self.themes[theme] for code, theme in cofog_themes().items()}
        self.cofog_by_control = {
            key: self.themes[theme] for key, theme in cofog_themes_by_control().items()
        }
        self.years = dict(FinancialYear.objects.values_list("code", "pk"))

    def body(self, *codes: str) -> int | None:
        """The first of ``codes`` that finds a body (E-code, then ONS code, say)."""
        for code in codes:
            if code and (found := self.bodies.get(_key(code))) is not None:
                return found
        return None

    def place(self, text: str) -> int | None:
        return self.places.get(_key(text)) if text else None

    def theme(self, code: str) -> int:
        return self.themes.get(code, self.unallocated)

    def cofog_theme(self, cofog: str, control: str = "") -> int:
        """A COFOG group's theme (as its spender's control makes it: local government's "old
        age" is social care), else its division's, else unallocated."""
        if (cofog, control) in self.cofog_by_control:
            return self.cofog_by_control[(cofog, control)]
        if cofog in self.cofog:
            return self.cofog[cofog]
        return self.cofog.get(cofog.split(".")[0], self.unallocated)

    def body_places(self, organisation_id: int) -> list[int]:
        """Where a body's own figures go: its area if it has one, else the places it serves."""
        home = self.home.get(organisation_id)
        return [home] if home else sorted(self.served.get(organisation_id, []))
