"""The count of a place: which figures it uses for a body, a year and a place, never two.

Counting Cumbria and the Total Place pilots counted a place twice, bottom-up (each body's own
figures) and top-down (national figures by region, apportioned), and for the count took each
body's own figures where it had them, else the estimate. Here every source has a *rank*: an
approved spend return ranks (0, 0); a dataset ranks (its precedence, its id), so a published
outturn (20) beats a top-down estimate (100), and two datasets never tie.

A source *covers* the places below the ones it puts money in (a county council's return covers
its districts), for its body and year. A dataset line is left out of the count when a better
source covers its place for the same body and year, or for a body its figure includes:
- its *children* (an NHS trust's own return covers that part of its department's estimate), and
- for a *sector total* (``Organisation.aggregate_of``: "Local government in England" in HM
  Treasury's CRA), any body of those sectors.
That leaves a department's estimate out wholly where one of its agencies has returned figures
for the place: an undercount the coverage tables show, never money counted twice.

``count_blocks`` lists, for each (body, year, place), the best rank that covers it; the rollups
(``ledger.services.rollups``) and the reconciliation leave out the dataset lines it outranks.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from asgiref.local import Local
from django.core.signals import request_finished, request_started

from ledger.models import (
    RETURN_PRECEDENCE,
    DatasetEditionYear,
    DatasetLine,
    Organisation,
    Place,
    SpendReturn,
    SpendReturnStatus,
)

Key = tuple[int, int]  # (organisation id, financial year id)
Rank = tuple[int, int]  # (precedence, dataset id); a spend return is (0, 0)
RETURN_RANK: Rank = (RETURN_PRECEDENCE, 0)


@dataclass(frozen=True)
class Coverage:
    """A source of figures for a body and year, and the places it covers."""

    organisation_id: int
    financial_year_id: int
    place_ids: frozenset[int]
    rank: Rank


class PlaceTree:
    """Every place's children, in memory (a few hundred): subtrees without a query each."""

    def __init__(self):
        self.children: dict[int, list[int]] = defaultdict(list)
        self.parent: dict[int, int | None] = {}
        for pk, parent_id in Place.objects.values_list("pk", "parent_id"):
            self.parent[pk] = parent_id
            if parent_id:
                self.children[parent_id].append(pk)
        self._subtrees: dict[int, frozenset[int]] = {}

    def subtree(self, place_id: int) -> frozenset[int]:
        found = self._subtrees.get(place_id)
        if found is None:
            ids, frontier = [place_id], [place_id]
            while frontier:
                frontier = [c for p in frontier for c in self.children.get(p, ())]
                ids += frontier
            found = self._subtrees[place_id] = frozenset(ids)
        return found

    def subtrees(self, place_ids: Iterable[int]) -> frozenset[int]:
        result: set[int] = set()
        for place_id in place_ids:
            result |= self.subtree(place_id)
        return frozenset(result)

    def ancestors(self, place_id: int) -> list[int]:
        found, current = [], self.parent.get(place_id)
        while current:
            found.append(current)
            current = self.parent.get(current)
        return found


class Bodies:
    """Each body's parent, sector, served places, and which sector totals stand for it."""

    def __init__(self):
        self.parent: dict[int, int | None] = {}
        self.sector: dict[int, str] = {}
        self.home: dict[int, int | None] = {}
        self.served: dict[int, list[int]] = defaultdict(list)
        self.aggregates_by_sector: dict[str, list[int]] = defaultdict(list)
        rows = Organisation.objects.values_list(
            "pk", "parent_id", "sector", "home_place_id", "aggregate_of"
        )
        for pk, parent_id, sector, home_place_id, aggregate_of in rows:
            self.parent[pk], self.sector[pk], self.home[pk] = parent_id, sector, home_place_id
            for covered in aggregate_of or ():
                self.aggregates_by_sector[covered].append(pk)
        for pk, place_id in Organisation.places.through.objects.values_list(
            "organisation_id", "place_id"
        ):
            self.served[pk].append(place_id)

    def standing_for(self, organisation_id: int) -> list[int]:
        """The bodies whose estimate includes this body's spend: itself, its parents up the
        tree, and the sector totals of its sector."""
        found, current = [organisation_id], self.parent.get(organisation_id)
        while current and current not in found:
            found.append(current)
            current = self.parent.get(current)
        for aggregate in self.aggregates_by_sector.get(self.sector.get(organisation_id, ""), ()):
            if aggregate not in found:
                found.append(aggregate)
        return found

    def dependents(self, organisation_id: int) -> list[int]:
        """``standing_for`` without the body itself: whose count may change with its figures."""
        return self.standing_for(organisation_id)[1:]


# Within one request a page asks for the tree and the bodies many times over (a county page:
# 18 times, 0.45 s of its 0.9 s). They are read once per request; outside a request (tasks,
# services, tests calling selectors) every call reads them afresh, as data may have changed.
_request = Local()


