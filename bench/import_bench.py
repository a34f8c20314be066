"""Spend-file import speed: the whole import against a raw PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://... python bench/import_bench.py [--lines 1000000] [--keep]

Generates a "spend over £500" CSV (DCLG 2010 layout, Leeds's codes) of N lines, then in the
same run times
  1. a raw ``COPY`` of the file into a bare table of text columns (the baseline: PostgreSQL
     parsing CSV with no checks, no indexes, no constraints), and
  2. the whole import as the upload page runs it: hash and store the file, preview (decode,
     find the header, map, parse and validate every cell, theme rules, stage by COPY), then
     confirm (one INSERT ... SELECT into the ledger's indexed, constrained SpendLine table),
and prints both rates, their ratio and the process's peak memory. It then measures the ceiling
of that ratio: storing the already-parsed lines again (``INSERT ... SELECT`` from a temporary
table, rolled back) with everything the ledger requires (indexes, reference checks, the audit's
one record per import), with a per-line audit row for every line instead (as before), without
the audit triggers, without the secondary indexes, and with none of it (only the primary key:
the least any import into ``SpendLine`` can cost); no parser can make the import faster than
its store. It prints what the audit costs the store: one record per import, and what a row per
line would; and what each of SpendLine's secondary indexes costs it (the store as the ledger is
against the same with that one index dropped, rolled back). ``--rounds N`` stores each variant N
times, interleaved, and prints the medians (the machine is shared); ``--prototypes`` also
stores the lines by issue 15's options (into an unlogged copy then made logged, into a copy
partitioned by financial year, with a hash index of the reference, in reference order), each
against the ledger's store with its triggers off; ``--import-only`` skips the ceilings. With
``--audit-baseline`` it
imports the file a second time with the audit trail's triggers on ``SpendLine`` switched off
(``pgtrigger.ignore``) and prints what the audit costs. Not a test.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totalplace.settings.base")

HEADER = (
    "Body,Body Name,Date,Transaction Number,Invoice Number,Amount,Supplier Name,Supplier ID,"
    "VAT Registration Number,Expense Area,Expense Type,Expense Code\n"
)
AREAS = [
    "Adult Social Care",
    "Childrens Services",
    "Highways",
    "Refuse Collection",
    "Libraries",
    "Parks and Open Spaces",
    "Housing Benefit",
    "Planning",
    "Legal Services",
    "Schools",
    "Homelessness",
    "Street Lighting",
    "Car Parks",
    "Museum",
    "Youth Service",
    "Unmapped Area",
]
TYPES = [
    "Supplies and Services",
    "Agency Staff",
    "Grants",
    "Equipment",
    "Consultancy",
    "Building Maintenance",
    "Software",
    "Utilities",
]


def generate(path: Path, lines: int, seed: int) -> None:
    """Write the CSV row by row (memory stays flat), with the variety real files have."""
    rng = random.Random(seed)
    suppliers = [f"Supplier {n} Ltd" for n in range(5000)] + ["REDACTED PERSONAL DATA"] * 50
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        buffer = []
        for n in range(1, lines + 1):
            pence = rng.randint(50_000, 5_000_000)
            if n % 97 == 0:
                pence = -pence  # a credit
            pounds = f"{pence / 100:.2f}" if n % 5 else f"{pence / 100:,.2f}"
            amount = f'"{pounds}"' if "," in pounds else pounds
            day = 1 + n % 28
            supplier = suppliers[n % len(suppliers)]
            buffer.append(
                f"00DA,Leeds City Council,{day:02d}/01/2011,{n},INV{n:08d},{amount},{supplier},"
                f"S{n % 5000},GB{n % 1000:09d},{AREAS[n % len(AREAS)]},{TYPES[n % len(TYPES)]},"
                f"{200 + n % 60}\n"
            )
            if len(buffer) >= 10_000:
                out.write("".join(buffer))
                buffer = []
        out.write("".join(buffer))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_copy(path: Path) -> float:
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(12))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        start = time.perf_counter()
        with path.open("rb") as handle:
            cursor.copy_expert(
                "COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)", handle
            )
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_raw_copy")
    return elapsed


def whole_import(path: Path) -> tuple[float, dict]:
    from totalplace.audit_context import audit_context

    # As a person's import runs: in an audit context, so every line event names it.
    with audit_context(command="import_bench"):
        return _whole_import(path)


def _whole_import(path: Path) -> tuple[float, dict]:
    from django.core.files import File
    from django.db import connection

    from ledger.models import FinancialYear, ImportJobStatus, Organisation
    from ledger.services.imports.confirm import import_job_confirm
    from ledger.services.imports.jobs import import_job_create
    from ledger.services.imports.preview import import_job_run
    from ledger.services.returns import spend_return_create

    leeds = Organisation.objects.by_code("00DA").get()
    year = FinancialYear.objects.get(code="2010-11")
    spend_return = spend_return_create(
        organisation=leeds, financial_year=year, title="bench", actor=None
    )
    marks = {"peak_before": peak_mb()}
    with connection.cursor() as cursor:
        used = _backend_cpu(cursor)
    start = time.perf_counter()
    with path.open("rb") as handle:
        job = import_job_create(
            spend_return=spend_return, file=File(handle, name=path.name), actor=None, start=False
        )
    marks["store"] = time.perf_counter() - start
    job = import_job_run(job_id=job.pk)
    marks["preview"] = time.perf_counter() - start - marks["store"]
    marks["peak_preview"] = peak_mb()
    with connection.cursor() as cursor:  # the preview's statements ran on this connection
        marks["preview_db_cpu"] = _backend_cpu(cursor) - used
        used = _backend_cpu(cursor)
    if job.status != ImportJobStatus.READY:
        raise SystemExit(f"import not ready: {job.status} {job.message} {job.errors[:3]}")
    insert = []
    statements = []

    def time_insert(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - began
            if "INSERT INTO ledger_spendline" in sql:  # after the audit context prefix
                insert.append(took)
            else:
                # The statement itself, after the audit context's prefix (its own statement).
                statement = [part for part in sql.split(";") if part.strip()][-1]
                statements.append((took, " ".join(statement.split())[:70]))

    with connection.execute_wrapper(time_insert):
        job = import_job_confirm(job=job, actor=None)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        marks["confirm_db_cpu"] = _backend_cpu(cursor) - used
    marks["insert"] = sum(insert)
    marks["slowest"] = sorted(statements, reverse=True)[:4]
    marks["confirm"] = elapsed - marks["store"] - marks["preview"]
    marks["lines"] = spend_return.lines.count()
    marks["return"] = spend_return
    return elapsed, marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument("--keep", action="store_true", help="keep the imported return")
    parser.add_argument(
        "--audit-baseline",
        action="store_true",
        help="also import with the audit triggers on SpendLine off, and compare",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="store each ceiling this many times (median)"
    )
    parser.add_argument(
        "--prototypes",
        action="store_true",
        help="also store by issue 15's options: unlogged then logged, partitioned by year, "
        "a hash index of the reference",
    )
    parser.add_argument(
        "--only",
        default="",
        help="store only these variants (comma-separated names, e.g. full,no_triggers)",
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="time the raw COPY and the whole import only, not the store's ceilings",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The import benchmark needs DATABASE_URL=postgres://... (COPY path).")
    call_command("migrate", verbosity=0)
    from ledger.models import Organisation

    if not Organisation.objects.by_code("00DA").exists():
        from ledger.services.reference import reference_load_all

        reference_load_all()

    with tempfile.TemporaryDirectory() as tmp:
        settings.MEDIA_ROOT = tmp
        path = Path(tmp) / f"bench_spend_{args.lines}.csv"
        started = time.perf_counter()
        generate(path, args.lines, args.seed + int(time.time()))
        size_mb = path.stat().st_size / 1024**2
        print(
            f"generated {args.lines:,} lines ({size_mb:,.0f} MB) in "
            f"{time.perf_counter() - started:.1f}s; peak memory so far {peak_mb():,.0f} MB"
        )

        baseline = raw_copy(path)
        unaudited = None
        if args.audit_baseline:
            import pgtrigger

            from ledger.models import SpendLine

            uris = [f"ledger.SpendLine:{t.name}" for t in SpendLine._meta.triggers]
            with pgtrigger.ignore(*uris):
                unaudited, plain = whole_import(path)
            assert plain["lines"] == args.lines, plain
            unaudited_confirm = plain["confirm"]
            clean_up(plain["return"], keep=False)
        elapsed, marks = whole_import(path)
        assert marks["lines"] == args.lines, marks
        marks["peak_after_import"] = peak_mb()
        ceiling = None
        if not args.import_only:
            _lines_aside(marks["return"])
            if not args.keep:  # measure the store on the ledger as the import found it
                marks["return"].lines.all().delete()
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE ledger_spendline")
            ceiling = store_only(
                job_id=marks["return"].import_jobs.get().pk,
                rounds=args.rounds,
                prototypes=args.prototypes,
                only=tuple(filter(None, args.only.split(","))),
            )
        clean_up(marks["return"], keep=args.keep)

    copy_rate = args.lines / baseline
    import_rate = args.lines / elapsed
    print(f"raw COPY into a bare table: {baseline:7.2f}s  {copy_rate:>10,.0f} lines/s")
    print(f"whole import:               {elapsed:7.2f}s  {import_rate:>10,.0f} lines/s")
    print(
        f"  store+hash {marks['store']:.2f}s, preview (parse, map, validate, stage) "
        f"{marks['preview']:.2f}s, confirm (into SpendLine) {marks['confirm']:.2f}s"
    )
    print(
        f"  PostgreSQL's CPU (this connection's backend, not waiting for a core): preview "
        f"{marks['preview_db_cpu']:.2f}s (nearly all the staging COPY), confirm "
        f"{marks['confirm_db_cpu']:.2f}s"
    )
    print(
        f"  of the confirm: INSERT ... SELECT (rows, indexes, reference checks, audit "
        f"triggers) {marks['insert']:.2f}s, the rest (the staged lines' count, total and "
        f"suppliers, supplier matching, staging clean-up, COMMIT) "
        f"{marks['confirm'] - marks['insert']:.2f}s"
    )
    print(
        "  the rest's slowest statements: "
        + "; ".join(f"{took:.2f}s {sql}" for took, sql in marks["slowest"])
    )
    print(
        f"  peak memory (the process's, so far): {marks['peak_before']:,.0f} MB before the "
        f"import, {marks['peak_preview']:,.0f} MB after the preview, "
        f"{marks['peak_after_import']:,.0f} MB after the confirm"
    )
    print(
        f"  preview's share of the whole import: {marks['preview'] / elapsed:.0%} (target ≤ 25%); "
        f"peak memory after it {marks['peak_after_import']:,.0f} MB (target < 300 MB)"
    )
    print(f"ratio (import rate / raw COPY rate): {import_rate / copy_rate:.2f}  (target ≥ 0.15)")
    print(f"peak memory (whole process): {peak_mb():,.0f} MB  (target < 1,024 MB)")
    if ceiling:
        print_ceilings(ceiling, baseline, prototypes=args.prototypes)
    if unaudited is not None:
        print(
            f"without the audit triggers:  {unaudited:7.2f}s  {args.lines / unaudited:>10,.0f} "
            f"lines/s; with them {elapsed:.2f}s (audit cost {elapsed / unaudited - 1:+.0%})"
        )
        print(
            f"  confirm (into SpendLine) without them {unaudited_confirm:.2f}s, with them "
            f"{marks['confirm']:.2f}s (audit cost {marks['confirm'] / unaudited_confirm - 1:+.0%})"
        )


def print_ceilings(ceiling: dict, baseline: float, *, prototypes: bool) -> None:
    print(
        "ceiling: storing the parsed lines alone (no parsing at all), and the best ratio "
        "any import could reach with that store:"
    )
    for name, label in (
        ("full", "as the ledger is (indexes, reference checks, one audit record)"),
        ("per_line_history", "with a per-line audit row for every line (as before)"),
        ("no_audit", "without the audit triggers"),
        ("no_secondary_indexes", "without the secondary indexes"),
        ("bare", "bare: primary key only, no triggers"),
    ):
        if name not in ceiling:  # --only
            continue
        print(
            f"  {label:<62} {ceiling[name]:6.2f}s ({ceiling['cpu:' + name]:5.2f}s CPU)  "
            f"ratio ≤ {baseline / ceiling[name]:.2f}"
        )
    print("what each secondary index costs the store (as the ledger is, against it dropped):")
    for name in sorted(n for n in ceiling if n.startswith("without:") and "full" in ceiling):
        cost = ceiling["full"] - ceiling[name]
        cpu = ceiling["cpu:full"] - ceiling[f"cpu:{name}"]
        print(
            f"  {name.split(':', 1)[1]:<40} {cost:+6.2f}s ({cost / ceiling['full']:+.0%}), "
            f"CPU {cpu:+5.2f}s ({cpu / ceiling['cpu:full']:+.0%}); "
            f"ratio ≤ {baseline / ceiling[name]:.2f} without it"
        )
    if prototypes:
        print("issue 15's options, each against the ledger's store with its triggers off:")
        for name, label in (
            ("no_triggers", "the ledger's store, triggers off (indexes kept)"),
            ("unlogged_then_logged", "into an UNLOGGED copy, key and indexes built, SET LOGGED"),
            ("partitioned_by_year", "into a copy partitioned by financial year"),
            ("hash_ref", "with a hash index of the reference, not (organisation, ref)"),
            ("ordered_by_ref", "inserted in (organisation, transaction_ref) order"),
            ("ref_collate_c", 'with the reference in collation "C" (its index by memcmp)'),
        ):
            if name not in ceiling:
                continue
            print(
                f"  {label:<62} {ceiling[name]:6.2f}s ({ceiling['cpu:' + name]:5.2f}s CPU)  "
                f"ratio ≤ {baseline / ceiling[name]:.2f}"
            )
    if not {"full", "no_audit", "per_line_history"} <= set(ceiling):
        return
    per_import = ceiling["full"] - ceiling["no_audit"]
    per_line = ceiling["per_line_history"] - ceiling["no_audit"]
    print(
        f"audit cost of the store: one record per import {per_import:+.2f}s "
        f"({per_import / ceiling['no_audit']:+.0%}); a row per line would be {per_line:+.2f}s "
        f"({per_line / ceiling['no_audit']:+.0%})"
    )


STORED_COLUMNS = (
    "spend_return_id, financial_year_id, import_job_id, source_row, place_id, organisation_id, "
    "theme_id, amount_pence, spend_kind, basis, driver, driver_source, description, "
    "expense_type, expense_area, service_label, expense_code, supplier_name, "
    "supplier_redacted, transaction_date, transaction_ref"
)


def _lines_aside(spend_return) -> None:
    """Keep a copy of the imported lines (untimed) for ``store_only``, in file order."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_parsed_lines")
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_parsed_lines AS SELECT {STORED_COLUMNS} "  # noqa: S608
            "FROM ledger_spendline WHERE spend_return_id = %s ORDER BY id",
            [spend_return.pk],
        )


