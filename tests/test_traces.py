"""Issue 16: each behaviour stays findable. The traces of ``bench/traces.py`` (the project
modules a behaviour runs, the calls between them, and the stacks that leave an app or a layer
and come back) must not grow past what they are (docs/benchmarks.md, "Where a behaviour
runs"). A change that adds a module to a trace updates its figure here, on purpose."""

from decimal import Decimal

import pytest

from bench.traces import Trace, _collapse, _reentries, layer, report, summarise, trace_all

# (modules, edges between them), measured on main; issue 16 began at import 45, approval 37,
# savings 20 modules (docs/benchmarks.md).
LIMITS = {
    "page": (8, 6),
    "import": (48, 88),
    # 38 → 40: the refresh keeps the supplier rollups (ledger.services.supplier_rollups, and
    # ledger.calculations.suppliers for the key in SQL).
    "approval": (40, 62),
    "savings": (26, 29),
    "savings-csv": (13, 13),
}
# Each return to an app or a layer a trace may make (none may be added). A task queued and run
# inline starts a stack of its own (bench/traces.py), as on a worker.
REENTRIES = {
    # The reader calls the preview back for each block it reads.
    "import": {"ledger.services → ledger.importers → ledger.services"},
    # The page asks pilots.sections; savings' section reads pilots' visibility rules.
    "savings": {"pilots → savings → pilots"},
}


def test_the_tracer_sees_project_functions_and_who_called_them():
    from totalplace.money import pounds

    with Trace() as trace:
        pounds(Decimal("1234.5"))
    assert "totalplace.money" in trace.modules
    assert not [m for m in trace.modules if m.startswith("tests")]


def test_chains_collapse_and_returns_are_found():
    assert _collapse(["a", "a", "b", "a"]) == ["a", "b", "a"]
    assert _reentries(["s", "t", "s", "u"]) == [("s", "t", "s")]
    assert layer("ledger.import_tasks") == layer("ledger.tasks") == "ledger.tasks"
    assert layer("ledger.services.imports.jobs") == "ledger.services"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_trace_grows(capsys):
    summaries = summarise(trace_all())
    with capsys.disabled():
        print("\n" + report(summaries))
    grown = {
        name: (s["modules"], s["edges"])
        for name, s in summaries.items()
        if s["modules"] > LIMITS[name][0] or s["edges"] > LIMITS[name][1]
    }
    assert not grown, f"traces grew past {LIMITS}: {grown}"
    for name, s in summaries.items():
        found = set(s["app_reentries"]) | set(s["layer_reentries"])
        assert found <= REENTRIES.get(name, set()), (name, found)
