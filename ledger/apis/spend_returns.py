"""Read API for spend returns: approved ones for everyone, the rest to their organisation.

Writes (creating and uploading returns with a token) live in ``ledger/apis/returns.py``.
"""

from django_filters import rest_framework as filters
from rest_framework import viewsets

from ledger.models import SpendReturnStatus
from ledger.selectors.access import spend_returns_visible
from totalplace.query_params import KnownQueryParameters

from .serializers import SpendReturnSerializer


class SpendReturnFilter(filters.FilterSet):
    organisation = filters.CharFilter(field_name="organisation__code")
    financial_year = filters.CharFilter(field_name="financial_year__code")
    status = filters.ChoiceFilter(choices=SpendReturnStatus.choices)


class SpendReturnViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Spend returns. Everyone sees approved returns; members of an organisation also see its
    drafts, submitted, sent-back and superseded versions."""

    serializer_class = SpendReturnSerializer
    filterset_class = SpendReturnFilter

    def get_queryset(self):
        return spend_returns_visible(user=self.request.user)
