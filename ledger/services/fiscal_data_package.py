"""Fiscal Data Package export of any cut: a datapackage.json and its CSV, zipped.

The descriptor follows the Fiscal Data Package specification (Open Knowledge's, the format
OpenSpending loads): ``profile: fiscal-data-package``, ``countryCode: GB``, a ``model`` with the
measure ``amount`` (GBP, expenditure, executed) and the dimensions place, organisation,
theme (with its COFOG class) and year, over a tabular resource with a Table Schema.
"""

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ledger.calculations.cuts import DIMENSIONS, Cut
from ledger.calculations.totals import aggregate
from ledger.exports import safe_text
from ledger.models import ExportJob, ExportStatus, FinancialYear, SpendRollup
from ledger.selectors.illustrative import cut_has_illustrative_data
from totalplace.celery import send_or_log

OPEN_LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
DRILLDOWN = ["place", "organisation", "sector", "theme", "cofog", "year", "basis"]
CSV_NAME = "data/spend.csv"
# What the size limit counts: a package row is one of these cells (sector labels it), or a share
# of one where the crosswalk splits its theme across COFOG classes.
CELL_DIMENSIONS = ["place", "organisation", "theme", "year", "basis"]
FIELDS = [
    ("place_code", "GSS (or legacy ONS) code of the place the money was spent in"),
    ("place_name", "Place"),
    ("organisation_code", "Code of the public body that spent it"),
    ("organisation_name", "Organisation"),
    ("sector", "Sector of the organisation"),
    ("theme_code", "TotalPlace service theme"),
    ("theme_name", "Service theme"),
    ("cofog_code", "COFOG class the theme maps to (blank: not classified)"),
    ("cofog_name", "COFOG class"),
    ("financial_year", "UK financial year, 1 April to 31 March"),
    ("basis", "direct, or apportioned (a share of spend across places)"),
]


def _rows(cut: Cut) -> list[list]:
    result = aggregate(cut=cut, drilldown=DRILLDOWN, order=DRILLDOWN[:5] + ["year"])
    rows = []
    for cell in result.cells:
        m = cell.members
        text = [
            m["place"].code,
            m["place"].name,
            m["organisation"].code,
            m["organisation"].name,
            m["sector"].code,
            m["theme"].code,
            m["theme"].name,
            m["cofog"].code,
            m["cofog"].name,
            m["year"].code,
            m["basis"].code,
        ]
        # Names are escaped for spreadsheets; the amount stays a bare number (a credit's minus
        # sign is a sign, not a formula).
        rows.append([safe_text(v or "") for v in text] + [f"{cell.amount:.2f}"])
    return rows


def _descriptor(cut: Cut, rows: list[list], title: str, illustrative: bool) -> dict:
    years = sorted({r[9] for r in rows})
    period = {}
    if years:
        found = FinancialYear.objects.filter(code__in=[years[0], years[-1]]).order_by("start_date")
        period = {
            "start": found.first().start_date.isoformat(),
            "end": found.last().end_date.isoformat(),
        }
    fields = [
        {
            "name": name,
            "type": "string",
            "title": name.replace("_", " ").capitalize(),
            "description": description,
        }
        for name, description in FIELDS
    ]
    fields[9]["constraints"] = {"required": True, "pattern": r"\d{4}-\d{2}"}
    fields.append(
        {
            "name": "amount",
            "type": "number",
            "title": "Amount",
            "decimalChar": ".",
            "bareNumber": True,
            "constraints": {"required": True},
            "description": "Pounds sterling, exact to the penny; negative = credit/income",
        }
    )

    def attrs(*names, label=None):
        return {
            n: {"source": n, **({"labelfor": label} if label and n != label else {})} for n in names
        }

    return {
        "profile": "fiscal-data-package",
        "name": "totalplace-spend",
        "title": title,
        "description": (
            f"{settings.TOTALPLACE_DEMO_LABEL}: no licence is granted. " if illustrative else ""
        )
        + "Approved public spending from TotalPlace rollups. "
        f"Cut: {cut.as_text() or 'everything'}.",
        "countryCode": "GB",
        "created": timezone.now().replace(microsecond=0).isoformat(),
        # Made-up figures are under no open licence: an illustrative package claims none.
        **({} if illustrative else {"licenses": [OPEN_LICENCE]}),
        **({"fiscalPeriod": period} if period else {}),
        "resources": [
            {
                "name": "spend",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields},
            }
        ],
        "model": {
            "measures": {
                "amount": {
                    "source": "amount",
                    "currency": "GBP",
                    "factor": 1,
                    "direction": "expenditure",
                    "phase": "executed",
                }
            },
            "dimensions": {
                "place": {
                    "dimensionType": "location",
                    "primaryKey": ["place_code"],
                    "attributes": attrs("place_code", "place_name", label="place_code"),
                },
                "organisation": {
                    "dimensionType": "entity",
                    "primaryKey": ["organisation_code"],
                    "attributes": attrs(
                        "organisation_code",
                        "organisation_name",
                        "sector",
                        label="organisation_code",
                    ),
                },
                "theme": {
                    "dimensionType": "classification",
                    "classificationType": "functional",
                    "primaryKey": ["theme_code", "cofog_code"],
                    "attributes": attrs("theme_code", "theme_name", "cofog_code", "cofog_name"),
                },
                "year": {
                    "dimensionType": "datetime",
                    "primaryKey": ["financial_year"],
                    "attributes": attrs("financial_year"),
                },
                "basis": {
                    "dimensionType": "other",
                    "primaryKey": ["basis"],
                    "attributes": attrs("basis"),
                },
            },
        },
    }