# What the store costs as the ledger is, and without each of its big costs: the audit (now one
# record per import, written by the statement's trigger), the secondary indexes; and, to price
# the decision, the per-line audit rows every imported line used to write (the same lines
# without a job being confirmed: recorded line by line, as grid lines are). Each a decision about
# the ledger rather than the code. (name, lines carry a job being confirmed, triggers switched
# off, secondary indexes dropped)
STORE_VARIANTS = (
    ("full", True, "", False),
    ("per_line_history", False, "", False),
    ("no_audit", True, "audit", False),
    ("no_secondary_indexes", True, "", True),
    ("bare", True, "all", True),
)
AUDIT_TRIGGERS = ("pgtrigger_insert_insert_%%", "pgtrigger_line_summary_insert_%%")


def _confirming_copy(job_id: int) -> int:
    """A copy of the confirmed job, being confirmed again (inside the caller's rolled-back
    transaction): the ledger takes a job's lines, recorded once, only while it is confirmed."""
    from ledger.models import ImportJob, ImportJobStatus

    job = ImportJob.objects.get(pk=job_id)
    job.pk = job.id = None
    job.status = ImportJobStatus.CONFIRMING
    job.save()
    return job.pk


def store_only(
    *, job_id: int, rounds: int = 1, prototypes: bool = False, only: tuple[str, ...] = ()
) -> dict:
    """The import's store step alone, once per ``STORE_VARIANTS`` and secondary index (and,
    with ``prototypes``, once per ``PROTOTYPES``), each rolled back; ``rounds`` times over,
    interleaved, and the median of each kept (the machine is shared).

    Bare means without SpendLine's secondary indexes and triggers (dropped and disabled inside
    the rolled-back transaction, so nothing changes for good): the floor under any import that
    writes a logged row per line. Each statement starts after a checkpoint, so none pays for
    writing out the one before.
    """
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'ledger_spendline' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger_spendline'::regclass "
            "AND NOT tgisinternal AND (tgname LIKE %s OR tgname LIKE %s)",
            [pattern.replace("%%", "%") for pattern in AUDIT_TRIGGERS],
        )
        audit = [row[0] for row in cursor.fetchall()]
    columns = STORED_COLUMNS.split(", ")
    select = ", ".join("%s" if c == "import_job_id" else c for c in columns)
    # Each secondary index priced on its own: the store as the ledger is with that one dropped.
    variants = [
        (name, confirming, off, indexes if drop else [])
        for name, confirming, off, drop in STORE_VARIANTS
    ]
    variants += [(f"without:{index}", True, "", [index]) for index in indexes]
    if prototypes:
        variants += [(name, True, "all", []) for name in PROTOTYPES]
    if only:
        variants = [variant for variant in variants if variant[0] in only]
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, confirming, off, dropped in variants:
            with connection.cursor() as cursor:
                _checkpoint(cursor)
            with transaction.atomic(), connection.cursor() as cursor:
                job = _confirming_copy(job_id) if confirming else None
                if off == "all":
                    cursor.execute("ALTER TABLE ledger_spendline DISABLE TRIGGER USER")
                elif off == "audit":
                    for trigger in audit:
                        cursor.execute(f"ALTER TABLE ledger_spendline DISABLE TRIGGER {trigger}")
                if dropped:
                    cursor.execute(f"DROP INDEX {', '.join(dropped)}")
                used = _backend_cpu(cursor)
                if name in PROTOTYPES:
                    took = PROTOTYPES[name](cursor, select, job, indexes)
                else:
                    start = time.perf_counter()
                    cursor.execute(
                        f"INSERT INTO ledger_spendline ({STORED_COLUMNS}) "  # noqa: S608
                        f"SELECT {select} FROM bench_parsed_lines",
                        [job],
                    )
                    took = time.perf_counter() - start
                used = _backend_cpu(cursor) - used
                timings.setdefault(name, []).append(took)
                cpu.setdefault(name, []).append(used)
                print(
                    f"  (stored {name}: {took:.2f}s, {used:.2f}s CPU)", file=sys.stderr, flush=True
                )
                transaction.set_rollback(True)
            with connection.cursor() as cursor:  # the rolled-back rows must not slow the next
                cursor.execute("VACUUM ledger_spendline")
                cursor.execute("VACUUM audit_spendlineevent")
    medians = {name: statistics.median(times) for name, times in timings.items()}
    medians.update({f"cpu:{name}": statistics.median(times) for name, times in cpu.items()})
    return medians


