"""Cuts: which lines or rollups a figure covers, named by dimension codes.

A cut (``place:E10000006|year:2006-07``, OpenSpending's syntax) becomes one ``Q`` that works on
``SpendRollup`` and, field for field, on ``SpendLine``: the same cut gives a total
(``ledger.calculations.totals``) and the lines behind it. A place includes the places below it;
a theme includes its sub-themes.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from ledger.calculations.precedence import per_request, place_tree
from ledger.models import (
    LOCAL_SECTORS,
    Basis,
    Control,
    FinancialYear,
    Organisation,
    Place,
    Sector,
    ServiceTheme,
    ThemeCrosswalk,
)


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    fields: tuple[str, ...]  # SpendRollup fields the SQL groups by


DIMENSIONS = {
    d.name: d
    for d in (
        Dimension("place", "Place", ("place_id",)),
        Dimension("organisation", "Organisation", ("organisation_id",)),
        Dimension("sector", "Sector", ("organisation__sector",)),
        Dimension("theme", "Theme", ("theme_id",)),
        Dimension("theme_group", "Theme group", ("theme_id",)),
        Dimension("cofog", "COFOG group", ("theme_id", "financial_year_id")),
        Dimension("cofog_division", "COFOG division", ("theme_id", "financial_year_id")),
        Dimension("year", "Financial year", ("financial_year_id",)),
        Dimension("basis", "Basis", ("basis",)),
        # Where the count takes a body's figures from: approved returns, or a dataset edition.
        Dimension("source", "Source", ("edition_id",)),
        Dimension(
            "control", "Who controls the money", ("organisation__control", "organisation__sector")
        ),
    )
}
RETURNS_SOURCE = "returns"
EDITION_SOURCE = "edition-"
COFOG_DIMENSIONS = {"cofog", "cofog_division"}


class CutError(ValueError):
    """A cut or drilldown names something that does not exist; the message says which."""


def place_subtree_ids(place_ids: Iterable[int]) -> list[int]:
    """These places and every place below them (a county and its districts), from the place
    tree (read once per request: a county page asked 38 times)."""
    tree = place_tree()
    ids = list(dict.fromkeys(place_ids))
    seen = set(ids)
    for place_id in list(ids):
        for below in sorted(tree.subtree(place_id) - seen):
            ids.append(below)
            seen.add(below)
    return ids


def _theme_subtree_ids(theme_ids: list[int]) -> list[int]:
    ids, frontier = list(theme_ids), list(theme_ids)
    while frontier:
        frontier = list(
            ServiceTheme.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    return ids


@dataclass
class Cut:
    """Filters on dimensions, as codes: ``{"place": ["E10000006"], "year": ["2006-07"]}``.

    A place includes the places below it; a theme includes its sub-themes.
    """

    filters: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> "Cut":
        """OpenSpending syntax: ``place:E10000006|year:2006-07;2007-08``."""
        filters: dict[str, list[str]] = {}
        for part in filter(None, (p.strip() for p in (text or "").split("|"))):
            name, sep, values = part.partition(":")
            name = name.strip().split(".")[0]  # "place.code" means the same as "place"
            if not sep or not values.strip():
                raise CutError(f"cut “{part}” should look like dimension:value")
            if name not in DIMENSIONS:
                raise CutError(f"unknown dimension “{name}” in cut; use one of {dimension_names()}")
            filters.setdefault(name, []).extend(v.strip() for v in values.split(";") if v.strip())
        return cls(filters)

    def with_filter(self, name: str, *values: str) -> "Cut":
        return Cut({**self.filters, name: list(values)})

    def q(self, *, without: tuple[str, ...] = ()) -> Q:
        """The ORM filter for rollups (and, field for field, for lines); resolved once. Without
        some dimensions (a table that lacks their fields): ``without=("source",)``."""
        if without:
            q = Q()
            for name, values in self.filters.items():
                if name not in without:
                    q &= _filter_q(name, values)
            return q
        if getattr(self, "_q", None) is None:
            q = Q()
            for name, values in self.filters.items():
                q &= _filter_q(name, values)
            self._q = q
        return self._q

    def place_ids(self) -> list[int] | None:
        """The places the cut names (not those below them); None when it names none."""
        if "place" not in self.filters:
            return None
        return _resolve(_place_ids, self.filters["place"], "place")

    def as_text(self) -> str:
        return "|".join(f"{k}:{';'.join(v)}" for k, v in self.filters.items())


def dimension_names() -> str:
    return ", ".join(DIMENSIONS)


def _resolve(find_ids, values: list[str], what: str) -> list[int]:
    ids = []
    for value in values:
        found = find_ids(value)
        if not found:
            raise CutError(f"no {what} “{value}”")
        ids += found
    return ids


def _place_ids(value: str) -> list[int]:
    """The places a code or slug names. A page resolves its place once per figure (a county
    page: 24 times), so once per request."""

    def find():
        found = Place.objects.by_code(value) or Place.objects.filter(slug=value.lower())
        return list(found.values_list("pk", flat=True))

    return per_request(("place", value), find)


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _filter_q(name: str, values: list[str]) -> Q:
    if name == "place":
        ids = _resolve(_place_ids, values, "place")
        return Q(place_id__in=place_subtree_ids(set(ids)))
    if name == "organisation":
        return Q(
            organisation_id__in=_resolve(
                lambda v: _ids(Organisation.objects.by_code(v)), values, "organisation"
            )
        )
    if name == "sector":
        bad = [v for v in values if v not in Sector.values]
        if bad:
            raise CutError(f"no sector “{bad[0]}”; use one of {', '.join(Sector.values)}")
        return Q(organisation__sector__in=values)
    if name in ("theme", "theme_group"):
        ids = _resolve(lambda v: _ids(ServiceTheme.objects.filter(code=v)), values, "theme")
        return Q(theme_id__in=_theme_subtree_ids(ids))
    if name == "year":
        codes = []
        for value in values:
            from ledger.services.years import financial_year_get

            try:
                codes.append(financial_year_get(value).pk)
            except (ValueError, FinancialYear.DoesNotExist) as exc:
                raise CutError(f"no financial year “{value}”") from exc
        return Q(financial_year_id__in=codes)
    if name == "basis":
        bad = [v for v in values if v not in Basis.values]
        if bad:
            raise CutError(f"no basis “{bad[0]}”; use one of {', '.join(Basis.values)}")
        return Q(basis__in=values)
    if name == "source":
        return _source_q(values)
    if name == "control":
        bad = [v for v in values if v not in Control.values]
        if bad:
            raise CutError(f"no control “{bad[0]}”; use one of {', '.join(Control.values)}")
        return _control_q(values)
    # COFOG: the themes that map (wholly or partly) to these classes; the split happens later.
    codes = set(values)
    crosswalk = ThemeCrosswalk.objects.filter(classification__scheme="cofog")
    if name == "cofog_division":
        crosswalk = crosswalk.filter(
            Q(classification__code__in=codes) | Q(classification__parent__code__in=codes)
        )
    else:
        crosswalk = crosswalk.filter(classification__code__in=codes)
    theme_ids = list(crosswalk.values_list("theme_id", flat=True))
    if "" in codes:  # "not classified": themes with no COFOG mapping
        mapped = ThemeCrosswalk.objects.filter(classification__scheme="cofog").values("theme_id")
        theme_ids += list(ServiceTheme.objects.exclude(pk__in=mapped).values_list("pk", flat=True))
    return Q(theme_id__in=theme_ids)


def _source_q(values: list[str]) -> Q:
    ids = []
    for value in values:
        if value == RETURNS_SOURCE:
            ids.append(0)
        elif value.startswith(EDITION_SOURCE) and value[len(EDITION_SOURCE) :].isdigit():
            ids.append(int(value[len(EDITION_SOURCE) :]))
        else:
            raise CutError(
                f"no source “{value}”; use {RETURNS_SOURCE} or {EDITION_SOURCE}<edition id>"
            )
    return Q(edition_id__in=ids)


def _control_q(values: list[str]) -> Q:
    """A body's recorded control, else its sector's (``ledger.models.control_of``)."""
    q = Q(organisation__control__in=values)
    if Control.LOCAL in values:
        q |= Q(organisation__control="", organisation__sector__in=LOCAL_SECTORS)
    if Control.CENTRAL in values:
        q |= Q(organisation__control="") & ~Q(organisation__sector__in=LOCAL_SECTORS)
    return q
