"""Reads for imports: a job a user may act on, its preview, its corrected cells, and the
column mappings an organisation saved."""

from django.db.models import Count, QuerySet

from ledger.models import (
    ColumnMapping,
    ImportCorrection,
    ImportJob,
    Place,
    ServiceTheme,
    SpendLine,
    SpendReturn,
)
from ledger.selectors.access import acting_organisation_ids


def import_jobs_of_organisation(*, organisation) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organisation=organisation)


def import_jobs_for_return(*, spend_return: SpendReturn) -> QuerySet[ImportJob]:
    return (
        spend_return.import_jobs.select_related("created_by")
        .annotate(corrected_cells=Count("corrections"))
        .order_by("-created_at", "-id")
    )


def import_job_get(*, user, pk: int) -> ImportJob:
    """An import job of one of ``user``'s organisations; raises DoesNotExist otherwise."""
    jobs = ImportJob.objects.select_related(
        "spend_return", "organisation", "financial_year", "mapping", "place"
    )
    acting = acting_organisation_ids(user=user)
    if acting is not None:
        jobs = jobs.filter(organisation_id__in=acting)
    return jobs.get(pk=pk)


def import_job_preview_lines(*, job: ImportJob, limit: int = 20) -> list[dict]:
    """The first staged lines of a previewed import, with their theme and place names."""
    staged = list(job.staged_lines.order_by("id")[:limit])
    themes = dict(
        ServiceTheme.objects.filter(pk__in={s.theme_id for s in staged}).values_list("pk", "name")
    )
    places = dict(
        Place.objects.filter(pk__in={s.place_id for s in staged}).values_list("pk", "name")
    )
    return [
        {"line": s, "theme": themes.get(s.theme_id, ""), "place": places.get(s.place_id, "")}
        for s in staged
    ]


def import_job_corrections(*, job: ImportJob) -> QuerySet[ImportCorrection]:
    """The cells of a job's file corrected on the site, in file order, with who did it."""
    return job.corrections.select_related("created_by").order_by("row", "column")


def spend_line_corrections(*, line: SpendLine) -> QuerySet[ImportCorrection]:
    """The cells of a line's source row corrected on import (none for a line entered by hand:
    it has no import job)."""
    if line.import_job_id is None or line.source_row is None:
        return ImportCorrection.objects.none()
    return ImportCorrection.objects.filter(job_id=line.import_job_id, row=line.source_row).order_by(
        "column"
    )


def column_mapping_get(*, organisation, name: str) -> ColumnMapping | None:
    """A mapping the organisation saved under ``name`` (never another organisation's)."""
    return ColumnMapping.objects.filter(organisation=organisation, name=name).first()
