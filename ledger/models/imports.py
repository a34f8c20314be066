"""Importing spend files: jobs, saved column mappings, theme rules and the staging table.

A file goes through an ``ImportJob``: it is read, mapped and validated into ``ImportStagedLine``
rows (the preview), and only when the user confirms are those rows copied into the ledger's
``SpendLine`` table, all of them in one transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce

from totalplace.uploads import RandomName

from .fields import MoneyField
from .reference import FinancialYear, Organisation, Place, ServiceTheme


class ColumnMapping(models.Model):
    """How one organisation's files name their columns, saved so the next upload reuses it.

    ``fields`` maps our field names to the file's header names (duplicate headers carry a
    suffix, "Account Code (2)"); ``options`` holds the rest (unit factor, wide-table columns).
    ``signature`` is the file's real column names (normalised, sorted, without the "Column 2"
    of a blank header): the mapping is used by itself only for a file with the same names.
    ``preferred`` ("always use this for our files") puts it before a built-in layout.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="column_mappings"
    )
    name = models.CharField(max_length=100)
    layout = models.CharField(max_length=40, blank=True)
    fields = models.JSONField(default=dict)
    options = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=list, blank=True)
    signature = models.JSONField(default=list, blank=True)
    preferred = models.BooleanField(
        default=False,
        help_text="Always use this mapping for files with these columns, even one whose "
        "layout is recognised.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "-last_used_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="column_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ThemeRuleField(models.TextChoices):
    EXPENSE_CODE = "expense_code", "Expense or SeRCOP code"
    SERVICE_LABEL = "service_label", "Service label"
    EXPENSE_AREA = "expense_area", "Expense area"
    EXPENSE_TYPE = "expense_type", "Expense type"
    DESCRIPTION = "description", "Description"


class ThemeRuleMatch(models.TextChoices):
    EXACT = "exact", "is exactly"
    CONTAINS = "contains", "contains the words"


class ThemeRule(models.Model):
    """A line whose ``field`` matches ``pattern`` belongs to ``theme``.

    Rules without an organisation apply to everyone (loaded from fixtures/reference); an
    organisation's own rules are tried first. Lines no rule matches go to "Unallocated".
    """

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="theme_rules"
    )
    field = models.CharField(max_length=20, choices=ThemeRuleField.choices)
    match = models.CharField(
        max_length=10, choices=ThemeRuleMatch.choices, default=ThemeRuleMatch.EXACT
    )
    pattern = models.CharField(max_length=200)
    theme = models.ForeignKey(ServiceTheme, on_delete=models.PROTECT, related_name="rules")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["field", "pattern"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("organisation", Value(0)),
                "field",
                "match",
                "pattern",
                name="theme_rule_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_field_display()} {self.get_match_display()} “{self.pattern}” → {self.theme}"
        )


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Reading the file"
    NEEDS_MAPPING = "needs_mapping", "Needs a column mapping"
    INVALID = "invalid", "Has errors"
    FAILED = "failed", "Could not be read"
    READY = "ready", "Ready to confirm"
    CONFIRMING = "confirming", "Adding lines to the return"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    REPLACED = "replaced", "Replaced by a later file"


class ImportMode(models.TextChoices):
    ADD = "add", "Add to the lines already in the return"
    REPLACE = "replace", "Replace every line in the return"


