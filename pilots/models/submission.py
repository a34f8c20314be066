"""Place-based budget submissions: the August 2010 request to the Total Place pilots."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from ledger.models import FinancialYear, MoneyField, Organisation, ServiceTheme

from .evidence import EvidenceItem
from .initiative import Initiative, default_baseline_year
from .programme import Pilot

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class PlaceBudgetSubmission(models.Model):
    """What a place told the Treasury in August 2010 about a place-based budget.

    Four things were asked for: estimated savings on total public spend against 2010-11
    baselines and how they build up (``savings`` rows); the financial dividend of a single
    place-based budget compared with aligned or with separate funding, as an amount or a
    percentage; savings on the benefits budget against a counterfactual and how they would be
    shared between the Treasury and local government; and the cost-benefit analyses behind them
    (linked initiatives and evidence).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="submissions")
    title = models.CharField(max_length=200)
    submitted_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    baseline_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, default=default_baseline_year, related_name="+"
    )
    # Total public spend in the place that year; blank means "use the ledger's figure".
    total_spend_baseline = MoneyField(null=True, blank=True)
    total_spend_baseline_source = models.CharField(max_length=300, blank=True)

    dividend_vs_aligned_amount = MoneyField(null=True, blank=True)
    dividend_vs_aligned_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    dividend_vs_separate_amount = MoneyField(null=True, blank=True)
    dividend_vs_separate_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    dividend_notes = models.TextField(blank=True)

    benefits_counterfactual = MoneyField(
        null=True, blank=True, help_text="Benefits spend expected without the changes"
    )
    benefits_counterfactual_source = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the counterfactual is: a trend from the ledger, or a named source",
    )
    benefits_projected = MoneyField(null=True, blank=True, help_text="Benefits spend with them")
    benefits_treasury_share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    benefits_notes = models.TextField(blank=True)

    linked_initiatives = models.ManyToManyField(
        Initiative, blank=True, related_name="submissions", help_text="Cost-benefit analyses"
    )
    linked_evidence = models.ManyToManyField(EvidenceItem, blank=True, related_name="submissions")
    is_published = models.BooleanField(default=True)
    is_illustrative = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # What a pilot lead enters (services, API) and, with the pilot, what the audit trail records.
    INPUT_FIELDS = (
        "title",
        "submitted_on",
        "summary",
        "baseline_year",
        "total_spend_baseline",
        "total_spend_baseline_source",
        "dividend_vs_aligned_amount",
        "dividend_vs_aligned_percent",
        "dividend_vs_separate_amount",
        "dividend_vs_separate_percent",
        "dividend_notes",
        "benefits_counterfactual",
        "benefits_counterfactual_source",
        "benefits_projected",
        "benefits_treasury_share_percent",
        "benefits_notes",
        "is_published",
        "is_illustrative",
    )

    class Meta:
        ordering = ["pilot__name", "-submitted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefits_treasury_share_percent__isnull=True)
                | Q(
                    benefits_treasury_share_percent__gte=0, benefits_treasury_share_percent__lte=100
                ),
                name="submission_treasury_share_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilots:submission-detail", args=[self.public_id])

    @property
    def benefits_saving(self):
        if self.benefits_counterfactual is None or self.benefits_projected is None:
            return None
        return self.benefits_counterfactual - self.benefits_projected

    @property
    def benefits_local_share_percent(self):
        share = self.benefits_treasury_share_percent
        return None if share is None else 100 - share


class SubmissionSaving(models.Model):
    """One line of how a submission's estimated savings build up."""

    submission = models.ForeignKey(
        PlaceBudgetSubmission, on_delete=models.CASCADE, related_name="savings"
    )
    description = models.CharField(max_length=200)
    theme = models.ForeignKey(ServiceTheme, null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT)
    initiative = models.ForeignKey(Initiative, null=True, blank=True, on_delete=models.SET_NULL)
    baseline = MoneyField(null=True, blank=True, help_text="2010-11 spend this saving is against")
    saving = MoneyField()
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.description}: £{self.saving}"
