"""Issue 19 item 4: prior correction undoes the class balance a network actually trained on, for weights,
focal alpha and balanced batches too (not only for resampled rows). Trains tiny networks (a few seconds)."""

from __future__ import annotations

import numpy as np
import pytest

from imbal_core.decide import calibration
from imbal_core.decide.calibration import training_prior
from imbal_core.errors import InputError
from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.protocol import Protocol
from imbal_core.stages.base import BatchPlan, LossSettings, NetworkPlan
from imbal_core.techniques.catalogue import make_spec
from tests.support.frames import make_binary_frame

SETTINGS = ModelSettings(hidden_units=(16,), max_epochs=25, patience=5, batch_size=64)


def brier(result) -> float:
    return float(np.mean([fold["brier"] for fold in result.fold_metrics]))


def mean_test_probability(result) -> float:
    return float(np.concatenate([probabilities[:, 1] for probabilities in result.test_probabilities]).mean())


@pytest.fixture(scope="module")
def weighted_run():
    frame = make_binary_frame(rows=2000, minority_share=0.04, signal=2.0, seed=3)
    specs = [make_spec(technique_id) for technique_id in ("class_weight", "focal_loss", "balanced_batches", "smote")]
    return run_comparison(frame, "label", specs, Protocol(mode="quick", seed=0), SETTINGS)


@pytest.mark.parametrize("technique_id", ["class_weight", "focal_loss", "balanced_batches", "smote"])
def test_prior_correction_brings_weighted_scores_back_to_the_real_rate(weighted_run, technique_id):
    (result,) = [item for item in weighted_run.results if item.spec.technique_id == technique_id]
    assert not result.failed, result.failed
    observed = float(np.mean(np.concatenate(result.test_labels) == 1))
    before = mean_test_probability(result)
    corrected = calibration.recalibrated(result, "prior", weighted_run.labels)
    after = mean_test_probability(corrected)
    assert before > 2 * observed  # training saw a shifted balance: scores far above the real rate
    if technique_id == "focal_loss":
        # The prior undoes alpha; gamma also pulls scores towards 0.5, which no prior undoes (Platt does).
        assert abs(after - observed) < 0.3 * abs(before - observed), (before, after, observed)
    else:
        assert abs(after - observed) < 0.5 * observed, (before, after, observed)
    assert brier(corrected) < brier(result)


def test_the_effective_prior_counts_weights_focal_alpha_batch_shares_and_logit_offsets():
    labels = np.array([0] * 90 + [1] * 10)
    features = np.zeros((100, 1), dtype=np.float32)
    plain = NetworkPlan(features, labels, 0)
    assert plain.minority_share(2) == pytest.approx(0.1)
    weighted = NetworkPlan(features, labels, 0, class_weight={0: 1.0, 1: 9.0})
    assert weighted.minority_share(2) == pytest.approx(0.5)  # sum of w*y over sum of w
    focal = NetworkPlan(
        features, labels, 0, loss=LossSettings(focal={"gamma": 2, "alpha": 0.9, "balance_classes": True})
    )
    assert focal.minority_share(2) == pytest.approx(0.9 * 10 / (0.9 * 10 + 0.1 * 90))
    batches = NetworkPlan(features, labels, 0, batches=BatchPlan(np.array([0.7, 0.3])))
    assert batches.minority_share(2) == pytest.approx(0.3)
    offset = NetworkPlan(features, labels, 0, loss=LossSettings(output_offset=np.array([np.log(10 / 90)])))
    assert offset.minority_share(2) == pytest.approx(0.5)  # the logit-adjusted loss trains as if balanced
    assert plain.minority_share(3) is None


def test_a_run_saved_before_the_prior_was_recorded_refuses_prior_correction_for_weights_with_a_sentence(weighted_run):
    from dataclasses import replace

    (weights,) = [item for item in weighted_run.results if item.spec.technique_id == "class_weight"]
    old = replace(weights, training_priors=[])
    assert training_prior(old, weighted_run.labels) is None
    with pytest.raises(InputError, match="Platt or isotonic"):
        calibration.recalibrated(old, "prior", weighted_run.labels)
    (smote,) = [item for item in weighted_run.results if item.spec.technique_id == "smote"]
    counted = training_prior(replace(smote, training_priors=[]), weighted_run.labels)
    assert counted == pytest.approx(smote.train_class_counts["rare"] / sum(smote.train_class_counts.values()))
