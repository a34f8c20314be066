"""Spend returns and the lines they carry into the ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from ledger.calculations.coverage import effective_months

from .fields import MoneyField, MonthMaskField
from .reference import FinancialYear, Organisation, Place, ServiceTheme


class SpendReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back"
    SUPERSEDED = "superseded", "Superseded"

    @classmethod
    def public(cls) -> tuple["SpendReturnStatus", ...]:
        """Seen by everyone: what the totals are made of, and the versions they replaced."""
        return (cls.APPROVED, cls.SUPERSEDED)

    @classmethod
    def editable(cls) -> tuple["SpendReturnStatus", ...]:
        """Versions whose lines its finance officers may still change."""
        return (cls.DRAFT, cls.SENT_BACK)

    @classmethod
    def frozen(cls) -> tuple["SpendReturnStatus", ...]:
        """Versions whose lines no longer change (their figures may be cached)."""
        return (cls.SUBMITTED, cls.APPROVED, cls.SUPERSEDED)


class SpendReturn(models.Model):
    """One organisation's statement of its spend for a financial year (optionally one place).

    Versions of a return share organisation, year and place. Only approved lines count in totals;
    a newer version replaces the approved one only when it is itself approved, which marks the
    old one superseded. At most one version is approved at a time (a database constraint).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="spend_returns"
    )
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=SpendReturnStatus.choices, default=SpendReturnStatus.DRAFT
    )
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    source_file = models.FileField(upload_to="spend-returns/%Y/%m/", blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    control_total = MoneyField(null=True, blank=True)
    # The saved column mapping its last file was read with (see ledger.models.imports).
    mapping = models.ForeignKey(
        "ledger.ColumnMapping",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spend_returns",
    )
    # Demo and sample data: shown with a label wherever its figures appear.
    is_illustrative = models.BooleanField(default=False)
    # The months of the year its lines cover, a 12-bit mask (``ledger.calculations.coverage``):
    # ``months`` from the lines' dates (0: none dated), recorded when it is submitted and
    # approved so pages never count them; ``declared_months``, the officer's word, wins.
    months = MonthMaskField(default=0)
    declared_months = MonthMaskField(null=True, blank=True)
    # Lines dated outside the return's year are refused unless its officers say the return is
    # kept on an accruals basis (a payment in April for March's goods), and why.
    accruals_basis = models.BooleanField(default=False)
    accruals_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
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
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["organisation__name", "financial_year__start_date", "version"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                "financial_year",
                Coalesce("place", Value(0)),
                "version",
                name="spend_return_version_unique",
            ),
            models.UniqueConstraint(
                "organisation",
                "financial_year",
                Coalesce("place", Value(0)),
                condition=Q(status="approved"),
                name="spend_return_one_approved",
            ),
        ]
        indexes = [models.Index(fields=["status", "financial_year"])]

    def __str__(self) -> str:
        where = f" ({self.place})" if self.place_id else ""
        return f"{self.organisation} {self.financial_year}{where} v{self.version}"

    @property
    def months_covered(self) -> int | None:
        """The months it covers (declared, else from its dates); None when not known."""
        return effective_months(computed=self.months, declared=self.declared_months)

    def versions(self) -> "models.QuerySet[SpendReturn]":
        """Every version of this return (itself included): the same organisation, financial
        year and place. Works on an unsaved return naming them, to find the versions before it."""
        same_place = Q(place=self.place_id) if self.place_id else Q(place__isnull=True)
        return SpendReturn.objects.filter(
            same_place, organisation=self.organisation_id, financial_year=self.financial_year_id
        )


class SpendKind(models.TextChoices):
    REVENUE = "revenue", "Revenue"
    CAPITAL = "capital", "Capital"


class Basis(models.TextChoices):
    DIRECT = "direct", "Direct"
    APPORTIONED = "apportioned", "Apportioned"
    # A top-down figure (a region's spend, by HM Treasury) apportioned to the place: an
    # estimate, used only where the body has no figures of its own for the place and year.
    ESTIMATED = "estimated", "Estimated (top-down)"


