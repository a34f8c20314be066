"""Reads for spend returns and imports, and who may do what with them.

Approved and superseded returns are public (they are what the totals are made of); drafts,
submitted and returned versions are seen only by their organisation's members.
"""

from django.db.models import Count, Q, QuerySet, Sum

from ledger.models import (
    ColumnMapping,
    FinancialYear,
    ImportCorrection,
    ImportJob,
    Organisation,
    Place,
    ServiceTheme,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    ThemeRule,
)
from ledger.return_figures import spend_return_figures, spend_returns_with_figures
from ledger.selectors import acting_organisation_ids

PUBLIC_STATUSES = (SpendReturnStatus.APPROVED, SpendReturnStatus.SUPERSEDED)
EDITABLE_STATUSES = (SpendReturnStatus.DRAFT, SpendReturnStatus.RETURNED)


def has_role(user, organisation, role: str) -> bool:
    """Whether ``user`` acts in ``role`` for ``organisation`` (administrators act for every
    organisation; an API token only for its own). The object rules are built on this."""
    organisation_id = getattr(organisation, "pk", organisation)
    acting = acting_organisation_ids(user=user, role=role)
    return acting is None or organisation_id in acting


def visible_returns_q(user) -> Q:
    """Which returns ``user`` may see: public ones, and every version of their organisations'."""
    public = Q(status__in=PUBLIC_STATUSES)
    acting = acting_organisation_ids(user=user)
    if acting is None:
        return Q()
    return public | Q(organisation_id__in=acting) if acting else public


def spend_return_list(
    *, user, organisation_id: int | None = None, year: str = "", status: str = ""
) -> QuerySet[SpendReturn]:
    """Returns ``user`` may see, newest first. Their line counts and totals are the page's
    to add for the returns it shows (``ledger.return_figures``): annotated here, counting the
    list summed every line of the ledger."""
    returns = SpendReturn.objects.select_related("organisation", "financial_year", "place")
    returns = returns.filter(visible_returns_q(user))
    if organisation_id:
        returns = returns.filter(organisation_id=organisation_id)
    if year:
        returns = returns.filter(financial_year__code=year)
    if status:
        returns = returns.filter(status=status)
    return returns.order_by(
        "organisation__name", "-financial_year__start_date", "place__name", "-version"
    )


def spend_returns_of_organisation(
    *, organisation, year: str = "", status: str = ""
) -> QuerySet[SpendReturn]:
    """All versions of one organisation's returns (the API's view), with counts and totals."""
    returns = SpendReturn.objects.filter(organisation=organisation).select_related(
        "organisation", "financial_year", "place", "mapping"
    )
    if year:
        returns = returns.filter(financial_year__code=year)
    if status:
        returns = returns.filter(status=status)
    return returns.annotate(line_count=Count("lines"), line_total=Sum("lines__amount")).order_by(
        "-financial_year__start_date", "place__name", "-version", "-id"
    )


def import_jobs_of_organisation(*, organisation) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organisation=organisation)


def spend_return_get(*, user, pk: int) -> SpendReturn:
    """One return ``user`` may see; raises ``SpendReturn.DoesNotExist`` otherwise."""
    returns = SpendReturn.objects.select_related(
        "organisation",
        "financial_year",
        "place",
        "mapping",
        "created_by",
        "submitted_by",
        "approved_by",
        "returned_by",
        "superseded_by",
    )
    return returns.filter(visible_returns_q(user)).get(pk=pk)


def spend_return_versions(*, spend_return: SpendReturn, user) -> list[SpendReturn]:
    """Every version of the same organisation, year and place that ``user`` may see, newest
    first, each with its ``line_count`` and ``line_total``."""
    same_place = Q(place=spend_return.place_id) if spend_return.place_id else Q(place__isnull=True)
    return spend_returns_with_figures(
        spend_return_list(user=user, organisation_id=spend_return.organisation_id)
        .filter(same_place, financial_year=spend_return.financial_year_id)
        .order_by("-version")
    )


def spend_return_lines(*, spend_return: SpendReturn, theme_code: str = "") -> QuerySet[SpendLine]:
    """A return's lines (of one theme), in file order."""
    lines = spend_return.lines.select_related("place", "theme").order_by("source_row", "id")
    if theme_code:
        themes = spend_return_figures(spend_return=spend_return)["themes"]
        if not any(t["theme__code"] == theme_code for t in themes):
            # None of its lines: the database would read every line of the return to find so.
            return lines.none()
        lines = lines.filter(theme__code=theme_code)
    return lines


def spend_return_summary(*, spend_return: SpendReturn) -> dict:
    """Line count, total, credits and the unallocated share of one return (cached once its
    lines are frozen: ``ledger.return_figures``)."""
    figures = spend_return_figures(spend_return=spend_return)
    return {k: v for k, v in figures.items() if k != "themes"}


def spend_return_themes(*, spend_return: SpendReturn) -> list[dict]:
    """Lines and total by theme, largest total first (cached as the summary is)."""
    return spend_return_figures(spend_return=spend_return)["themes"]


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


def theme_rules_for(*, organisation_ids) -> QuerySet[ThemeRule]:
    return (
        ThemeRule.objects.filter(Q(organisation_id__in=organisation_ids))
        .select_related("theme", "organisation")
        .order_by("organisation__name", "field", "pattern")
    )


def shared_theme_rules() -> QuerySet[ThemeRule]:
    return ThemeRule.objects.filter(organisation__isnull=True).select_related("theme")


def theme_rule_get(*, user, pk: int) -> ThemeRule:
    """An organisation's own rule, of an organisation ``user`` acts for; raises DoesNotExist."""
    acting = acting_organisation_ids(user=user)
    rules = ThemeRule.objects.filter(organisation__isnull=False).select_related("organisation")
    if acting is not None:
        rules = rules.filter(organisation_id__in=acting)
    return rules.get(pk=pk)


def column_mapping_get(*, organisation, name: str) -> ColumnMapping | None:
    """A mapping the organisation saved under ``name`` (never another organisation's)."""
    return ColumnMapping.objects.filter(organisation=organisation, name=name).first()


def spend_return_organisations(*, user) -> QuerySet[Organisation]:
    """Organisations with a return ``user`` may see, by name (for the list's filter)."""
    returns = SpendReturn.objects.filter(visible_returns_q(user))
    return Organisation.objects.filter(pk__in=returns.values("organisation_id")).order_by("name")


def spend_return_years(*, user) -> QuerySet[FinancialYear]:
    """Financial years of the returns ``user`` may see, newest first (for the list's filter)."""
    returns = SpendReturn.objects.filter(visible_returns_q(user))
    return FinancialYear.objects.filter(pk__in=returns.values("financial_year_id")).order_by(
        "-start_date"
    )
