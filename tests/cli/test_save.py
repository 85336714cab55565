"""`python -m imbal_core compare ... --save`: the CLI writes to the same run history as the dashboard."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from imbal_core.cli import main
from imbal_core.store.history import CLI_OWNER, History
from imbal_core.store.results_document import comparison_from_json_document

ROOT = Path(__file__).resolve().parents[2]
MEDICAL = ROOT / "sample_data" / "breast_cancer.csv"
pytestmark = pytest.mark.slow  # each test trains a tiny network


@pytest.fixture
def history_path(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("IMBAL_LAB_HISTORY", str(path))
    monkeypatch.delenv("IMBAL_LAB_OWNER", raising=False)
    return path


def compare(*extra: str) -> int:
    arguments = ["compare", str(MEDICAL), "--target", "diagnosis", "--techniques", "baseline", "--epochs", "2"]
    return main([*arguments, "--seed-average", "1", *extra])


def test_save_stores_the_run_for_the_cli_owner_with_the_same_numbers_as_the_json(history_path, tmp_path, capsys):
    out = tmp_path / "result.json"
    assert compare("--json", str(out), "--save") == 0
    assert "Saved the run 'Breast cancer biopsies (real) · diagnosis · 1 technique · quick split'" in (
        capsys.readouterr().err
    )
    [summary] = History(history_path).list_runs(CLI_OWNER)
    assert summary.sample_id == "medical"
    assert summary.digest == hashlib.sha256(MEDICAL.read_bytes()).hexdigest()  # what the dashboard computes
    stored = History(history_path).load(summary.run_id, CLI_OWNER).comparison
    exported = comparison_from_json_document(out.read_text())
    assert stored.results[0].metrics == exported.results[0].metrics
    assert json.loads(out.read_text())["results"][0]["technique"] == "baseline"


def test_save_with_a_name_goes_to_the_browser_named_by_imbal_lab_owner(history_path, monkeypatch, capsys):
    token = "a-browser-token-from-the-dashboard"
    monkeypatch.setenv("IMBAL_LAB_OWNER", token)
    assert compare("--save", "Prepared for Tuesday") == 0
    assert token not in capsys.readouterr().err  # the token is never printed
    assert [summary.name for summary in History(history_path).list_runs(token)] == ["Prepared for Tuesday"]
    assert History(history_path).list_runs(CLI_OWNER) == []


def test_save_into_a_damaged_history_is_bad_input_with_the_reason(history_path, capsys):
    history_path.write_bytes(b"not a database" * 100)
    assert compare("--save") == 2
    assert "is damaged" in capsys.readouterr().err
