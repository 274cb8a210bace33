"""The layout holds: two floors (`api` over `kg`), no import cycle, no module over 350 lines.

Imports are read from the source (every `import` and `from ... import`, those inside functions too, since a
lazy import is still a dependency), and resolved to the module they name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "api", "bench")
MAX_LINES = 350


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported(module: str) -> set[str]:
    """The project's modules that `module` imports: for `from a.b import c`, a.b.c when that is a module,
    else a.b."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {module: imported(module) for module in MODULES}


def cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle() -> None:
    assert cycles() == []


def test_the_core_never_imports_the_web_layer() -> None:
    upward = {module: sorted(t for t in targets if t.split(".")[0] in ("api", "bench"))
              for module, targets in GRAPH.items() if module.split(".")[0] == "kg"}  # fmt: skip
    assert {module: targets for module, targets in upward.items() if targets} == {}
    fastapi = [module for module in MODULES if module.startswith("kg") and "fastapi" in _top_imports(module)]
    assert fastapi == [], "kg/ never imports FastAPI"


def _top_imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    names = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    return names | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_350_lines(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)} has {lines} lines"


def test_every_room_says_what_it_holds() -> None:
    """Each package of kg/ and api/ starts with a one-line docstring of its responsibility."""
    missing = [
        str(path.relative_to(ROOT))
        for package in ("kg", "api")
        for path in (ROOT / package).rglob("__init__.py")
        if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert missing == []


def test_the_check_finds_a_cycle() -> None:
    """The check itself: two modules importing each other are a cycle."""
    saved = dict(GRAPH)
    try:
        GRAPH["kg.terms"] = GRAPH["kg.terms"] | {"kg.errors"}
        GRAPH["kg.errors"] = GRAPH["kg.errors"] | {"kg.terms"}
        assert ["kg.errors", "kg.terms"] in cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