def _backend_cpu(cursor) -> float:
    """The CPU seconds this connection's PostgreSQL backend has used (user and system), read
    from /proc when the server runs on this machine (else nan): on a shared, loaded machine a
    statement's wall time includes waiting for a core, its CPU time much less so."""
    cursor.execute("SELECT pg_backend_pid()")
    try:
        fields = Path(f"/proc/{cursor.fetchone()[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _checkpoint(cursor) -> None:
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            cursor.execute("CHECKPOINT")
    except DatabaseError:  # not a superuser: the statements share the writing out instead
        pass


def _index_definitions(cursor, indexes: list[str], table: str) -> list[str]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_spendline' "
        "AND indexname = ANY(%s)",
        [indexes],
    )
    return [
        definition.replace(f"INDEX {name} ON", "INDEX ON")
        .replace("public.ledger_spendline", table)
        .replace(" ledger_spendline ", f" {table} ")
        for name, definition in cursor.fetchall()
    ]


def _unlogged_then_logged(cursor, select: str, job: int, indexes: list[str]) -> float:
    """Issue 15's first option: the job's lines into an UNLOGGED table of SpendLine's shape,
    its key and indexes built afterwards, then made LOGGED (what attaching it as a partition
    would need first). No reference or audit trigger fires: those would be extra work."""
    definitions = _index_definitions(cursor, indexes, "bench_unlogged")
    start = time.perf_counter()
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_unlogged (LIKE ledger_spendline INCLUDING DEFAULTS)"
    )
    cursor.execute(
        f"INSERT INTO bench_unlogged (id, {STORED_COLUMNS}) "  # noqa: S608
        f"SELECT nextval('ledger_spendline_id_seq'), {select} FROM bench_parsed_lines",
        [job],
    )
    cursor.execute("ALTER TABLE bench_unlogged ADD PRIMARY KEY (id)")
    for definition in definitions:
        cursor.execute(definition)
    cursor.execute("ALTER TABLE bench_unlogged SET LOGGED")
    return time.perf_counter() - start


