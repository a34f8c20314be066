"""The approver's check-list: every reason to look twice before signing a return off.

Each warning has a count and, where money is at stake, a total. Approving a return with any
warning needs a typed reason (``ledger.services.approval.spend_return_approve``), recorded
with the warnings in the approval's workflow event.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from ledger.calculations.coverage import is_part_year, month_count
from ledger.models import SpendReturn, SupplierMatch, SupplierMatchStatus
from ledger.selectors.coverage import spend_return_coverage
from ledger.selectors.duplicates import (
    DuplicateFile,
    DuplicateTransactions,
    spend_return_duplicate_files,
    spend_return_duplicate_transactions,
)
from ledger.services.transfers import supplier_key
from totalplace.money import pounds

# Words that say a supplier is a public body (a payment to it is a transfer, which the
# receiver may count again in its own figures).
PUBLIC_BODY_WORDS = frozenset(
    ("COUNCIL", "NHS", "TRUST", "POLICE", "FIRE", "AUTHORITY", "DEPARTMENT", "MINISTRY")
)


@dataclass
class Check:
    code: str
    title: str
    count: int
    total: Decimal | None = None
    note: str = ""

    @property
    def sentence(self) -> str:
        money = f" ({pounds(self.total)})" if self.total is not None else ""
        return f"{self.title}{money}"

    def as_detail(self) -> dict:
        detail = {"count": self.count}
        if self.total is not None:
            detail["total"] = str(self.total)
        return detail


@dataclass
class PublicBodyPayment:
    source_row: int | None
    supplier_name: str
    amount: Decimal


@dataclass
class ApprovalChecks:
    warnings: list[Check] = field(default_factory=list)
    months: int | None = None  # the months it covers (a mask; None: not known)
    duplicate_files: list[DuplicateFile] = field(default_factory=list)
    duplicate_transactions: DuplicateTransactions = field(default_factory=DuplicateTransactions)
    public_body_payments: list[PublicBodyPayment] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.warnings)

    @property
    def summary(self) -> str:
        return "; ".join(w.sentence for w in self.warnings)

    def as_detail(self) -> dict:
        """For the approval's workflow event: what was open when it was signed off."""
        return {w.code: w.as_detail() for w in self.warnings}


def spend_return_approval_checks(*, spend_return: SpendReturn) -> ApprovalChecks:
    """Out-of-year lines, files and transactions already counted elsewhere, a part year, and
    large payments to public bodies matched to no body, each with its count and money."""
    checks = ApprovalChecks()
    year = spend_return.financial_year
    lines = spend_return.lines.all()
    outside = ~Q(transaction_date__range=(year.start_date, year.end_date)) & Q(
        transaction_date__isnull=False
    )
    found = lines.aggregate(n=Count("id", filter=outside), total=Sum("amount", filter=outside))
    if found["n"]:
        basis = (
            f"; kept on an accruals basis: {spend_return.accruals_reason}"
            if spend_return.accruals_basis
            else ""
        )
        checks.warnings.append(
            Check(
                "out_of_year",
                f"{found['n']:,} line{_s(found['n'])} dated outside {year}{basis}",
                found["n"],
                found["total"],
            )
        )
    checks.duplicate_files = spend_return_duplicate_files(spend_return=spend_return)
    for duplicate in checks.duplicate_files:
        reason = duplicate.job.duplicate_reason
        checks.warnings.append(
            Check(
                "duplicate_file",
                duplicate.message + (f" (the officer said: “{reason}”)" if reason else ""),
                duplicate.job.staged_count or duplicate.job.line_count,
                duplicate.job.line_total,
            )
        )
    dupes = spend_return_duplicate_transactions(spend_return=spend_return)
    checks.duplicate_transactions = dupes
    if dupes.count:
        checks.warnings.append(
            Check(
                "duplicate_transactions",
                f"{dupes.count:,} line{_s(dupes.count)} repeat{'' if dupes.count != 1 else 's'} "
                "a transaction (reference, date and amount) already counted",
                dupes.count,
                dupes.total,
            )
        )
    _part_year(checks, spend_return)
    _public_bodies(checks, spend_return)
    return checks


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _part_year(checks: ApprovalChecks, spend_return: SpendReturn) -> None:
    """The months it covers (``ledger.selectors.coverage``: the officer's declaration, else the
    lines' dates); fewer than twelve is a part year. Months not known (no dated lines, nothing
    declared) say nothing either way."""
    coverage = spend_return_coverage(spend_return=spend_return)
    checks.months = coverage.months
    if is_part_year(coverage.months):
        how = "as its officer declared" if coverage.declared else "from its lines' dates"
        badge = coverage.badge
        checks.warnings.append(
            Check(
                "part_year",
                f"{badge[:1].upper()}{badge[1:]}: {coverage.label} ({how})",
                month_count(coverage.months),
            )
        )


def public_body_like(name: str) -> bool:
    """ "Leeds Teaching Hospitals NHS Trust" yes; "A Supplier Ltd" no."""
    return bool(PUBLIC_BODY_WORDS & set(supplier_key(name).split()))


def _public_bodies(checks: ApprovalChecks, spend_return: SpendReturn) -> None:
    """Payments of at least ``LARGE_PUBLIC_BODY_PAYMENT`` to a supplier named like a public
    body that no (unrejected) supplier match names: if that body reports the money too, the
    place counts it twice. Large lines are few, so the names are judged here, not in SQL."""
    large = (
        spend_return.lines.filter(
            amount__gte=Decimal(settings.LARGE_PUBLIC_BODY_PAYMENT), supplier_redacted=False
        )
        .exclude(supplier_name="")
        .order_by("source_row", "id")
        .values_list("source_row", "supplier_name", "amount")
    )
    candidates = [line for line in large if public_body_like(line[1])]
    if not candidates:
        return
    matched = set(
        SupplierMatch.objects.filter(
            payer_id=spend_return.organisation_id,
            supplier_name__in={name for _, name, _ in candidates},
        )
        .exclude(status=SupplierMatchStatus.REJECTED)
        .values_list("supplier_name", flat=True)
    )
    payments = [PublicBodyPayment(*line) for line in candidates if line[1] not in matched]
    if payments:
        checks.public_body_payments = payments
        total = sum((p.amount for p in payments), Decimal(0))
        limit = f"£{settings.LARGE_PUBLIC_BODY_PAYMENT:,}"
        checks.warnings.append(
            Check(
                "public_bodies",
                f"{len(payments):,} payment{_s(len(payments))} of {limit} or more to suppliers "
                "named like public bodies but matched to none",
                len(payments),
                total,
            )
        )
