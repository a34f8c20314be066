"""Rollups: place totals kept current by Celery, and the reconciliation that vouches for them.

Every page, API endpoint and export reads totals from ``SpendRollup`` (see
``ledger.calculations.totals``); only the paginated line lists read ``SpendLine``.
"""

import uuid

from django.conf import settings
from django.db import models

from .fields import MoneyField
from .reference import FinancialYear, Organisation, Place, ServiceTheme
from .spend import Basis


class SpendRollup(models.Model):
    """The count of a place, summed: approved spend and its line count for one place ×
    organisation × theme × year × basis × source (a spend return, or a dataset edition).

    Derived data: rebuilt from approved lines at any time, so the foreign keys carry no database
    constraint (a rebuild never has to wait on, or lock, the reference tables).
    """

    # Every index is one more to build in each nightly rebuild. Place and organisation need
    # none of their own ("spend_rollup_place" and "spend_rollup_key" start with them); a year
    # alone selects a fifth of the table, which is read faster without one.
    place = models.ForeignKey(
        Place, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    theme = models.ForeignKey(ServiceTheme, on_delete=models.DO_NOTHING, db_constraint=False)
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    basis = models.CharField(max_length=11, choices=Basis.choices)
    # Where the figures come from: 0 for approved spend returns, else the dataset edition whose
    # lines the count of the place uses for this body and year (``ledger.services.count``).
    # A number, not a nullable key: NULLs are never equal, so they could not be in the key.
    edition_id = models.BigIntegerField(default=0)
    amount = MoneyField(db_column="amount_pence")
    line_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "financial_year", "place", "theme", "basis", "edition_id"],
                name="spend_rollup_key",
            )
        ]
        indexes = [models.Index(fields=["place", "financial_year"], name="spend_rollup_place")]

    def __str__(self) -> str:
        return f"{self.place_id}/{self.organisation_id}/{self.theme_id}/{self.financial_year_id}"


class RollupRunKind(models.TextChoices):
    REFRESH = "refresh", "Refresh (the organisation-years a return touched)"
    REBUILD = "rebuild", "Full rebuild"


class RollupRun(models.Model):
    """One refresh or rebuild: when it ran and how many rollup rows it changed."""

    kind = models.CharField(max_length=8, choices=RollupRunKind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    scopes = models.PositiveIntegerField(help_text="organisation-years recomputed (0: all)")
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_deleted = models.PositiveIntegerField(default=0)
    fast_path = models.BooleanField(help_text="PostgreSQL SQL path rather than the portable one")

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.kind} at {self.finished_at:%Y-%m-%d %H:%M:%S}"


class RollupGeneration(models.Model):
    """One row: a number every refresh and rebuild raises in its own transaction.

    Cached totals are keyed by it (``ledger.calculations.cache``), so once a change to the
    rollups commits, no answer computed before it can be served again. A counter rather than
    the latest ``RollupRun``: two refreshes can commit in the other order than their ids.
    ``token`` is new at every bump, so a number seen again (a database restored from a
    backup, a test rolled back) never finds answers cached for other data.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return f"rollup generation {self.number}"


class Reconciliation(models.Model):
    """Lines against rollups for one organisation and year, as of the last check; and the
    lines' receivers against the supplier matches.

    ``residual`` is lines minus rollups; anything but zero is shown on the pages as its own row.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reconciliations"
    )
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.CASCADE)
    as_of = models.DateTimeField()
    lines_amount = MoneyField()
    line_count = models.PositiveIntegerField()
    rollup_amount = MoneyField()
    rollup_count = models.PositiveIntegerField()
    residual = MoneyField()
    # The counted lines whose receiver (``SpendLine.receiver``, the body a line pays) is not the
    # one their supplier's match names (not rejected; none when unmatched): the net totals
    # subtract what the lines say they pay, so a stale receiver is a wrong net total.
    receivers_mismatched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation__name", "financial_year__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "financial_year"], name="reconciliation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.financial_year}: residual {self.residual}"

    @property
    def matches(self) -> bool:
        return (
            self.residual == 0
            and self.line_count == self.rollup_count
            and self.receivers_mismatched == 0
        )


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A large export (Fiscal Data Package) built by a Celery worker, downloaded when done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=24, default="fiscal-data-package")
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set while its task could not be queued (the broker was down); beat queues it again.
    delayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} export {self.id} ({self.status})"
