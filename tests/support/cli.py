"""The CLI's JSON contract shared by the table and image comparisons: every metric key and every result key."""

from __future__ import annotations

METRIC_KEYS = {
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "pr_auc",
    "mcc",
    "g_mean",
    "brier",
}


RESULT_KEYS = {
    "technique",
    "params",
    "metrics",
    "metrics_std",
    "tuned_threshold",
    "metrics_at_tuned_threshold",
    "train_class_counts",
    "confusion_matrix",
    "labels",
    "notes",
    "fit_seconds",
}
