"""How sure a difference is: standard errors of ranking metrics, a technique's gap to another on a metric,
and the paired gap in expected cost between two operating points.

Uncertainty, used by the warnings and the recommendation, with Z = 2 (about 95 %):
- K-fold: the Nadeau & Bengio (2003) corrected standard error of a mean over folds,
  s * sqrt(1/J + n_test/n_train) with J fold results and n_test/n_train = 1/(K - 1); comparisons
  between two techniques use their per-fold differences (same folds, so the comparison is paired).
- One quick split (no fold spread): ROC-AUC uses the Hanley & McNeil (1982) standard error;
  PR-AUC (average precision) uses the binomial approximation sqrt(AP (1 - AP) / minority rows)
  (Boyd, Eng & Page 2013); two techniques are compared unpaired, sqrt(se1^2 + se2^2).
Closed forms rather than a bootstrap keep the decision view fast enough to redraw on every cost change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from imbal_core.decide.costs import Costs
from imbal_core.decide.operating_points import OperatingPoint, result_of, row_costs_at

if TYPE_CHECKING:
    from imbal_core.run.results import Comparison, TechniqueResult

Z = 2.0  # standard errors for "beyond the uncertainty": about 95 % two-sided


@dataclass(frozen=True)
class MetricEstimate:
    mean: float
    standard_error: float
    basis: str


@dataclass(frozen=True)
class MetricGap:
    """A technique's metric against the baseline's: the difference and the margin it must exceed."""

    mean: float
    baseline_mean: float
    difference: float
    margin: float
    basis: str

    @property
    def beats(self) -> bool:
        return self.difference > self.margin


def _fold_values(result: TechniqueResult, metric: str) -> np.ndarray:
    return np.array([fold.get(metric, math.nan) for fold in result.fold_metrics], dtype=float)


def corrected_standard_error(values: np.ndarray, folds: int) -> float:
    """Nadeau & Bengio (2003): s * sqrt(1/J + n_test/n_train), with n_test/n_train = 1/(K - 1) in K-fold.

    The plain s / sqrt(J) is too small because folds share training rows.
    """
    return float(np.std(values, ddof=1) * math.sqrt(1 / len(values) + 1 / (folds - 1)))


def hanley_mcneil_standard_error(auc: float, minority_rows: int, majority_rows: int) -> float:
    """Hanley & McNeil (1982) standard error of an ROC-AUC from one set of test rows."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (minority_rows - 1) * (q1 - auc**2) + (majority_rows - 1) * (q2 - auc**2)) / (
        minority_rows * majority_rows
    )
    return math.sqrt(max(variance, 0.0))


def average_precision_standard_error(average_precision: float, minority_rows: int) -> float:
    """Binomial approximation sqrt(AP (1 - AP) / minority rows) (Boyd, Eng & Page 2013)."""
    return math.sqrt(average_precision * (1 - average_precision) / minority_rows)


def metric_estimate(comparison: Comparison, result: TechniqueResult, metric: str) -> MetricEstimate | None:
    """Mean of a ranking metric and its standard error; None when it cannot be estimated."""
    values = _fold_values(result, metric)
    values = values[np.isfinite(values)]
    if len(values) >= 2 and comparison.protocol.mode == "cv":
        error = corrected_standard_error(values, comparison.protocol.folds)
        return MetricEstimate(float(values.mean()), error, f"corrected standard error over {len(values)} folds")
    if len(values) != 1 or not comparison.binary or not result.test_labels:
        return None
    labels = np.asarray(result.test_labels[0])
    minority, majority = int(np.sum(labels == 1)), int(np.sum(labels == 0))
    if minority == 0 or majority == 0:
        return None
    value = float(values[0])
    if metric == "roc_auc":
        error = hanley_mcneil_standard_error(value, minority, majority)
        return MetricEstimate(value, error, f"Hanley-McNeil, {minority} minority and {majority} majority test rows")
    error = average_precision_standard_error(value, minority)
    return MetricEstimate(value, error, f"binomial approximation over {minority} minority test rows")


