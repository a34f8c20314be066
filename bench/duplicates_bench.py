#!/usr/bin/env python
"""The approver's duplicate check-list at scale: the same transaction in another return.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tp_duplicates_bench \\
        python bench/duplicates_bench.py [--reuse] [--rounds 3]

Generates (INSERT ... SELECT generate_series, indexes built after the load) one organisation
(Leeds) holding ``--other-lines`` approved lines in 15 other returns (5 years x 3 places), five
other organisations holding ``--noise-lines`` with the same references (so only the
organisation tells them apart), and a submitted ``--return-lines`` return of Leeds in which one
line in a hundred repeats a transaction of another return, one in a hundred shares only its
reference (another amount), and one in a thousand repeats a line of its own. Then times
``spend_return_duplicate_transactions`` on that return, alternating, ``--rounds`` times each:
  a. as the ledger runs it: the cross-return check a correlated subquery per line, served by
     the partial (organisation, transaction_ref) index ``spend_line_org_ref``: the baseline;
  b. the candidate without a lookup per line (``hash_join_duplicate_transactions``: one hash
     join of the return's lines with the other returns' lines), with that index;
  c. the candidate without the index (dropped inside a rolled-back transaction).
Prints for each the medians of the call's wall time and its PostgreSQL backend's CPU time
with parallel query off (so the backend's CPU is all the query's; the machine is shared, and
CPU time varies less than wall time under load), and of the slowest query's ``EXPLAIN
ANALYZE`` execution time as the server runs it (parallel), each with its ratio to (a); and
checks that the three find the same lines, in the same order, with the same labels. Not a test.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totalplace.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ledger.models import (  # noqa: E402
    FinancialYear,
    Organisation,
    ServiceTheme,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.models.fields import from_pence  # noqa: E402
from ledger.selectors import duplicates  # noqa: E402

OTHER_YEARS = ["2005-06", "2006-07", "2007-08", "2008-09", "2009-10"]
CHECKED_YEAR = "2010-11"
NOISE_ORGANISATIONS = ["00CX", "00CZ", "00BY", "00BN", "00EC"]  # Bradford, Wakefield, ...
ORG_REF = (
    "CREATE INDEX IF NOT EXISTS spend_line_org_ref ON ledger_spendline "
    "(organisation_id, transaction_ref) WHERE transaction_ref <> ''"
)


def sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _insert_lines(spend_return, *, count: int, ref_base: int, theme_id: int, place_id: int):
    """``count`` lines of one return: reference ref_base + n, a date in the return's year and
    an amount, each a function of n (so another return's line can be named by its n)."""
    sql(
        "INSERT INTO ledger_spendline (spend_return_id, place_id, organisation_id, theme_id, "
        "financial_year_id, amount_pence, spend_kind, basis, driver, driver_source, description, "
        "expense_type, expense_area, service_label, expense_code, supplier_name, "
        "supplier_redacted, transaction_date, transaction_ref, source_row) "
        "SELECT %s, %s, %s, %s, %s, 50000 + (n::bigint * 104729) %% 5000000, 'revenue', "
        "'direct', '', '', 'bench line', 'Services', 'Highways', '', '', "
        "'Supplier ' || (n %% 997) || ' Ltd', "
        "false, %s::date + (n * 7919) %% 365, (%s + n)::text, n + 1 "
        "FROM generate_series(1, %s) n",
        [
            spend_return.pk,
            place_id,
            spend_return.organisation_id,
            theme_id,
            spend_return.financial_year_id,
            spend_return.financial_year.start_date,
            ref_base,
            count,
        ],
    )


def _repeat_lines(checked, others, *, theme_id: int, place_id: int) -> None:
    """Make the checked return's lines repeat others': row n (n = 0 mod 100) takes the key of
    line n of another return; n = 50 mod 100 its reference only (another amount); n = 1 mod
    1000 the key of its own line n - 1."""
    cases = " ".join(f"WHEN {i} THEN {(i + 1) * 1_000_000}::bigint" for i in range(len(others)))
    starts = " ".join(
        f"WHEN {i} THEN '{r.financial_year.start_date}'::date" for i, r in enumerate(others)
    )
    k = f"((l.source_row - 1) / 100) %% {len(others)}"
    sql(
        f"UPDATE ledger_spendline l SET "  # noqa: S608
        f"transaction_ref = ((CASE {k} {cases} END) + l.source_row - 1)::text, "
        f"transaction_date = (CASE {k} {starts} END) + ((l.source_row - 1) * 7919) %% 365, "
        "amount_pence = 50000 + ((l.source_row - 1)::bigint * 104729) %% 5000000 "
        "+ CASE WHEN (l.source_row - 1) %% 100 = 50 THEN 1 ELSE 0 END "
        "WHERE l.spend_return_id = %s AND (l.source_row - 1) %% 50 = 0",
        [checked.pk],
    )
    sql(
        "UPDATE ledger_spendline l SET transaction_ref = p.transaction_ref, "
        "transaction_date = p.transaction_date, amount_pence = p.amount_pence "
        "FROM ledger_spendline p WHERE l.spend_return_id = %s AND p.spend_return_id = %s "
        "AND (l.source_row - 1) %% 1000 = 1 AND p.source_row = l.source_row - 1",
        [checked.pk, checked.pk],
    )


def generate(*, other_lines: int, noise_lines: int, return_lines: int) -> SpendReturn:
    call_command("migrate", verbosity=0)
    if not Organisation.objects.by_code("00DA").exists():
        from ledger.services.reference import reference_load_all

        reference_load_all()
    leeds = Organisation.objects.by_code("00DA").get()
    noise = [Organisation.objects.by_code(code).get() for code in NOISE_ORGANISATIONS]
    years = {y.code: y for y in FinancialYear.objects.filter(code__in=[*OTHER_YEARS, CHECKED_YEAR])}
    theme_id = ServiceTheme.objects.order_by("pk").values_list("pk", flat=True)[0]
    home = leeds.home_place_id
    sql("TRUNCATE ledger_spendline, ledger_spendreturn RESTART IDENTITY CASCADE")
    indexes = sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_spendline' "
        "AND indexname NOT LIKE '%%pkey'"
    )
    for name, _ in indexes:
        sql(f'DROP INDEX "{name}"')
    # Synthetic lines need no audit trail and refer only to rows that exist.
    sql("ALTER TABLE ledger_spendline DISABLE TRIGGER USER")
    sql("ALTER TABLE ledger_spendreturn DISABLE TRIGGER USER")
    start = time.perf_counter()
    try:
        others = []
        for place in (None, home, noise[0].home_place_id):
            for code in OTHER_YEARS:
                others.append(
                    SpendReturn.objects.create(
                        organisation=leeds,
                        financial_year=years[code],
                        place_id=place,
                        status=SpendReturnStatus.APPROVED,
                        title="bench",
                    )
                )
        for i, other in enumerate(others):
            count = other_lines // len(others)
            _insert_lines(
                other, count=count, ref_base=(i + 1) * 1_000_000, theme_id=theme_id, place_id=home
            )
        for organisation in noise:
            for i, code in enumerate(OTHER_YEARS):
                spend_return = SpendReturn.objects.create(
                    organisation=organisation,
                    financial_year=years[code],
                    status=SpendReturnStatus.APPROVED,
                    title="bench",
                )
                _insert_lines(
                    spend_return,
                    count=noise_lines // len(noise) // len(OTHER_YEARS),
                    ref_base=(i + 1) * 1_000_000,
                    theme_id=theme_id,
                    place_id=organisation.home_place_id,
                )
        checked = SpendReturn.objects.create(
            organisation=leeds,
            financial_year=years[CHECKED_YEAR],
            place_id=home,
            status=SpendReturnStatus.SUBMITTED,
            title="bench: checked",
        )
        # New transactions, numbered after every other return's.
        _insert_lines(
            checked, count=return_lines, ref_base=16_000_000, theme_id=theme_id, place_id=home
        )
        # source_row is n + 1: n is source_row - 1 below.
        _repeat_lines(checked, others, theme_id=theme_id, place_id=home)
    finally:
        sql("ALTER TABLE ledger_spendline ENABLE TRIGGER USER")
        sql("ALTER TABLE ledger_spendreturn ENABLE TRIGGER USER")
        for _, definition in indexes:
            sql(definition)
    sql(ORG_REF)
    sql("VACUUM ANALYZE ledger_spendline")
    sql("ANALYZE ledger_spendreturn")
    total = SpendLine.objects.count()
    print(f"generated {total:,} lines in {time.perf_counter() - start:.1f} s", flush=True)
    return checked