def _request_began(**kwargs) -> None:
    _request.memo = {}


def _request_ended(**kwargs) -> None:
    _request.memo = None


request_started.connect(_request_began, dispatch_uid="precedence_memo_begin")
request_finished.connect(_request_ended, dispatch_uid="precedence_memo_end")


def per_request(key, build: Callable):
    """``build()``, kept under ``key`` for the rest of this request (afresh outside one)."""
    memo = getattr(_request, "memo", None)
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def place_tree() -> PlaceTree:
    """The place tree, read once per request (afresh outside one)."""
    return per_request("place_tree", PlaceTree)


def bodies_index() -> Bodies:
    """Every body's parents, sector and places, read once per request (afresh outside one)."""
    return per_request("bodies", Bodies)


def _return_coverage(tree: PlaceTree, bodies: Bodies, years: set[int] | None) -> list[Coverage]:
    returns = SpendReturn.objects.filter(status=SpendReturnStatus.APPROVED)
    if years is not None:
        returns = returns.filter(financial_year_id__in=years)
    found = []
    for organisation_id, year_id, place_id in returns.values_list(
        "organisation_id", "financial_year_id", "place_id"
    ):
        if place_id:
            places = [place_id]
        else:  # a return for the whole body covers everywhere it serves
            places = bodies.served[organisation_id] + [
                p for p in [bodies.home[organisation_id]] if p
            ]
        found.append(Coverage(organisation_id, year_id, tree.subtrees(places), RETURN_RANK))
    return found


def current_dataset_ranks(years: set[int] | None = None) -> dict[tuple[int, int], Rank]:
    """(edition, year) → rank, for every edition that is the current one for a year."""
    rows = DatasetEditionYear.objects.filter(is_current=True)
    if years is not None:
        rows = rows.filter(financial_year_id__in=years)
    return {
        (edition_id, year_id): (precedence, dataset_id)
        for edition_id, year_id, precedence, dataset_id in rows.values_list(
            "edition_id",
            "financial_year_id",
            "edition__dataset__precedence",
            "edition__dataset_id",
        )
    }


def _dataset_coverage(
    tree: PlaceTree, ranks: dict[tuple[int, int], Rank], below: Rank
) -> list[Coverage]:
    """What the current dataset editions cover, for those that outrank at least one other."""
    useful = {key: rank for key, rank in ranks.items() if rank < below}
    if not useful:
        return []
    places: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    rows = (
        DatasetLine.objects.filter(edition_id__in={e for e, _ in useful})
        .values_list("edition_id", "financial_year_id", "organisation_id", "place_id")
        .distinct()
        .order_by()
    )
    for edition_id, year_id, organisation_id, place_id in rows:
        if (edition_id, year_id) in useful:
            places[(edition_id, year_id, organisation_id)].add(place_id)
    return [
        Coverage(organisation_id, year_id, tree.subtrees(found), useful[(edition_id, year_id)])
        for (edition_id, year_id, organisation_id), found in places.items()
    ]


def count_blocks(*, years: set[int] | None = None) -> dict[tuple[int, int, int], Rank]:
    """(body, year, place) → the best rank of any source covering it, for every place where a
    dataset line could be outranked. A dataset line ranked worse than its entry is left out."""
    ranks = current_dataset_ranks(years)
    if not ranks:
        return {}
    worst = max(ranks.values())
    tree, bodies = PlaceTree(), Bodies()
    coverage = _return_coverage(tree, bodies, years) + _dataset_coverage(tree, ranks, worst)
    blocks: dict[tuple[int, int, int], Rank] = {}
    for entry in coverage:
        if entry.rank >= worst:
            continue  # outranks nothing that exists
        for organisation_id in bodies.standing_for(entry.organisation_id):
            for place_id in entry.place_ids:
                key = (organisation_id, entry.financial_year_id, place_id)
                if key not in blocks or entry.rank < blocks[key]:
                    blocks[key] = entry.rank
    return blocks


def dependent_keys(keys: Iterable[Key]) -> set[Key]:
    """The organisation-years whose count may change when these ones' figures change: the
    parents and sector totals standing for each body (their estimates give way to it)."""
    keys = set(keys)
    years = {year_id for _, year_id in keys}
    ranks = current_dataset_ranks(years)
    if not ranks:
        return keys  # no dataset figures for these years: nothing can give way
    bodies = Bodies()
    candidates = {
        (dependent, year_id)
        for organisation_id, year_id in keys
        for dependent in bodies.dependents(organisation_id)
    }
    # Only bodies with dataset figures in the year have an estimate that can give way.
    with_figures = set(
        DatasetLine.objects.filter(
            edition_id__in={edition for edition, _ in ranks},
            organisation_id__in={o for o, _ in candidates},
            financial_year_id__in=years,
        )
        .values_list("organisation_id", "financial_year_id")
        .distinct()
        .order_by()
    )
    return keys | (candidates & with_figures)
