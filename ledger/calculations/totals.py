"""Place totals: the one module that builds the totals expressions and groupings.

Every page, API endpoint and export asks this module for figures, so they cannot disagree
(usaspending's lesson). Everything reads ``SpendRollup``; a cut is turned into one ``Q`` that
works on ``SpendLine`` too (same field names), which is how a figure drills down to its lines.

Dimensions (``DIMENSIONS``): place, organisation, sector, theme, theme_group (the top-level
theme), cofog (COFOG group), cofog_division, year, basis. COFOG comes from the theme crosswalk,
whose weights split a theme across COFOG classes; each split is exact to the penny (largest
remainder, per rollup row), so COFOG cells still add up to the total. Line counts are not
split: a line counted under two COFOG classes counts in both.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from ledger.calculations.apportion import apportion
from ledger.models import (
    Basis,
    Classification,
    FinancialYear,
    Organisation,
    Place,
    Sector,
    ServiceTheme,
    SpendRollup,
    ThemeCrosswalk,
)

AMOUNT = Sum("amount")  # Decimal pounds: MoneyField sums integer pence exactly
LINES = Sum("line_count")
ZERO = Decimal("0.00")
UNCLASSIFIED = ("", "Not classified")


@dataclass(frozen=True, order=True)
class Member:
    """One value of a dimension: what a cell is labelled with."""

    sort: tuple
    code: str
    name: str = field(compare=False)
    id: int | None = field(default=None, compare=False)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name}


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
    )
}
COFOG_DIMENSIONS = {"cofog", "cofog_division"}
ROLLUP_KEY = ("place_id", "organisation_id", "theme_id", "financial_year_id", "basis")


class CutError(ValueError):
    """A cut or drilldown names something that does not exist; the message says which."""


def place_subtree_ids(place_ids: Iterable[int]) -> list[int]:
    """These places and every place below them (a county and its districts)."""
    ids, frontier = list(place_ids), list(place_ids)
    while frontier:
        frontier = list(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
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
                raise CutError(f"unknown dimension “{name}” in cut; use one of {_names()}")
            filters.setdefault(name, []).extend(v.strip() for v in values.split(";") if v.strip())
        return cls(filters)

    def with_filter(self, name: str, *values: str) -> "Cut":
        return Cut({**self.filters, name: list(values)})

    def q(self) -> Q:
        """The ORM filter for rollups (and, field for field, for lines); resolved once."""
        if getattr(self, "_q", None) is None:
            q = Q()
            for name, values in self.filters.items():
                q &= _filter_q(name, values)
            self._q = q
        return self._q

    def as_text(self) -> str:
        return "|".join(f"{k}:{';'.join(v)}" for k, v in self.filters.items())


def _names() -> str:
    return ", ".join(DIMENSIONS)


def _resolve(model_qs, values: list[str], what: str) -> list[int]:
    ids = []
    for value in values:
        found = list(model_qs(value).values_list("pk", flat=True))
        if not found:
            raise CutError(f"no {what} “{value}”")
        ids += found
    return ids


def _filter_q(name: str, values: list[str]) -> Q:
    if name == "place":
        ids = _resolve(
            lambda v: Place.objects.by_code(v) or Place.objects.filter(slug=v.lower()),
            values,
            "place",
        )
        return Q(place_id__in=place_subtree_ids(set(ids)))
    if name == "organisation":
        return Q(organisation_id__in=_resolve(Organisation.objects.by_code, values, "organisation"))
    if name == "sector":
        bad = [v for v in values if v not in Sector.values]
        if bad:
            raise CutError(f"no sector “{bad[0]}”; use one of {', '.join(Sector.values)}")
        return Q(organisation__sector__in=values)
    if name in ("theme", "theme_group"):
        ids = _resolve(lambda v: ServiceTheme.objects.filter(code=v), values, "theme")
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


@dataclass
class Cell:
    members: dict[str, Member]
    amount: Decimal = ZERO
    lines: int = 0


@dataclass
class Aggregate:
    cut: Cut
    drilldown: list[str]
    cells: list[Cell]
    amount: Decimal
    lines: int


class _Labels:
    """Looks up the members for the ids in one result set, with one query per dimension."""

    def __init__(self, rows: list[dict], drilldown: list[str]):
        need = {f for d in drilldown for f in DIMENSIONS[d].fields}
        self.places = self.organisations = self.years = {}
        if "place_id" in need:
            self.places = Place.objects.in_bulk({r["place_id"] for r in rows})
        if "organisation_id" in need:
            self.organisations = Organisation.objects.in_bulk({r["organisation_id"] for r in rows})
        if "financial_year_id" in need:
            self.years = FinancialYear.objects.in_bulk()
        if "theme_id" in need:
            self.themes = ServiceTheme.objects.in_bulk()
        if COFOG_DIMENSIONS & set(drilldown):
            self.cofog = _CofogWeights()

    def member(self, dimension: str, row: dict) -> Member:
        if dimension == "place":
            p = self.places[row["place_id"]]
            return Member((p.name, p.code), p.code, p.name, p.pk)
        if dimension == "organisation":
            o = self.organisations[row["organisation_id"]]
            return Member((o.name, o.code), o.code, o.name, o.pk)
        if dimension == "sector":
            s = Sector(row["organisation__sector"])
            return Member((s.label,), s.value, s.label)
        if dimension == "theme":
            t = self.themes[row["theme_id"]]
            return Member((t.sort_order, t.name), t.code, t.name, t.pk)
        if dimension == "theme_group":
            t = self.themes[row["theme_id"]]
            while t.parent_id:
                t = self.themes[t.parent_id]
            return Member((t.sort_order, t.name), t.code, t.name, t.pk)
        if dimension == "year":
            y = self.years[row["financial_year_id"]]
            return Member((y.start_date,), y.code, y.code, y.pk)
        if dimension == "basis":
            b = Basis(row["basis"])
            return Member((b.label,), b.value, b.label)
        raise AssertionError(f"{dimension} is split, not looked up")


class _CofogWeights:
    """Theme → COFOG weights from the crosswalk (dated), and each class's division."""

    def __init__(self):
        self.by_theme = defaultdict(list)
        for c in ThemeCrosswalk.objects.filter(classification__scheme="cofog").select_related(
            "classification"
        ):
            self.by_theme[c.theme_id].append(c)
        self.divisions = {
            c.code: c.name
            for c in Classification.objects.filter(scheme="cofog", parent__isnull=True)
        }

    def split(self, theme_id: int, year: FinancialYear) -> dict[Member, Decimal]:
        weights: dict[Member, Decimal] = defaultdict(Decimal)
        for c in self.by_theme.get(theme_id, []):
            if c.valid_from and c.valid_from > year.start_date:
                continue
            if c.valid_to and c.valid_to <= year.start_date:
                continue
            code = c.classification.code
            weights[Member((code,), code, c.classification.name)] += c.weight
        return dict(sorted(weights.items())) or {Member(("~",), *UNCLASSIFIED): Decimal(1)}

    def division(self, member: Member) -> Member:
        if not member.code:
            return member
        code = member.code.split(".")[0]
        return Member((code,), code, self.divisions.get(code, code))


