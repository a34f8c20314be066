"""Every penny once: the same file or the same transaction in two returns, found for the
import (which refuses an unacknowledged duplicate file) and the approver's check-list.

Versions of one return (same organisation, year and place) replace each other, so they never
count as duplicates of each other: a new version starts from its predecessor's lines.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Window

from ledger.models import ImportJob, ImportJobStatus, SpendLine, SpendReturn, SpendReturnStatus

# Returns whose lines count, or will once signed off.
COUNTING = (SpendReturnStatus.APPROVED, SpendReturnStatus.SUBMITTED)
LINES_SHOWN = 200


def same_scope(spend_return: SpendReturn) -> Q:
    """The return's versions (itself included)."""
    place = Q(place_id=spend_return.place_id) if spend_return.place_id else Q(place__isnull=True)
    return place & Q(
        organisation_id=spend_return.organisation_id,
        financial_year_id=spend_return.financial_year_id,
    )


def return_label(spend_return: SpendReturn) -> str:
    """ "Craven District Council 2016-17 v1 (approved)"."""
    return f"{spend_return} ({spend_return.get_status_display().lower()})"


def returns_holding_file(*, sha256: str, spend_return: SpendReturn) -> list[SpendReturn]:
    """Approved or submitted returns, of any organisation or year but ``spend_return``'s own
    versions, whose lines came from the file with this SHA-256 (imported there, or copied
    into a later version with the lines)."""
    jobs = list(
        ImportJob.objects.filter(sha256=sha256, status=ImportJobStatus.CONFIRMED).values_list(
            "pk",
            "spend_return_id",
            "organisation_id",
            "financial_year_id",
            "spend_return__place_id",
        )
    )
    holding = Q(source_sha256=sha256)
    if jobs:
        holding |= Q(pk__in=[spend_return_id for _, spend_return_id, *_ in jobs])
        # A later version holds the file through its copied lines: looked for only among the
        # versions of the returns the file was imported into (their lines, by return).
        scopes = Q()
        for _, _, organisation_id, year_id, place_id in jobs:
            scopes |= Q(organisation_id=organisation_id, financial_year_id=year_id) & (
                Q(place_id=place_id) if place_id else Q(place__isnull=True)
            )
        copied = SpendLine.objects.filter(
            spend_return=OuterRef("pk"), import_job_id__in=[pk for pk, *_ in jobs]
        )
        holding |= scopes & Q(Exists(copied))
    found = (
        SpendReturn.objects.filter(holding, status__in=COUNTING)
        .exclude(same_scope(spend_return))
        .select_related("organisation", "financial_year", "place")
        .order_by("financial_year__start_date", "organisation__name", "version")
    )
    return list(found)


def file_held_message(holders: list[SpendReturn], *, name: str = "This file") -> str:
    """ "This file is already in Craven District Council 2016-17 v1 (approved)"."""
    return f"{name} is already in " + " and ".join(return_label(r) for r in holders)


@dataclass
class DuplicateFile:
    job: ImportJob
    holders: list[SpendReturn]

    @property
    def message(self) -> str:
        return file_held_message(self.holders, name=self.job.filename)


def spend_return_duplicate_files(*, spend_return: SpendReturn) -> list[DuplicateFile]:
    """The files of this return's lines that other approved or submitted returns also hold,
    with the reason the officer gave when confirming each (``ImportJob.duplicate_reason``)."""
    jobs = ImportJob.objects.filter(
        Q(spend_return=spend_return, status=ImportJobStatus.CONFIRMED)
        | Q(pk__in=spend_return.lines.filter(import_job__isnull=False).values("import_job_id"))
    ).order_by("created_at", "pk")
    found = []
    for job in jobs:
        holders = returns_holding_file(sha256=job.sha256, spend_return=spend_return)
        if holders:
            found.append(DuplicateFile(job=job, holders=holders))
    return found


@dataclass
class DuplicateLine:
    """A line whose transaction (reference, date, amount) is already counted elsewhere."""

    source_row: int | None
    transaction_ref: str
    transaction_date: dt.date
    amount: Decimal
    supplier_name: str
    same_as: str  # "row 12" of this return, or another return's label


@dataclass
class DuplicateTransactions:
    count: int = 0
    total: Decimal = Decimal(0)
    lines: list[DuplicateLine] = field(default_factory=list)  # the first LINES_SHOWN

    def add(self, line: DuplicateLine) -> None:
        self.count += 1
        self.total += line.amount
        if len(self.lines) < LINES_SHOWN:
            self.lines.append(line)


KEY = ("transaction_ref", "transaction_date", "amount")
SHOWN = ("id", "source_row", *KEY, "supplier_name")


def _referenced(lines):
    # A line without a reference or a date cannot be told from another honest payment.
    return lines.exclude(transaction_ref="").filter(transaction_date__isnull=False)


def repeats_within_return(*, lines, found: DuplicateTransactions) -> set[int]:
    """Add to ``found`` each of ``lines`` (a return's referenced lines) that repeats an earlier
    one of them (the first copy is not counted); returns the ids added."""
    repeated = (
        lines.annotate(copies=Window(Count("id"), partition_by=[F(k) for k in KEY]))
        .filter(copies__gt=1)
        .order_by(*KEY, "source_row", "id")
        .values_list(*SHOWN)
    )
    first: dict[tuple, int | None] = {}
    seen_ids = set()
    for pk, row, ref, day, amount, supplier in repeated:
        key = (ref, day, amount)
        if key not in first:
            first[key] = row
            continue
        seen_ids.add(pk)
        found.add(DuplicateLine(row, ref, day, amount, supplier, f"row {first[key]}"))
    return seen_ids


def counting_returns_besides(spend_return: SpendReturn) -> dict[int, SpendReturn]:
    """The organisation's other approved or submitted returns (another year's, another
    place's), by id: where a line's transaction may already be counted."""
    others = (
        SpendReturn.objects.filter(
            organisation_id=spend_return.organisation_id, status__in=COUNTING
        )
        .exclude(same_scope(spend_return))
        .select_related("organisation", "financial_year", "place")
    )
    return {r.pk: r for r in others}


def spend_return_duplicate_transactions(*, spend_return: SpendReturn) -> DuplicateTransactions:
    """Lines repeating a transaction (organisation + reference + date + amount): a second copy
    within the return (the first copy is not counted), or one already in another approved or
    submitted return of the organisation (another year's, another place's)."""
    found = DuplicateTransactions()
    lines = _referenced(spend_return.lines.all())
    seen_ids = repeats_within_return(lines=lines, found=found)
    others = counting_returns_besides(spend_return)
    if not others:
        return found
    # Served by the partial (organisation, transaction_ref) index: the condition is repeated
    # so PostgreSQL can use it.
    elsewhere = _referenced(
        SpendLine.objects.filter(
            organisation_id=spend_return.organisation_id,
            spend_return_id__in=list(others),
            **{k: OuterRef(k) for k in KEY},
        )
    )
    matched = (
        lines.exclude(pk__in=seen_ids)
        .annotate(other=elsewhere.values("spend_return_id")[:1])
        .filter(other__isnull=False)
        .order_by("source_row", "id")
        .values_list(*SHOWN, "other")
    )
    for _, row, ref, day, amount, supplier, other in matched:
        found.add(DuplicateLine(row, ref, day, amount, supplier, return_label(others[other])))
    return found
