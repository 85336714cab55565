"""The engine's import graph, read from the source: arrows point one way, and no import hides in a function.

An import inside a function hides an arrow (often one pointing up, closing a cycle); only the heavy libraries
(TensorFlow/Keras, Dask) are imported late, so the first page paints without them.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "imbal_core"
# Libraries that cost seconds to import. A module that imports one at module level (directly or through other
# engine modules) may be imported late, inside the function that needs it, with a "# deferred:" comment saying
# why (the Data page paints without them; TensorFlow loads only when training starts).
HEAVY_LIBRARIES = {"tensorflow", "keras", "distributed", "dask", "sklearn", "imblearn", "scipy", "PIL"}
# Optional readers and builders: only some files or commands need them.
OPTIONAL_LIBRARIES = {"pyarrow", "openpyxl", "mlxtend"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The modules an import statement names (relative imports resolved; `from x import y` also names x.y)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _engine_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _graph() -> dict[str, set[str]]:
    """Module -> the imbal_core modules it imports anywhere (top level or inside functions)."""
    modules = _engine_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for target in _imported(node, name, path.name == "__init__.py"):
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@functools.cache
def _heavy_engine_modules() -> frozenset[str]:
    """Engine modules that import a heavy library at module level, directly or through engine modules."""
    modules = _engine_modules()
    top: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top[name] = {target for node in tree.body for target in _imported(node, name, path.name == "__init__.py")}
    heavy = {name for name, targets in top.items() if any(t.split(".")[0] in HEAVY_LIBRARIES for t in targets)}
    grown = True
    while grown:
        grown = False
        for name, targets in top.items():
            if name not in heavy and targets & heavy:
                heavy.add(name)
                grown = True
    return frozenset(heavy)


def test_the_engine_has_no_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert cycles == [], f"imbal_core modules that import each other (in a circle): {cycles}"


def _function_imports(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, module) of every import inside a function body, in line order."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    found = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                target = _imported(node, name, path.name == "__init__.py")[0]
                submodule = f"{target}.{node.names[0].name}"
                if (
                    isinstance(node, ast.ImportFrom) and submodule in _engine_modules()
                ):  # from imbal_core.run import metrics
                    target = submodule
                found.add((node.lineno, node.end_lineno, target))
    return sorted(found)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: _module_name(path))
def test_only_heavy_imports_wait_inside_functions_and_say_why(path: Path) -> None:
    """An import inside a function is a heavy library, or an engine module that pulls one in, and a
    "# deferred:" comment on its line or just above it (or above the block of imports it opens) says why."""
    lines = path.read_text(encoding="utf-8").splitlines()
    heavy = _heavy_engine_modules()
    wrong = []
    previous_end, previous_said = -1, False
    for first, last, target in _function_imports(path):
        said = "# deferred:" in lines[first - 1] or "# deferred:" in lines[first - 2]
        said = said or (previous_end == first - 1 and previous_said)
        is_heavy = target.split(".")[0] in HEAVY_LIBRARIES | OPTIONAL_LIBRARIES or target in heavy
        if not (is_heavy and said):
            wrong.append(f"line {first}: {target}" + ("" if is_heavy else " (not heavy: import it at the top)"))
        previous_end, previous_said = last, said
    assert wrong == [], f"{path.name} imports inside functions without a reason: {wrong}"


def test_the_engine_never_imports_tensorflow_at_module_level() -> None:
    heavy = ("tensorflow", "keras", "distributed", "dask")
    for name, path in _engine_modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            for target in _imported(node, name, path.name == "__init__.py")[:1]:
                assert target.split(".")[0] not in heavy, f"{name} imports {target} at module level"
