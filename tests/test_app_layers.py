"""Apps depend on each other one way only (issue 16). Savings builds on pilots, never the
reverse: no pilots module imports savings, at the top or inside a function. Pilots announces
changes (``pilots.signals``) and its pages take what savings adds (``sections`` in
``pilots.pages.common``) instead.
The audit trail builds on ledger, pilots and savings (its history tables name their models);
they record their steps in their own tables (the ledger's workflow events) and in the audit
context (``totalplace.audit_context``), and read a record's history through
``totalplace.history``, which audit fills. More generally no two apps import each other,
directly or round a longer loop.
"""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("totalplace", "ledger", "explorer", "pilots", "savings", "audit")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _modules(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


@cache
def _app_imports() -> dict[str, dict[str, set[str]]]:
    """app -> the other apps it imports -> the files that import them."""
    graph: dict[str, dict[str, set[str]]] = {app: {} for app in APPS}
    for app in APPS:
        for path in _modules(app):
            for name in _imports(path):
                other = name.split(".")[0]
                if other in APPS and other != app:
                    graph[app].setdefault(other, set()).add(str(path.relative_to(ROOT)))
    return graph


@pytest.mark.parametrize("path", _modules("pilots"))
def test_no_pilots_module_imports_savings(path):
    found = {name for name in _imports(path) if name == "savings" or name.startswith("savings.")}
    assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"


def _loop(graph: dict[str, set[str]]) -> list[str] | None:
    """A loop in ``graph`` (as the apps round it), or None."""
    state: dict[str, str] = {}

    def visit(app: str, path: list[str]) -> list[str] | None:
        state[app] = "open"
        for other in sorted(graph.get(app, ())):
            if state.get(other) == "open":
                return [*path[path.index(other) :], other]
            if other not in state and (found := visit(other, [*path, other])):
                return found
        state[app] = "done"
        return None

    for app in sorted(graph):
        if app not in state and (found := visit(app, [app])):
            return found
    return None


def test_the_loop_finder_finds_loops():
    assert _loop({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _loop({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_loop_between_apps():
    graph = _app_imports()
    loop = _loop({app: set(others) for app, others in graph.items()})
    files = [sorted(graph[a][b])[:3] for a, b in zip(loop, loop[1:], strict=False)] if loop else []
    assert loop is None, f"apps import each other: {' → '.join(loop)} ({files})"


@pytest.mark.parametrize("app", [a for a in APPS if a != "totalplace"])
def test_the_projects_package_imports_no_app(app):
    """totalplace (settings, root URLs, shared helpers) is what every app builds on."""
    assert app not in _app_imports()["totalplace"]
