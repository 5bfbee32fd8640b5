"""The layout keeps its promises: modules and functions stay short, imports run one way (the
pipeline's order), there is no import cycle, and no class name is used twice in the package."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "tracker"
MAX_MODULE_LINES = 500
# cli.py is one short function per command: it grows with the commands, not with what one
# command does (each parses options, calls one library function and formats the result).
CLI_LINES_PER_COMMAND = 42  # its option decorators, a docstring with an example, one call, output
MAX_FUNCTION_LINES = 80
# What each stage may import of the package (besides itself and the shared vocabulary).
SHARED = {"tracker", "tracker.errors", "tracker.snapshot"}
MAY_IMPORT = {
    "extract": set(),
    "compare": set(),
    "store": {"extract", "compare"},
    # The watcher runs the whole pipeline and sends the contract's report to webhooks.
    "watch": {"extract", "compare", "store", "report"},
    "report": {"extract", "compare", "store"},
}


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tracker"))
    return found & (set(modules()) | SHARED)


def top_level_imports(path: Path) -> set[str]:
    """Imports executed when the module loads (the ones that can make a cycle)."""
    found = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found & set(modules())


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py")) + [ROOT / "cli.py"]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_are_short(path: Path) -> None:
    text = path.read_text("utf-8")
    limit = MAX_MODULE_LINES
    if path.name == "cli.py":
        limit = CLI_LINES_PER_COMMAND * len(re.findall(r"^@main\.command", text, re.M))
    assert len(text.splitlines()) <= limit
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]  # type: ignore[operator]
    assert not long


def test_imports_run_one_way() -> None:
    wrong = []
    for name, path in modules().items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in MAY_IMPORT:
            continue
        stage = parts[1]
        allowed = MAY_IMPORT[stage] | {stage}
        for target in imports(path) - SHARED:
            if target.split(".")[1] not in allowed:
                wrong.append(f"{name} imports {target}")
    assert not wrong


def test_every_stage_says_what_it_owns_and_may_import() -> None:
    for stage in MAY_IMPORT:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text("utf-8")))
        assert doc and "May import" in doc, stage


def test_no_import_cycle() -> None:
    graph = {name: top_level_imports(path) - {name} for name, path in modules().items()}
    # A package's __init__ is a prefix of its modules: importing tracker.x.y loads tracker.x.
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle.extend(trail + [node, nxt])
                return True
            if nxt not in state and visit(nxt, trail + [node]):
                return True
        state[node] = 2
        return False

    for name in sorted(graph):
        if name not in state and visit(name, []):
            break
    assert not cycle, " -> ".join(cycle)


def test_no_class_name_is_used_twice() -> None:
    where = defaultdict(list)
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                where[node.name].append(name)
    assert {k: v for k, v in where.items() if len(v) > 1} == {}


def test_the_checks_see_what_they_check() -> None:
    """The rules above would pass on an empty tree: make sure they read the real one."""
    names = modules()
    assert {"tracker.extract.page", "tracker.compare.classify", "tracker.store.repository",
            "tracker.report.contract", "tracker.watch.fetch"} <= set(names)
    assert "tracker.compare.kinds" in imports(names["tracker.compare.classify"])
    assert "tracker.store.recording" in top_level_imports(names["tracker.store.repository"])
