"""Small national datasets in the real layouts, for the dataset pages and API tests (on the
helpers of ``dataset_helpers``).

The wide table is the DLUHC-shaped revenue account budget 2023-24 of ``test_dataset_wide`` (its
layout, headings, line numbers and a few authorities' codes are DLUHC's, Open Government Licence
v3.0; the figures are made up) with two bodies the reference data does not know. The regional
workbook has the layout and column names of HM Treasury's Country and Regional Analysis 2018
database (Open Government Licence v3.0), for 2022-23 and 2023-24 so that both datasets count
Adur in 2023-24; its figures are made up.
"""

from decimal import Decimal

from ledger.models import (
    DEFAULT_PRECEDENCE,
    Basis,
    Dataset,
    DatasetEdition,
    DatasetEditionStatus,
    DatasetEditionYear,
    DatasetFigure,
    DatasetFormat,
    DatasetLine,
    DatasetRoute,
    control_of,
)
from ledger.services.datasets.editions import (
    dataset_edition_approve,
    dataset_edition_request_load,
)
from ledger.services.datasets.load import dataset_edition_load
from ledger.services.rollups import rollup_rebuild
from tests.ledger import dataset_helpers as helpers
from tests.ledger.dataset_helpers import csv_bytes, new_edition, preview
from tests.ledger.test_dataset_regional import HEADER as CRA_HEADER
from tests.ledger.test_dataset_regional import _workbook
from tests.ledger.test_dataset_wide import _body_cells, table

Status = DatasetEditionStatus
ADUR = "E07000223"
WASTE = ("E9999", "E99999999", "Made-up Waste Authority", "O", "Waste", "")
PARK = ("E9998", "E99999998", "Made-up Park Authority", "O", "National park", "")
# £ thousand: early years, primary, structural maintenance, parking (the rest 0).
UNKNOWN_BODIES = [(WASTE, (0, 0, 7, 0)), (PARK, (0, 0, 3, 0))]


def wide_rows(unknown=UNKNOWN_BODIES) -> list[list[str]]:
    """The DLUHC-shaped table with ``unknown`` bodies after the known ones."""
    rows = table()
    at = next(i for i, row in enumerate(rows) if row[0] == "E3641")  # Woking, "..." throughout
    return rows[:at] + [_body_cells(body, figures) for body, figures in unknown] + rows[at:]


DWP, LG = "Department for Work and Pensions", "Local Government England"
YEARS = ("2022-23", "2023-24")
# (department, COFOG group, CAP/CUR, CG/LG/PC, region) → 2022-23, 2023-24 in £ thousand.
CRA_FIGURES = {
    (DWP, "10.2", "CUR", "CG", "ENGLAND_South East"): (1000.5, 2000),
    (LG, "10.1", "CUR", "LG", "ENGLAND_South East"): (0, 500),
    (DWP, "10.2", "CUR", "CG", "SCOTLAND"): (0, 300),
    (DWP, "10.2", "CUR", "CG", "OUTSIDE UK"): (0, 10),
    ("HM Treasury", "01.7", "CUR", "CG", "NON-REGIONAL"): (0, -50),
}


def cra_workbook(figures=CRA_FIGURES, *, metadata: bool = True) -> bytes:
    """The CRA-shaped workbook for 2022-23 and 2023-24; without its metadata sheet the unit
    is not said anywhere."""
    if metadata:
        return helpers.cra_workbook(figures, years=YEARS)
    rows = [helpers.cra_row(*key, *values) for key, values in figures.items()]
    columns = [*CRA_HEADER[:14], *YEARS]
    return _workbook({"CRA database": [["Country and Regional Analysis"], columns, *rows]})


def load(edition: DatasetEdition, *, loader) -> DatasetEdition:
    """Previewed (if queued) and loaded, as the tasks would."""
    if edition.status == Status.QUEUED:
        edition = preview(edition)
    assert edition.status == Status.READY, (edition.status, edition.message, edition.errors)
    dataset_edition_request_load(edition=edition, actor=loader)
    edition = dataset_edition_load(edition_id=edition.pk)
    assert edition.status == Status.LOADED, (edition.message, edition.errors)
    return edition


def approve(edition: DatasetEdition, *, approver) -> DatasetEdition:
    """Approved, then the count rebuilt, as the task queued after commit would."""
    edition = dataset_edition_approve(edition=edition, actor=approver)
    rollup_rebuild()
    return edition


