"""Every bundled sample loads through the engine's loader and runs a quick comparison."""

from __future__ import annotations

import pytest

from imbal_core.data import load_table, profile
from imbal_core.evaluate import Protocol, run_comparison
from imbal_core.model import ModelSettings
from imbal_core.samples import SAMPLES, sample_path
from imbal_core.techniques import make_spec


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.id for sample in SAMPLES])
def test_sample_runs_a_quick_comparison_and_is_not_trivial(sample):
    table = load_table(sample_path(sample.id))
    summary = profile(table.frame, sample.target)
    assert summary.minority_class == str(sample.minority_label)
    settings = ModelSettings(max_epochs=20)
    comparison = run_comparison(table.frame, sample.target, [make_spec("baseline")], Protocol(seed=0), settings)
    pr_auc = comparison.results[0].metrics["pr_auc"]
    # Clearly better than guessing (the minority share), clearly short of perfect.
    assert summary.minority_share + 0.1 < pr_auc < 0.99, (sample.id, pr_auc)
