"""Savings builds on pilots, never the reverse (issue 16): no pilots module imports savings,
at the top or inside a function. Pilots announces changes (``pilots.signals``) and its pages
take what savings adds (``pilots.sections``) instead."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(p for p in (ROOT / "pilots").rglob("*.py") if "migrations" not in p.parts)
)
def test_no_pilots_module_imports_savings(path):
    found = {name for name in _imports(path) if name == "savings" or name.startswith("savings.")}
    assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"
