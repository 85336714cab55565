"""UI state has one owner (issue 21 item 4): who may touch st.session_state, keys declared once, the link codec
without Streamlit, no import cycle and no hidden imports in ui/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from ui import keys

ROOT = Path(__file__).resolve().parents[2]
STATE_OWNERS = {"ui/store.py", "ui/page_state.py"}


def _dashboard_files() -> list[Path]:
    return sorted([*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"])


def test_only_the_store_and_the_page_state_touch_session_state():
    touching = {
        str(path.relative_to(ROOT))
        for path in _dashboard_files()
        if "session_state" in path.read_text(encoding="utf-8")
    }
    assert touching - STATE_OWNERS == set(), "only ui/store.py and ui/page_state.py may use st.session_state"
    assert touching == STATE_OWNERS


def test_every_session_state_key_is_declared_once():
    declared = [value for value in vars(keys).values() if isinstance(value, keys.Key)]
    declared += list(keys.COST_WIDGETS.values())
    names = [key.name for key in declared]
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
    assert {"dataset", "active_target", "runs", "threshold", "techniques"} <= set(names)  # what tests look up


def test_the_link_codec_runs_without_streamlit():
    """Plain dicts in, plain dicts out: importing and using the codec loads no Streamlit."""
    script = (
        "import sys\n"
        "from ui.link import Session\n"
        "session, notes = Session.from_query_params({'sample': 'medical', 'threshold': '0.3', 'folds': '3'})\n"
        "assert notes == [] and session.to_query_params() == {'sample': 'medical', 'threshold': '0.3', 'folds': '3'}\n"
        "print('streamlit' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.split() == ["False"]


def _ui_imports(path: Path) -> set[str]:
    """The ui modules `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "ui":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ui."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("ui.")}
    return found


def test_the_ui_modules_import_each_other_without_a_cycle():
    graph = {path.stem: _ui_imports(path) for path in (ROOT / "ui").glob("*.py")}
    visiting, done = [], set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, f"import cycle: {' -> '.join([*visiting[visiting.index(module) :], module])}"
        visiting.append(module)
        for imported in sorted(graph.get(module, ())):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_imports_inside_functions_in_ui_are_deferred_heavy_ones_that_say_why():
    """Only an import of the engine's heavy parts (scikit-learn, TensorFlow) may wait for its function, and a
    comment on the lines just above it says why."""
    for path in sorted((ROOT / "ui").glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for statement in ast.walk(node):
                if isinstance(statement, ast.Import | ast.ImportFrom):
                    above = "\n".join(lines[max(0, statement.lineno - 4) : statement.lineno - 1])
                    where = f"{path.name}:{statement.lineno}"
                    assert "Deferred" in above, f"{where}: an import inside a function without a comment saying why"