def _partitioned_by_year(cursor, select: str, job: int, indexes: list[str]) -> float:
    """Issue 15's second option: SpendLine partitioned by financial year (its indexes on each
    partition), the job's lines inserted through the parent as the confirm would. No trigger:
    compare with the ledger's store with its triggers off (``no_triggers``)."""
    definitions = _index_definitions(cursor, indexes, "bench_by_year")
    cursor.execute(
        "CREATE TABLE bench_by_year (LIKE ledger_spendline INCLUDING DEFAULTS) "
        "PARTITION BY LIST (financial_year_id)"
    )
    cursor.execute("ALTER TABLE bench_by_year ADD PRIMARY KEY (id, financial_year_id)")
    cursor.execute("SELECT DISTINCT financial_year_id FROM bench_parsed_lines")
    for (year,) in cursor.fetchall():
        cursor.execute(
            f"CREATE TABLE bench_by_year_{year} PARTITION OF bench_by_year FOR VALUES IN ({year})"
        )
    cursor.execute("CREATE TABLE bench_by_year_rest PARTITION OF bench_by_year DEFAULT")
    for definition in definitions:
        cursor.execute(definition)
    start = time.perf_counter()
    cursor.execute(
        f"INSERT INTO bench_by_year (id, {STORED_COLUMNS}) "  # noqa: S608
        f"SELECT nextval('ledger_spendline_id_seq'), {select} FROM bench_parsed_lines",
        [job],
    )
    return time.perf_counter() - start


