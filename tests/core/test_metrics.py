"""Our confusion-matrix metrics agree with scikit-learn's and imbalanced-learn's own functions."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
)

from imbal_core.decide.costs import Costs
from imbal_core.decide.thresholds import alert_budget_threshold, cost_curve
from imbal_core.run.metrics import best_f1_threshold, compute_metrics, count_at_or_above, threshold_sweep


def random_case(n_classes: int, seed: int, rows: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.choice(n_classes, size=rows, p=np.linspace(3, 1, n_classes) / np.linspace(3, 1, n_classes).sum())
    logits = rng.normal(size=(rows, n_classes)) + 1.5 * np.eye(n_classes)[labels]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return labels, probabilities


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.2, 0.5, 0.97])
def test_binary_metrics_match_the_libraries(seed, threshold):
    labels, probabilities = random_case(2, seed)
    predicted = (probabilities[:, 1] >= threshold).astype(int)
    ours = compute_metrics(labels, probabilities, threshold)
    assert ours["precision"] == pytest.approx(precision_score(labels, predicted, zero_division=0))
    assert ours["recall"] == pytest.approx(recall_score(labels, predicted, zero_division=0))
    assert ours["f1"] == pytest.approx(f1_score(labels, predicted, zero_division=0))
    assert ours["accuracy"] == pytest.approx(accuracy_score(labels, predicted))
    assert ours["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(labels, predicted))
    assert ours["mcc"] == pytest.approx(matthews_corrcoef(labels, predicted))
    assert ours["g_mean"] == pytest.approx(geometric_mean_score(labels, predicted))


@pytest.mark.parametrize("seed", range(5))
def test_multiclass_metrics_match_the_libraries(seed):
    labels, probabilities = random_case(4, seed)
    predicted = probabilities.argmax(axis=1)
    ours = compute_metrics(labels, probabilities)
    assert ours["precision"] == pytest.approx(precision_score(labels, predicted, average="macro", zero_division=0))
    assert ours["recall"] == pytest.approx(recall_score(labels, predicted, average="macro", zero_division=0))
    assert ours["f1"] == pytest.approx(f1_score(labels, predicted, average="macro", zero_division=0))
    assert ours["mcc"] == pytest.approx(matthews_corrcoef(labels, predicted))
    assert ours["g_mean"] == pytest.approx(geometric_mean_score(labels, predicted, average="multiclass"))
    assert ours["per_class"]["f1"] == pytest.approx(list(f1_score(labels, predicted, average=None, zero_division=0)))


def test_no_predicted_minority_gives_zero_not_nan():
    labels = np.array([0] * 9 + [1])
    probabilities = np.column_stack([np.full(10, 0.9), np.full(10, 0.1)])
    metrics = compute_metrics(labels, probabilities)
    assert (metrics["precision"], metrics["recall"], metrics["f1"], metrics["mcc"]) == (0.0, 0.0, 0.0, 0.0)
    assert metrics["accuracy"] == pytest.approx(0.9)  # the accuracy trap, in one line


def test_best_threshold_is_the_sweep_maximum():
    labels, probabilities = random_case(2, 7, rows=2000)
    positive = probabilities[:, 1]
    best = best_f1_threshold(labels, positive)
    sweep = threshold_sweep(labels, positive)
    best_f1 = compute_metrics(labels, probabilities, best)["f1"]
    assert best_f1 >= max(sweep["f1"]) - 1e-9


def test_every_per_threshold_count_comes_from_one_function_and_flags_a_score_equal_to_the_threshold():
    """Issue 21 item 5: sweeps, cost curves and the alert budget count flagged rows one way (score >= threshold)."""
    rng = np.random.default_rng(5)
    positive = (rng.integers(0, 11, 200) / 10).astype(np.float32)  # many ties, float32 like a network's output
    labels = rng.integers(0, 2, 200)
    thresholds = np.linspace(0.0, 1.0, 11)  # every threshold equals some scores
    flagged = count_at_or_above(positive, thresholds)
    caught = count_at_or_above(positive[labels == 1], thresholds)
    assert flagged.tolist() == [int(np.sum(positive >= threshold)) for threshold in thresholds]
    assert flagged.dtype == np.int64
    with_nan = np.append(positive, np.float32("nan"))
    assert count_at_or_above(with_nan, thresholds).tolist() == flagged.tolist()  # NaN is never flagged

    sweep = threshold_sweep(labels, positive, thresholds)
    assert sweep["recall"] == (caught / labels.sum()).tolist()
    curve = cost_curve(labels, positive, Costs(), thresholds)
    assert curve["alerts_per_1000"] == (flagged * 1000.0 / len(positive)).tolist()
    allowed = int(flagged[7])
    budget = alert_budget_threshold(positive, 1000.0 * allowed / len(positive))
    candidates = np.unique(positive)
    lowest_within = min(score for score in candidates if np.sum(positive >= score) <= allowed)
    assert budget.threshold == float(lowest_within)
