"""The architecture checks itself: the import contracts, no hidden imports, reads never write.

``.importlinter`` holds the contracts (the app order of DESIGN section 3 and the layers
inside every app); ``lint-imports`` runs here too, so ``make test`` fails on an upward
import, not only ``.ci/run``. An import moved inside a function to dodge a loop hides the
loop from both, so those are scanned for separately; and a selector (a read) that calls
a write method is a read that writes.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "shangquan"

# (module, imported module) -> why the import has to happen inside a function.
# ``AppConfig.ready()`` in an app's apps.py is allowed without an entry (Django's hook for
# start-up work once all apps are loaded).
FUNCTION_LEVEL_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {}

WRITE_METHODS = {"create", "save", "update", "delete", "get_or_create", "update_or_create",
                 "bulk_create", "bulk_update"}
# (selectors module, function, "receiver.method") -> why it is not a database write.
SELECTOR_CALLS_ALLOWED: dict[tuple[str, str, str], str] = {
    ("shangquan.scales.selectors", "_complaints_since", "counts.update"):
        "collections.Counter.update, in memory",
    ("shangquan.workorders.selectors", "counts_by_status", "counts.update"):
        "dict.update of the per-status counts, in memory",
    ("shangquan.inspections.selectors", "campaign_report_rows", "row.update"):
        "dict.update of a report row, in memory",
}


def _modules(predicate=lambda path: True):
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or not predicate(rel):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def function_level_imports(source: str, module: str, is_package: bool = False):
    """(line, imported module) for every import of a ``shangquan`` module inside a function,
    except in ``ready()`` of a class in an ``apps`` module."""
    tree = ast.parse(source)
    skip: set[int] = set()
    if module.endswith(".apps"):
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            skip |= {id(f) for f in cls.body
                     if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == "ready"}
    found = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or id(fn) in skip:
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom):
                base = _absolute(module, is_package, node)
                names = [base] if node.module else [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found |= {(node.lineno, name) for name in names
                      if name == "shangquan" or name.startswith("shangquan.")}
    return sorted(found)


def test_the_scanner_finds_an_import_hidden_in_a_function():
    source = ("from shangquan.core import policies\n"
              "def f():\n"
              "    from .services import thing\n"
              "    import shangquan.core.models\n"
              "    import json\n"
              "class Config:\n"
              "    def ready(self):\n"
              "        from . import signals\n")
    assert function_level_imports(source, "shangquan.scales.selectors") == [
        (3, "shangquan.scales.services"), (4, "shangquan.core.models"),
        (8, "shangquan.scales.signals")]
    # ready() is allowed only in an app's apps.py
    assert function_level_imports(source, "shangquan.scales.apps") == [
        (3, "shangquan.scales.services"), (4, "shangquan.core.models")]


def test_no_imports_hidden_inside_functions():
    """Imports go at the module top; a loop they would make is fixed, not hidden."""
    offenders = []
    for module, path in _modules():
        is_package = path.name == "__init__.py"
        for line, imported in function_level_imports(path.read_text(), module, is_package):
            if (module, imported) not in FUNCTION_LEVEL_IMPORTS_ALLOWED:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not offenders, "imports inside functions:\n" + "\n".join(offenders)


def test_the_allow_lists_name_real_places():
    modules = {module for module, _path in _modules()}
    stale = [key for key in [*FUNCTION_LEVEL_IMPORTS_ALLOWED, *SELECTOR_CALLS_ALLOWED]
             if key[0] not in modules]
    assert not stale


def _is_selectors(rel: Path) -> bool:
    return rel.stem == "selectors" or "selectors" in rel.parts


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    return "…"


def selector_writes(source: str, module: str) -> list[str]:
    """Calls of write methods (``.save()``, ``.update()``, ``.create()``, …) in a reads module,
    and imports of a services module, each as ``function: receiver.method``."""
    tree = ast.parse(source)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            if isinstance(node, ast.ImportFrom):
                base = "." * node.level + (node.module or "")
                names = [base] + [f"{base}.{a.name}".replace("..", ".") if node.module
                                  else base + a.name for a in node.names]
            else:
                names = [a.name for a in node.names]
            if any(part in {"services", "tasks", "jobs"} for name in names
                   for part in name.split(".")):
                out.append(f"line {node.lineno}: imports writes ({', '.join(names)})")
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in WRITE_METHODS):
                call = f"{_dotted(node.func.value)}.{node.func.attr}"
                if (module, fn.name, call) not in SELECTOR_CALLS_ALLOWED:
                    out.append(f"line {node.lineno}: {fn.name}: {call}()")
    return out


def test_the_write_scanner_finds_writes():
    source = ("from .services import categories_ensure\n"
              "def category_list(*, district):\n"
              "    Category.objects.bulk_create([])\n"
              "    district.save()\n"
              "    return Category.objects.filter(district=district)\n")
    assert selector_writes(source, "shangquan.workorders.selectors") == [
        "line 1: imports writes (.services, .services.categories_ensure)",
        "line 3: category_list: Category.objects.bulk_create()",
        "line 4: category_list: district.save()"]


def test_reads_never_write():
    offenders = []
    for module, path in _modules(_is_selectors):
        offenders += [f"{path.relative_to(ROOT)} {problem}"
                      for problem in selector_writes(path.read_text(), module)]
    assert not offenders, "selectors that write:\n" + "\n".join(offenders)


@pytest.mark.skipif(not (Path(sys.executable).parent / "lint-imports").exists(),
                    reason="import-linter is in the dev extra")
def test_import_contracts_are_kept():
    """The app order of DESIGN section 3 and the layers inside each app (.importlinter)."""
    config = (ROOT / ".importlinter").read_text()
    assert "[importlinter:contract:layers]" in config
    assert "[importlinter:contract:app-layers]" in config
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
