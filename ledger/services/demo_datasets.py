"""The real national datasets in the demo: DLUHC's revenue account by authority (2023-24) and
HM Treasury's Country and Regional Analysis (2018: 2013-14 to 2017-18), from fixtures/datasets.

They go through the same steps as an upload (preview, load, approve) as the system. Loading
twice does not double anything: an edition whose file is already loaded is left alone.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

from ledger.models import Dataset, DatasetEdition, DatasetEditionStatus, DatasetFormat, DatasetRoute

from .datasets.editions import (
    dataset_create,
    dataset_edition_approve,
    dataset_edition_request_load,
    dataset_edition_upload,
)
from .datasets.load import dataset_edition_load
from .datasets.preview import dataset_edition_preview

DATASETS_DIR = Path(settings.BASE_DIR) / "fixtures" / "datasets"


@dataclass(frozen=True)
class DemoDataset:
    slug: str
    title: str
    publisher: str
    format: str
    route: str
    source_url: str
    description: str
    edition: str
    filename: str
    choices: dict


DEMO_DATASETS = (
    DemoDataset(
        slug="dluhc-revenue-account-budget",
        title="Revenue Account budget (RA), by authority",
        publisher="Department for Levelling Up, Housing and Communities",
        format=DatasetFormat.WIDE,
        route=DatasetRoute.BOTTOM_UP,
        source_url="https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing",
        description="Each English authority's budgeted service expenditure, from its own RA "
        "return: councils, police, fire, the GLA, combined authorities, parks, waste.",
        edition="2023-24",
        filename="dluhc_revenue_account_2023-24_part1_by_la.csv",
        choices={"measure": "tse"},
    ),
    DemoDataset(
        slug="hmt-country-and-regional-analysis",
        title="Country and Regional Analysis (CRA)",
        publisher="HM Treasury",
        format=DatasetFormat.REGIONAL,
        route=DatasetRoute.TOP_DOWN,
        source_url="https://www.gov.uk/government/collections/country-and-regional-analysis",
        description="Public spending by department, function and region (identifiable, "
        "non-identifiable and outside the UK), apportioned here to local authorities.",
        edition="CRA 2018",
        filename="hmt_cra_2018_database.xlsx",
        choices={},
    ),
)


def _dataset(spec: DemoDataset) -> Dataset:
    found = Dataset.objects.filter(slug=spec.slug).first()
    if found is not None:
        return found
    return dataset_create(
        slug=spec.slug,
        title=spec.title,
        publisher=spec.publisher,
        format=spec.format,
        route=spec.route,
        source_url=spec.source_url,
        description=spec.description,
        actor=None,
    )


def demo_load_datasets(*, only: tuple[str, ...] = ()) -> dict[str, str]:
    """Preview, load and approve each demo dataset's edition; returns each one's status."""
    outcome = {}
    for spec in DEMO_DATASETS:
        if only and spec.slug not in only:
            continue
        dataset = _dataset(spec)
        path = DATASETS_DIR / spec.filename
        edition = DatasetEdition.objects.filter(
            dataset=dataset, filename=spec.filename, status=DatasetEditionStatus.APPROVED
        ).first()
        if edition is None:
            with path.open("rb") as handle:
                edition = dataset_edition_upload(
                    dataset=dataset,
                    edition=spec.edition,
                    upload=File(handle, name=spec.filename),
                    actor=None,
                    choices=spec.choices,
                    start=False,
                )
            edition = _through(edition)
        outcome[spec.slug] = edition.status
    return outcome


def _through(edition: DatasetEdition) -> DatasetEdition:
    """Preview, load and approve, as the system; stops (and says why) at the first problem."""
    edition = dataset_edition_preview(edition_id=edition.pk)
    if edition.status != DatasetEditionStatus.READY:
        raise ValidationError(f"{edition}: {edition.get_status_display()}: {edition.message}")
    dataset_edition_request_load(edition=edition, actor=None)
    edition = dataset_edition_load(edition_id=edition.pk)
    if edition.status != DatasetEditionStatus.LOADED:
        raise ValidationError(f"{edition}: {edition.get_status_display()}: {edition.message}")
    return dataset_edition_approve(edition=edition, actor=None)
