"""Metric names and their direction, importable without scikit-learn (the first page stays light)."""

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
