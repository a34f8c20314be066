"""Read API for national datasets: datasets with their editions, an edition, its lines.

Approved editions (superseded ones too) are everyone's; every other edition only dataset
editors'. An edition a user may not see is a 404.
"""

from django.http import Http404
from django_filters import rest_framework as filters
from rest_framework import generics, mixins, viewsets

from ledger.models import Basis, Dataset, DatasetEdition, DatasetLine
from ledger.selectors.datasets import (
    dataset_edition_get,
    dataset_edition_lines,
    dataset_editions_visible,
    dataset_get,
    datasets_visible,
)
from totalplace.pagination import KeysetPagination
from totalplace.query_params import KnownQueryParameters

from .dataset_serializers import DatasetEditionSerializer, DatasetLineSerializer, DatasetSerializer
from .lines import cut_filter


class DatasetViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """National datasets (DLUHC revenue tables by authority, HM Treasury's Country and Regional
    Analysis), each with its editions: years (and which the count uses), money read, loaded and
    excluded by reason, lines, and the bodies listed as not reported."""

    serializer_class = DatasetSerializer
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        return datasets_visible(user=self.request.user)

    def get_object(self) -> Dataset:
        try:
            return dataset_get(user=self.request.user, slug=self.kwargs["slug"])
        except Dataset.DoesNotExist as exc:
            raise Http404(f"No dataset “{self.kwargs['slug']}”.") from exc


class DatasetEditionViewSet(
    KnownQueryParameters, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """One edition of a dataset: its status, years, money account and bodies not reported."""

    serializer_class = DatasetEditionSerializer
    filter_backends = []

    def get_queryset(self):
        return dataset_editions_visible(user=self.request.user)

    def get_object(self) -> DatasetEdition:
        try:
            return dataset_edition_get(user=self.request.user, pk=int(self.kwargs["pk"]))
        except (DatasetEdition.DoesNotExist, ValueError) as exc:
            raise Http404("No such dataset edition.") from exc


class DatasetLineFilter(filters.FilterSet):
    place = filters.CharFilter(
        method="filter_place", help_text="place code or slug; includes the places below it"
    )
    organisation = filters.CharFilter(method="filter_organisation", help_text="organisation code")
    theme = filters.CharFilter(method="filter_theme", help_text="theme code; includes sub-themes")
    year = filters.CharFilter(method="filter_year", help_text="financial year, e.g. 2017-18")
    basis = filters.ChoiceFilter(choices=Basis.choices)

    filter_place = cut_filter("place")
    filter_organisation = cut_filter("organisation")
    filter_theme = cut_filter("theme")
    filter_year = cut_filter("year")


class DatasetEditionLinesView(KnownQueryParameters, generics.ListAPIView):
    """An edition's lines (a figure of the file, or its share, in one place), each with where
    its figure is in the file and its driver; ordered by id and paged by cursor."""

    serializer_class = DatasetLineSerializer
    filterset_class = DatasetLineFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema: no edition to look up
            return DatasetLine.objects.none()
        try:
            edition = dataset_edition_get(user=self.request.user, pk=self.kwargs["pk"])
        except DatasetEdition.DoesNotExist as exc:
            raise Http404("No such dataset edition.") from exc
        return dataset_edition_lines(edition=edition)
