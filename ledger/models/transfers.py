"""Transfers between public bodies: a payment from one body to another is not new spending.

Councils' spend-over-£500 files pay NHS bodies, police, other councils and departments; the
receiver then spends the same money again, in its own figures. Counting Cumbria and the pilots
removed these flows. A supplier named in a body's lines is matched to a body of the reference
data (``SupplierMatch``, by name or alias); the matched lines are *transfers*, and the place
totals come gross and net of the transfers within the place. The rollups keep the transfers
apart (``SpendTransferRollup``), so a net total costs one more small query.
"""

from django.conf import settings
from django.db import models

from .fields import MoneyField
from .reference import FinancialYear, Organisation, Place, ServiceTheme
from .spend import Basis


class SupplierMatchStatus(models.TextChoices):
    SUGGESTED = "suggested", "Matched (not yet checked)"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected: not that body"


class SupplierMatchMethod(models.TextChoices):
    NAME = "name", "By the body's name"
    ALIAS = "alias", "By a name the body is known by"
    CODE = "code", "By the body's code"
    PERSON = "person", "Chosen by an officer"


class SupplierMatch(models.Model):
    """The body a payer's supplier, as its lines name it, is: its lines to it are transfers.

    One row per payer and supplier name as written ("LEEDS PCT (5N1)"), so a decision about one
    spelling never changes another's. A match counts until an officer of the payer rejects it.
    """

    payer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    supplier_name = models.CharField(max_length=255)
    receiver = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="transfers_received"
    )
    method = models.CharField(max_length=8, choices=SupplierMatchMethod.choices)
    status = models.CharField(
        max_length=9, choices=SupplierMatchStatus.choices, default=SupplierMatchStatus.SUGGESTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["payer__name", "supplier_name"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "supplier_name"], name="supplier_match_unique")
        ]
        verbose_name_plural = "supplier matches"

    def __str__(self) -> str:
        return f"{self.payer} → “{self.supplier_name}” = {self.receiver} ({self.status})"

    @property
    def counts(self) -> bool:
        return self.status != SupplierMatchStatus.REJECTED


class SpendTransferRollup(models.Model):
    """Approved spend one body paid another, summed like ``SpendRollup`` (and in the same
    transaction): by place of the paying line × payer × receiver × theme × year × basis."""

    place = models.ForeignKey(Place, on_delete=models.DO_NOTHING, db_constraint=False)
    # No index of its own: the key (spend_transfer_rollup_key) leads with it, and every full
    # rebuild builds each index anew.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    receiver = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    theme = models.ForeignKey(
        ServiceTheme, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    basis = models.CharField(max_length=11, choices=Basis.choices)
    amount = MoneyField(db_column="amount_pence")
    line_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "financial_year", "place", "receiver", "theme", "basis"],
                name="spend_transfer_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.receiver_id} in {self.place_id}: {self.amount}"