def hash_join_duplicate_transactions(
    *, spend_return: SpendReturn
) -> duplicates.DuplicateTransactions:
    """``spend_return_duplicate_transactions`` with its cross-return check as one join (the
    candidate that would let the ledger drop ``spend_line_org_ref``): PostgreSQL hashes the
    return's referenced lines and reads the organisation's other counting returns' lines once
    (a sequential scan here, where they are most of the table; through ``spend_line_return_id``
    where they are few), grouping only the matched lines. Same lines, order and labels (the
    first matching return is the lowest id, as the subquery's ``ORDER BY`` takes it)."""
    found = duplicates.DuplicateTransactions()
    lines = duplicates._referenced(spend_return.lines.all())
    seen_ids = duplicates.repeats_within_return(lines=lines, found=found)
    others = duplicates.counting_returns_besides(spend_return)
    if not others:
        return found
    ids = list(others)
    with connection.cursor() as cursor:
        cursor.execute(
            HASH_JOIN.format(others=", ".join(["%s"] * len(ids))),
            [spend_return.pk, spend_return.organisation_id, *ids],
        )
        matched = cursor.fetchall()
    for pk, row, ref, day, pence, supplier, other in matched:
        if pk in seen_ids:  # counted above, as a repeat within the return
            continue
        label = duplicates.return_label(others[other])
        found.add(duplicates.DuplicateLine(row, ref, day, from_pence(pence), supplier, label))
    return found