def aggregate(
    *, cut: Cut | None = None, drilldown: Iterable[str] = (), order: Iterable[str] = ()
) -> Aggregate:
    """Totals for a cut, grouped by the drilldown dimensions, ordered (``amount:desc``, the
    default, or any drilldown dimension). Cells with nothing in them are left out."""
    return aggregate_many(cut=cut, drilldowns=[list(drilldown)], order=order)[0]


def aggregate_many(
    *, cut: Cut | None = None, drilldowns: list[list[str]], order: Iterable[str] = ()
) -> list[Aggregate]:
    """Several breakdowns of one cut from a single rollup query (grouped by all their fields)."""
    cut = cut or Cut()
    drilldowns = [list(dict.fromkeys(d)) for d in drilldowns]
    for name in (n for d in drilldowns for n in d):
        if name not in DIMENSIONS:
            raise CutError(f"unknown dimension “{name}” in drilldown; use one of {_names()}")
    cofog_cut = {k: set(v) for k, v in cut.filters.items() if k in COFOG_DIMENSIONS}
    everything = [n for d in drilldowns for n in d]
    split_dims = list(COFOG_DIMENSIONS & (set(everything) | set(cofog_cut)))
    # COFOG is split per rollup row, whatever else is asked for, so a COFOG figure is the same
    # in every view that shows it (splitting coarser sums could round a penny differently).
    base = ROLLUP_KEY if split_dims else ()
    group_fields = list(
        dict.fromkeys([*base, *(f for d in everything + split_dims for f in DIMENSIONS[d].fields)])
    )
    rows = list(
        SpendRollup.objects.filter(cut.q())
        .values(*group_fields)
        .annotate(amount=AMOUNT, lines=LINES)
        .order_by()
    )
    labels = _Labels(rows, everything + split_dims)
    split_rows = []
    for row in rows:
        parts = [({}, row["amount"])]
        if split_dims:  # COFOG splits a theme's amount across classes, exactly
            year = labels.years[row["financial_year_id"]]
            split = apportion(row["amount"], labels.cofog.split(row["theme_id"], year))
            parts = []
            for group, amount in split.items():
                members = {"cofog": group, "cofog_division": labels.cofog.division(group)}
                if all(members[d].code in wanted for d, wanted in cofog_cut.items()):
                    parts.append((members, amount))
        split_rows.append((row, parts))
    return [
        _build(cut, drilldown, split_rows, labels, list(order), bool(cofog_cut))
        for drilldown in drilldowns
    ]


