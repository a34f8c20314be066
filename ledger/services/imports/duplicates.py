"""The same file is never imported twice for the same organisation and year."""

from django.core.exceptions import ValidationError

from ledger.models import FinancialYear, ImportJob, ImportJobStatus, Organisation, SpendReturn


def return_holding_file(
    *, organisation: Organisation, financial_year: FinancialYear, sha256: str
) -> SpendReturn | None:
    """The return (any version, any status) whose lines came from a file with this SHA-256."""
    job = (
        ImportJob.objects.filter(
            organisation=organisation,
            financial_year=financial_year,
            sha256=sha256,
            status=ImportJobStatus.CONFIRMED,
        )
        .select_related("spend_return__organisation", "spend_return__financial_year")
        .first()
    )
    if job is not None:
        return job.spend_return
    return (
        SpendReturn.objects.filter(
            organisation=organisation, financial_year=financial_year, source_sha256=sha256
        )
        .select_related("organisation", "financial_year")
        .first()
    )


def refuse_duplicate(
    *, organisation: Organisation, financial_year: FinancialYear, sha256: str
) -> None:
    existing = return_holding_file(
        organisation=organisation, financial_year=financial_year, sha256=sha256
    )
    if existing is not None:
        raise ValidationError(
            f"This file has already been imported into {existing} "
            f"({existing.get_status_display().lower()}, spend return {existing.pk}); "
            "the same file is never imported twice.",
            code="duplicate",
        )
