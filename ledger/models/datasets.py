"""National datasets: published tables of many bodies' spend, loaded beside spend returns.

A spend return is one organisation's own statement; a dataset is what a publisher (DLUHC,
HM Treasury) says about many bodies at once. It arrives as an *edition* (a file: "Revenue
Account budget 2023-24"), which is previewed, loaded and approved like a return, and replaces
the edition before it, year by year, only when it is approved. Its lines feed the count of a
place: bottom-up (each body's own figures, by authority) or top-down (national figures by
region, apportioned to the places below by a driver).
"""

from django.conf import settings
from django.db import models

from totalplace.uploads import RandomName

from .fields import MoneyField, MonthMaskField
from .reference import Control, FinancialYear, Organisation, Place, ServiceTheme
from .spend import Basis, SpendKind


class DatasetFormat(models.TextChoices):
    WIDE = "wide", "Wide table: a row per authority, a column per service line (DLUHC RA / RO)"
    REGIONAL = "regional", "Regional database: department × function × region × year (HMT CRA)"


class DatasetRoute(models.TextChoices):
    BOTTOM_UP = "bottom_up", "Bottom-up: each body's own figures"
    TOP_DOWN = "top_down", "Top-down: national figures apportioned to places"


class Measure(models.TextChoices):
    """Which figure of a revenue table a dataset loads (never both: one contains the other)."""

    TOTAL_SERVICE_EXPENDITURE = "tse", "Total service expenditure"
    NET_CURRENT_EXPENDITURE = "nce", "Net current expenditure"


# Lower wins in the count of a place: an approved spend return (0) before a published outturn,
# before a budget, before a top-down estimate.
RETURN_PRECEDENCE = 0
DEFAULT_PRECEDENCE = {DatasetRoute.BOTTOM_UP: 20, DatasetRoute.TOP_DOWN: 100}


