"""Read API for reference data: places, organisations, themes, financial years, place totals."""

from decimal import Decimal

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from ledger.calculations.coverage import mask_to_months
from ledger.calculations.cuts import Cut, place_subtree_ids
from ledger.calculations.places import subtree_totals
from ledger.calculations.totals import aggregate_many
from ledger.calculations.transfers import transfers_within
from ledger.models import FinancialYear, Organisation, Place, PlaceKind, Sector, ServiceTheme
from ledger.pages.common import as_of
from ledger.selectors.count import not_reported_by_place
from ledger.selectors.coverage import YearCoverage, place_coverage
from ledger.selectors.places import place_list, places_have_illustrative_data
from totalplace.query_params import KnownQueryParameters

from .caching import cached_response
from .serializers import (
    TRANSFERS,
    TRANSFERS_HELP,
    FinancialYearSerializer,
    OrganisationSerializer,
    PlaceSerializer,
    PlaceTotalsSerializer,
    ServiceThemeSerializer,
    transfers_param,
)


class PlaceFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PlaceKind.choices)
    parent = filters.CharFilter(method="filter_parent", help_text="parent place code")
    search = filters.CharFilter(method="filter_search", help_text="name or any code")

    class Meta:
        model = Place
        fields = ["kind"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__in=Place.objects.by_code(value))

    def filter_search(self, queryset, name, value):
        return queryset.filter(pk__in=place_list(search=value).values("pk"))


class CodeLookupMixin:
    """Objects are addressed by their code (a place also by its GSS, SNAC or former code)."""

    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_object(self):
        code = self.kwargs["code"]
        found = self.lookup(self.get_queryset(), code).first()
        if found is None:
            raise Http404(f"No {self.queryset.model._meta.verbose_name} with code “{code}”.")
        return found


class PlaceViewSet(KnownQueryParameters, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Places: regions, counties, districts, unitaries, with their GSS and legacy codes."""

    queryset = Place.objects.select_related("parent").order_by("name", "pk")
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    query_parameters = {"totals": ("year", "transfers")}

    @staticmethod
    def lookup(queryset, code):
        return queryset.filter(pk__in=Place.objects.by_code(code).values("pk")) or queryset.filter(
            slug=code.lower()
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("year", str, description="financial year, e.g. 2010-11"),
            OpenApiParameter(
                "transfers", str, enum=list(TRANSFERS), description=f"{TRANSFERS_HELP}; default net"
            ),
        ],
        responses=PlaceTotalsSerializer,
    )
    @action(detail=True, methods=["get"])
    def totals(self, request, code=None):
        """A place's totals (it and every place below it), per year with per head, and for one
        year (default the latest) by sector, theme and basis. From the rollups."""
        wanted = request.query_params.get("year")
        net = transfers_param(request.query_params, default="net")
        # Keyed by the code as asked, so a cached answer needs no place lookup at all (that
        # lookup, across every kind of code, cost more than the rest of the request).
        return cached_response(
            request,
            "place-totals",
            {"code": code, "year": wanted, "net": net},
            lambda: self._totals(self.get_object(), wanted, net),
        )

    def _totals(self, place, wanted, net: bool):
        years = subtree_totals([place], net=net)
        chosen = next((r.year for r in years if r.year.code == wanted), None)
        if wanted and chosen is None:
            raise Http404(f"No approved spend in {place.name} for “{wanted}”.")
        chosen = chosen or (years[-1].year if years else None)
        coverage = place_coverage(place=place)
        breakdown = {"by_sector": [], "by_theme": [], "by_basis": []}
        if chosen:
            cut = Cut({"place": [place.code], "year": [chosen.code]})
            dims = {"by_sector": "sector", "by_theme": "theme_group", "by_basis": "basis"}
            results = aggregate_many(cut=cut, drilldowns=[[d] for d in dims.values()], net=net)
            for (key, dim), result in zip(dims.items(), results, strict=True):
                breakdown[key] = [
                    {**c.members[dim].as_dict(), "amount": c.amount, "lines": c.lines}
                    for c in result.cells
                ]
        data = {
            "place": {"code": place.code, "name": place.name},
            "includes_places_below": True,
            "illustrative": places_have_illustrative_data(place_ids=place_subtree_ids([place.pk])),
            "as_of": as_of(),
            "years": [
                {
                    "year": r.year.code,
                    "amount": r.amount,
                    "lines": r.lines,
                    "population": r.persons,
                    "population_year": r.persons_year or None,
                    "per_head": r.per_head,
                    "coverage": _coverage(coverage.get(r.year.pk, YearCoverage(r.year))),
                }
                for r in years
            ],
            "year": chosen.code if chosen else None,
            "transfers": "net" if net else "gross",
            # Gross counts every payment, in the payer's figures.
            "counted_nowhere": transfers_within(place, chosen).counted_nowhere
            if net and chosen
            else Decimal(0),
            **breakdown,
            "not_reported": _not_reported(place),
        }
        return PlaceTotalsSerializer(data).data


class OrganisationFilter(filters.FilterSet):
    sector = filters.ChoiceFilter(choices=Sector.choices)
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields = ["sector"]


class OrganisationViewSet(KnownQueryParameters, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Public bodies that spend money: councils, PCTs, police authorities, departments."""

    queryset = Organisation.objects.select_related("parent", "home_place").order_by("name", "pk")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter

    @staticmethod
    def lookup(queryset, code):
        return queryset.filter(pk__in=Organisation.objects.by_code(code).values("pk"))


class ServiceThemeViewSet(KnownQueryParameters, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """What money is spent on: themes and sub-themes."""

    queryset = ServiceTheme.objects.select_related("parent").order_by("sort_order", "name", "pk")
    serializer_class = ServiceThemeSerializer
    filterset_fields = []

    @staticmethod
    def lookup(queryset, code):
        return queryset.filter(code=code)


class FinancialYearViewSet(KnownQueryParameters, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """UK public-sector financial years (1 April to 31 March)."""

    queryset = FinancialYear.objects.order_by("start_date")
    serializer_class = FinancialYearSerializer
    filterset_fields = []

    @staticmethod
    def lookup(queryset, code):
        return queryset.filter(code=code)


def _not_reported(place) -> list[dict]:
    """Bodies of the place (and below) that current dataset editions list as not reported."""
    found = not_reported_by_place(
        place_ids=place_subtree_ids([place.pk]),
        year_ids=list(FinancialYear.objects.values_list("pk", flat=True)),
    )
    return [
        {
            "year": n.financial_year.code,
            "organisation": {"code": n.organisation.code, "name": n.organisation.name},
            "dataset": n.edition.dataset.title,
            "edition": n.edition.edition,
            "complete": n.complete,
        }
        for rows in found.values()
        for n in rows
    ]


def _months(mask: int | None) -> list[int] | None:
    return None if mask is None else mask_to_months(mask)


def _coverage(coverage: YearCoverage) -> dict:
    """The months a year's total covers, and each counted body's."""
    return {
        "months": _months(coverage.months),
        "part_year": coverage.part_year,
        "label": coverage.summary,
        "by_organisation": [
            {
                "organisation": {"code": b.organisation.code, "name": b.organisation.name},
                "months": b.month_numbers,
                "label": b.label,
                "part_year": b.part_year,
            }
            for b in coverage.bodies
        ],
    }
