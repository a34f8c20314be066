"""The count of a place for a year, as the place page shows it: the total, split by basis
(returned or estimated top-down), by who controls the money and by sector; each body with the
source its figures come from; and coverage (expected bodies with no figures, bodies not
reported)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from ledger.calculations.cuts import Cut, place_subtree_ids
from ledger.calculations.places import subtree_totals
from ledger.calculations.totals import aggregate_many
from ledger.models import Basis, DatasetEdition, FinancialYear, Place
from ledger.pages.common import as_of
from ledger.selectors.count import ESTIMATED, RETURNED, count_coverage, count_sources
from ledger.selectors.places import places_have_illustrative_data
from totalplace.query_params import KnownQueryParameters

from .caching import cached_response
from .reference import PlaceViewSet
from .serializers import (
    TRANSFERS,
    TRANSFERS_HELP,
    MemberSerializer,
    TotalSerializer,
    money_field,
    transfers_param,
)

BASES = {
    RETURNED: "Returned: the bodies' own figures",
    ESTIMATED: "Estimated: top-down, apportioned from national figures",
}


class SourceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="returns, or edition-<id>")
    name = serializers.CharField()


class CountBodySerializer(serializers.Serializer):
    organisation = MemberSerializer()
    sector = serializers.CharField()
    amount = money_field()
    lines = serializers.IntegerField()
    basis = serializers.CharField(help_text="returned (its own figures) or estimated (top-down)")
    source = SourceSerializer()


class ExpectedBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    sector = serializers.CharField()


class SilentBodySerializer(serializers.Serializer):
    organisation = MemberSerializer()
    source = SourceSerializer(help_text="The dataset edition that lists it without figures")
    complete = serializers.BooleanField(help_text="Every figure of its row is missing")
    missing_figures = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    complete = serializers.BooleanField()
    expected = ExpectedBodySerializer(many=True, help_text="Expected bodies with no figures")
    not_reported = SilentBodySerializer(many=True, help_text="Listed with no figures: not £0")
    top_down = SourceSerializer(
        many=True,
        help_text="The top-down editions national bodies' figures come from for the year "
        "(none: national bodies are not counted)",
    )


class TotalAmountSerializer(serializers.Serializer):
    amount = money_field()
    lines = serializers.IntegerField()


class PlaceCountSerializer(serializers.Serializer):
    place = MemberSerializer()
    includes_places_below = serializers.BooleanField()
    year = serializers.CharField(allow_null=True)
    years = serializers.ListField(child=serializers.CharField(), help_text="Years with figures")
    illustrative = serializers.BooleanField()
    as_of = serializers.DateTimeField(allow_null=True)
    transfers = serializers.ChoiceField(choices=TRANSFERS, help_text=TRANSFERS_HELP)
    total = TotalAmountSerializer()
    by_basis = TotalSerializer(many=True)
    by_control = TotalSerializer(many=True)
    by_sector = TotalSerializer(many=True)
    bodies = CountBodySerializer(many=True)
    coverage = CoverageSerializer()


def _source(edition_id: int, editions: dict) -> dict:
    if not edition_id:
        return {"code": "returns", "name": "Approved spend returns"}
    edition = editions[edition_id]
    return {"code": f"edition-{edition_id}", "name": f"{edition.dataset.title}, {edition.edition}"}


def _totals(result, dimension: str) -> list[dict]:
    return [
        {**cell.members[dimension].as_dict(), "amount": cell.amount, "lines": cell.lines}
        for cell in result.cells
    ]


def _by_basis(result) -> list[dict]:
    """Direct and apportioned lines are both the bodies' own figures: one row, "returned"."""
    merged: dict[str, dict] = {}
    for cell in result.cells:
        code = ESTIMATED if cell.members["basis"].code == Basis.ESTIMATED else RETURNED
        row = merged.setdefault(code, {"code": code, "name": BASES[code], "amount": 0, "lines": 0})
        row["amount"] += cell.amount
        row["lines"] += cell.lines
    return sorted(merged.values(), key=lambda r: (-r["amount"], r["code"]))