def _build(cut, drilldown, split_rows, labels, order, cofog_cut) -> Aggregate:
    cells: dict[tuple, Cell] = {}
    member_cache: dict[tuple, Member] = {}

    def member(d, row):
        key = (d, *(row[f] for f in DIMENSIONS[d].fields))
        if key not in member_cache:
            member_cache[key] = labels.member(d, row)
        return member_cache[key]

    for row, parts in split_rows:
        fixed = {d: member(d, row) for d in drilldown if d not in COFOG_DIMENSIONS}
        for members, amount in parts:
            key_members = {**fixed, **{d: m for d, m in members.items() if d in drilldown}}
            key = tuple(key_members[d] for d in drilldown)
            cell = cells.setdefault(key, Cell(members=key_members))
            cell.amount += amount
            cell.lines += row["lines"]
    result = [c for c in cells.values() if c.lines]
    _sort(result, order or ["amount:desc"], drilldown)
    return Aggregate(
        cut=cut,
        drilldown=drilldown,
        cells=result,
        amount=sum((c.amount for c in result), ZERO),
        lines=sum(r["lines"] for r, _ in split_rows)
        if not cofog_cut
        else sum(c.lines for c in result),
    )


def _sort(cells: list[Cell], order: list[str], drilldown: list[str]) -> None:
    keys = []
    for item in order:
        name, _, direction = item.partition(":")
        if name not in ("amount", "lines") and name not in drilldown:
            raise CutError(f"cannot order by “{name}”: use amount, lines or a drilldown dimension")
        if direction not in ("", "asc", "desc"):
            raise CutError(f"order direction “{direction}” should be asc or desc")
        keys.append((name, direction == "desc"))
    # Stable sorts, least significant first; ties always broken by the dimensions' own order.
    cells.sort(key=lambda c: tuple(c.members[d] for d in drilldown))
    for name, reverse in reversed(keys):
        if name in ("amount", "lines"):
            cells.sort(key=lambda c, n=name: getattr(c, n), reverse=reverse)
        else:
            cells.sort(key=lambda c, n=name: c.members[n], reverse=reverse)