def approved_datasets(uploader, approver) -> dict[str, DatasetEdition]:
    """The wide table (its unknown bodies excluded) and the regional workbook, both loaded and
    approved: Adur is counted bottom-up (its council) and top-down (DWP) in 2023-24."""
    from ledger.services.datasets.editions import dataset_edition_choose

    wide = preview(
        new_edition(
            content=csv_bytes(wide_rows()),
            filename="ra_2023-24.csv",
            actor=uploader,
            fmt="wide",
            edition="2023-24",
        )
    )
    bodies = {body[1]: {"action": "exclude"} for body, _ in UNKNOWN_BODIES}
    # The preview it queues runs after commit, which never comes in a test: run it here.
    wide = dataset_edition_choose(edition=wide, choices={"bodies": bodies}, actor=uploader)
    wide = approve(load(preview(wide), loader=uploader), approver=approver)
    cra = new_edition(
        content=cra_workbook(),
        filename="cra.xlsx",
        actor=uploader,
        fmt="regional",
        edition="CRA 2024",
    )
    cra = approve(load(cra, loader=uploader), approver=approver)
    return {"wide": wide, "cra": cra}


def orm_edition(
    *,
    dataset: Dataset | None = None,
    slug: str = "a-top-down-dataset",
    route: str = DatasetRoute.TOP_DOWN,
    status: str = Status.APPROVED,
    edition: str = "2010-11",
    actor=None,
    **fields,
) -> DatasetEdition:
    """An edition written straight to the database, as if previewed (and loaded): for small
    factory-built worlds with no reference data and no file to read. ``orm_figure`` adds its
    figures and lines."""
    if dataset is None:
        fmt = DatasetFormat.WIDE if route == DatasetRoute.BOTTOM_UP else DatasetFormat.REGIONAL
        dataset = Dataset.objects.create(
            slug=slug,
            title=slug.replace("-", " ").capitalize(),
            publisher="A publisher",
            format=fmt,
            route=route,
            precedence=DEFAULT_PRECEDENCE[route],
        )
    number = DatasetEdition.objects.count() + 1
    return DatasetEdition.objects.create(
        dataset=dataset,
        edition=edition,
        status=status,
        file=f"datasets/{slug}-{number}.csv",
        filename=f"{slug}.csv",
        sha256=f"{number:064x}",
        size=100,
        created_by=actor,
        loaded_by=actor if status in (Status.LOADED, Status.APPROVED) else None,
        **fields,
    )


def orm_figure(
    edition: DatasetEdition,
    *,
    organisation,
    year,
    theme,
    shares: dict,
    basis: str = Basis.ESTIMATED,
    row: int = 2,
    region: str = "",
    current: bool | None = None,
) -> DatasetFigure:
    """A figure of ``edition`` and its lines (``shares``: place → amount), with the edition's
    years, lines and money kept as a load would leave them."""
    amount = sum(shares.values(), Decimal("0.00"))
    figure = DatasetFigure.objects.create(
        edition=edition,
        organisation=organisation,
        financial_year=year,
        amount=amount,
        source_row=row,
        source_column=year.code,
        source_code=f"SEG-{row}",
        source_label=f"{theme.name} as published",
        source_place=region,
        body_name=organisation.name.upper(),
        driver="population" if len(shares) > 1 else "",
        driver_year=year.code if len(shares) > 1 else "",
        driver_source="Population: a test" if len(shares) > 1 else "",
    )
    DatasetLine.objects.bulk_create(
        DatasetLine(
            edition=edition,
            figure=figure,
            organisation=organisation,
            place=place,
            theme=theme,
            financial_year=year,
            amount=share,
            spend_kind="revenue",
            basis=basis,
            control=control_of(organisation),
        )
        for place, share in shares.items()
    )
    if current is None:
        current = edition.status == Status.APPROVED
    edition_year, _ = DatasetEditionYear.objects.get_or_create(
        edition=edition, financial_year=year, defaults={"is_current": current}
    )
    edition_year.amount += amount
    edition_year.line_count += len(shares)
    edition_year.save()
    edition.money_read += amount
    edition.money_loaded += amount
    edition.line_count += len(shares)
    edition.values_count += 1
    edition.years = sorted({*edition.years, year.code})
    edition.save()
    return figure
