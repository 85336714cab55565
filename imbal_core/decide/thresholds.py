"""Threshold rules applied to validation rows: the cost-optimal threshold, a recall to hold, an alert budget;
and cost curves over thresholds.

Conventions
- A row is flagged (predicted minority) when its score is >= the threshold, as metrics.predict_labels
  does, so a threshold equal to a score flags that score. Thresholds always lie in [0, 1].
- Every threshold is chosen on a fold's validation rows (carved from training rows before resampling,
  real class ratio) and applied to that fold's test rows; test rows never choose a threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from imbal_core.decide.costs import Costs
from imbal_core.errors import InputError
from imbal_core.run.metrics import count_at_or_above

if TYPE_CHECKING:
    from imbal_core.run.results import TechniqueResult

RULES = ("cost", "recall", "budget")


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold in [0, 1], the rows it was chosen from, and a note when it is only a fallback."""

    threshold: float
    rows: int
    minority_rows: int | None  # None for the alert budget, which needs no labels
    note: str | None = None
    flags_nothing: bool = False  # True when the rule found flagging no row best (the cost rule)

    def __float__(self) -> float:
        return self.threshold


def cost_optimal_threshold(labels: np.ndarray, positive: np.ndarray, costs: Costs) -> ThresholdChoice:
    """The threshold with the lowest expected cost on these (validation) rows.

    Candidates are the distinct scores (the lowest flags every row), 0.5, and 1.0, which flags no row
    unless a row scores exactly 1: so the cost here is never worse than flagging everything, flagging
    nothing, or the default 0.5. Ties go to the highest tied threshold (fewest alerts for the same cost).
    Costs are compared exactly, as fractions, so rounding cannot break a tie one way for one cost and the
    other way for a nearby one; with that, raising the miss cost (or the catch value) never raises the
    chosen threshold. When flagging no row is cheapest, the choice says so (`flags_nothing`).
    No minority row: 0.5, with a note.
    """
    labels, positive = checked_scores(labels, positive)
    minority = int(labels.sum())
    if minority == 0:
        return _no_minority_choice(len(labels))
    candidates = np.unique(np.append(positive, (0.5, 1.0)))  # ascending
    caught, false_alarms = _flag_counts(labels, positive, candidates)
    cost = _exact_costs(caught, false_alarms, minority, costs)
    lowest = cost.min()
    chosen = int(np.flatnonzero(cost == lowest)[-1])  # the highest of the tied thresholds
    threshold = float(candidates[chosen])
    flags_nothing = bool(caught[chosen] + false_alarms[chosen] == 0)
    note = None
    if threshold == 1.0 and not flags_nothing:
        flagged = int(caught[chosen] + false_alarms[chosen])
        note = f"{flagged} validation rows score exactly 1; no threshold can leave them unflagged."
    return ThresholdChoice(threshold, len(labels), minority, note, flags_nothing)


def recall_target_threshold(labels: np.ndarray, positive: np.ndarray, recall: float) -> ThresholdChoice:
    """The highest threshold whose recall on these (validation) rows reaches `recall` (in (0, 1])."""
    if isinstance(recall, bool) or not isinstance(recall, Real) or not 0 < recall <= 1:
        raise InputError(f"The recall to hold must be above 0 and at most 1 (100 %); got {recall!r}.")
    labels, positive = checked_scores(labels, positive)
    minority = int(labels.sum())
    if minority == 0:
        return _no_minority_choice(len(labels))
    minority_scores = np.sort(positive[labels == 1])[::-1]
    # The small allowance keeps 0.7 * 10 = 7.000000000000001 from asking for an eighth row.
    needed = max(1, math.ceil(recall * minority - 1e-9))
    return ThresholdChoice(float(minority_scores[needed - 1]), len(labels), minority)


def alert_budget_threshold(positive: np.ndarray, alerts_per_1000: float) -> ThresholdChoice:
    """The lowest threshold that flags at most `alerts_per_1000` of every 1,000 of these rows."""
    if isinstance(alerts_per_1000, bool) or not isinstance(alerts_per_1000, Real) or not 0 <= alerts_per_1000 <= 1000:
        raise InputError(
            f"The alert budget must be between 0 and 1,000 alerts per 1,000 cases; got {alerts_per_1000!r}."
        )
    positive = checked_positive(positive)
    allowed = math.floor(alerts_per_1000 / 1000 * len(positive) + 1e-9)
    candidates = np.unique(positive)  # ascending, so flagged counts descend
    flagged = count_at_or_above(positive, candidates)
    within = np.flatnonzero(flagged <= allowed)
    if len(within):
        return ThresholdChoice(float(candidates[within[0]]), len(positive), None)
    # Even the top score is shared by more rows than the budget allows: flag none of them.
    above_top = float(min(1.0, np.nextafter(candidates[-1], np.inf)))
    note = None
    if candidates[-1] >= 1.0:
        note = f"{int(flagged[-1])} rows score exactly 1, more than the budget allows; they are flagged anyway."
    return ThresholdChoice(above_top, len(positive), None, note)


