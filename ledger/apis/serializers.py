"""Serializers for the read API. Money is declared explicitly: decimal strings in pounds."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ledger.models import FinancialYear, Organisation, Place, ServiceTheme, SpendLine, SpendReturn
from totalplace.redact import without_paths


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A multipart file part: binary in the schema, where a plain FileField reads as a URL and
    generated clients would send one."""


def money_field(**kwargs) -> serializers.DecimalField:
    """Pounds as a decimal string ("1234.50"); MoneyField would otherwise map to an integer."""
    return serializers.DecimalField(max_digits=17, decimal_places=2, **kwargs)


class StoredMessageField(serializers.CharField):
    """A message stored by a job (an import's, an export's): shown without server paths."""

    def to_representation(self, value) -> str:
        return without_paths(super().to_representation(value))


TRANSFERS = ("net", "gross")
TRANSFERS_HELP = (
    "`net`: less payments from one public body to another that serves the place (counted "
    "once, in the receiver's own spending); `gross`: both counted"
)


def transfers_param(query_params, *, default: str) -> bool:
    """Whether the answer is net of transfers within the place; a ValidationError otherwise."""
    wanted = query_params.get("transfers") or default
    if wanted not in TRANSFERS:
        raise serializers.ValidationError(
            {"transfers": [f"Choose one of: {', '.join(TRANSFERS)}."]}
        )
    return wanted == "net"


class FinancialYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = FinancialYear
        fields = ["code", "start_date", "end_date"]


class PlaceSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Place
        fields = [
            "code",
            "gss_code",
            "snac_code",
            "slug",
            "name",
            "official_name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)
    home_place = serializers.CharField(source="home_place.code", default=None, read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "name", "sector", "kind", "parent", "home_place"]


class ServiceThemeSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = ServiceTheme
        fields = ["code", "name", "parent", "sort_order"]


class SpendReturnSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    financial_year = serializers.CharField(source="financial_year.code", read_only=True)
    place = serializers.CharField(source="place.code", default=None, read_only=True)
    control_total = money_field(allow_null=True, read_only=True)

    class Meta:
        model = SpendReturn
        fields = [
            "id",
            "organisation",
            "financial_year",
            "place",
            "version",
            "status",
            "title",
            "source_filename",
            "source_sha256",
            "control_total",
            "is_illustrative",
            "created_at",
            "submitted_at",
            "approved_at",
            "superseded_at",
        ]


class SpendLineSerializer(serializers.ModelSerializer):
    spend_return = serializers.IntegerField(source="spend_return_id", read_only=True)
    place = serializers.CharField(source="place.code", read_only=True)
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    sector = serializers.CharField(source="organisation.sector", read_only=True)
    theme = serializers.CharField(source="theme.code", read_only=True)
    financial_year = serializers.CharField(source="financial_year.code", read_only=True)
    amount = money_field(read_only=True)
    supplier_name = serializers.SerializerMethodField()

    class Meta:
        model = SpendLine
        fields = [
            "id",
            "spend_return",
            "place",
            "organisation",
            "sector",
            "theme",
            "financial_year",
            "amount",
            "spend_kind",
            "basis",
            "driver",
            "driver_source",
            "description",
            "expense_type",
            "expense_area",
            "supplier_name",
            "supplier_redacted",
            "transaction_date",
            "transaction_ref",
            "source_row",
        ]

    def get_supplier_name(self, line: SpendLine) -> str:
        return "" if line.supplier_redacted else line.supplier_name


class MemberSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TotalSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    amount = money_field()
    lines = serializers.IntegerField()


class BodyCoverageSerializer(serializers.Serializer):
    """The months one body's figures in the count cover (null: not known)."""

    organisation = MemberSerializer()
    months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12),
        allow_null=True,
        help_text="calendar month numbers (1 = January), April first; null when not known",
    )
    label = serializers.CharField(help_text="“all year”, “Apr–Jun, Jan” or “months not known”")
    part_year = serializers.BooleanField()


class YearCoverageSerializer(serializers.Serializer):
    """Which months a year's total covers: part year when any counted body covers part."""

    months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12),
        allow_null=True,
        help_text="the months every counted body covers; null when no body's are known",
    )
    part_year = serializers.BooleanField()
    label = serializers.CharField(
        help_text="“part year (n of 12 months)”, “all year” or “months not known”"
    )
    by_organisation = BodyCoverageSerializer(many=True)


class PlaceYearSerializer(serializers.Serializer):
    year = serializers.CharField()
    amount = money_field()
    lines = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)
    population_year = serializers.CharField(
        allow_null=True,
        help_text="the year of the population figure, when the year has none (the nearest)",
    )
    per_head = money_field(allow_null=True)
    coverage = YearCoverageSerializer()


class PlaceNotReportedSerializer(serializers.Serializer):
    """A body of the place a current dataset edition lists with no figures ("..."): not £0."""

    year = serializers.CharField()
    organisation = MemberSerializer()
    dataset = serializers.CharField()
    edition = serializers.CharField()
    complete = serializers.BooleanField(help_text="every figure of the body's row is missing")


class PlaceTotalsSerializer(serializers.Serializer):
    place = MemberSerializer()
    includes_places_below = serializers.BooleanField()
    illustrative = serializers.BooleanField()
    as_of = serializers.DateTimeField(allow_null=True)
    years = PlaceYearSerializer(many=True)
    year = serializers.CharField(allow_null=True)
    transfers = serializers.ChoiceField(choices=TRANSFERS, help_text=TRANSFERS_HELP)
    counted_nowhere = money_field(
        help_text="net only, for `year`: what the place's bodies paid bodies that serve it and "
        "have no spending of their own loaded for the year. Net figures leave such payments out "
        "as counted in the receiver's spending, which is not loaded yet, so no figure counts "
        "them until it is; 0 for gross"
    )
    by_sector = TotalSerializer(many=True)
    by_theme = TotalSerializer(many=True)
    by_basis = TotalSerializer(many=True)
    not_reported = PlaceNotReportedSerializer(many=True)