def fiscal_data_package_build(
    *, cut: Cut, title: str = "TotalPlace spend", progress: Callable[[int, int], None] | None = None
) -> bytes:
    """The zip (datapackage.json + data/spend.csv) for a cut; amounts sum to the cut's total."""
    rows = _rows(cut)
    buffer = io.StringIO()
    # RFC 4180 line ends: with "\n" alone, csv leaves a carriage return inside a name unquoted
    # and the row splits in two for every reader.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in FIELDS] + ["amount"])
    for done, row in enumerate(rows, 1):
        writer.writerow(row)
        if progress and done % 5000 == 0:
            progress(done, len(rows))
    if progress:
        progress(len(rows), len(rows))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        illustrative = cut_has_illustrative_data(cut=cut)
        descriptor = _descriptor(cut, rows, title, illustrative)
        zf.writestr("datapackage.json", json.dumps(descriptor, indent=2))
        zf.writestr(CSV_NAME, buffer.getvalue())
    return archive.getvalue()


def fiscal_data_package_cells(*, cut: Cut, limit: int | None = None) -> int:
    """How many cells (``CELL_DIMENSIONS``) the package for this cut would have: what decides
    sync vs. a Celery job. With ``limit``, counting stops at ``limit + 1`` ("more than").

    One COUNT of distinct rollup keys, not the package's aggregate, which took seconds on a
    large cut (tens under load) only to be refused. The cells are ``aggregate``'s: it leaves
    out a cell without lines and, line counts never being negative, that is a cell none of
    whose rollups has a line (a WHERE: cheaper than a HAVING on a sum).
    """
    fields = [f for d in CELL_DIMENSIONS for f in DIMENSIONS[d].fields]
    cells = (
        SpendRollup.objects.filter(cut.q(), line_count__gt=0).values(*fields).distinct().order_by()
    )
    return (cells[: limit + 1] if limit is not None else cells).count()


# What the analyst reads when building the package failed: the exception (whose text may name
# the server's paths) goes to the log, by the task that re-raises it.
EXPORT_FAILED_MESSAGE = (
    "The export could not be built because of an error on our side; it has been logged. "
    "Try again, or contact support with the job number."
)
EXPORT_DELAYED_MESSAGE = (
    "Processing is delayed: the job queue cannot be reached just now. The export will start "
    "automatically as soon as the queue is back; there is no need to ask for it again."
)


def export_job_create(*, cut: Cut, actor=None) -> ExportJob:
    """Queue a Fiscal Data Package export; the worker starts after this commits."""
    with transaction.atomic():
        job = ExportJob.objects.create(params={"cut": cut.as_text()}, created_by=actor)
        transaction.on_commit(lambda: export_job_dispatch(job_id=job.pk))
    return job


def export_job_dispatch(*, job_id) -> bool:
    """Send a queued job's task (its kind's); if the broker is down, mark it delayed (beat
    retries)."""
    from ledger.tasks import export_fiscal_data_package, export_spend_return_lines

    kind = ExportJob.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    task = export_spend_return_lines if kind == "spend-return-lines" else export_fiscal_data_package
    if send_or_log(task, str(job_id)) is None:
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            delayed_at=timezone.now()
        )
        return False
    ExportJob.objects.filter(pk=job_id).update(delayed_at=None)
    return True


def export_jobs_requeue() -> int:
    """Queue every delayed export again (beat, every minute); returns how many went.

    A job is claimed by moving ``delayed_at`` in one conditional UPDATE, so two beats at once
    send it once; a duplicate would still be harmless (``export_job_run`` skips a done job).
    """
    sent = 0
    for job_id, delayed_at in ExportJob.objects.filter(
        status=ExportStatus.QUEUED, delayed_at__isnull=False
    ).values_list("pk", "delayed_at"):
        claimed = ExportJob.objects.filter(pk=job_id, delayed_at=delayed_at).update(
            delayed_at=timezone.now()
        )
        sent += bool(claimed) and export_job_dispatch(job_id=job_id)
    return sent


def export_job_run(*, job_id) -> ExportJob:
    """Build the export for a job (idempotent: a finished job is left as it is)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        content = fiscal_data_package_build(
            cut=Cut.parse(job.params.get("cut", "")), progress=progress
        )
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=EXPORT_FAILED_MESSAGE
        )
        raise
    job.refresh_from_db()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    job.file.save(f"totalplace-fdp-{stamp}-{str(job.pk)[:8]}.zip", ContentFile(content), save=False)
    job.status, job.finished_at = ExportStatus.DONE, timezone.now()
    job.save(update_fields=["file", "status", "finished_at"])
    return job
