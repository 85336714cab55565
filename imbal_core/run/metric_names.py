"""One catalogue of metric facts: key, display label, direction, threshold dependence, multi-class average, help.

The table, the charts, the Learn page and the report read these facts from here. The module imports
nothing heavy, so the first page stays light (no scikit-learn).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricInfo:
    """What a person needs to read one metric: its name, which way is better, and what it measures."""

    key: str
    label: str  # short display name for axes and column headers, e.g. "PR-AUC"
    higher_is_better: bool
    threshold_dependent: bool  # changes when the decision threshold moves
    multiclass_average: str  # "macro" when multi-class results average per-class values, "-" otherwise
    help: str  # one line for people; no CLI syntax
    minority_in_binary: bool = False  # binary results report the minority class's value, not an average


# Order matters: metrics.summarise and the exports iterate in this order.
METRICS: dict[str, MetricInfo] = {
    info.key: info
    for info in (
        MetricInfo(
            "precision",
            "Precision",
            True,
            True,
            "macro",
            "Of the rows flagged as the rare class, the share that really are.",
            minority_in_binary=True,
        ),
        MetricInfo(
            "recall",
            "Recall",
            True,
            True,
            "macro",
            "Of the rows that really are the rare class, the share that get flagged.",
            minority_in_binary=True,
        ),
        MetricInfo(
            "f1",
            "F1",
            True,
            True,
            "macro",
            "Balance of precision and recall (their harmonic mean): high only when both are.",
            minority_in_binary=True,
        ),
        MetricInfo(
            "pr_auc",
            "PR-AUC",
            True,
            False,
            "macro",
            "Average precision over every threshold; no skill scores the rare class's share, 1 is perfect.",
        ),
        MetricInfo(
            "roc_auc",
            "ROC-AUC",
            True,
            False,
            "macro",
            "Chance that a random rare row scores above a random common row; 0.5 is no skill, 1 is perfect.",
        ),
        MetricInfo(
            "balanced_accuracy",
            "Balanced accuracy",
            True,
            True,
            "-",
            "Mean of each class's recall, so every class counts the same whatever its size.",
        ),
        MetricInfo(
            "mcc",
            "MCC",
            True,
            True,
            "-",
            "Correlation between predictions and truth, from -1 to 1; 0 is no better than guessing.",
        ),
        MetricInfo(
            "g_mean",
            "G-mean",
            True,
            True,
            "-",
            "Geometric mean of each class's recall; zero when any class is never found.",
        ),
        MetricInfo(
            "brier",
            "Brier score",
            False,
            False,
            "-",
            "Mean squared gap between predicted probability and what happened; lower is better, 0 is perfect.",
        ),
        MetricInfo(
            "accuracy",
            "Accuracy",
            True,
            True,
            "-",
            "Share of all rows predicted right; misleading when one class dominates, so never the headline.",
        ),
    )
}

METRIC_NAMES: tuple[str, ...] = tuple(METRICS)
LOWER_IS_BETTER: frozenset[str] = frozenset(key for key, info in METRICS.items() if not info.higher_is_better)
THRESHOLD_FREE: frozenset[str] = frozenset(key for key, info in METRICS.items() if not info.threshold_dependent)


def metric_label(key: str, binary: bool = True) -> str:
    """Display label with its scope: "F1 (minority)" for binary, "F1 (macro)" for multi-class, else the label."""
    info = METRICS[key]
    if binary and info.minority_in_binary:
        return f"{info.label} (minority)"
    if not binary and info.multiclass_average == "macro":
        return f"{info.label} ({info.multiclass_average})"
    return info.label


THRESHOLD_DIGITS = 3  # the dashboard's threshold slider moves in steps of 0.001


def threshold_text(threshold: float) -> str:
    """A decision threshold as every page, chart and report shows it: three decimals, like the slider."""
    return f"{threshold:.{THRESHOLD_DIGITS}f}"
