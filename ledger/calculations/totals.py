"""Place totals: the one module that builds the totals expressions and groupings.

Every page, API endpoint and export asks this module for figures, so they cannot disagree
(usaspending's lesson). Everything reads ``SpendRollup``; a cut (``ledger.calculations.cuts``)
is one ``Q`` that works on ``SpendLine`` too (same field names), which is how a figure drills
down to its lines.

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

from django.db.models import Sum

from ledger.calculations.apportion import apportion
from ledger.calculations.cuts import COFOG_DIMENSIONS, DIMENSIONS, Cut, CutError, dimension_names
from ledger.calculations.transfers import transfer_rows
from ledger.models import (
    LOCAL_SECTORS,
    Basis,
    Classification,
    Control,
    DatasetEdition,
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


ROLLUP_KEY = ("place_id", "organisation_id", "theme_id", "financial_year_id", "basis", "edition_id")
RETURNS_MEMBER = Member(("",), "returns", "Approved spend returns")


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
        if "edition_id" in need:
            self.editions = DatasetEdition.objects.select_related("dataset").in_bulk(
                {r["edition_id"] for r in rows} - {0}
            )

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
        if dimension == "source":
            if not row["edition_id"]:
                return RETURNS_MEMBER
            e = self.editions[row["edition_id"]]
            name = f"{e.dataset.title}, {e.edition}"
            return Member((name, e.pk), f"edition-{e.pk}", name, e.pk)
        if dimension == "control":
            control = row["organisation__control"] or (
                Control.LOCAL if row["organisation__sector"] in LOCAL_SECTORS else Control.CENTRAL
            )
            c = Control(control)
            return Member((c.label,), c.value, c.label)
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
    *,
    cut: Cut | None = None,
    drilldown: Iterable[str] = (),
    order: Iterable[str] = (),
    net: bool = False,
) -> Aggregate:
    """Totals for a cut, grouped by the drilldown dimensions, ordered (``amount:desc``, the
    default, or any drilldown dimension). Cells with nothing in them are left out. ``net``
    leaves out the transfers between public bodies within the cut's places."""
    return aggregate_many(cut=cut, drilldowns=[list(drilldown)], order=order, net=net)[0]


def aggregate_many(
    *,
    cut: Cut | None = None,
    drilldowns: list[list[str]],
    order: Iterable[str] = (),
    net: bool = False,
) -> list[Aggregate]:
    """Several breakdowns of one cut from a single rollup query (grouped by all their fields);
    ``net``: less the transfers within the cut's places (``ledger.calculations.transfers``)."""
    cut = cut or Cut()
    drilldowns = [list(dict.fromkeys(d)) for d in drilldowns]
    for name in (n for d in drilldowns for n in d):
        if name not in DIMENSIONS:
            raise CutError(
                f"unknown dimension “{name}” in drilldown; use one of {dimension_names()}"
            )
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
    if net:
        rows += transfer_rows(cut, group_fields)
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
