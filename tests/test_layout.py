"""The test suite's own layout: test modules live in the group that mirrors the code, and none imports another.

Shared builders belong in tests/support/ (or a conftest.py fixture); a test module that imports from another test
module ties the two together, and pytest may import the same file twice under two names."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
GROUPS = {"core", "app", "cli", "browser"}


def module_paths() -> list[Path]:
    return sorted(path for path in TESTS.rglob("test_*.py") if path != Path(__file__).resolve())


def imported_modules(path: Path) -> list[str]:
    """Every module `path` imports, at the top or inside a function, as a dotted name."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def is_test_module(name: str) -> bool:
    last = name.split(".")[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offenders = {
        str(path.relative_to(TESTS)): found
        for path in module_paths()
        if (found := sorted({name for name in imported_modules(path) if is_test_module(name)}))
    }
    assert not offenders, f"move what these share into tests/support/ and import it from there: {offenders}"


def test_every_test_module_is_in_a_group_that_mirrors_the_code():
    outside = [str(path.relative_to(TESTS)) for path in module_paths() if path.parent.name not in GROUPS]
    assert not outside, f"put each test module under tests/{{{','.join(sorted(GROUPS))}}}/: {outside}"


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text(
        "from tests.support.app import open_app\nfrom tests.cli import test_cli\n\n"
        "def test_x():\n    from tests.core.test_data import helper\n    import tests.browser.conftest\n"
    )
    found = [name for name in imported_modules(module) if is_test_module(name)]
    assert found == ["tests.cli.test_cli", "tests.core.test_data", "tests.browser.conftest"]