class SpendLine(models.Model):
    """One amount of public money: who spent it, where, on what, in which year.

    Negative amounts are credits (income, refunds). An apportioned line is one place's share of
    spend made across several places, with the driver that split it.
    """

    # References are checked by triggers (migration 0009), not by foreign-key constraints: a
    # constraint checks each inserted row on its own at commit, which cost more than the rest
    # of a million-line import; on PostgreSQL the triggers check a whole INSERT ... SELECT at
    # once, lock the rows it refers to as a constraint does, and refuse deleting a row a line
    # still refers to. The ORM still cascades and protects as before (on_delete).
    # Indexes: each one costs every imported line an insert (nine made the import's INSERT
    # twice as slow as the table alone). organisation is not indexed on its own: it leads the
    # composite indexes below, which serve every query (and trigger check) on it alone. theme
    # has none (since ledger migration 0027) and place none (since 0043): rollups serve every
    # total by theme or place, and the lines filtered by either (drill-down, a place's lines
    # pages, API) are read in id order a page at a time, which PostgreSQL does through the
    # primary key whether or not such an index exists (EXPLAIN at 10M lines; no page of
    # bench/pages_bench.py scanned the (place, financial_year) index, and their p95 without it
    # stayed within the run's noise: docs/benchmarks.md); only deleting a theme or place no
    # line uses reads the whole table. financial_year has no index of its own: a year holds a
    # fifth of the ledger or more, which PostgreSQL reads faster by scanning than through an
    # index. spend_return leads its own
    # (spend_line_return_id): a return's lines are read, replaced and deleted through it, and
    # its page lists them in id order a page at a time (keyset pages: ``id > last seen``), which
    # an index on the return alone cannot serve without sorting all of them on every page.
    spend_return = models.ForeignKey(
        SpendReturn,
        on_delete=models.CASCADE,
        related_name="lines",
        db_constraint=False,
        db_index=False,
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, db_constraint=False, db_index=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    theme = models.ForeignKey(
        ServiceTheme, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    amount = MoneyField(db_column="amount_pence")
    spend_kind = models.CharField(
        max_length=7, choices=SpendKind.choices, default=SpendKind.REVENUE
    )
    basis = models.CharField(max_length=11, choices=Basis.choices, default=Basis.DIRECT)
    driver = models.CharField(max_length=40, blank=True)
    driver_source = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=255, blank=True)
    expense_type = models.CharField(max_length=255, blank=True)
    expense_area = models.CharField(max_length=255, blank=True)
    service_label = models.CharField(max_length=255, blank=True)
    expense_code = models.CharField(max_length=64, blank=True)
    supplier_name = models.CharField(max_length=255, blank=True)
    supplier_redacted = models.BooleanField(default=False)
    transaction_date = models.DateField(null=True, blank=True)
    transaction_ref = models.CharField(max_length=64, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # The file (and so, with source_row, the row) an imported line came from. Not enforced by
    # a database constraint and not indexed: a row-by-row foreign-key check costs more than the
    # rest of a bulk import's insert, jobs are only ever deleted with their return (whose lines
    # go with them), and a job's lines are found through the return's index.
    import_job = models.ForeignKey(
        "ledger.ImportJob",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="lines",
    )

    # The public body this line pays, when its supplier is matched to one (a ``SupplierMatch``
    # of its organisation and supplier name, not rejected); else null. Derived from the matches,
    # which stay the record (audited, decided by officers), and kept equal to them by
    # ``ledger.services.line_receivers``: the rollups sum the lines by it (transfers between
    # public bodies), and reading it from the line rather than joining the matches on every
    # rebuild took a third off the rebuild's grouping on 10M lines. Not in the line history
    # (``audit.models.events.SPEND_LINE_UNTRACKED``) and not indexed. Checked like the other
    # references (ledger 0033): a body that lines pay cannot be deleted (PROTECT, and the
    # trigger in SQL); an officer rejects or re-points its matches first (``transfers``), which
    # clears the lines and refreshes the totals they were netted from.
    receiver = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    # What a finance officer enters in the line grid (the form and the service that saves it).
    INPUT_FIELDS = (
        "place",
        "theme",
        "amount",
        "spend_kind",
        "transaction_date",
        "supplier_name",
        "description",
        "expense_type",
        "expense_area",
    )

    class Meta:
        ordering = ["spend_return_id", "source_row", "id"]
        indexes = [
            models.Index(fields=["organisation", "financial_year"]),
            models.Index(fields=["spend_return", "id"], name="spend_line_return_id"),
            # Finding the same transaction in the organisation's other returns (the approver's
            # check-list). Partial: lines without a reference (hand-entered, most wide tables)
            # cost an import nothing here.
            models.Index(
                fields=["organisation", "transaction_ref"],
                condition=~Q(transaction_ref=""),
                name="spend_line_org_ref",
            ),
            # The lines that pay a public body, with every column their transfer rollups read:
            # a full rebuild reads them from here alone (an index-only scan of the tenth of the
            # lines that pay a body, not a second pass over all of them). Partial: an imported
            # line costs nothing here until its supplier is matched (``line_receivers``).
            models.Index(
                fields=["organisation", "financial_year", "place", "theme", "basis", "receiver"],
                include=["amount", "spend_return"],
                condition=Q(receiver__isnull=False),
                name="spend_line_paid_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.place} {self.theme} £{self.amount}"
