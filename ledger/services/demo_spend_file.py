"""A real council spend file in the demo: Leeds City Council's payments over £500 in January
2011 (``fixtures/samples``, OGL), imported as a finance officer imports one, then approved.

The Cumbria returns are illustrative totals by theme, with no payees: without a real file the
supplier pages and a return's lines and duplicates pages would be empty on a first ``make run``.
The file goes through the import page's own services (preview, then confirm), called here in
turn rather than queued, since no worker need be running; then submit and approve. All as the
system (``actor=None``), as the rest of the demo, in the command's audit context. The totals are
refreshed at once, the supplier rollups with them, whether or not a worker is running.

Loading twice imports nothing twice: the file (its SHA-256) already confirmed into a Leeds
2010-11 return is found, and only the steps that return has not been through yet run. A Leeds
2010-11 return someone else made is never touched (approving ours would supersede it).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

from ledger.models import (
    ImportJob,
    ImportJobStatus,
    Organisation,
    SpendReturn,
    SpendReturnStatus,
    SpendSupplierRollup,
)
from totalplace.uploads import upload_digest

from .approval import spend_return_approve, spend_return_submit
from .imports.confirm import import_job_confirm
from .imports.jobs import import_job_create
from .imports.preview import import_job_run
from .imports.storage import return_holding_file
from .returns import spend_return_create
from .years import financial_year_get

SAMPLES_DIR = Path(settings.BASE_DIR) / "fixtures" / "samples"
# 8,837 lines: enough payees to fill the supplier pages, about two seconds to load on SQLite.
SPEND_FILE = SAMPLES_DIR / "leeds_spend_over_500_2011-01_raw.csv"
ORGANISATION_CODE = "00DA"  # Leeds City Council (legacy ONS code, as the file names it)
YEAR_CODE = "2010-11"
SPEND_FILE_TITLE = "Spend over £500, January 2011 (the council's published file, in the demo)"


@dataclass(frozen=True)
class DemoSpendFile:
    status: str  # "imported", "already loaded", or why it was left alone
    spend_return: SpendReturn | None
    job: ImportJob | None


def demo_load_spend_file() -> DemoSpendFile:
    """Import, confirm and approve the demo's real spend file, and refresh its totals."""
    organisation = Organisation.objects.by_code(ORGANISATION_CODE).get()
    year = financial_year_get(YEAR_CODE)
    with SPEND_FILE.open("rb") as handle:
        sha256, _ = upload_digest(File(handle))
    holder = return_holding_file(organisation=organisation, financial_year=year, sha256=sha256)
    ours = SpendReturn.objects.filter(
        organisation=organisation, financial_year=year, place=None, title=SPEND_FILE_TITLE
    )
    others = SpendReturn.objects.filter(organisation=organisation, financial_year=year).exclude(
        pk__in=ours.values("pk")
    )
    if others.exists():  # a return holding the file that is not ours among them
        return DemoSpendFile(
            f"left alone: {organisation} already has a {YEAR_CODE} return", holder, None
        )
    spend_return = holder or ours.filter(status__in=SpendReturnStatus.editable()).first()
    if spend_return is None:  # none yet, or an interrupted run's empty draft is reused
        spend_return = spend_return_create(
            organisation=organisation, financial_year=year, title=SPEND_FILE_TITLE, actor=None
        )
    job = _imported(spend_return, sha256)
    spend_return, done = _approved(spend_return)
    return DemoSpendFile("imported" if done else "already loaded", spend_return, job)


def _imported(spend_return: SpendReturn, sha256: str) -> ImportJob:
    """The file's confirmed import into ``spend_return``, previewed and confirmed if need be
    (each step leaves a finished one as it is: a run cut short carries on where it stopped)."""
    job = (
        spend_return.import_jobs.filter(sha256=sha256)
        .exclude(status=ImportJobStatus.CANCELLED)
        .order_by("-pk")
        .first()
    )
    if job is None:
        with SPEND_FILE.open("rb") as handle:
            job = import_job_create(
                spend_return=spend_return,
                file=File(handle, name=SPEND_FILE.name),
                actor=None,
                start=False,
            )
    job = import_job_run(job_id=job.pk)
    if job.status not in (ImportJobStatus.READY, ImportJobStatus.CONFIRMED):
        raise ValidationError(f"{SPEND_FILE.name}: {job.get_status_display()}: {job.message}")
    return import_job_confirm(job=job, actor=None)


def _approved(spend_return: SpendReturn) -> tuple[SpendReturn, bool]:
    """Submit and approve the return and see its totals refreshed: the return as it is now,
    and whether anything was left to do."""
    spend_return = SpendReturn.objects.get(pk=spend_return.pk)
    changed = False
    if spend_return.status in SpendReturnStatus.editable():
        spend_return = spend_return_submit(spend_return=spend_return, actor=None)
        changed = True
    if spend_return.status == SpendReturnStatus.SUBMITTED:
        spend_return = spend_return_approve(spend_return=spend_return, actor=None)
        changed = True
    # The approval queues the refresh after it commits: run in-process without a broker (make
    # run), left waiting with a broker and no worker. Then (or after a run cut short just
    # before it) this runs the same task; it is idempotent, so a worker's run changes nothing.
    if not SpendSupplierRollup.objects.filter(spend_return=spend_return).exists():
        from ledger.tasks import rollups_refresh  # here: the tasks module imports the services

        rollups_refresh(spend_return_ids=[spend_return.pk])
        changed = True
    return spend_return, changed