def metric_gap(
    comparison: Comparison, result: TechniqueResult, baseline: TechniqueResult, metric: str
) -> MetricGap | None:
    """The technique's lead over the baseline and the margin (Z standard errors) it must exceed."""
    values, baseline_values = _fold_values(result, metric), _fold_values(baseline, metric)
    paired = (
        comparison.protocol.mode == "cv"
        and len(values) == len(baseline_values) >= 2
        and np.all(np.isfinite(values) & np.isfinite(baseline_values))
    )
    if paired:
        differences = values - baseline_values
        error = corrected_standard_error(differences, comparison.protocol.folds)
        basis = f"paired over {len(values)} folds, corrected standard error"
        return MetricGap(
            float(values.mean()), float(baseline_values.mean()), float(differences.mean()), Z * error, basis
        )
    own, base = metric_estimate(comparison, result, metric), metric_estimate(comparison, baseline, metric)
    if own is None or base is None:
        return None
    error = math.hypot(own.standard_error, base.standard_error)
    return MetricGap(own.mean, base.mean, own.mean - base.mean, Z * error, f"unpaired; {own.basis}")


@dataclass(frozen=True)
class CostGap:
    """How much more `other` costs than `best` per period, and the margin (Z standard errors) it must beat."""

    difference: float
    margin: float
    basis: str

    @property
    def separated(self) -> bool:
        return self.difference > self.margin


def cost_gap(comparison: Comparison, best: OperatingPoint, other: OperatingPoint) -> CostGap:
    """The other point's extra expected cost per period, paired on the shared folds and test rows.

    K-fold: per-fold differences with the Nadeau & Bengio corrected standard error. One split: per-row
    cost differences on the same test rows, standard error std / sqrt(rows). When the two results do not
    share their test rows (e.g. results from different runs), the two uncertainties are combined unpaired.
    """
    scale = best.volume / 1000.0
    difference = (other.expected_cost_per_1000 - best.expected_cost_per_1000) * scale
    first, second = result_of(comparison.results, best), result_of(comparison.results, other)
    if first is None or second is None or not _same_test_rows(first, second):
        error = math.hypot(best.cost_uncertainty_per_1000, other.cost_uncertainty_per_1000) * scale
        return CostGap(difference, Z * error, "unpaired")
    if len(best.fold_figures) >= 2:
        per_fold = np.array(
            [
                mine["expected_cost_per_1000"] - theirs["expected_cost_per_1000"]
                for mine, theirs in zip(other.fold_figures, best.fold_figures, strict=True)
            ]
        )
        error = corrected_standard_error(per_fold, comparison.protocol.folds) * scale
        return CostGap(difference, Z * error, f"paired over {len(per_fold)} folds")
    per_row = _fold_row_costs(second, other, 0) - _fold_row_costs(first, best, 0)
    error = 1000.0 * float(np.std(per_row, ddof=1)) / math.sqrt(len(per_row)) * scale if len(per_row) > 1 else 0.0
    return CostGap(difference, Z * error, f"paired over the {len(per_row)} test rows of one split")


def _same_test_rows(first: TechniqueResult, second: TechniqueResult) -> bool:
    if len(first.test_labels) != len(second.test_labels):
        return False
    for fold in range(len(first.test_labels)):
        if not np.array_equal(first.test_labels[fold], second.test_labels[fold]):
            return False
        rows_known = len(first.test_rows) > fold and len(second.test_rows) > fold
        if rows_known and not np.array_equal(first.test_rows[fold], second.test_rows[fold]):
            return False
    return True


def _fold_row_costs(result: TechniqueResult, point: OperatingPoint, fold: int) -> np.ndarray:
    costs = Costs(*point.unit_costs, volume=point.volume, period=point.period)
    positive = np.asarray(result.test_probabilities[fold])[:, 1]
    return row_costs_at(np.asarray(result.test_labels[fold]), positive, point.threshold, costs)
