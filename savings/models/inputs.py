"""What an initiative costs, who pays, and what it saves and for whom."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ledger.models import MoneyField, Organisation
from pilots.models import EvidenceItem, Initiative

from .grades import EvidenceGrade
from .reference import UnitCost

MAX_YEAR = 125
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
YEAR = [MinValueValidator(0), MaxValueValidator(MAX_YEAR)]


def percent_field(default: int, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=5, decimal_places=2, default=default, validators=PERCENT, help_text=help_text
    )


class CostKind(models.TextChoices):
    REVENUE = "revenue", "Revenue"
    CAPITAL = "capital", "Capital"


class ValueType(models.TextChoices):
    FISCAL = "fiscal", "Fiscal (a saving to a public budget)"
    ECONOMIC = "economic", "Economic (e.g. earnings, growth)"
    SOCIAL = "social", "Social (wellbeing and other value)"


class CostLine(models.Model):
    """A cost of an initiative, paid by one organisation in one year (0 = the first year)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="costs")
    payer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(validators=YEAR, help_text="Year offset: 0 is now")
    amount = MoneyField(validators=[MinValueValidator(0)])
    kind = models.CharField(max_length=7, choices=CostKind.choices, default=CostKind.REVENUE)
    optimism_bias_percent = percent_field(0, "Uplift for optimism bias, e.g. 10")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # What a pilot lead enters (forms, API, services) and what the audit trail records.
    INPUT_FIELDS = ("payer", "description", "year", "amount", "kind", "optimism_bias_percent")

    class Meta:
        ordering = ["year", "payer__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_line_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.payer} year {self.year}: £{self.amount}"


class BenefitFlow(models.Model):
    """A stream of benefit landing with one organisation (or, if not fiscal, with people).

    Gross a year is either ``amount_per_year`` or ``outcomes_per_year`` × the unit cost's value.
    It arrives from year ``lag`` for ``duration`` years, falling by ``drop_off_percent`` a year
    after the first, and is netted for deadweight, attribution and optimism bias.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="benefits")
    beneficiary = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where the saving lands (required for fiscal benefits)",
    )
    description = models.CharField(max_length=200, blank=True)
    value_type = models.CharField(max_length=8, choices=ValueType.choices, default=ValueType.FISCAL)
    amount_per_year = MoneyField(null=True, blank=True, validators=[MinValueValidator(0)])
    outcomes_per_year = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    unit_cost = models.ForeignKey(
        UnitCost, null=True, blank=True, on_delete=models.PROTECT, related_name="benefit_flows"
    )
    lag = models.PositiveSmallIntegerField(
        default=1, validators=YEAR, help_text="First year the benefit arrives (0 = now)"
    )
    duration = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_YEAR + 1)]
    )
    drop_off_percent = percent_field(0, "Lost each year after the first")
    deadweight_percent = percent_field(0, "Would have happened anyway")
    attribution_percent = percent_field(100, "Due to this initiative")
    optimism_bias_percent = percent_field(0, "Reduction for optimism bias")
    cashable_percent = percent_field(100, "Share of a fiscal benefit that is cashable")
    evidence_grade = models.ForeignKey(
        EvidenceGrade,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefit_flows",
        help_text="How good the evidence for this benefit is (else its unit cost's grade)",
    )
    evidence = models.ManyToManyField(
        EvidenceItem,
        blank=True,
        related_name="benefit_flows",
        help_text="The pilot's evidence this benefit rests on",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # What a pilot lead enters (forms, API, services) and what the audit trail records.
    INPUT_FIELDS = (
        "beneficiary",
        "description",
        "value_type",
        "amount_per_year",
        "outcomes_per_year",
        "unit_cost",
        "lag",
        "duration",
        "drop_off_percent",
        "deadweight_percent",
        "attribution_percent",
        "optimism_bias_percent",
        "cashable_percent",
        "evidence_grade",
    )
    # Links a lead sets with the inputs (not columns: audited as links, ``audit.models.links``).
    LINK_FIELDS = ("evidence",)

    class Meta:
        ordering = ["value_type", "beneficiary__name", "lag", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    amount_per_year__isnull=False,
                    outcomes_per_year__isnull=True,
                    unit_cost__isnull=True,
                )
                | Q(
                    amount_per_year__isnull=True,
                    outcomes_per_year__isnull=False,
                    unit_cost__isnull=False,
                ),
                name="benefit_flow_amount_or_outcomes_times_unit_cost",
            ),
            models.CheckConstraint(
                condition=~Q(value_type="fiscal") | Q(beneficiary__isnull=False),
                name="benefit_flow_fiscal_has_beneficiary",
            ),
            models.CheckConstraint(
                condition=Q(lag__lte=MAX_YEAR) & Q(duration__gte=1),
                name="benefit_flow_years_in_range",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.beneficiary or 'People'}: {self.description or self.get_value_type_display()}"
        )

    @property
    def grade(self) -> EvidenceGrade | None:
        """The grade of this benefit's evidence: its own, else its unit cost's."""
        if self.evidence_grade_id:
            return self.evidence_grade
        return self.unit_cost.evidence_grade if self.unit_cost_id else None

    @property
    def gross_per_year(self):
        if self.amount_per_year is not None:
            return self.amount_per_year
        # Exact: a 4-place count times a 2-place value; rounded only when shown.
        return self.outcomes_per_year * self.unit_cost.value
