"""Initiatives: the business cases a pilot makes, each with a baseline and evidence."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from ledger.models import (
    Classification,
    ClassificationScheme,
    FinancialYear,
    MoneyField,
    ServiceTheme,
)

from .programme import Pilot

DEFAULT_BASELINE_YEAR = "2010-11"


class InitiativeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # seen only by the pilot's leads
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"  # still public, counted in no totals


class BaselineBasis(models.TextChoices):
    LEDGER = "ledger", "From the ledger"
    ENTERED = "entered", "Entered, with a source"
    NONE = "none", "Not known"


def default_baseline_year():
    year = FinancialYear.objects.filter(code=DEFAULT_BASELINE_YEAR).first()
    return year.pk if year else None


class Initiative(models.Model):
    """A business case within a pilot: what changes, for whom, at what cost, saving what.

    The theme is a Total Place deep dive, a ledger service theme, or both; the baseline is the
    footprint's approved spend on the theme (with its sub-themes) in the baseline year, read from
    the ledger, or a figure entered with its source when the ledger has none.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    deep_dive = models.ForeignKey(
        Classification,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives",
        limit_choices_to={"scheme": ClassificationScheme.DEEP_DIVE},
    )
    service_theme = models.ForeignKey(
        ServiceTheme, null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives"
    )
    status = models.CharField(
        max_length=10, choices=InitiativeStatus.choices, default=InitiativeStatus.DRAFT
    )
    baseline_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, default=default_baseline_year, related_name="+"
    )
    # The ledger's figure, refreshed by the recompute job; count 0 means the ledger has none.
    baseline_ledger_amount = MoneyField(null=True, blank=True, editable=False)
    baseline_ledger_lines = models.PositiveIntegerField(default=0, editable=False)
    baseline_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)
    baseline_entered_amount = MoneyField(null=True, blank=True)
    baseline_entered_source = models.CharField(max_length=300, blank=True)
    is_illustrative = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pilot__name", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deep_dive__isnull=False) | Q(service_theme__isnull=False),
                name="initiative_has_a_theme",
            ),
            models.CheckConstraint(
                condition=Q(baseline_entered_amount__isnull=True) | ~Q(baseline_entered_source=""),
                name="initiative_entered_baseline_has_source",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilots:initiative-detail", args=[self.public_id])

    @property
    def theme_name(self) -> str:
        names = [t.name for t in (self.deep_dive, self.service_theme) if t is not None]
        return " · ".join(names)

    @property
    def baseline_basis(self) -> str:
        if self.baseline_ledger_lines:
            return BaselineBasis.LEDGER
        if self.baseline_entered_amount is not None:
            return BaselineBasis.ENTERED
        return BaselineBasis.NONE

    @property
    def baseline_amount(self):
        """The ledger's figure when it has one, else the entered figure, else None."""
        if self.baseline_ledger_lines:
            return self.baseline_ledger_amount
        return self.baseline_entered_amount

    @property
    def is_public(self) -> bool:
        return self.status != InitiativeStatus.DRAFT
