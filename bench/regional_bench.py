#!/usr/bin/env python
"""CRA reader speed: ``read_regional`` against reading the same workbook alone, in one run.

    python bench/regional_bench.py [--file fixtures/datasets/hmt_cra_2018_database.xlsx]
                                   [--rounds 3]

No database. Times, best of ``--rounds`` (run in turn, so drift in the machine's load falls on
all of them alike):
  1. openpyxl in read-only mode iterating every cell of the data sheet (values only): the
     floor under any reader of this workbook built on openpyxl;
  2. ``pandas.read_excel`` of the data sheet (openpyxl under it): a frame, nothing checked;
  3. ``tables.inspect`` (hash, bomb checks, sheet names) then ``read_regional``: sheet and
     header found, unit read, every figure to exact pence, the long frame built;
and prints 3 against 1 and 2. Then the same table as CSV: ``pandas.read_csv`` of the export
against ``read_regional`` on it, which is the reader's own cost with openpyxl out of the way.
Not a test.
"""

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_FILE = ROOT / "fixtures" / "datasets" / "hmt_cra_2018_database.xlsx"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def openpyxl_cells(path: Path, sheet: str) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    worksheet = workbook[sheet]
    worksheet.reset_dimensions()
    cells = 0
    for row in worksheet.iter_rows(values_only=True):
        cells += len(row)
    workbook.close()
    return cells


def pandas_excel(path: Path, sheet: str) -> int:
    import pandas as pd

    return pd.read_excel(path, sheet_name=sheet, header=None, engine="openpyxl").size


def pandas_csv(path: Path, skip: int) -> int:
    import pandas as pd

    return pd.read_csv(path, skiprows=skip, header=None, dtype=str, keep_default_na=False).size


def reader(path: Path, **options):
    from ledger.importers import tables
    from ledger.importers.datasets.regional import read_regional

    def opener():
        return path.open("rb")

    return read_regional(opener, tables.inspect(opener), **options)


def best(rounds: int, runs: dict) -> dict:
    """Each callable's best time over ``rounds``, the callables taking turns."""
    times = {name: float("inf") for name in runs}
    results = {}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            results[name] = run()
            times[name] = min(times[name], time.perf_counter() - start)
    return {name: (times[name], results[name]) for name in runs}


def export_csv(path: Path, sheet: str, target: Path) -> None:
    """The data sheet as CSV, as a user might download it (floats written in full)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in workbook[sheet].iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    table = reader(args.file)  # untimed: finds the sheet the baselines read, warms imports
    sheet, unit = table.sheet, table.unit_factor
    print(
        f"{args.file.name}: sheet “{sheet}”, header on row {table.header_row}, "
        f"{table.rows_read:,} rows × {len(table.years)} years, unit × {unit}"
    )
    timed = best(
        args.rounds,
        {
            "openpyxl": lambda: openpyxl_cells(args.file, sheet),
            "read_excel": lambda: pandas_excel(args.file, sheet),
            "read_regional": lambda: reader(args.file),
        },
    )
    floor, cells = timed["openpyxl"]
    excel, _ = timed["read_excel"]
    elapsed, table = timed["read_regional"]
    summary = table.summary()
    print(f"openpyxl read-only, every cell: {floor:6.2f}s  ({cells:,} cells)")
    print(f"pandas.read_excel, data sheet:  {excel:6.2f}s")
    print(
        f"inspect + read_regional:        {elapsed:6.2f}s  ({table.values_count:,} figures, "
        f"{table.zero_count:,} zeros, {table.error_count} errors, total "
        f"£{summary['total'] / 100:,.2f})"
    )
    print(f"ratio read_regional / openpyxl:   {elapsed / floor:.2f}")
    print(f"ratio read_regional / read_excel: {elapsed / excel:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        exported = Path(tmp) / "cra.csv"
        export_csv(args.file, sheet, exported)
        timed = best(
            args.rounds,
            {
                "read_csv": lambda: pandas_csv(exported, table.header_row),
                "read_regional": lambda: reader(exported, unit_factor=unit),
            },
        )
    plain, _ = timed["read_csv"]
    from_csv, csv_table = timed["read_regional"]
    same = csv_table.frame.equals(table.frame)
    print(f"the same table as CSV: pandas.read_csv {plain:.2f}s, read_regional {from_csv:.2f}s")
    print(f"ratio read_regional / read_csv:   {from_csv / plain:.2f}  (same frame: {same})")
    print(f"peak memory (whole process): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
