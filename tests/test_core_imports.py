"""The engine's import graph, read from the source: arrows point one way, and no import hides in a function.

An import inside a function hides an arrow (often one pointing up, closing a cycle); only the heavy libraries
(TensorFlow/Keras, Dask) are imported late, so the first page paints without them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "imbal_core"
# Engine modules that import a heavy library at module level (scikit-learn's TfidfVectorizer is subclassed):
# importing one late keeps the Data page free of that library; the import line says so.
HEAVY_ENGINE_MODULES = {"imbal_core.text_features"}


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


def test_the_engine_has_no_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert cycles == [], f"imbal_core modules that import each other (in a circle): {cycles}"


def _function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import inside a function body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.extend((node.lineno, target) for target in _imported(node, name, path.name == "__init__.py")[:1])
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: _module_name(path))
def test_no_engine_module_is_imported_inside_a_function(path: Path) -> None:
    """imbal_core never imports TensorFlow at module level, so none of its own modules needs hiding (but the few
    that pull in a heavy library, and those say why on the line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hidden = [
        f"line {line}: {target}"
        for line, target in _function_imports(path)
        if target.startswith("imbal_core") and not (target in HEAVY_ENGINE_MODULES and "# deferred:" in lines[line - 1])
    ]
    assert hidden == [], f"{path.name} imports engine modules inside functions: {hidden}"


def test_the_engine_never_imports_tensorflow_at_module_level() -> None:
    heavy = ("tensorflow", "keras", "distributed", "dask")
    for name, path in _engine_modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            for target in _imported(node, name, path.name == "__init__.py")[:1]:
                assert target.split(".")[0] not in heavy, f"{name} imports {target} at module level"
