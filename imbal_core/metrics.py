"""Metrics from labels and probabilities, threshold sweeps and calibration; all scikit-learn underneath.

Binary labels are coded 0 (majority) / 1 (minority), so precision, recall and F1 are the minority
class's. Probabilities are (n, n_classes) arrays.
"""

from __future__ import annotations

import warnings

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.calibration import calibration_curve
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    matthews_corrcoef,
    precision_recall_curve,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

METRIC_NAMES = (
    "precision",
    "recall",
    "f1",
    "pr_auc",
    "roc_auc",
    "balanced_accuracy",
    "mcc",
    "g_mean",
    "brier",
    "accuracy",
)
LOWER_IS_BETTER = frozenset({"brier"})
THRESHOLD_FREE = frozenset({"roc_auc", "pr_auc", "brier"})


def predict_labels(probabilities: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Binary: minority when its probability >= threshold; multi-class: the most probable class."""
    if probabilities.shape[1] == 2:
        return (probabilities[:, 1] >= threshold).astype(np.int64)
    return probabilities.argmax(axis=1)


def compute_metrics(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> dict:
    """Every metric in METRIC_NAMES; multi-class adds per-class precision/recall/F1 under 'per_class'."""
    n_classes = probabilities.shape[1]
    predicted = predict_labels(probabilities, threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        if n_classes == 2:
            metrics = _binary_threshold_metrics(labels, predicted)
            metrics.update(_binary_ranking_metrics(labels, probabilities[:, 1]))
        else:
            metrics = _multiclass_metrics(labels, predicted, probabilities)
        metrics["accuracy"] = float(accuracy_score(labels, predicted))
        metrics["balanced_accuracy"] = float(balanced_accuracy_score(labels, predicted))
        metrics["mcc"] = float(matthews_corrcoef(labels, predicted))
        metrics["g_mean"] = float(geometric_mean_score(labels, predicted, labels=list(range(n_classes))))
    return metrics


def _binary_threshold_metrics(labels: np.ndarray, predicted: np.ndarray) -> dict:
    return {
        "precision": float(precision_score(labels, predicted, pos_label=1, zero_division=0)),
        "recall": float(recall_score(labels, predicted, pos_label=1, zero_division=0)),
        "f1": float(f1_score(labels, predicted, pos_label=1, zero_division=0)),
    }


def _binary_ranking_metrics(labels: np.ndarray, positive: np.ndarray) -> dict:
    both_classes = len(np.unique(labels)) == 2
    return {
        "roc_auc": float(roc_auc_score(labels, positive)) if both_classes else float("nan"),
        "pr_auc": float(average_precision_score(labels, positive)) if both_classes else float("nan"),
        "brier": float(brier_score_loss(labels, positive)),
    }


def _multiclass_metrics(labels: np.ndarray, predicted: np.ndarray, probabilities: np.ndarray) -> dict:
    n_classes = probabilities.shape[1]
    classes = list(range(n_classes))
    precision, recall, f1, support = precision_recall_fscore_support(labels, predicted, labels=classes, zero_division=0)
    one_hot = np.eye(n_classes)[labels]
    present = one_hot.sum(axis=0) > 0
    roc_auc = (
        float(roc_auc_score(labels, probabilities, multi_class="ovr", average="macro", labels=classes))
        if present.all()
        else float("nan")
    )
    pr_auc = float(average_precision_score(one_hot[:, present], probabilities[:, present], average="macro"))
    return {
        "precision": float(precision.mean()),
        "recall": float(recall.mean()),
        "f1": float(f1.mean()),
        "roc_auc": roc_auc,
        "pr_auc": pr_auc,
        "brier": float(np.mean(np.sum((probabilities - one_hot) ** 2, axis=1))),
        "per_class": {
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "f1": f1.tolist(),
            "support": support.tolist(),
        },
    }


def confusion(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Confusion matrix with rows = true class, columns = predicted, in label-code order."""
    classes = list(range(probabilities.shape[1]))
    return confusion_matrix(labels, predict_labels(probabilities, threshold), labels=classes)


def best_f1_threshold(labels: np.ndarray, positive: np.ndarray) -> float:
    """The threshold with the best minority F1 on these rows (0.5 when they hold no minority row)."""
    if labels.sum() == 0 or labels.sum() == len(labels):
        return 0.5
    precision, recall, thresholds = precision_recall_curve(labels, positive)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.argmax(f1[:-1]))  # the last point has no threshold
    return float(np.clip(thresholds[best], 1e-6, 1 - 1e-6))


def threshold_sweep(labels: np.ndarray, positive: np.ndarray, thresholds: np.ndarray | None = None) -> dict:
    """Precision, recall and F1 of the minority class at each threshold (vectorised over thresholds)."""
    thresholds = np.linspace(0.01, 0.99, 99) if thresholds is None else np.asarray(thresholds)
    predicted = positive[None, :] >= thresholds[:, None]
    actual = labels[None, :] == 1
    true_positive = (predicted & actual).sum(axis=1)
    predicted_positive = predicted.sum(axis=1)
    precision = np.divide(
        true_positive, predicted_positive, out=np.zeros(len(thresholds)), where=predicted_positive > 0
    )
    recall = true_positive / max(int(actual.sum()), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return {
        "threshold": thresholds.tolist(),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
    }


def roc_points(labels: np.ndarray, positive: np.ndarray) -> dict:
    false_positive_rate, true_positive_rate, _ = roc_curve(labels, positive)
    return {"fpr": false_positive_rate.tolist(), "tpr": true_positive_rate.tolist()}


def pr_points(labels: np.ndarray, positive: np.ndarray) -> dict:
    precision, recall, _ = precision_recall_curve(labels, positive)
    return {"precision": precision.tolist(), "recall": recall.tolist()}


def calibration_points(labels: np.ndarray, positive: np.ndarray, bins: int = 10) -> dict:
    fraction_positive, mean_predicted = calibration_curve(labels, positive, n_bins=bins, strategy="quantile")
    return {"mean_predicted": mean_predicted.tolist(), "fraction_positive": fraction_positive.tolist()}


def summarise(per_fold: list[dict]) -> tuple[dict, dict]:
    """Mean and standard deviation (population, ddof=0) of each metric over folds; NaNs are skipped."""
    means, stds = {}, {}
    for name in METRIC_NAMES:
        values = np.array([fold[name] for fold in per_fold], dtype=float)
        finite = values[np.isfinite(values)]
        means[name] = float(finite.mean()) if len(finite) else float("nan")
        stds[name] = float(finite.std()) if len(finite) else float("nan")
    return means, stds
