"""Read API for spend lines: approved lines, filtered like the aggregate's cut, cursor-paged."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ledger.calculations.cuts import Cut, CutError
from ledger.models import Basis, Sector
from ledger.selectors.access import spend_lines_visible
from totalplace.pagination import KeysetPagination
from totalplace.query_params import KnownQueryParameters

from .serializers import SpendLineSerializer


def cut_filter(dimension: str):
    def apply(self, queryset, name, value):
        try:
            return queryset.filter(Cut({dimension: value.split(";")}).q())
        except CutError as exc:
            raise serializers.ValidationError({name: [str(exc)]}) from exc

    return apply


class SpendLineFilter(filters.FilterSet):
    place = filters.CharFilter(
        method="filter_place", help_text="place code or slug; includes the places below it"
    )
    organisation = filters.CharFilter(method="filter_organisation", help_text="organisation code")
    theme = filters.CharFilter(method="filter_theme", help_text="theme code; includes sub-themes")
    year = filters.CharFilter(method="filter_year", help_text="financial year, e.g. 2010-11")
    sector = filters.ChoiceFilter(choices=Sector.choices, field_name="organisation__sector")
    basis = filters.ChoiceFilter(choices=Basis.choices)
    spend_return = filters.NumberFilter(
        method="filter_spend_return",
        help_text="lines of one spend return (a draft's only for its organisation's members)",
    )

    filter_place = cut_filter("place")
    filter_organisation = cut_filter("organisation")
    filter_theme = cut_filter("theme")
    filter_year = cut_filter("year")

    def filter_spend_return(self, queryset, name, value):
        return queryset.filter(spend_return_id=value)


class SpendLineViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Lines of approved spend returns (or of one visible return with ``spend_return``),
    ordered by id and paged by cursor so deep pages stay fast."""

    serializer_class = SpendLineSerializer
    filterset_class = SpendLineFilter
    pagination_class = KeysetPagination  # by id: a page of 10M lines is one index range

    def get_queryset(self):
        spend_return = self.request.query_params.get("spend_return", "")
        lines = spend_lines_visible(
            user=self.request.user,
            spend_return_id=int(spend_return) if spend_return.isdigit() else None,
        )
        return lines.select_related("place", "organisation", "theme", "financial_year")