def place_count(
    place: Place, year: FinancialYear | None, years: list[str], *, net: bool = True
) -> dict:
    """The count of ``place`` (and the places below it) for ``year``; ``net`` of transfers
    between its public bodies unless asked for gross."""
    subtree = place_subtree_ids([place.pk])
    data = {
        "place": {"code": place.code, "name": place.name},
        "includes_places_below": True,
        "year": year.code if year else None,
        "years": years,
        "as_of": as_of(),
        "transfers": "net" if net else "gross",
        "total": {"amount": 0, "lines": 0},
        "by_basis": [],
        "by_control": [],
        "by_sector": [],
        "bodies": [],
        "coverage": {"complete": True, "expected": [], "not_reported": [], "top_down": []},
        "illustrative": places_have_illustrative_data(place_ids=subtree),
    }
    if year is None:
        return data
    cut = Cut({"place": [place.code], "year": [year.code]})
    basis, control, sector = aggregate_many(
        cut=cut, drilldowns=[["basis"], ["control"], ["sector"]], net=net
    )
    used = count_sources(place=place, year=year)
    coverage = count_coverage(place=place, year=year)
    edition_ids = {u.edition_id for u in used} | {n.edition_id for n in coverage.not_reported}
    edition_ids |= {y.edition_id for y in coverage.top_down}
    editions = DatasetEdition.objects.select_related("dataset").in_bulk(edition_ids - {0})
    data.update(
        total={"amount": basis.amount, "lines": basis.lines},
        by_basis=_by_basis(basis),
        by_control=_totals(control, "control"),
        by_sector=_totals(sector, "sector"),
        bodies=[
            {
                "organisation": {"code": u.organisation.code, "name": u.organisation.name},
                "sector": u.organisation.sector,
                "amount": u.amount,
                "lines": u.lines,
                "basis": u.basis,
                "source": _source(u.edition_id, editions),
            }
            for u in used
        ],
        coverage={
            "complete": coverage.complete,
            "expected": [
                {"code": o.code, "name": o.name, "sector": o.sector} for o in coverage.expected
            ],
            "not_reported": [
                {
                    "organisation": {"code": n.organisation.code, "name": n.organisation.name},
                    "source": _source(n.edition_id, editions),
                    "complete": n.complete,
                    "missing_figures": n.cells,
                }
                for n in coverage.not_reported
            ],
            "top_down": [_source(y.edition_id, editions) for y in coverage.top_down],
        },
    )
    data["illustrative"] |= any(
        editions[u.edition_id].is_illustrative for u in used if u.edition_id
    )
    return data


@extend_schema(
    parameters=[
        OpenApiParameter(
            "year", str, description="financial year, e.g. 2017-18; default: the latest one"
        ),
        OpenApiParameter(
            "transfers", str, enum=list(TRANSFERS), description=f"{TRANSFERS_HELP}; default net"
        ),
    ],
    responses=PlaceCountSerializer,
)
class PlaceCountView(KnownQueryParameters, APIView):
    """The count of a place (and every place below it) for a year: each body counted once,
    from its approved spend return, else a published table of its own figures, else a
    top-down estimate; the total by basis, control and sector; the source of each body's
    figures; and coverage: expected bodies with no figures, and bodies not reported (never
    £0). From the rollups, so it matches the place page and the aggregate."""

    query_parameters = ("year", "transfers")

    def get(self, request, code: str):
        wanted = request.query_params.get("year", "")
        net = transfers_param(request.query_params, default="net")
        return cached_response(
            request,
            "place-count",
            {"code": code, "year": wanted, "net": net},
            lambda: self._count(code, wanted, net),
        )

    def _count(self, code: str, wanted: str, net: bool) -> dict:
        place = PlaceViewSet.lookup(Place.objects.all(), code).first()
        if place is None:
            raise Http404(f"No place with code “{code}”.")
        years = [r.year for r in subtree_totals([place], net=net)]
        if wanted:
            year = FinancialYear.objects.filter(code=wanted).first()
            if year is None:
                raise Http404(f"No financial year “{wanted}”.")
        else:
            year = years[-1] if years else None
        return PlaceCountSerializer(place_count(place, year, [y.code for y in years], net=net)).data