def _plain_no_triggers(cursor, select: str, job: int, indexes: list[str]) -> float:
    """The ledger's store with every trigger off but its indexes kept: the like-for-like for
    the two prototypes above."""
    start = time.perf_counter()
    cursor.execute(
        f"INSERT INTO ledger_spendline ({STORED_COLUMNS}) "  # noqa: S608
        f"SELECT {select} FROM bench_parsed_lines",
        [job],
    )
    return time.perf_counter() - start


def _hash_ref(cursor, select: str, job: int, indexes: list[str]) -> float:
    """The approver's duplicate check served by a hash index of the reference instead of the
    (organisation, transaction_ref) b-tree. Triggers off: compare with ``no_triggers``."""
    cursor.execute("DROP INDEX spend_line_org_ref")
    cursor.execute(
        "CREATE INDEX bench_ref_hash ON ledger_spendline USING hash (transaction_ref) "
        "WHERE transaction_ref <> ''"
    )
    return _plain_no_triggers(cursor, select, job, indexes)


def _ordered_by_ref(cursor, select: str, job: int, indexes: list[str]) -> float:
    """The lines inserted in (organisation, transaction_ref) order, so that index is written
    left to right: what ordering could save it (not buildable as it is: the ids would follow
    the references, not the file's rows). Triggers off: compare with ``no_triggers``."""
    start = time.perf_counter()
    cursor.execute(
        f"INSERT INTO ledger_spendline ({STORED_COLUMNS}) "  # noqa: S608
        f"SELECT {select} FROM bench_parsed_lines ORDER BY organisation_id, transaction_ref",
        [job],
    )
    return time.perf_counter() - start


