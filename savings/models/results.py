"""Stored results of the recompute jobs, so pages and the API read them instead of computing.

Money inside the JSON columns is always a decimal string in pounds ("1234.50").
"""

from django.db import models
from django.db.models import Q

from ledger.models import MoneyField, Place
from pilots.models import Initiative, Pilot, Programme


class Appraisal(models.Model):
    """An initiative's appraisal: present values, NPV, ROI, payback and the year-by-year table.

    ``requested_at`` moves whenever an input changes; the page says "being recalculated" while
    it is later than ``computed_at``.
    """

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="appraisal"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    inputs_digest = models.CharField(max_length=64, blank=True)
    horizon = models.PositiveSmallIntegerField(default=0)
    pv_costs = MoneyField(default=0)
    pv_fiscal = MoneyField(default=0)
    pv_cashable = MoneyField(default=0)
    pv_economic = MoneyField(default=0)
    pv_social = MoneyField(default=0)
    pv_benefits = MoneyField(default=0)
    npv = MoneyField(default=0)
    fiscal_npv = MoneyField(default=0)
    net_budget_impact = MoneyField(default=0)
    # As entered, and with each graded benefit reduced by its evidence grade's optimism bias
    # instead of the figure entered (ungraded benefits as entered).
    npv_at_grades = MoneyField(null=True, blank=True)
    fiscal_npv_at_grades = MoneyField(null=True, blank=True)
    financial_roi = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    public_value_roi = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    payback_year = models.PositiveSmallIntegerField(null=True, blank=True)
    payback_year_discounted = models.PositiveSmallIntegerField(null=True, blank=True)
    years = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Appraisal of {self.initiative}"

    @property
    def is_current(self) -> bool:
        return self.computed_at is not None and (
            self.requested_at is None or self.requested_at <= self.computed_at
        )


class ScopeKind(models.TextChoices):
    INITIATIVE = "initiative", "Initiative"
    PILOT = "pilot", "Pilot"
    PLACE = "place", "Place"
    PROGRAMME = "programme", "Programme"


class Attribution(models.Model):
    """Where the savings land for one scope: a payer × beneficiary matrix of present values,
    every organisation's net position and the fair-share deal.

    A pilot, place or programme is the sum of its published initiatives (a place counts every
    pilot whose footprint includes it, so places overlap and need not add up to a programme).
    """

    scope = models.CharField(max_length=10, choices=ScopeKind.choices)
    initiative = models.OneToOneField(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="attribution"
    )
    pilot = models.OneToOneField(
        Pilot, null=True, blank=True, on_delete=models.CASCADE, related_name="attribution"
    )
    place = models.OneToOneField(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="savings_attribution"
    )
    programme = models.OneToOneField(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="attribution"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    inputs_digest = models.CharField(max_length=64, blank=True)
    initiative_count = models.PositiveIntegerField(default=0)
    pv_costs = MoneyField(default=0)
    pv_fiscal = MoneyField(default=0)
    fiscal_net = MoneyField(default=0)
    deal_possible = models.BooleanField(default=True)
    shortfall = MoneyField(default=0)
    positions = models.JSONField(default=list, blank=True)
    matrix = models.JSONField(default=list, blank=True)
    transfers = models.JSONField(default=list, blank=True)
    is_illustrative = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="initiative", initiative__isnull=False)
                    & Q(pilot__isnull=True, place__isnull=True, programme__isnull=True)
                )
                | (
                    Q(scope="pilot", pilot__isnull=False)
                    & Q(initiative__isnull=True, place__isnull=True, programme__isnull=True)
                )
                | (
                    Q(scope="place", place__isnull=False)
                    & Q(initiative__isnull=True, pilot__isnull=True, programme__isnull=True)
                )
                | (
                    Q(scope="programme", programme__isnull=False)
                    & Q(initiative__isnull=True, pilot__isnull=True, place__isnull=True)
                ),
                name="attribution_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"Where savings land: {self.subject}"

    @property
    def subject(self):
        return self.initiative or self.pilot or self.place or self.programme
