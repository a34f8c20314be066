"""Savings from forecast to cash: statuses, realisations and the ledger check."""

import uuid

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from ledger.apis.serializers import money_field
from ledger.models import FinancialYear, Organisation, Place, SpendReturn
from pilots.apis.permissions import require_lead_for_payload
from pilots.models import Initiative, Pilot, Programme
from pilots.selectors.access import visible_initiatives
from savings.models import Saving, SavingStatus
from savings.selectors.realisation import (
    NOT_TRANSFERABLE,
    ledger_checks,
    realisation,
    savings_for,
    savings_visible,
)
from savings.services.realisation import (
    saving_agree,
    saving_cash,
    saving_not_realised,
    saving_propose,
)
from totalplace.query_params import KnownQueryParameters

# What kind of figure each status makes a saving's amount (issue 18: the API says so).
FIGURE = {
    SavingStatus.PROPOSED: "forecast",
    SavingStatus.AGREED: "agreed",
    SavingStatus.CASHED: "cashed",
    SavingStatus.NOT_REALISED: "forecast",
}
SCOPES = ("initiative", "pilot", "place", "programme")


class LedgerYearSerializer(serializers.Serializer):
    financial_year = serializers.CharField()
    amount = money_field()
    lines = serializers.IntegerField()


class LedgerCheckSerializer(serializers.Serializer):
    """The receiver's approved spend on the initiative's theme in the footprint, by year."""

    baseline_year = serializers.CharField()
    baseline = money_field(help_text="The receiver's spend on the theme there that year")
    impossible = serializers.BooleanField(help_text="The forecast exceeds that baseline spend")
    years = LedgerYearSerializer(many=True)