class Dataset(models.Model):
    """A published series ("DLUHC Revenue Account budget, by authority"); editions are its files."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    format = models.CharField(max_length=10, choices=DatasetFormat.choices)
    route = models.CharField(max_length=10, choices=DatasetRoute.choices)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, default="Open Government Licence v3.0")
    description = models.TextField(blank=True)
    precedence = models.PositiveSmallIntegerField(
        help_text="Which figures the count of a place prefers for a body and year: lower wins. "
        "Approved spend returns are 0; by default bottom-up datasets 20, top-down 100."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self) -> str:
        return self.title


class DatasetEditionStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Reading the file"
    NEEDS_CHOICES = "needs_choices", "Needs your choices"
    INVALID = "invalid", "Has errors"
    FAILED = "failed", "Could not be read"
    READY = "ready", "Ready to load"
    LOADING = "loading", "Loading its lines"
    LOADED = "loaded", "Loaded, waiting for approval"
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def previewed(cls) -> tuple[str, ...]:
        """A finished preview that choices can change (it is read again)."""
        return (cls.NEEDS_CHOICES, cls.INVALID, cls.FAILED, cls.READY)

    @classmethod
    def working(cls) -> tuple[str, ...]:
        return (cls.QUEUED, cls.RUNNING, cls.LOADING)


class DatasetEdition(models.Model):
    """One file of a dataset, from upload to approval; every edition stays viewable.

    The preview reads the file and records what it found (``columns``, ``unknown_bodies``,
    the money read, loaded and excluded by reason) without writing lines; loading reads it
    again, in one transaction, and writes every line or none. ``choices`` holds what the user
    decided: header row, sheet, measure, unit, and for each unknown body "add" or "exclude".
    """

    MAX_ERRORS_KEPT = 500

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="editions")
    edition = models.CharField(max_length=100, help_text="As the publisher names it: “2023-24”")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=14, choices=DatasetEditionStatus.choices, default=DatasetEditionStatus.QUEUED
    )
    is_illustrative = models.BooleanField(default=False)

    # Stored under a random name; ``filename`` is the uploader's, for display.
    file = models.FileField(upload_to=RandomName("datasets/%Y/%m/"))
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(default=0)
    file_format = models.JSONField(default=dict, blank=True)

    choices = models.JSONField(default=dict, blank=True)
    # What the preview recognised: the header (row, levels above it), each column's role.
    header = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list, blank=True)
    unit_factor = models.PositiveIntegerField(default=1)
    measure = models.CharField(max_length=3, choices=Measure.choices, blank=True)
    years = models.JSONField(default=list, blank=True)  # financial year codes it covers
    # The months of each year its figures cover (``ledger.calculations.coverage``): a national
    # table of outturns or estimates is for the whole year.
    months = MonthMaskField(default=0xFFF)

    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Nothing is lost silently: read = loaded + every excluded amount (by reason).
    money_read = MoneyField(default=0)
    money_loaded = MoneyField(default=0)
    excluded = models.JSONField(default=dict, blank=True)  # reason → pence (as a string)
    unknown_bodies = models.JSONField(default=list, blank=True)
    unmapped_places = models.JSONField(default=list, blank=True)
    not_reported_count = models.PositiveIntegerField(default=0)
    values_count = models.PositiveIntegerField(default=0)  # figures read (cells × years)
    line_count = models.PositiveIntegerField(default=0)  # lines written (after apportioning)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)

    task_id = models.CharField(max_length=64, blank=True)
    delayed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    loaded_at = models.DateTimeField(null=True, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    send_back_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["dataset__title", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "edition", "version"], name="dataset_edition_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.edition} v{self.version}"

    @property
    def is_finished(self) -> bool:
        return self.status not in DatasetEditionStatus.working()

    @property
    def percent_done(self) -> int:
        if self.status not in DatasetEditionStatus.working():
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class DatasetEditionYear(models.Model):
    """A financial year an edition covers, and whether it is the one the count uses.

    The current edition of a dataset for a year is the last one approved that covers it: a
    newer edition replaces an older one only for the years it covers (CRA 2019 revises
    2014-15 to 2017-18, while 2013-14 still comes from CRA 2018).
    """

    edition = models.ForeignKey(DatasetEdition, on_delete=models.CASCADE, related_name="year_set")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=False)
    amount = MoneyField(default=0)
    line_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["edition", "financial_year__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "financial_year"], name="dataset_edition_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.financial_year}{' (current)' if self.is_current else ''}"


class DatasetFigure(models.Model):
    """One figure as the file publishes it: a body's service line, or a department's spend on
    a function in a region in a year; where it is in the file, and how it was placed.

    Its lines (``DatasetLine``) put it in places: one line for a body's own figure in its
    area, or one share per local authority for a region's figure apportioned by a driver. What
    the file said is kept here once, not on each of a region's ~40 shares.
    """

    edition = models.ForeignKey(
        DatasetEdition, on_delete=models.CASCADE, related_name="figures", db_constraint=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    amount = MoneyField(db_column="amount_pence")
    source_row = models.PositiveIntegerField()
    source_column = models.CharField(max_length=255)
    source_code = models.CharField(max_length=120, blank=True)  # SeRCOP line, CRA segment
    source_label = models.CharField(max_length=255, blank=True)  # service line, sub-function
    source_place = models.CharField(max_length=120, blank=True)  # the region as published
    body_name = models.CharField(max_length=255, blank=True)  # the body as the file names it
    cofog = models.CharField(max_length=10, blank=True)
    driver = models.CharField(max_length=40, blank=True)
    driver_year = models.CharField(max_length=7, blank=True)
    driver_source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["edition_id", "source_row", "id"]
        indexes = [models.Index(fields=["edition", "source_row"])]

    def __str__(self) -> str:
        return f"{self.edition_id} row {self.source_row} {self.source_column}: £{self.amount}"


class DatasetLine(models.Model):
    """A dataset figure, or its share, in one place: a body's own figure or a top-down estimate.

    Written a file at a time (COPY on PostgreSQL) and never edited, so, like a bulk import, it
    is audited by its edition (file, hash, who loaded and approved it), not line by line; its
    figure says where in the file it comes from and, for a share, by which driver.
    """

    edition = models.ForeignKey(
        DatasetEdition, on_delete=models.CASCADE, related_name="lines", db_constraint=False
    )
    figure = models.ForeignKey(
        DatasetFigure,
        on_delete=models.CASCADE,
        related_name="lines",
        db_constraint=False,
        db_index=False,  # read a figure's lines through the edition: they are written together
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, db_constraint=False, db_index=False)
    theme = models.ForeignKey(
        ServiceTheme, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    amount = MoneyField(db_column="amount_pence")
    spend_kind = models.CharField(max_length=7, choices=SpendKind.choices)
    basis = models.CharField(max_length=11, choices=Basis.choices)
    control = models.CharField(max_length=18, choices=Control.choices)

    class Meta:
        ordering = ["edition_id", "figure_id", "id"]
        indexes = [
            models.Index(fields=["edition", "financial_year"]),
            models.Index(fields=["place", "financial_year"]),
            models.Index(fields=["organisation", "financial_year"]),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.place} {self.theme} £{self.amount}"


class DatasetNotReported(models.Model):
    """A body the edition lists but gives no figures for ("..." throughout): not £0.

    Shown wherever that body's place totals appear, so a missing authority is never mistaken
    for one that spent nothing. ``cells`` counts the figures marked missing in its row.
    """

    edition = models.ForeignKey(
        DatasetEdition, on_delete=models.CASCADE, related_name="not_reported"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    source_row = models.PositiveIntegerField()
    cells = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(
        default=True, help_text="Every figure of the row is missing (else only some are)"
    )

    class Meta:
        ordering = ["edition", "source_row"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "organisation", "financial_year"],
                name="dataset_not_reported_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.financial_year}: not reported in {self.edition}"


class DriverValue(models.Model):
    """An apportionment driver other than population, by place and year, held as data.

    Claimant counts, pupils, registered patients: loaded from CSV (``load_drivers``). Population
    itself is ``Population``.
    """

    driver = models.SlugField(max_length=40)
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="driver_values")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source = models.CharField(max_length=200)
    is_illustrative = models.BooleanField(default=False)

    class Meta:
        ordering = ["driver", "place__name", "financial_year__start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["driver", "place", "financial_year"], name="driver_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.driver} {self.place} {self.financial_year}: {self.value}"