class ImportJob(models.Model):
    """One file on its way into a spend return: preview first, then confirmation.

    Errors are kept as a list of ``{"row", "column", "value", "message"}`` (the first
    ``MAX_ERRORS_KEPT``; ``error_count`` counts them all). Dropped rows (comma-only rows,
    totals rows) are counted by reason in ``dropped``.
    """

    MAX_ERRORS_KEPT = 500

    spend_return = models.ForeignKey(
        "ledger.SpendReturn", on_delete=models.CASCADE, related_name="import_jobs"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    mode = models.CharField(max_length=8, choices=ImportMode.choices, default=ImportMode.ADD)

    # Stored under a random name; ``filename`` is the uploader's, for display.
    file = models.FileField(upload_to=RandomName("spend-returns/imports/%Y/%m/"))
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(default=0)

    # What to do with the lines: one place, or apportion across the organisation's places.
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    apportion = models.BooleanField(default=False)
    driver = models.CharField(max_length=40, default="population")
    control_total = MoneyField(null=True, blank=True)

    mapping = models.ForeignKey(
        ColumnMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # The mapping as given by the user for this job (overrides saved mappings and layouts).
    requested_mapping = models.JSONField(null=True, blank=True)
    save_mapping_as = models.CharField(max_length=100, blank=True)
    # Mark the mapping saved (or the saved one used) as preferred over built-in layouts.
    save_mapping_preferred = models.BooleanField(default=False)
    # What was found and used: layout, {field: header}, options, encoding, delimiter, header row.
    layout = models.CharField(max_length=40, blank=True)
    mapping_used = models.JSONField(default=dict, blank=True)
    file_format = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=list, blank=True)
    samples = models.JSONField(default=list, blank=True)

    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)  # lines read from the file
    staged_count = models.PositiveIntegerField(default=0)  # ledger lines (apportioned: more)
    line_total = MoneyField(default=0)
    credits_count = models.PositiveIntegerField(default=0)
    dropped = models.JSONField(default=dict, blank=True)
    dropped_count = models.PositiveIntegerField(default=0)
    file_total = MoneyField(null=True, blank=True)
    unallocated_count = models.PositiveIntegerField(default=0)
    unallocated_total = MoneyField(default=0)
    unallocated = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)

    task_id = models.CharField(max_length=64, blank=True)
    # Set while its task could not be queued (the broker was down): the job waits, and is
    # queued again by the next status poll or the beat task (``import_jobs_requeue``).
    delayed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why the officer confirmed a file already in another approved or submitted return (the
    # approver reads it on the check-list); empty when the file was in no other return.
    duplicate_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "financial_year", "sha256"])]

    def __str__(self) -> str:
        return f"{self.filename} → {self.spend_return}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (
            ImportJobStatus.QUEUED,
            ImportJobStatus.RUNNING,
            ImportJobStatus.CONFIRMING,
        )

    @property
    def percent_done(self) -> int:
        if self.status in (ImportJobStatus.READY, ImportJobStatus.CONFIRMED):
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class ImportCorrection(models.Model):
    """One cell of an import's file, corrected on the site instead of in the file.

    The file itself is never changed (its SHA-256 still proves what was published): the
    preview puts ``value`` in place of the cell's text as it reads the row. ``row`` is the
    file's row number and ``column`` the header as the job names it (``ImportJob.headers``);
    ``original`` is the cell's text in the file, so a line still says what its source held.
    Correcting a cell again replaces its correction (a new row: who and when stay true).
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="corrections")
    row = models.PositiveIntegerField()
    column = models.TextField()
    original = models.TextField(blank=True)
    value = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "row", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "row", "column"], name="import_correction_unique"
            )
        ]

    def __str__(self) -> str:
        return f"job {self.job_id} row {self.row} {self.column}: “{self.original}” → “{self.value}”"


class ImportStagedLine(models.Model):
    """A previewed line waiting for confirmation (the staging table; UNLOGGED on PostgreSQL).

    The same columns as ``SpendLine`` minus what the return and the job supply (the return,
    the year, the organisation). No foreign-key constraints: the rows are written by COPY,
    checked by the import, and deleted once copied.
    """

    job = models.ForeignKey(
        ImportJob,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # see Meta
        related_name="staged_lines",
    )
    source_row = models.PositiveIntegerField()
    place_id = models.BigIntegerField()
    theme_id = models.BigIntegerField()
    amount = MoneyField(db_column="amount_pence")
    spend_kind = models.CharField(max_length=7)
    # Defaults in the table too: COPY leaves these out unless a chunk has apportioned lines
    # (``ledger.importers.staged.STAGED_DEFAULTS``).
    basis = models.CharField(max_length=11, default="direct", db_default="direct")
    driver = models.CharField(max_length=40, blank=True, default="", db_default="")
    driver_source = models.CharField(max_length=200, blank=True, default="", db_default="")
    description = models.CharField(max_length=255, blank=True)
    expense_type = models.CharField(max_length=255, blank=True)
    expense_area = models.CharField(max_length=255, blank=True)
    service_label = models.CharField(max_length=255, blank=True)
    expense_code = models.CharField(max_length=64, blank=True)
    supplier_name = models.CharField(max_length=255, blank=True)
    supplier_redacted = models.BooleanField(default=False)
    transaction_date = models.DateField(null=True, blank=True)
    transaction_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        # The primary key is the only index: every line staged pays for each index, and the
        # confirmation reads a job's lines in file (id) order through the key (a job's lines
        # are most of what the table holds while it waits). A (job, id) index cost a second a
        # million lines of COPY and was not used by that read.

    def __str__(self) -> str:
        return f"job {self.job_id} row {self.source_row}: {self.amount}"
