"""Every bundled sample runs a quick comparison through the CLI and keeps its JSON contract, decisions included."""

from __future__ import annotations

import json

import pytest

from imbal_core.cli import main
from imbal_core.data.class_profile import profile
from imbal_core.data.samples import SAMPLES, sample_path
from imbal_core.data.tables import load_table

DECISION_KEYS = {"threshold", "expected_cost_per_1000", "recall", "precision", "alerts_per_1000"}


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.id for sample in SAMPLES])
def test_sample_runs_a_quick_comparison_and_is_not_trivial(sample, tmp_path):
    table = load_table(sample_path(sample.id))
    summary = profile(table.frame, sample.target)
    assert summary.minority_class == str(sample.minority_label)
    out = tmp_path / "result.json"
    arguments = ["compare", str(sample_path(sample.id)), "--target", sample.target, "--techniques", "baseline"]
    arguments += ["--epochs", "20", "--seed-average", "1"]
    assert main([*arguments, "--cost-fp", "1", "--cost-fn", "20", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    result = document["results"][0]
    pr_auc = result["metrics"]["pr_auc"]
    # Clearly better than guessing (the minority share), clearly short of perfect.
    assert summary.minority_share + 0.1 < pr_auc < 0.99, (sample.id, pr_auc)
    assert all(set(warning) >= {"code", "message"} for warning in document["warnings"])
    if len(summary.class_counts) == 2:
        assert set(result["decision"]) >= DECISION_KEYS
        assert document["recommendation"]["technique"] == "baseline"
        assert 0 <= document["recommendation"]["threshold"] <= 1
    else:  # multi-class: said plainly, no decision invented
        assert "decision" not in result and document["recommendation"] is None
        assert "binary" in document["decision_support"]
