#!/usr/bin/env python
"""Loading a whole CRA database: preview, load and apportion, against reading the workbook alone.

    DATABASE_URL=postgres://... python bench/dataset_bench.py [--file path.xlsx] [--keep]

In one run, times
  1. reading the workbook alone: openpyxl in read-only mode over every cell of its data sheet
     (the baseline: nothing checked, nothing stored; any loader must at least do this), and
  2. the whole load as an editor's upload runs it: store and hash the file, preview (find the
     data sheet and header, every figure to exact pence, departments, regions and COFOG groups
     resolved, money accounted), then load (read again, apportion every English region's
     figures to its local authorities by population, exact to the penny, and write figures and
     lines by COPY in one transaction), then approve and rebuild the count (the rollups),
and prints each step, the load's time against the baseline's, lines per second and peak memory.
Issue 12's target: the load (preview + load, apportioning England's regions to every local
authority) under 60 s here. The edition is cancelled afterwards (its lines deleted) unless
``--keep``. Not a test.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totalplace.settings.base")
DEFAULT_FILE = ROOT / "fixtures" / "datasets" / "hmt_cra_2018_database.xlsx"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_alone(path: Path) -> tuple[float, int]:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=False)
    cells = 0
    for name in workbook.sheetnames:
        worksheet = workbook[name]
        worksheet.reset_dimensions()
        for row in worksheet.iter_rows(values_only=True):
            cells += len(row)
    workbook.close()
    return time.perf_counter() - started, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--keep", action="store_true", help="keep the loaded edition")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The dataset benchmark needs DATABASE_URL=postgres://... (COPY path).")
    call_command("migrate", verbosity=0)
    from ledger.models import DatasetEdition, Organisation
    from ledger.services.datasets.editions import (
        dataset_create,
        dataset_edition_approve,
        dataset_edition_request_load,
        dataset_edition_upload,
    )
    from ledger.services.datasets.load import dataset_edition_load
    from ledger.services.datasets.preview import dataset_edition_preview
    from ledger.services.rollups import rollup_rebuild

    if not Organisation.objects.filter(code="LG-ENG").exists():
        from ledger.services.reference import reference_load_all

        reference_load_all()
    baseline, cells = read_alone(args.file)
    print(f"baseline: openpyxl reads {cells:,} cells in {baseline:.1f}s")

    with tempfile.TemporaryDirectory() as tmp:
        settings.MEDIA_ROOT = tmp
        dataset = dataset_create(
            title=f"CRA bench {time.time():.0f}",
            publisher="HM Treasury",
            format="regional",
            route="top_down",
            actor=None,
        )
        steps = {}
        started = time.perf_counter()
        with args.file.open("rb") as handle:
            edition = dataset_edition_upload(
                dataset=dataset,
                edition="bench",
                upload=File(handle, name=args.file.name),
                actor=None,
                start=False,
            )
        steps["store and hash the file"] = time.perf_counter() - started
        mark = time.perf_counter()
        edition = dataset_edition_preview(edition_id=edition.pk)
        steps["preview"] = time.perf_counter() - mark
        if edition.status != "ready":
            raise SystemExit(f"preview: {edition.status}: {edition.message}")
        mark = time.perf_counter()
        dataset_edition_request_load(edition=edition, actor=None)
        edition = dataset_edition_load(edition_id=edition.pk)
        steps["load: read again, apportion, write"] = time.perf_counter() - mark
        loaded = time.perf_counter() - started
        if edition.status != "loaded":
            raise SystemExit(f"load: {edition.status}: {edition.message}")
        mark = time.perf_counter()
        dataset_edition_approve(edition=edition, actor=None)
        rollup_rebuild()
        steps["approve and rebuild the count"] = time.perf_counter() - mark
        for step, seconds in steps.items():
            print(f"  {step:<40} {seconds:6.1f}s")
        print(
            f"whole load (store, preview, load): {loaded:.1f}s for {edition.values_count:,} "
            f"figures and {edition.line_count:,} lines ({edition.line_count / loaded:,.0f} "
            f"lines/s); {loaded / baseline:.1f}× reading the workbook alone; target under 60 s"
        )
        print(f"peak memory {peak_mb():,.0f} MB")
        if not args.keep:  # a benchmark's edition leaves no trace in the count
            edition = DatasetEdition.objects.get(pk=edition.pk)
            edition.lines.all().delete()
            edition.figures.all().delete()
            edition.delete()
            dataset.delete()
            rollup_rebuild()


if __name__ == "__main__":
    main()
