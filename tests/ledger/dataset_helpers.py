"""Helpers for the dataset tests: small files in the real layouts, and an edition's whole life.

The small CRA-shaped workbook copies the layout and column names of HM Treasury's Country and
Regional Analysis 2018 database (Open Government Licence v3.0); its figures are made up.
"""

import datetime as dt
import io
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from ledger.models import (
    DatasetEdition,
    DatasetEditionStatus,
    DatasetFormat,
    DatasetRoute,
    FinancialYear,
    Organisation,
    Place,
    ServiceTheme,
    SpendLine,
)
from ledger.permissions import DATASET_EDITORS_GROUP
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.datasets.editions import (
    dataset_create,
    dataset_edition_approve,
    dataset_edition_request_load,
    dataset_edition_upload,
)
from ledger.services.datasets.load import dataset_edition_load
from ledger.services.datasets.preview import dataset_edition_preview
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from tests.factories import UserFactory
from tests.ledger.test_dataset_regional import HEADER as CRA_HEADER
from tests.ledger.test_dataset_regional import METADATA, _workbook
from tests.ledger.test_dataset_wide import table as wide_table

Status = DatasetEditionStatus


def editor(username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=DATASET_EDITORS_GROUP)[0])
    return user


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    import csv

    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def cra_row(department, cofog, kind, control, region, *figures):
    """A CRA data row: a department's figure for a COFOG group, by region, in £ thousand."""
    division = cofog.split(".")[0]
    country = region.split("_")[0] if region.startswith("ENGLAND") else region
    identifiable = "Non-ID" if region == "NON-REGIONAL" else "ID"
    return [
        department,
        department,
        f"{department[:3].upper()}-{cofog}-{region[:12]}",
        f"{department} {cofog}",
        f"{division}. Function",
        f"{division}. Function",
        f"{cofog} Group",
        f"{cofog} Group",
        identifiable,
        kind,
        control,
        "DEPT",
        region,
        country,
        *figures,
    ]


DWP = "Department for Work and Pensions"
# (department, COFOG group, CAP/CUR, CG/LG/PC, region) → 2016-17, 2017-18 in £ thousand.
CRA_FIGURES = {
    (DWP, "10.2", "CUR", "CG", "ENGLAND_North West"): (1000.5, 2000),
    ("Local Government England", "10.1", "CUR", "LG", "ENGLAND_North West"): (0, 500),
    (DWP, "10.2", "CUR", "CG", "SCOTLAND"): (0, 300),
    (DWP, "10.2", "CUR", "CG", "OUTSIDE UK"): (0, 10),
    ("HM Treasury", "01.7", "CUR", "CG", "NON-REGIONAL"): (0, -50),
}


def cra_workbook(figures=CRA_FIGURES, years=("2016-17", "2017-18")) -> bytes:
    rows = [cra_row(*key, *values) for key, values in figures.items()]
    columns = [*CRA_HEADER[:14], *years]
    return _workbook(
        {"Metadata": METADATA, "CRA database": [["Country and Regional Analysis"], columns, *rows]}
    )


def wide_bytes(rows=None) -> bytes:
    return csv_bytes(rows if rows is not None else wide_table())


def new_edition(*, content: bytes, filename: str, actor, edition="2023-24", fmt="wide", **kw):
    route = DatasetRoute.BOTTOM_UP if fmt == DatasetFormat.WIDE else DatasetRoute.TOP_DOWN
    dataset = kw.pop("dataset", None) or dataset_create(
        title=f"A {fmt} dataset", publisher="A publisher", format=fmt, route=route, actor=actor
    )
    return dataset_edition_upload(
        dataset=dataset,
        edition=edition,
        upload=ContentFile(content, name=filename),
        actor=actor,
        start=False,
        **kw,
    )


def preview(edition: DatasetEdition) -> DatasetEdition:
    return dataset_edition_preview(edition_id=edition.pk)


def load_and_approve(edition: DatasetEdition, *, loader, approver) -> DatasetEdition:
    """Preview (if queued), load and approve; then rebuild the count, as the task would."""
    if edition.status == Status.QUEUED:
        edition = preview(edition)
    assert edition.status == Status.READY, (edition.status, edition.message, edition.errors)
    dataset_edition_request_load(edition=edition, actor=loader)
    edition = dataset_edition_load(edition_id=edition.pk)
    assert edition.status == Status.LOADED, (edition.message, edition.errors)
    edition = dataset_edition_approve(edition=edition, actor=approver)
    rollup_rebuild()
    return edition


def approved_return(
    organisation: Organisation, year: str, lines: dict[str, Decimal], *, place=None
):
    """An approved return of ``organisation`` with one line per place code → amount."""
    year = FinancialYear.objects.get(code=year)
    spend_return = spend_return_create(
        organisation=organisation,
        financial_year=year,
        place=Place.objects.get(gss_code=place) if place else None,
        actor=None,
    )
    theme = ServiceTheme.objects.get(code="social-protection")
    spend_lines_add(
        spend_return=spend_return,
        lines=[
            SpendLine(
                place=Place.objects.get(gss_code=code),
                theme=theme,
                amount=amount,
                transaction_date=dt.date(int(year.code[:4]), 6, 1),
            )
            for code, amount in lines.items()
        ],
    )
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return_approve(spend_return=spend_return, actor=None)