def _ref_collate_c(cursor, select: str, job: int, indexes: list[str]) -> float:
    """The reference compared byte by byte (collation "C", as a reference is a code): its
    (organisation, transaction_ref) index then orders by memcmp instead of the database's
    collation. Triggers off: compare with ``no_triggers``."""
    cursor.execute(
        'ALTER TABLE ledger_spendline ALTER COLUMN transaction_ref TYPE varchar(64) COLLATE "C"'
    )
    return _plain_no_triggers(cursor, select, job, indexes)


PROTOTYPES = {
    "no_triggers": _plain_no_triggers,
    "unlogged_then_logged": _unlogged_then_logged,
    "partitioned_by_year": _partitioned_by_year,
    "hash_ref": _hash_ref,
    "ordered_by_ref": _ordered_by_ref,
    "ref_collate_c": _ref_collate_c,
}


def clean_up(spend_return, *, keep: bool) -> None:
    if keep:
        return
    from django.db import connection

    # Uses the lines' own delete path, so the audit's delete events are written too (untimed).
    spend_return.lines.all().delete()
    spend_return.import_jobs.all().delete()
    spend_return.delete()
    with connection.cursor() as cursor:  # so the next run does not pay for this one
        cursor.execute("VACUUM ANALYZE ledger_spendline")
        cursor.execute("VACUUM ANALYZE ledger_importstagedline")


if __name__ == "__main__":
    main()