class SavingSerializer(serializers.ModelSerializer):
    """A saving claimed for one organisation in one year and what became of it. ``figure``
    says what kind of figure it now is: a forecast, agreed by both sides, or cashed."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    initiative = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Initiative.objects.all()
    )
    payer = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    receiver = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    financial_year = serializers.SlugRelatedField(
        slug_field="code", queryset=FinancialYear.objects.all()
    )
    forecast = money_field(min_value=0)
    figure = serializers.SerializerMethodField()
    realised = money_field(read_only=True, allow_null=True)
    realised_year = serializers.SlugRelatedField(slug_field="code", read_only=True)
    spend_return = serializers.PrimaryKeyRelatedField(read_only=True)
    ledger_check = serializers.SerializerMethodField()

    class Meta:
        model = Saving
        fields = [
            "id", "initiative", "payer", "receiver", "financial_year", "forecast", "is_cashable",
            "description", "status", "figure", "payer_agreed_at", "receiver_agreed_at",
            "realised", "realised_year", "spend_return", "not_realised_reason", "ledger_check",
        ]  # fmt: skip
        read_only_fields = [
            "status", "payer_agreed_at", "receiver_agreed_at", "not_realised_reason",
        ]  # fmt: skip

    def get_figure(self, saving: Saving) -> str:
        return FIGURE[saving.status]

    @extend_schema_field(LedgerCheckSerializer(allow_null=True))
    def get_ledger_check(self, saving: Saving) -> dict | None:
        check = self.context.get("ledger_checks", {}).get(saving.pk)
        return LedgerCheckSerializer(check).data if check else None


class SavingCashSerializer(serializers.Serializer):
    amount = money_field(min_value=0)
    financial_year = serializers.SlugRelatedField(
        slug_field="code", queryset=FinancialYear.objects.all()
    )
    spend_return = serializers.PrimaryKeyRelatedField(
        queryset=SpendReturn.objects.all(), required=False, allow_null=True
    )


class SavingNotRealisedSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RealisationRowSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    financial_year = serializers.CharField()
    forecast = money_field()
    cashable = money_field()
    non_cashable = money_field()
    agreed = money_field()
    realised = money_field()
    not_realised = money_field()
    gap = money_field(help_text="forecast − realised")


class RealisationSerializer(serializers.Serializer):
    """Forecast against realised by receiving organisation and year, for one scope."""

    scope = serializers.CharField()
    key = serializers.CharField()
    caveat = serializers.CharField(allow_null=True)
    rows = RealisationRowSerializer(many=True)
    total = RealisationRowSerializer()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("initiative", description="Initiative id (a UUID)"),
            OpenApiParameter("status", enum=SavingStatus.values),
        ]
    )
)
class SavingViewSet(
    KnownQueryParameters,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Savings claimed by initiatives, each with its status, who agreed it, what was cashed
    and its ledger check. Leads propose (POST); members of the paying or the receiving
    organisation agree (``/agree/``); the receiver's members record it cashed (``/cash/``);
    either side or a lead records it not realised (``/not-realised/``)."""

    serializer_class = SavingSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    permission_classes = [IsAuthenticatedOrReadOnly]
    query_parameters = {"list": ("initiative", "status"), "realisation": ("scope", "key")}

    def get_queryset(self):
        rows = (
            savings_visible(user=self.request.user)
            .select_related(
                "initiative__pilot",
                "initiative__baseline_year",
                "initiative__service_theme",
                "initiative__deep_dive",
                "payer",
                "receiver",
                "financial_year",
                "realised_year",
            )
            .order_by("financial_year__start_date", "receiver__name", "id")
        )
        if initiative := self.request.query_params.get("initiative"):
            rows = rows.filter(initiative__public_id=_uuid(initiative, "initiative"))
        if wanted := self.request.query_params.get("status"):
            if wanted not in SavingStatus.values:
                raise ValidationError({"status": [f"Choose one of {', '.join(SavingStatus)}."]})
            rows = rows.filter(status=wanted)
        return rows

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "ledger_checks": getattr(self, "_checks", {})}

    def _with_checks(self, savings) -> dict:
        self._checks = {c.saving.pk: c for c in ledger_checks(savings=savings)}
        return self.get_serializer_context()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = self._with_checks(page)
        data = SavingSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        saving = self.get_object()
        return Response(SavingSerializer(saving, context=self._with_checks([saving])).data)

    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send an object with the fields."]})
        require_lead_for_payload(request, initiative_id=request.data.get("initiative"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        saving = saving_propose(initiative=fields.pop("initiative"), actor=request.user, **fields)
        return self._answer(saving, status.HTTP_201_CREATED)

    def _answer(self, saving, code=status.HTTP_200_OK) -> Response:
        saving = self.get_queryset().get(pk=saving.pk)
        return Response(SavingSerializer(saving, context=self._with_checks([saving])).data, code)

    @extend_schema(request=None, responses=SavingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def agree(self, request, id=None):
        """Agree the saving for the caller's organisation (the payer's or the receiver's)."""
        return self._answer(saving_agree(saving=self.get_object(), actor=request.user))

    @extend_schema(request=SavingCashSerializer, responses=SavingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def cash(self, request, id=None):
        """Record the agreed saving as cashed: amount, year and the receiver's return."""
        body = SavingCashSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            saving_cash(saving=self.get_object(), actor=request.user, **body.validated_data)
        )

    @extend_schema(request=SavingNotRealisedSerializer, responses=SavingSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="not-realised",
        url_name="not-realised",
        permission_classes=[IsAuthenticated],
    )
    def not_realised(self, request, id=None):
        """Record that the saving was not realised, and why."""
        body = SavingNotRealisedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            saving_not_realised(saving=self.get_object(), actor=request.user, **body.validated_data)
        )

    @extend_schema(
        responses=RealisationSerializer,
        parameters=[
            OpenApiParameter("scope", enum=SCOPES, required=True),
            OpenApiParameter("key", required=True, description="Initiative id or slug"),
        ],
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def realisation(self, request):
        """Forecast against realised by receiving organisation and year for an initiative,
        pilot, place or programme; totals across initiatives carry the caveat that savings
        are local and not transferable."""
        scope, key = request.query_params.get("scope"), request.query_params.get("key", "")
        subject = _subject(scope, key.strip(), request.user)
        visible = visible_initiatives(user=request.user)
        rows, total = realisation(savings=savings_for(subject=subject, initiatives=visible))
        body = {
            "scope": scope,
            "key": key,
            "caveat": None if scope == "initiative" else NOT_TRANSFERABLE,
            "rows": rows,
            "total": total,
        }
        return Response(RealisationSerializer(body).data)


def _uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({name: ["An id is a UUID."]}) from None


def _subject(scope: str | None, key: str, user):
    if scope not in SCOPES:
        raise ValidationError({"scope": [f"Choose one of {', '.join(SCOPES)}."]})
    if scope == "initiative":
        found = visible_initiatives(user=user).filter(public_id=_uuid(key, "key")).first()
    else:
        model = {"pilot": Pilot, "place": Place, "programme": Programme}[scope]
        found = model.objects.filter(slug=key).first()
    if found is None:
        raise NotFound(f"No {scope} “{key}”.")
    return found
