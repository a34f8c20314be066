"""Savings followed from forecast to cash.

An appraisal forecasts what an initiative saves; a ``Saving`` records one claimed saving, for
one receiving organisation in one financial year, and whether it happened: proposed by the
pilot's leads, agreed by the paying and by the receiving organisation (each recorded), then
cashed (an amount, a year and the spend return that shows it) or not realised (a reason).
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from ledger.models import FinancialYear, MoneyField, Organisation, SpendReturn
from pilots.models import Initiative


class SavingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    CASHED = "cashed", "Cashed"
    NOT_REALISED = "not_realised", "Not realised"


def _user(**kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )


class Saving(models.Model):
    """One saving an initiative claims for ``receiver`` in ``financial_year``, paid for by
    ``payer``; ``forecast`` is the claim, ``realised`` what was cashed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="savings")
    payer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation paying for the initiative",
    )
    receiver = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Where it lands"
    )
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    forecast = MoneyField(validators=[MinValueValidator(0)])
    is_cashable = models.BooleanField(
        default=True, help_text="A budget can be cut by it (not only capacity freed)"
    )
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=SavingStatus.choices, default=SavingStatus.PROPOSED
    )
    payer_agreed_by = _user()
    payer_agreed_at = models.DateTimeField(null=True, blank=True)
    receiver_agreed_by = _user()
    receiver_agreed_at = models.DateTimeField(null=True, blank=True)
    realised = MoneyField(null=True, blank=True, validators=[MinValueValidator(0)])
    realised_year = models.ForeignKey(
        FinancialYear, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spend_return = models.ForeignKey(
        SpendReturn,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The receiver's return whose lines show the saving",
    )
    not_realised_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = _user()
    updated_at = models.DateTimeField(auto_now=True)

    # What a pilot lead proposes (forms, API, services); the rest is set by the transitions.
    INPUT_FIELDS = ("payer", "receiver", "financial_year", "forecast", "is_cashable", "description")

    class Meta:
        ordering = ["financial_year__start_date", "receiver__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(forecast__gte=0), name="saving_forecast_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="cashed")
                | Q(realised__isnull=False, realised__gte=0, realised_year__isnull=False),
                name="saving_cashed_has_amount_and_year",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_realised") | ~Q(not_realised_reason=""),
                name="saving_not_realised_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | Q(payer_agreed_at__isnull=False, receiver_agreed_at__isnull=False)
                | Q(status="not_realised"),
                name="saving_agreed_by_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver} {self.financial_year}: £{self.forecast:,} ({self.status})"
