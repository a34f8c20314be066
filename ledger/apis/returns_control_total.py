"""A draft's declared control total, for token clients (as on the return's page): the total its
lines must add up to before it can be submitted."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.services.returns import spend_return_control_total_declare
from totalplace.parsers import LimitedFormParser, LimitedJSONParser

from .returns import PREFIX, TokenView
from .returns_serializers import OrganisationSpendReturnSerializer


class ControlTotalSerializer(serializers.Serializer):
    control_total = serializers.DecimalField(
        max_digits=17,
        decimal_places=2,
        allow_null=True,
        help_text='Pounds and pence as a string ("1234.50"); null declares none.',
    )


class SpendReturnControlTotal(TokenView, APIView):
    parser_classes = [LimitedJSONParser, LimitedFormParser]

    @extend_schema(
        summary="Declare a draft's control total",
        request=ControlTotalSerializer,
        responses=OrganisationSpendReturnSerializer,
    )
    def post(self, request, pk: int):
        """Sets (or with null clears) the total a draft's (or sent-back return's) lines must add
        up to before it is submitted. A file imported with its own control total in `replace`
        mode declares that total for the return; one added to lines already there does not."""
        incoming = ControlTotalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        spend_return_control_total_declare(
            spend_return=self.spend_return(pk),
            actor=request.user,
            control_total=incoming.validated_data["control_total"],
        )
        return Response(OrganisationSpendReturnSerializer(self.spend_return(pk)).data)


urlpatterns = [
    path(
        f"{PREFIX}spend-returns/<int:pk>/control-total/",
        SpendReturnControlTotal.as_view(),
        name="api-own-return-control-total",
    ),
]
