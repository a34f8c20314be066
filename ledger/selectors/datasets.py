"""Reads for national datasets: who sees which editions, an edition's account of its money, its
lines and figures, and the dataset lines the count of a place uses.

Approved editions (superseded ones too: every edition stays viewable) are public; every other
edition (previewing, loaded, sent back, cancelled) only for dataset editors. An edition a user
may not see is *not found*, never *forbidden*.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Sum

from ledger.calculations.cuts import Cut
from ledger.models import (
    Dataset,
    DatasetEdition,
    DatasetEditionStatus,
    DatasetEditionYear,
    DatasetFigure,
    DatasetLine,
    DatasetNotReported,
    FinancialYear,
    SpendRollup,
    WorkflowEvent,
)
from ledger.models.fields import from_pence
from ledger.services.datasets.load import progress_key
from totalplace.permissions import has_perm

ZERO = Decimal("0.00")
LINE_RELATED = ("place", "organisation", "theme", "financial_year", "figure", "edition__dataset")


def is_dataset_editor(user) -> bool:
    return has_perm(user, "ledger.load_datasets")


def dataset_editions_visible(*, user) -> QuerySet[DatasetEdition]:
    """Every edition for dataset editors; approved ones for everyone else."""
    editions = DatasetEdition.objects.select_related("dataset")
    if is_dataset_editor(user):
        return editions
    return editions.filter(status=DatasetEditionStatus.APPROVED)


def _with_years_and_silences(editions: QuerySet[DatasetEdition]) -> QuerySet[DatasetEdition]:
    return editions.prefetch_related(
        Prefetch(
            "year_set",
            queryset=DatasetEditionYear.objects.select_related("financial_year").order_by(
                "financial_year__start_date"
            ),
        ),
        Prefetch(
            "not_reported",
            queryset=DatasetNotReported.objects.select_related(
                "organisation", "financial_year"
            ).order_by("organisation__name", "financial_year__start_date"),
        ),
    )


def datasets_visible(*, user) -> QuerySet[Dataset]:
    """Datasets with at least one edition the user may see (editors: every dataset), each
    with ``shown_editions`` (newest first), their years and bodies not reported."""
    editions = _with_years_and_silences(
        dataset_editions_visible(user=user).select_related("created_by", "approved_by")
    ).order_by("-created_at", "-pk")
    datasets = Dataset.objects.prefetch_related(
        Prefetch("editions", queryset=editions, to_attr="shown_editions")
    ).order_by("publisher", "title", "pk")
    if not is_dataset_editor(user):
        datasets = datasets.filter(
            pk__in=Dataset.objects.filter(editions__status=DatasetEditionStatus.APPROVED)
        )
    return datasets


def dataset_get(*, user, slug: str) -> Dataset:
    """One dataset with its visible editions; ``Dataset.DoesNotExist`` if it has none."""
    return datasets_visible(user=user).get(slug=slug)


def dataset_edition_get(*, user, pk: int) -> DatasetEdition:
    """An edition the user may see (``DatasetEdition.DoesNotExist`` otherwise)."""
    editions = dataset_editions_visible(user=user).select_related(
        "created_by", "loaded_by", "approved_by", "sent_back_by"
    )
    return _with_years_and_silences(editions).get(pk=pk)


def dataset_figure_get(*, user, pk: int) -> DatasetFigure:
    """A figure of an edition the user may see."""
    editions = dataset_editions_visible(user=user).values("pk")
    return DatasetFigure.objects.select_related(
        "edition__dataset", "organisation", "financial_year"
    ).get(pk=pk, edition_id__in=editions)


@dataclass
class MoneyAccount:
    """Money read = money loaded + every amount excluded, by reason: nothing lost silently."""

    read: Decimal
    loaded: Decimal
    excluded: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def excluded_total(self) -> Decimal:
        return sum((amount for _, amount in self.excluded), ZERO)

    @property
    def accounted(self) -> Decimal:
        return self.loaded + self.excluded_total

    @property
    def adds_up(self) -> bool:
        return self.accounted == self.read


def dataset_edition_account(*, edition: DatasetEdition) -> MoneyAccount:
    """The edition's money account, excluded amounts largest first."""
    excluded = [(reason, from_pence(int(p))) for reason, p in (edition.excluded or {}).items()]
    excluded.sort(key=lambda item: (-abs(item[1]), item[0]))
    return MoneyAccount(read=edition.money_read, loaded=edition.money_loaded, excluded=excluded)


def dataset_edition_not_reported(*, edition: DatasetEdition) -> list[DatasetNotReported]:
    """Bodies the loaded edition lists with no figures, by name and year."""
    return list(edition.not_reported.all())


@dataclass
class EditionYear:
    code: str
    amount: Decimal | None = None
    lines: int | None = None
    is_current: bool = False


