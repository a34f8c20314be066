"""Costs, benefits, unit costs, appraisals and where-savings-land results."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ledger.apis.serializers import money_field
from ledger.models import Organisation
from pilots.apis.serializers.common import Percent, absolute
from pilots.models import EvidenceItem, Initiative
from savings.models import (
    Appraisal,
    Attribution,
    BenefitFlow,
    CostLine,
    DiscountRate,
    EvidenceGrade,
    ScopeKind,
    UnitCost,
)
from savings.pages.sections import matrix_csv_url
from savings.selectors.realisation import NOT_TRANSFERABLE


class EvidenceGradeSerializer(serializers.ModelSerializer):
    """A confidence grade for evidence and the optimism bias it sets by default (percent)."""

    optimism_bias_percent = Percent(min_value=0, max_value=100)

    class Meta:
        model = EvidenceGrade
        fields = ["code", "rank", "name", "description", "optimism_bias_percent", "source"]


class UnitCostSerializer(serializers.ModelSerializer):
    value = money_field()
    evidence_grade = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = UnitCost
        fields = [
            "code", "description", "unit", "agency", "value", "price_year", "source",
            "is_illustrative", "evidence_grade",
        ]  # fmt: skip


class DiscountRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscountRate
        fields = ["from_year", "to_year", "rate", "source"]


class CostLineSerializer(serializers.ModelSerializer):
    """A cost paid by one organisation in one year (year 0 is the first, undiscounted)."""

    initiative = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Initiative.objects.all()
    )
    payer = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    payer_name = serializers.CharField(source="payer.name", read_only=True)
    amount = money_field(min_value=0)
    optimism_bias_percent = Percent(min_value=0, max_value=100, required=False)

    class Meta:
        model = CostLine
        fields = [
            "id", "initiative", "payer", "payer_name", "description", "year", "amount", "kind",
            "optimism_bias_percent",
        ]  # fmt: skip


class BenefitFlowSerializer(serializers.ModelSerializer):
    """A benefit a year landing with ``beneficiary``: an amount, or outcomes × a unit cost."""

    initiative = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Initiative.objects.all()
    )
    beneficiary = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    beneficiary_name = serializers.CharField(
        source="beneficiary.name", read_only=True, default=None
    )
    unit_cost = serializers.SlugRelatedField(
        slug_field="code", queryset=UnitCost.objects.all(), allow_null=True, required=False
    )
    amount_per_year = money_field(min_value=0, allow_null=True, required=False)
    outcomes_per_year = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, allow_null=True, required=False
    )
    gross_per_year = serializers.DecimalField(max_digits=24, decimal_places=6, read_only=True)
    drop_off_percent = Percent(min_value=0, max_value=100, required=False)
    deadweight_percent = Percent(min_value=0, max_value=100, required=False)
    attribution_percent = Percent(min_value=0, max_value=100, required=False)
    optimism_bias_percent = Percent(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text="Null: the evidence grade's (else 0)",
    )
    cashable_percent = Percent(min_value=0, max_value=100, required=False)
    evidence_grade = serializers.SlugRelatedField(
        slug_field="code", queryset=EvidenceGrade.objects.all(), allow_null=True, required=False
    )
    grade = serializers.SerializerMethodField(
        help_text="The grade that applies: the benefit's own, else its unit cost's"
    )
    evidence = serializers.SlugRelatedField(
        slug_field="public_id",
        many=True,
        required=False,
        queryset=EvidenceItem.objects.all(),
        help_text="Ids of the evidence items this benefit rests on; empty: no evidence",
    )

    class Meta:
        model = BenefitFlow
        fields = [
            "id", "initiative", "beneficiary", "beneficiary_name", "description", "value_type",
            "amount_per_year", "outcomes_per_year", "unit_cost", "gross_per_year", "lag",
            "duration", "drop_off_percent", "deadweight_percent", "attribution_percent",
            "optimism_bias_percent", "cashable_percent", "evidence_grade", "grade", "evidence",
        ]  # fmt: skip

    @extend_schema_field(EvidenceGradeSerializer(allow_null=True))
    def get_grade(self, flow: BenefitFlow) -> dict | None:
        grade = flow.grade
        return EvidenceGradeSerializer(grade).data if grade else None


class YearRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    discount_factor = serializers.DecimalField(max_digits=8, decimal_places=6)
    costs = money_field()
    fiscal = money_field()
    economic = money_field()
    social = money_field()
    benefits = money_field()
    net = money_field()
    pv_costs = money_field()
    pv_fiscal = money_field()
    pv_economic = money_field()
    pv_social = money_field()
    pv_benefits = money_field()
    pv_net = money_field()
    cumulative_fiscal_net = money_field()
    cumulative_fiscal_pv_net = money_field()


class AppraisalSerializer(serializers.ModelSerializer):
    """An initiative's appraisal: present values, NPV, ROI, payback and the years table."""

    initiative = serializers.UUIDField(source="initiative.public_id", read_only=True)
    is_current = serializers.BooleanField(read_only=True)
    figure = serializers.SerializerMethodField(help_text="Appraisal figures are forecasts")
    years = YearRowSerializer(many=True, read_only=True)
    pv_costs = money_field()
    pv_fiscal = money_field()
    pv_cashable = money_field()
    pv_economic = money_field()
    pv_social = money_field()
    pv_benefits = money_field()
    npv = money_field()
    fiscal_npv = money_field()
    net_budget_impact = money_field()
    npv_at_grades = money_field(allow_null=True, help_text="NPV, graded benefits at their grade")
    fiscal_npv_at_grades = money_field(allow_null=True)

    class Meta:
        model = Appraisal
        fields = [
            "initiative", "figure", "is_current", "requested_at", "computed_at", "error", "horizon",
            "pv_costs", "pv_fiscal", "pv_cashable", "pv_economic", "pv_social", "pv_benefits",
            "npv", "fiscal_npv", "net_budget_impact", "npv_at_grades", "fiscal_npv_at_grades",
            "financial_roi", "public_value_roi",
            "payback_year", "payback_year_discounted", "years",
        ]  # fmt: skip

    def get_figure(self, appraisal: Appraisal) -> str:
        return "forecast"


class PositionSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    name = serializers.CharField()
    sector = serializers.CharField()
    paid = money_field()
    received = money_field()
    cashable = money_field()
    net = money_field()
    invests_here_saves_elsewhere = serializers.BooleanField()
    transfer = money_field()
    after_deal = money_field()


class MatrixCellSerializer(serializers.Serializer):
    payer = serializers.CharField(allow_null=True)
    payer_name = serializers.CharField()
    beneficiary = serializers.CharField()
    beneficiary_name = serializers.CharField()
    present_value = money_field()


class TransferSerializer(serializers.Serializer):
    from_name = serializers.CharField()
    to = serializers.CharField()
    to_name = serializers.CharField()
    amount = money_field()

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared as a class attribute.
        return {"from": serializers.CharField(), **super().get_fields()}


class AttributionSerializer(serializers.ModelSerializer):
    """Where the savings land for one scope: the payer × beneficiary matrix of present values,
    each organisation's net position (flagged when it invests here and saves elsewhere) and the
    fair-share deal (``deal_possible`` false when the savings fall short of the costs)."""

    subject = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()
    pv_costs = money_field()
    pv_fiscal = money_field()
    fiscal_net = money_field()
    shortfall = money_field()
    positions = PositionSerializer(many=True)
    matrix = MatrixCellSerializer(many=True)
    transfers = TransferSerializer(many=True)
    figure = serializers.SerializerMethodField(help_text="Appraisal figures are forecasts")
    caveat = serializers.SerializerMethodField(
        help_text="On totals across initiatives: savings are local and not transferable"
    )

    class Meta:
        model = Attribution
        fields = [
            "id", "scope", "subject", "csv_url", "computed_at", "initiative_count", "figure",
            "caveat", "pv_costs", "pv_fiscal", "fiscal_net", "deal_possible", "shortfall",
            "is_illustrative", "positions", "matrix", "transfers",
        ]  # fmt: skip

    def get_figure(self, attribution: Attribution) -> str:
        return "forecast"

    def get_caveat(self, attribution: Attribution) -> str | None:
        return None if attribution.scope == ScopeKind.INITIATIVE else NOT_TRANSFERABLE

    @extend_schema_field(
        {"type": "object", "properties": {"key": {"type": "string"}, "name": {"type": "string"}}}
    )
    def get_subject(self, attribution: Attribution) -> dict:
        subject = attribution.subject
        key = {
            "initiative": lambda: str(subject.public_id),
            "pilot": lambda: subject.slug,
            "programme": lambda: subject.slug,
            "place": lambda: subject.code,
        }[attribution.scope]()
        return {"key": key, "name": str(subject)}

    def get_csv_url(self, attribution: Attribution) -> str:
        return absolute(self.context.get("request"), matrix_csv_url(attribution.subject))
