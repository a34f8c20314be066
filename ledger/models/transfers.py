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


class SpendSupplierRollup(models.Model):
    """Approved spend by supplier: per approved return × place of the line × the supplier's
    name as the lines spell it, with the supplier's key (``ledger.calculations.suppliers``).

    Kept with the other rollups, in the same transaction (``ledger.services.supplier_rollups``),
    so the supplier pages (top suppliers of a place or a body, one supplier across councils,
    search) read a few rows rather than grouping lines by a key computed per line (a 1M-line
    body's supplier page took 4.5 s). Grouped by the spelling, not the key: the key is computed
    once per spelling rather than once per line, a supplier's page lists its spellings, and its
    lines are found by them exactly (``supplier_name IN (...)``, no expression per line). By
    return: an approved return's lines cannot change (only an editable return's can), so a full
    rebuild recomputes only the returns whose rows are missing, no longer approved, or whose
    body-year no longer adds up to the rollups (``supplier_rollups_reconcile``).

    A redacted line's name is never copied here: its rows have ``redacted`` set and an empty
    ``supplier_name`` and ``supplier_key`` (``REDACTED_KEY``), so the redacted lines of a return
    and place sum to one row, counted and never named. Lines naming no supplier have a row of
    their own too (empty name, not redacted: no key, never listed), so a body-year's rows add
    up to its lines.
    """

    spend_return = models.ForeignKey(
        "ledger.SpendReturn",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    place = models.ForeignKey(
        Place, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    supplier_name = models.CharField(max_length=255, blank=True)
    redacted = models.BooleanField(default=False)
    supplier_key = models.CharField(max_length=255, blank=True)
    amount = MoneyField(db_column="amount_pence")
    line_count = models.PositiveIntegerField()
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["spend_return", "place", "supplier_name", "redacted"],
                name="spend_supplier_rollup_key",
            )
        ]
        # A supplier's page reads its key; a place's top suppliers, its places and year; a
        # body's, and a refresh, the body and year.
        indexes = [
            models.Index(fields=["supplier_key"], name="spend_supplier_rollup_supplier"),
            models.Index(fields=["place", "financial_year"], name="spend_supplier_rollup_place"),
            models.Index(
                fields=["organisation", "financial_year"], name="spend_supplier_rollup_body"
            ),
        ]

    def __str__(self) -> str:
        paid = "Redacted" if self.redacted else self.supplier_key or "no supplier"
        return f"{self.organisation_id} paid {paid}: {self.amount}"