def dataset_edition_years(*, edition: DatasetEdition) -> list[EditionYear]:
    """The years the edition covers: with amounts, lines and currency once loaded, else as
    the preview found them."""
    loaded = list(edition.year_set.all())
    if loaded:
        return [
            EditionYear(y.financial_year.code, y.amount, y.line_count, y.is_current)
            for y in sorted(loaded, key=lambda y: y.financial_year.start_date)
        ]
    return [EditionYear(code) for code in edition.years]


def dataset_edition_progress(*, edition: DatasetEdition) -> tuple[int, int]:
    """(done, total) of the edition's job: lines written while it loads (kept in the cache, as
    the load's transaction is still open), else rows read."""
    if edition.status == DatasetEditionStatus.LOADING:
        done, total = cache.get(progress_key(edition.pk)) or (0, 0)
        return int(done), int(total)
    return edition.rows_done, edition.rows_total


def dataset_edition_events(*, edition: DatasetEdition) -> list[WorkflowEvent]:
    """The edition's workflow events, newest first."""
    events = list(
        WorkflowEvent.objects.filter(dataset_edition_id=edition.pk).order_by("-created_at", "-id")
    )
    labels = dict(DatasetEditionStatus.choices)
    for event in events:  # a preview's outcome is a status: said as the page says it
        event.outcome_label = labels.get(event.detail.get("outcome", ""), "")
    return events


def dataset_edition_lines(
    *, edition: DatasetEdition, cut: Cut | None = None
) -> QuerySet[DatasetLine]:
    """The edition's lines (in the cut's places, bodies, years, themes and bases), by id."""
    lines = DatasetLine.objects.filter(edition_id=edition.pk)
    if cut is not None:
        lines = lines.filter(cut.q())
    return lines.select_related(*LINE_RELATED).order_by("id")


def dataset_lines_total(*, lines: QuerySet[DatasetLine]) -> tuple[Decimal, int]:
    """(amount, count) of a set of dataset lines."""
    found = lines.order_by().aggregate(amount=Sum("amount"), count=Count("id"))
    return found["amount"] or ZERO, found["count"]


def dataset_edition_year_totals(*, edition: DatasetEdition, year: str = "") -> tuple[Decimal, int]:
    """(amount, lines) as recorded when the edition was loaded, for one year or all."""
    rows = edition.year_set.all()
    if year:
        rows = rows.filter(financial_year__code=year)
    found = rows.aggregate(amount=Sum("amount"), lines=Sum("line_count"))
    return found["amount"] or ZERO, found["lines"] or 0


def dataset_figure_lines(*, figure: DatasetFigure) -> QuerySet[DatasetLine]:
    """Every share of a figure, read through its edition and year (written together)."""
    return (
        DatasetLine.objects.filter(
            edition_id=figure.edition_id,
            financial_year_id=figure.financial_year_id,
            figure_id=figure.pk,
        )
        .select_related("place", "organisation", "theme", "financial_year")
        .order_by("place__name", "id")
    )


def counted_dataset_lines(*, cut: Cut) -> QuerySet[DatasetLine]:
    """The dataset lines in ``cut`` that the count of a place uses (``cut`` names the source):
    those with a rollup row of the same edition, place, body, theme, year and basis. The
    count outranks per body, year and place, so a key is counted whole or not at all, and the
    rollups' line count for the cut is the number of these lines."""
    counted = SpendRollup.objects.filter(
        edition_id=OuterRef("edition_id"),
        place_id=OuterRef("place_id"),
        organisation_id=OuterRef("organisation_id"),
        theme_id=OuterRef("theme_id"),
        financial_year_id=OuterRef("financial_year_id"),
        basis=OuterRef("basis"),
    )
    return (
        DatasetLine.objects.filter(cut.q())
        .filter(Exists(counted))
        .select_related(*LINE_RELATED)
        .order_by("id")
    )


def dataset_years_with_lines(*, edition: DatasetEdition) -> list[FinancialYear]:
    return list(
        FinancialYear.objects.filter(pk__in=edition.year_set.values("financial_year_id")).order_by(
            "start_date"
        )
    ) or list(FinancialYear.objects.filter(code__in=edition.years).order_by("start_date"))


def dataset_edition_filter_choices(*, edition: DatasetEdition) -> dict:
    """The bodies the edition's figures name (a few hundred), every theme and its years, for
    its lines' filters."""
    from ledger.models import Organisation, ServiceTheme

    figures = DatasetFigure.objects.filter(edition_id=edition.pk)
    return {
        "organisations": Organisation.objects.filter(
            pk__in=figures.values("organisation_id")
        ).order_by("name"),
        "themes": ServiceTheme.objects.order_by("sort_order", "name"),
        "years": dataset_years_with_lines(edition=edition),
    }
