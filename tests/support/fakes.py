"""Results and comparisons built from given labels and scores, as run_comparison would leave them."""

from __future__ import annotations

import numpy as np

from imbal_core.nets import model
from imbal_core.run import evaluate, metrics
from imbal_core.techniques import catalogue


def fake_result(technique_id: str, labels: np.ndarray, positive: np.ndarray, tuned: float = 0.4):
    """A TechniqueResult as run_comparison would leave it, from given labels and minority scores."""
    probabilities = np.column_stack([1 - positive, positive])
    return evaluate.TechniqueResult(
        spec=catalogue.make_spec(technique_id),
        fold_metrics=[metrics.compute_metrics(labels, probabilities)],
        tuned_thresholds=[tuned],
        test_labels=[labels],
        test_probabilities=[probabilities],
        histories=[{"loss": [0.6, 0.4, 0.3], "val_loss": [0.65, 0.5, 0.45]}],
    )


def fake_comparison(results, labels=("legit", "fraud")):
    dataset = {
        "rows": 200,
        "target": "is_fraud",
        "class_counts": {"legit": 180, "fraud": 20},
        "minority_class": "fraud",
        "imbalance_ratio": 9.0,
    }
    return evaluate.Comparison(dataset, evaluate.Protocol(), model.ModelSettings(max_epochs=3), list(labels), results)


def fake_folds_result(technique_id: str, folds: list[tuple[np.ndarray, ...]], params: dict | None = None):
    """A TechniqueResult over several folds with validation rows (what operating points are chosen on).

    `folds`: one (test_labels, test_positive, validation_labels, validation_positive) tuple per fold.
    """
    result = evaluate.TechniqueResult(spec=catalogue.make_spec(technique_id, params))
    for test_labels, test_positive, validation_labels, validation_positive in folds:
        test = np.column_stack([1 - test_positive, test_positive])
        result.fold_metrics.append(metrics.compute_metrics(test_labels, test))
        result.tuned_thresholds.append(metrics.best_f1_threshold(validation_labels, validation_positive))
        result.test_labels.append(test_labels)
        result.test_probabilities.append(test)
        result.validation_labels.append(validation_labels)
        result.validation_probabilities.append(np.column_stack([1 - validation_positive, validation_positive]))
        result.histories.append({"loss": [0.6, 0.4, 0.3], "val_loss": [0.65, 0.5, 0.45]})
    return result