HASH_JOIN = """
    SELECT l.id, l.source_row, l.transaction_ref, l.transaction_date, l.amount_pence,
           l.supplier_name, MIN(o.spend_return_id)
    FROM ledger_spendline l
    JOIN ledger_spendline o ON o.transaction_ref = l.transaction_ref
        AND o.transaction_date = l.transaction_date AND o.amount_pence = l.amount_pence
    WHERE l.spend_return_id = %s AND l.transaction_ref <> '' AND l.transaction_date IS NOT NULL
        AND o.organisation_id = %s AND o.spend_return_id IN ({others})
    GROUP BY l.id
    ORDER BY l.source_row, l.id
"""


def _backend_cpu() -> float:
    """CPU seconds (user and system) this connection's PostgreSQL backend has used, read from
    /proc (the server runs on this machine; else nan). Parallel workers' CPU is not in it."""
    pid = sql("SELECT pg_backend_pid()")[0][0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _execution_ms(query: str) -> float:
    """EXPLAIN ANALYZE's execution time of one captured query (run again)."""
    plan = sql("EXPLAIN (ANALYZE, FORMAT JSON) " + query)[0][0]
    plan = plan[0] if isinstance(plan, list) else plan
    return plan["Execution Time"]


def measure(selector, checked: SpendReturn, *, drop_index: bool) -> tuple[dict, object]:
    """One call of ``selector`` with parallel query off, so that its backend's CPU time is all
    of the query's (a parallel worker's is not in it); then its slowest query again under
    ``EXPLAIN ANALYZE`` as the server runs it (parallel workers allowed). Rolled back."""
    with transaction.atomic():
        if drop_index:
            sql("DROP INDEX spend_line_org_ref")
        sql("SET LOCAL max_parallel_workers_per_gather = 0")
        cpu = _backend_cpu()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            found = selector(spend_return=checked)
            wall = time.perf_counter() - start
        cpu = _backend_cpu() - cpu
        sql("RESET max_parallel_workers_per_gather")
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        explained = _execution_ms(slowest["sql"]) / 1000
        transaction.set_rollback(True)  # the index comes back
    return {"wall": wall, "cpu": cpu, "explain": explained}, found


VARIANTS = (
    ("a", "the ledger's: a subquery per line, with spend_line_org_ref", None, False),
    ("b", "one hash join, with spend_line_org_ref", hash_join_duplicate_transactions, False),
    ("c", "one hash join, without spend_line_org_ref", hash_join_duplicate_transactions, True),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--other-lines", type=int, default=3_000_000)
    parser.add_argument("--noise-lines", type=int, default=1_000_000)
    parser.add_argument("--return-lines", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the previous run's ledger")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs DATABASE_URL=postgres://... (a database of its own)")
    if args.reuse:
        call_command("migrate", verbosity=0)
        checked = SpendReturn.objects.get(title="bench: checked")
    else:
        checked = generate(
            other_lines=args.other_lines,
            noise_lines=args.noise_lines,
            return_lines=args.return_lines,
        )
    sql(ORG_REF)  # (a) and (b) need it, should the ledger ever drop it
    sql("ANALYZE ledger_spendline")
    ledger = duplicates.spend_return_duplicate_transactions
    results: dict[str, list[dict]] = {}
    answers = {}
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for n in range(args.rounds):
        for name, _label, selector, drop_index in VARIANTS:
            figures, found = measure(selector or ledger, checked, drop_index=drop_index)
            results.setdefault(name, []).append(figures)
            answers[name] = (found.count, found.total, found.lines)
            print(
                f"  round {n + 1} ({name}): serial {figures['wall']:.2f}s wall, "
                f"{figures['cpu']:.2f}s CPU; slowest query {figures['explain']:.2f}s by "
                "EXPLAIN ANALYZE; "
                f"load {os.getloadavg()[0]:.2f}",
                file=sys.stderr,
                flush=True,
            )
    assert answers["a"] == answers["b"] == answers["c"], "the queries disagree"
    count, total, lines = answers["a"]
    print(
        f"{checked.lines.count():,}-line return, {count:,} lines flagged (total {total}), "
        f"{len(lines)} shown; load average after: {os.getloadavg()[0]:.2f}"
    )
    medians = {
        name: {k: statistics.median(r[k] for r in rounds) for k in ("wall", "cpu", "explain")}
        for name, rounds in results.items()
    }
    base = medians["a"]
    print(f"medians of {args.rounds} alternating rounds (ratio to (a)):")
    for name, label, _, _ in VARIANTS:
        m = medians[name]
        print(
            f"  ({name}) {label:<58} serial: wall {m['wall']:5.2f}s "
            f"({m['wall'] / base['wall']:.2f}), backend CPU {m['cpu']:5.2f}s "
            f"({m['cpu'] / base['cpu']:.2f}); slowest query, parallel, by EXPLAIN ANALYZE "
            f"{m['explain']:5.2f}s "
            f"({m['explain'] / base['explain']:.2f})"
        )


if __name__ == "__main__":
    main()