def cost_curve(labels: np.ndarray, positive: np.ndarray, costs: Costs, thresholds: np.ndarray | None = None) -> dict:
    """Expected cost and alerts per 1,000 cases at each threshold (101 steps over [0, 1] by default)."""
    labels, positive = checked_scores(labels, positive)
    thresholds = np.linspace(0.0, 1.0, 101) if thresholds is None else np.asarray(thresholds, dtype=float)
    if thresholds.ndim != 1 or not np.all((thresholds >= 0) & (thresholds <= 1)):
        raise InputError("Cost-curve thresholds must be a list of numbers between 0 and 1.")
    caught, false_alarms = _flag_counts(labels, positive, thresholds)
    missed = int(labels.sum()) - caught
    per_1000 = 1000.0 / len(labels)
    cost = costs.false_alarm * false_alarms + costs.miss * missed - costs.catch_value * caught
    return {
        "threshold": thresholds.tolist(),
        "expected_cost_per_1000": (cost * per_1000).tolist(),
        "alerts_per_1000": ((caught + false_alarms) * per_1000).tolist(),
    }


def mean_cost_curve(result: TechniqueResult, costs: Costs, thresholds: np.ndarray | None = None) -> dict:
    """A technique's cost curve on the test rows of all folds together: the operating points' aggregation,
    so the point drawn at the chosen threshold lies on its curve."""
    labels = np.concatenate([np.asarray(labels) for labels in result.test_labels])
    positive = np.concatenate([np.asarray(probabilities)[:, 1] for probabilities in result.test_probabilities])
    return cost_curve(labels, positive, costs, thresholds)


def choose_threshold(
    rule: str, labels: np.ndarray, positive: np.ndarray, costs: Costs, target: float | None = None
) -> ThresholdChoice:
    """Apply one rule ('cost', 'recall' with target recall, 'budget' with target alerts per 1,000)."""
    if rule not in RULES:
        raise InputError(f"Unknown threshold rule {rule!r}; use one of {', '.join(RULES)}.")
    if rule != "cost" and target is None:
        what = "a recall between 0 and 1" if rule == "recall" else "an alert budget per 1,000 cases"
        raise InputError(f"The {rule!r} rule needs a target: give {what}.")
    if rule == "recall":
        return recall_target_threshold(labels, positive, target)
    if rule == "budget":
        return alert_budget_threshold(positive, target)
    return cost_optimal_threshold(labels, positive, costs)


def _no_minority_choice(rows: int) -> ThresholdChoice:
    return ThresholdChoice(0.5, rows, 0, f"No minority row among the {rows} validation rows: threshold left at 0.5.")


def _flag_counts(labels: np.ndarray, positive: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives at each threshold (a row is flagged when its score >= the threshold)."""
    return count_at_or_above(positive[labels == 1], thresholds), count_at_or_above(positive[labels == 0], thresholds)


def _exact_costs(caught: np.ndarray, false_alarms: np.ndarray, minority: int, costs: Costs) -> np.ndarray:
    """Total cost at each threshold as exact integers (costs scaled by their common denominator)."""
    weights = [Fraction(value) for value in (costs.false_alarm, costs.miss, costs.catch_value)]
    scale = math.lcm(*(weight.denominator for weight in weights))
    false_alarm, miss, catch_value = (int(weight * scale) for weight in weights)
    caught = caught.astype(object)  # Python integers: no overflow, no rounding
    return false_alarm * false_alarms.astype(object) + miss * (minority - caught) - catch_value * caught


def checked_positive(positive) -> np.ndarray:
    positive = np.asarray(positive, dtype=float).ravel()
    if len(positive) == 0:
        raise InputError("No scores were given; a threshold needs at least one row.")
    if not np.all(np.isfinite(positive)) or positive.min() < 0 or positive.max() > 1:
        raise InputError("Scores must be probabilities between 0 and 1; some are outside that range or missing.")
    return positive


def checked_scores(labels, positive) -> tuple[np.ndarray, np.ndarray]:
    positive = checked_positive(positive)
    labels = np.asarray(labels).ravel()
    if len(labels) != len(positive):
        raise InputError(f"Got {len(labels)} labels but {len(positive)} scores; give one label per score.")
    if not np.isin(labels, (0, 1)).all():
        raise InputError("Labels must be 0 (majority) or 1 (minority) for a binary decision.")
    return labels.astype(np.int64), positive
