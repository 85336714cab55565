"""Metrics from labels and probabilities, threshold sweeps and calibration; all scikit-learn underneath.

Binary labels are coded 0 (majority) / 1 (minority), so precision, recall and F1 are the minority
class's. Probabilities are (n, n_classes) arrays.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from imbal_core.run.metric_names import METRIC_NAMES


def predict_labels(probabilities: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Binary: minority when its probability >= threshold; multi-class: the most probable class."""
    if probabilities.shape[1] == 2:
        return (probabilities[:, 1] >= threshold).astype(np.int64)
    return probabilities.argmax(axis=1)


def compute_metrics(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> dict:
    """Every metric in METRIC_NAMES; multi-class adds per-class precision/recall/F1 under 'per_class'."""
    n_classes = probabilities.shape[1]
    predicted = predict_labels(probabilities, threshold)
    matrix = confusion_matrix(labels, predicted, labels=list(range(n_classes)))
    metrics = confusion_metrics(matrix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        if n_classes == 2:
            metrics.update(_binary_ranking_metrics(labels, probabilities[:, 1]))
        else:
            metrics.update(_multiclass_ranking_metrics(labels, probabilities))
    return metrics


def confusion_metrics(matrix: np.ndarray) -> dict:
    """Threshold metrics from one confusion matrix (rows = truth), instead of one scikit-learn call each.

    Same definitions as scikit-learn and imbalanced-learn (zero_division=0; G-mean is the geometric
    mean of per-class recall); tests/core/test_metrics.py checks them against those libraries.
    """
    matrix = matrix.astype(np.float64)
    true_per_class, predicted_per_class, correct = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    recall = np.divide(correct, true_per_class, out=np.zeros_like(correct), where=true_per_class > 0)
    precision = np.divide(correct, predicted_per_class, out=np.zeros_like(correct), where=predicted_per_class > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(correct), where=denominator > 0)
    present = true_per_class > 0
    total = matrix.sum()
    covariance = correct.sum() * total - predicted_per_class @ true_per_class
    spread = np.sqrt(
        (total**2 - predicted_per_class @ predicted_per_class) * (total**2 - true_per_class @ true_per_class)
    )
    metrics = {
        "accuracy": float(correct.sum() / total) if total else float("nan"),
        "balanced_accuracy": float(recall[present].mean()) if present.any() else float("nan"),
        "mcc": float(covariance / spread) if spread > 0 else 0.0,
        "g_mean": float(np.prod(recall) ** (1 / len(recall))),
    }
    if len(matrix) == 2:  # the minority class (code 1) is the positive class
        metrics.update(precision=float(precision[1]), recall=float(recall[1]), f1=float(f1[1]))
    else:
        metrics.update(precision=float(precision.mean()), recall=float(recall.mean()), f1=float(f1.mean()))
        metrics["per_class"] = {
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "f1": f1.tolist(),
            "support": true_per_class.astype(int).tolist(),
        }
    return metrics


def _binary_ranking_metrics(labels: np.ndarray, positive: np.ndarray) -> dict:
    both_classes = len(np.unique(labels)) == 2
    return {
        "roc_auc": float(roc_auc_score(labels, positive)) if both_classes else float("nan"),
        "pr_auc": float(average_precision_score(labels, positive)) if both_classes else float("nan"),
        "brier": float(brier_score_loss(labels, positive)),
    }


def _multiclass_ranking_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    n_classes = probabilities.shape[1]
    one_hot = np.eye(n_classes)[labels]
    present = one_hot.sum(axis=0) > 0
    roc_auc = (
        float(roc_auc_score(labels, probabilities, multi_class="ovr", average="macro", labels=list(range(n_classes))))
        if present.all()
        else float("nan")
    )
    return {
        "roc_auc": roc_auc,
        "pr_auc": float(average_precision_score(one_hot[:, present], probabilities[:, present], average="macro")),
        # Softmax rows sum to 1 only up to float32 rounding; scikit-learn checks that strictly.
        "brier": float(
            brier_score_loss(
                labels, probabilities / probabilities.sum(axis=1, keepdims=True), labels=list(range(n_classes))
            )
        ),
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


def count_at_or_above(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How many scores are >= each threshold: the rows flagged there (a score equal to the threshold is
    flagged, as in predict_labels; a NaN score never is). Every per-threshold count (sweeps, cost curves,
    threshold rules, the alert budget) comes from here, so they cannot disagree.

    One sort and a binary search per threshold: a sweep over every distinct score stays O(n log n).
    """
    scores = np.asarray(scores)
    ordered = np.sort(scores[~np.isnan(scores)])
    return len(ordered) - np.searchsorted(ordered, thresholds, side="left")


def threshold_sweep(labels: np.ndarray, positive: np.ndarray, thresholds: np.ndarray | None = None) -> dict:
    """Precision, recall and F1 of the minority class at each threshold (vectorised over thresholds)."""
    thresholds = np.linspace(0.01, 0.99, 99) if thresholds is None else np.asarray(thresholds)
    actual = labels == 1
    true_positive = count_at_or_above(positive[actual], thresholds)
    predicted_positive = count_at_or_above(positive, thresholds)
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


def metrics_at_prevalence(labels: np.ndarray, positive: np.ndarray, prevalence: float, threshold: float = 0.5) -> dict:
    """Binary precision, recall, F1 and PR-AUC as if the minority made up `prevalence` of the rows.

    The same scores, re-weighted: each minority row counts w times so the weighted minority share is
    `prevalence`. Recall and ROC-AUC do not move; precision and PR-AUC rise with prevalence alone,
    which is why a test set with the wrong class ratio flatters a model.
    """
    labels = np.asarray(labels)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("Re-weighting to another prevalence needs rows of both classes.")
    weight = (prevalence / (1 - prevalence)) * (negatives / positives)
    sample_weight = np.where(labels == 1, weight, 1.0)
    predicted = positive >= threshold
    caught = float(sample_weight[predicted & (labels == 1)].sum())
    flagged = float(sample_weight[predicted].sum())
    precision = caught / flagged if flagged else 0.0
    recall = float((predicted & (labels == 1)).sum() / positives)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "prevalence": float(prevalence),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pr_auc": float(average_precision_score(labels, positive, sample_weight=sample_weight)),
        "roc_auc": float(roc_auc_score(labels, positive)),
    }
