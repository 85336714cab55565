"""From metrics to a decision: costs, thresholds chosen on validation rows, operating points, warnings,
a recommendation in plain words, and recalibration of scores as risks.

Binary targets only for costs and thresholds: for multi-class results the functions return None or an
empty list, and `unsupported_reason` gives the sentence to show (multi-class results show metrics only).

Conventions
- A row is flagged (predicted minority) when its score is >= the threshold, as metrics.predict_labels
  does, so a threshold equal to a score flags that score. Thresholds always lie in [0, 1].
- Every threshold is chosen on a fold's validation rows (carved from training rows before resampling,
  real class ratio) and applied to that fold's test rows; test rows never choose a threshold.
- Uncertainty, used by the warnings and the recommendation, with Z = 2 (about 95 %):
  * K-fold: the Nadeau & Bengio (2003) corrected standard error of a mean over folds,
    s * sqrt(1/J + n_test/n_train) with J fold results and n_test/n_train = 1/(K - 1); comparisons
    between two techniques use their per-fold differences (same folds, so the comparison is paired).
  * One quick split (no fold spread): ROC-AUC uses the Hanley & McNeil (1982) standard error;
    PR-AUC (average precision) uses the binomial approximation sqrt(AP (1 - AP) / minority rows)
    (Boyd, Eng & Page 2013); two techniques are compared unpaired, sqrt(se1^2 + se2^2).
  Closed forms rather than a bootstrap keep the decision view fast enough to redraw on every cost change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from imbal_core.errors import InputError, ParameterError
from imbal_core.stages.base import Stages
from imbal_core.techniques import BASELINE_ID

if TYPE_CHECKING:
    from imbal_core.results import Comparison, TechniqueResult

MULTICLASS_NOT_SUPPORTED = "Not supported: costs apply to binary targets; multi-class results show metrics only."
PERIODS = ("day", "week", "month")
_PER_PERIOD = {"day": "daily", "week": "weekly", "month": "monthly"}
RULES = ("cost", "recall", "budget")
Z = 2.0  # standard errors for "beyond the uncertainty": about 95 % two-sided
FEW_TEST_MINORITY = 30
FEW_VALIDATION_MINORITY = 10

# --- costs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    """What one decision is worth, and how many cases arrive per period.

    The expected cost of flagging at a threshold is false_alarm * FP + miss * FN - catch_value * TP.
    """

    false_alarm: float = 1.0
    miss: float = 10.0
    catch_value: float = 0.0  # value of a caught positive, subtracted from the cost
    volume: float = 1000.0  # cases per period
    period: str = "day"

    def __post_init__(self) -> None:
        for name in ("false_alarm", "miss", "catch_value", "volume"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
                raise InputError(f"The {_COST_WORDS[name]} must be a finite number; got {value!r}. Enter a number.")
            if value < 0:
                raise InputError(
                    f"The {_COST_WORDS[name]} must be 0 or more; got {value:g}. Enter 0 or a positive amount."
                )
            object.__setattr__(self, name, float(value))  # numpy and int inputs become plain floats
        if self.false_alarm == self.miss == self.catch_value == 0:
            raise InputError(
                "All costs are 0, so every threshold is equally good. Enter the cost of a false alarm or of a miss."
            )
        if self.volume <= 0:
            raise InputError(f"The volume must be more than 0 cases per period; got {self.volume:g}.")
        if self.period not in PERIODS:
            raise InputError(f"The period must be one of {', '.join(PERIODS)}; got {self.period!r}.")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Costs:
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"Unknown cost settings {unknown}; expected only {sorted(known)}. Remove the others.")
        return cls(**data)


_COST_WORDS = {
    "false_alarm": "cost of a false alarm",
    "miss": "cost of a miss",
    "catch_value": "value of a catch",
    "volume": "volume",
}

_SAMPLE_COSTS: dict[str, tuple[Costs, str]] = {
    "fraud": (
        Costs(false_alarm=5, miss=500, volume=10_000, period="day"),
        "Defaults for a fraud desk: a missed fraud (500) costs 100× a false alarm (5), at 10,000 card payments "
        "a day; change them to yours.",
    ),
    "medical": (
        Costs(false_alarm=1, miss=50, volume=100, period="week"),
        "Defaults for a biopsy clinic: a missed malignancy (50) costs 50× an unneeded follow-up (1), at 100 "
        "biopsies a week; change them to yours.",
    ),
    "spam": (
        Costs(false_alarm=10, miss=1, volume=5_000, period="day"),
        "Defaults for a mail filter: losing a real e-mail to the spam folder (10) costs 10× letting one spam "
        "through (1), at 5,000 e-mails a day; change them to yours.",
    ),
    "sms": (
        Costs(false_alarm=20, miss=1, volume=2_000, period="day"),
        "Defaults for a phone's message filter: hiding a friend's message (20) costs 20× letting one spam "
        "through (1), at 2,000 messages a day; change them to yours.",
    ),
    "maintenance": (
        Costs(false_alarm=50, miss=2_000, volume=1_000, period="week"),
        "Defaults for a machine shop: a failure nobody foresaw (2,000) costs 40× a needless inspection (50), "
        "at 1,000 machine runs a week; change them to yours.",
    ),
    "digits": (Costs(), MULTICLASS_NOT_SUPPORTED),
}
_SAMPLE_ALIASES = {"breast_cancer": "medical"}
_GENERIC_COSTS = (
    Costs(),
    "Generic defaults: a miss (10) costs 10× a false alarm (1), at 1,000 cases a day; change them to yours.",
)


def default_costs(sample_id: str | None) -> tuple[Costs, str]:
    """Sensible costs for a bundled sample, with a one-line reason to show; generic ones otherwise."""
    key = _SAMPLE_ALIASES.get(sample_id or "", sample_id or "")
    return _SAMPLE_COSTS.get(key, _GENERIC_COSTS)


def cost_caption(costs: Costs, sample_id: str | None) -> str:
    """The line under the cost inputs: the sample's reason while its defaults are in use, else the costs
    actually in use, so the caption never describes figures the person has changed."""
    defaults, reason = default_costs(sample_id)
    if costs == defaults:
        return reason
    if costs.false_alarm and costs.miss:
        ratio = costs.miss / costs.false_alarm
        compared = (
            f"a miss ({_amount(costs.miss)}) costs {_amount(ratio)}× a false alarm ({_amount(costs.false_alarm)})"
        )
    else:
        compared = f"a miss costs {_amount(costs.miss)} and a false alarm {_amount(costs.false_alarm)}"
    catch = f", a catch is worth {_amount(costs.catch_value)}" if costs.catch_value else ""
    return (
        f"Costs in use: {compared}{catch}, at {_amount(costs.volume)} cases a {costs.period}. "
        "Every figure below follows them."
    )


def unsupported_reason(comparison: Comparison) -> str | None:
    """The sentence to show instead of a decision view, or None when decisions are supported."""
    return None if comparison.binary else MULTICLASS_NOT_SUPPORTED


def alerts_per_1000_for(alerts_per_period: float, costs: Costs) -> float:
    """Turn "we can review K alerts per period" into an alert budget per 1,000 cases at the stated volume."""
    return min(1000.0, 1000.0 * alerts_per_period / costs.volume)


# --- thresholds chosen on validation rows -------------------------------------------------------


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
    labels, positive = _checked_scores(labels, positive)
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
    labels, positive = _checked_scores(labels, positive)
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
    positive = _checked_positive(positive)
    allowed = math.floor(alerts_per_1000 / 1000 * len(positive) + 1e-9)
    candidates = np.unique(positive)  # ascending, so flagged counts descend
    flagged = len(positive) - np.searchsorted(np.sort(positive), candidates, side="left")
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
    labels, positive = _checked_scores(labels, positive)
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


def _no_minority_choice(rows: int) -> ThresholdChoice:
    return ThresholdChoice(0.5, rows, 0, f"No minority row among the {rows} validation rows: threshold left at 0.5.")


def _flag_counts(labels: np.ndarray, positive: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives at each threshold (a row is flagged when its score >= the threshold)."""
    minority_scores = np.sort(positive[labels == 1])
    majority_scores = np.sort(positive[labels == 0])
    caught = len(minority_scores) - np.searchsorted(minority_scores, thresholds, side="left")
    false_alarms = len(majority_scores) - np.searchsorted(majority_scores, thresholds, side="left")
    return caught, false_alarms


def _exact_costs(caught: np.ndarray, false_alarms: np.ndarray, minority: int, costs: Costs) -> np.ndarray:
    """Total cost at each threshold as exact integers (costs scaled by their common denominator)."""
    weights = [Fraction(value) for value in (costs.false_alarm, costs.miss, costs.catch_value)]
    scale = math.lcm(*(weight.denominator for weight in weights))
    false_alarm, miss, catch_value = (int(weight * scale) for weight in weights)
    caught = caught.astype(object)  # Python integers: no overflow, no rounding
    return false_alarm * false_alarms.astype(object) + miss * (minority - caught) - catch_value * caught


def _checked_positive(positive) -> np.ndarray:
    positive = np.asarray(positive, dtype=float).ravel()
    if len(positive) == 0:
        raise InputError("No scores were given; a threshold needs at least one row.")
    if not np.all(np.isfinite(positive)) or positive.min() < 0 or positive.max() > 1:
        raise InputError("Scores must be probabilities between 0 and 1; some are outside that range or missing.")
    return positive


def _checked_scores(labels, positive) -> tuple[np.ndarray, np.ndarray]:
    positive = _checked_positive(positive)
    labels = np.asarray(labels).ravel()
    if len(labels) != len(positive):
        raise InputError(f"Got {len(labels)} labels but {len(positive)} scores; give one label per score.")
    if not np.isin(labels, (0, 1)).all():
        raise InputError("Labels must be 0 (majority) or 1 (minority) for a binary decision.")
    return labels.astype(np.int64), positive


# --- operating points on test rows ----------------------------------------------------------------

FIGURES = (
    "expected_cost_per_1000",
    "recall",
    "precision",
    "alerts_per_1000",
    "cost_per_period",
    "alerts_per_period",
    "caught_per_period",
    "missed_per_period",
    "false_alarms_per_period",
)


@dataclass
class OperatingPoint:
    """One technique at ONE threshold, the one a person would deploy: chosen by the rule on the validation
    rows of all folds together, and every figure measured at it on the test rows of all folds together.

    Figures are ratios of counts over all test rows (recall = caught / positives, precision = caught /
    alerts; the per-period figures scale the same counts), so the figures of one point agree with each
    other. `fold_figures` are the same figures on each fold's test rows at that same threshold, and
    `std` their standard deviations (0 with one split): the spread. `fold_thresholds` are what each
    fold's validation rows alone would have chosen, and `threshold_std` their spread: how stable the
    choice is; no figure is measured at them. `cost_uncertainty_per_1000` is the fold standard deviation
    of the expected cost (K-fold) or its standard error over the test rows (one split);
    `uncertainty_basis` says which. `flags_nothing` is True when flagging no case was cheapest.
    """

    technique: str  # spec.label: unique per column
    technique_id: str
    name: str  # display name for people
    rule: str
    target: float | None
    threshold: float
    threshold_std: float
    fold_thresholds: list[float]
    expected_cost_per_1000: float
    recall: float
    precision: float
    alerts_per_1000: float
    cost_per_period: float
    alerts_per_period: float
    caught_per_period: float
    missed_per_period: float
    false_alarms_per_period: float
    std: dict[str, float]
    fold_figures: list[dict[str, float]]
    cost_uncertainty_per_1000: float
    uncertainty_basis: str
    test_rows: int
    test_positives: int
    validation_minority_rows: list[int]
    volume: float
    period: str
    unit_costs: tuple[float, float, float] = (1.0, 10.0, 0.0)  # false alarm, miss, catch value
    result_index: int | None = None  # position in comparison.results, when built by operating_points
    reference: bool = False
    notes: list[str] = field(default_factory=list)
    flags_nothing: bool = False

    def to_json(self) -> dict:
        data = {
            "technique": self.technique,
            "technique_id": self.technique_id,
            "name": self.name,
            "rule": self.rule,
            "target": self.target,
            "threshold": _finite_or_none(self.threshold),
            "threshold_std": _finite_or_none(self.threshold_std),
            "fold_thresholds": [_finite_or_none(value) for value in self.fold_thresholds],
            "flags_nothing": self.flags_nothing,
        }
        for figure in FIGURES:
            data[figure] = _finite_or_none(getattr(self, figure))
            data[f"{figure}_std"] = _finite_or_none(self.std[figure])
        data.update(
            cost_uncertainty_per_1000=_finite_or_none(self.cost_uncertainty_per_1000),
            uncertainty_basis=self.uncertainty_basis,
            test_rows=self.test_rows,
            test_positives=self.test_positives,
            validation_minority_rows=list(self.validation_minority_rows),
            volume=self.volume,
            period=self.period,
            reference=self.reference,
            notes=list(self.notes),
        )
        return data


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


def operating_points(
    comparison: Comparison, costs: Costs, rule: str = "cost", target: float | None = None
) -> list[OperatingPoint]:
    """Every usable technique at its own operating point; empty for multi-class comparisons.

    Failed results are skipped, and so are results that stored no validation rows (runs saved before
    validation probabilities were kept), since choosing their threshold on test rows would be leakage.
    """
    if not comparison.binary:
        return []
    if rule not in RULES:
        raise InputError(f"Unknown threshold rule {rule!r}; use one of {', '.join(RULES)}.")
    points = []
    for index, result in enumerate(comparison.results):
        if not result.failed and result.validation_probabilities and result.test_probabilities:
            point = operating_point(result, costs, rule, target)
            point.result_index = index
            points.append(point)
    return points


def operating_point(
    result: TechniqueResult, costs: Costs, rule: str = "cost", target: float | None = None
) -> OperatingPoint:
    """One technique's operating point: one threshold chosen on the validation rows of all folds together,
    every figure measured at it on the test rows of all folds together (and per fold, for the spread).

    Why pooled: a person deploys one threshold on one network, a new draw of the same training. Each fold's
    network has its own score scale, and the pooled validation rows hold every fold's scale in its share,
    so the pooled choice is the threshold with the lowest cost summed over the folds' networks: the best
    single threshold for a network of this kind, not for one lucky fold. The mean of per-fold thresholds,
    stated before, was measured nowhere. How much the scale varies shows in the per-fold figures at the
    chosen threshold and in `fold_thresholds` (each fold's own choice). One split: the same as before.
    """
    validation_labels = [np.asarray(labels) for labels in result.validation_labels]
    validation_positive = [np.asarray(probabilities)[:, 1] for probabilities in result.validation_probabilities]
    test_labels = [np.asarray(labels) for labels in result.test_labels]
    test_positive = [np.asarray(probabilities)[:, 1] for probabilities in result.test_probabilities]
    choice = choose_threshold(
        rule, np.concatenate(validation_labels), np.concatenate(validation_positive), costs, target
    )
    threshold = choice.threshold
    if len(validation_labels) > 1:
        fold_choices = [
            choose_threshold(rule, labels, positive, costs, target)
            for labels, positive in zip(validation_labels, validation_positive, strict=True)
        ]
    else:
        fold_choices = [choice]
    per_fold = [
        _test_figures(labels, positive, threshold, costs)
        for labels, positive in zip(test_labels, test_positive, strict=True)
    ]
    row_costs = [
        _row_costs(labels, positive, threshold, costs)
        for labels, positive in zip(test_labels, test_positive, strict=True)
    ]
    pooled = _test_figures(np.concatenate(test_labels), np.concatenate(test_positive), threshold, costs)
    spreads = {figure: _nan_std([values[figure] for values in per_fold]) for figure in FIGURES}
    uncertainty, basis = _cost_uncertainty(per_fold, row_costs)
    validation_minority = [int(np.sum(labels == 1)) for labels in validation_labels]
    fold_thresholds = [item.threshold for item in fold_choices]
    return OperatingPoint(
        technique=result.spec.label,
        technique_id=result.spec.technique_id,
        name=display_name(result),
        rule=rule,
        target=target,
        threshold=threshold,
        threshold_std=float(np.std(fold_thresholds)),
        fold_thresholds=fold_thresholds,
        **pooled,
        std=spreads,
        fold_figures=per_fold,
        cost_uncertainty_per_1000=uncertainty,
        uncertainty_basis=basis,
        test_rows=sum(len(labels) for labels in test_labels),
        test_positives=int(sum(np.sum(labels == 1) for labels in test_labels)),
        validation_minority_rows=validation_minority,
        volume=costs.volume,
        period=costs.period,
        unit_costs=(costs.false_alarm, costs.miss, costs.catch_value),
        reference=is_reference(result),
        notes=_point_notes(choice, validation_minority, rule),
        flags_nothing=choice.flags_nothing,
    )


def display_name(result: TechniqueResult) -> str:
    """The name people read ("Class weights"), with changed parameters ("SMOTE (k_neighbors=3)")."""
    spec = result.spec
    try:
        name = spec.technique.name
    except ParameterError:  # a technique this version does not know (e.g. from a newer saved run)
        return spec.label
    changed = spec.label[len(spec.technique_id) :]
    return f"{name} {changed}" if changed else name


def is_reference(result: TechniqueResult) -> bool:
    """True for reference learners (scikit-learn rows shown for comparison, never recommended)."""
    return bool(getattr(result, "reference", False))


def _test_figures(labels: np.ndarray, positive: np.ndarray, threshold: float, costs: Costs) -> dict[str, float]:
    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.metrics import confusion

    probabilities = np.column_stack([1 - positive, positive])
    (_, false_alarms), (missed, caught) = confusion(labels, probabilities, threshold)
    rows = len(labels)
    flagged = caught + false_alarms
    cost = costs.false_alarm * false_alarms + costs.miss * missed - costs.catch_value * caught
    per_case = costs.volume / rows
    return {
        "expected_cost_per_1000": 1000.0 * cost / rows,
        "recall": caught / (caught + missed) if caught + missed else math.nan,
        "precision": caught / flagged if flagged else math.nan,  # no alert, no precision (shown as missing)
        "alerts_per_1000": 1000.0 * flagged / rows,
        "cost_per_period": cost * per_case,
        "alerts_per_period": flagged * per_case,
        "caught_per_period": caught * per_case,
        "missed_per_period": missed * per_case,
        "false_alarms_per_period": false_alarms * per_case,
    }


def _row_costs(labels: np.ndarray, positive: np.ndarray, threshold: float, costs: Costs) -> np.ndarray:
    """Each test row's cost at the threshold (0 for a quiet majority row), for a standard error."""
    flagged = positive >= threshold
    minority = labels == 1
    return np.select(
        [flagged & ~minority, ~flagged & minority, flagged & minority],
        [costs.false_alarm, costs.miss, -costs.catch_value],
        0.0,
    )


def _cost_uncertainty(per_fold: list[dict], row_costs: list[np.ndarray]) -> tuple[float, str]:
    if len(per_fold) >= 2:
        spread = _nan_std([values["expected_cost_per_1000"] for values in per_fold])
        return spread, f"standard deviation over {len(per_fold)} folds"
    costs_of_rows = row_costs[0]
    if len(costs_of_rows) < 2:
        return math.nan, "one test row"
    standard_error = 1000.0 * float(np.std(costs_of_rows, ddof=1)) / math.sqrt(len(costs_of_rows))
    return standard_error, f"standard error over the {len(costs_of_rows)} test rows of one split"


def _point_notes(choice: ThresholdChoice, validation_minority: list[int], rule: str) -> list[str]:
    notes = []
    if rule != "budget" and validation_minority:
        total = sum(validation_minority)
        if len(validation_minority) > 1:
            notes.append(
                f"One threshold chosen from the {total} validation minority rows of all {len(validation_minority)} "
                "folds together; test rows only measured it."
            )
        else:
            notes.append(f"Threshold chosen from {total} validation minority rows; test rows only measured it.")
    if choice.flags_nothing:
        notes.append("Flagging no case was cheapest on the validation rows: every threshold that flags some cost more.")
    if choice.note and choice.note not in notes:
        notes.append(choice.note)  # each fold's own choice is shown as a spread only; its notes do not apply
    return notes


def _nan_std(values: list[float]) -> float:
    """Population standard deviation (ddof=0), as metrics.summarise reports fold spread."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.std()) if len(finite) else math.nan


def _finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN: a missing figure becomes null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


# --- warnings --------------------------------------------------------------------------------------

WARNING_CODES: dict[str, str] = {
    "few_minority_test_rows": (
        "A quick split's test rows hold fewer than 30 rows of the rarest class, so a few rows swing recall; use K-fold."
    ),
    "chance_level": (
        "A technique's ROC-AUC (or PR-AUC) is not above no skill (0.5, or the minority share) beyond 2 standard errors."
    ),
    "few_validation_minority": (
        "Thresholds were chosen from fewer than 10 validation minority rows (all folds together), so they are noisy."
    ),
    "no_better_than_baseline": (
        "No technique's PR-AUC beats the baseline's beyond 2 standard errors: the threshold matters more "
        "than the technique."
    ),
}


@dataclass(frozen=True)
class Warning:  # shadows the built-in on purpose: the name the JSON and the report use; unused here
    """A caveat shown beside the numbers it qualifies; `code` is a key of WARNING_CODES."""

    code: str
    message: str
    technique: str | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "technique": self.technique}


def comparison_warnings(comparison: Comparison) -> list[Warning]:
    """Every warning that applies to this comparison, in the order of WARNING_CODES."""
    usable = [result for result in comparison.results if not result.failed and result.fold_metrics]
    if not usable:
        return []
    found = list(_few_minority_test_rows(comparison, usable))
    for result in usable:
        found.extend(_chance_level(comparison, result))
    found.extend(_few_validation_minority(comparison, usable))
    found.extend(_no_better_than_baseline(comparison, usable))
    return found


def _few_minority_test_rows(comparison: Comparison, usable: list) -> list[Warning]:
    if comparison.protocol.mode != "quick" or not usable[0].test_labels:
        return []
    test_labels = np.asarray(usable[0].test_labels[0])
    counts = np.bincount(test_labels, minlength=len(comparison.labels))
    rarest = int(np.argmin(counts))
    count = int(counts[rarest])
    if count >= FEW_TEST_MINORITY:
        return []
    swing = 100.0 / count if count else math.inf
    return [
        Warning(
            "few_minority_test_rows",
            f"The test split holds only {count} '{comparison.labels[rarest]}' rows out of {len(test_labels)}: "
            f"one row more or fewer moves that class's recall by {swing:.1f} points, so small differences "
            f"are noise. Use K-fold (every row is tested once) before trusting a ranking.",
        )
    ]


def _chance_level(comparison: Comparison, result: TechniqueResult) -> list[Warning]:
    reasons = []
    roc = _metric_estimate(comparison, result, "roc_auc")
    if roc is not None and roc.mean - 0.5 < Z * roc.standard_error:
        reasons.append(f"ROC-AUC {roc.mean:.3f} vs 0.5 (±{Z * roc.standard_error:.3f}, {roc.basis})")
    if comparison.binary:
        prevalence = _test_prevalence(result)
        pr = _metric_estimate(comparison, result, "pr_auc")
        if pr is not None and pr.mean - prevalence < Z * pr.standard_error:
            reasons.append(
                f"PR-AUC {pr.mean:.3f} vs the minority share {prevalence:.3f} "
                f"(±{Z * pr.standard_error:.3f}, {pr.basis})"
            )
    if not reasons:
        return []
    name = display_name(result)
    return [
        Warning(
            "chance_level",
            f"{name} is not above no skill beyond 2 standard errors: {'; '.join(reasons)}. "
            "Its scores carry little usable signal on this data; better features matter more than the technique.",
            result.spec.label,
        )
    ]


def _few_validation_minority(comparison: Comparison, usable: list) -> list[Warning]:
    """Thresholds rest on every fold's validation minority rows together (operating_point pools them)."""
    if not comparison.binary:
        return []
    counts = [
        sum(int(np.sum(np.asarray(labels) == 1)) for labels in result.validation_labels)
        for result in usable
        if not is_reference(result)
    ]
    if not counts or min(counts) >= FEW_VALIDATION_MINORITY:
        return []
    folds = len(usable[0].validation_labels)
    where = "the validation rows" if folds == 1 else f"the validation rows of all {folds} folds together"
    advice = (
        "Use more data or a larger validation fraction, and read the spread of the figures over folds."
        if folds > 1
        else "Use more data, a larger validation fraction, or K-fold (which chooses the threshold on every "
        "fold's validation rows together)."
    )
    return [
        Warning(
            "few_validation_minority",
            f"Thresholds are chosen from only {min(counts)} minority rows in {where} (fewer than "
            f"{FEW_VALIDATION_MINORITY}), so a tuned threshold can move a lot with one row. {advice}",
        )
    ]


def _no_better_than_baseline(comparison: Comparison, usable: list) -> list[Warning]:
    baseline = _baseline_of(usable)
    others = [result for result in usable if result is not baseline and not is_reference(result)]
    if baseline is None or not others:
        return []
    gaps = [(result, _gap(comparison, result, baseline, "pr_auc")) for result in others]
    gaps = [(result, gap) for result, gap in gaps if gap is not None]
    if not gaps or any(gap.beats for _, gap in gaps):
        return []
    best, gap = max(gaps, key=lambda pair: pair[1].difference)
    return [Warning("no_better_than_baseline", _no_better_words(display_name(best), gap))]


def _no_better_words(name: str, gap: _Gap) -> str:
    """The warning's sentence: the closest technique is called what it is (below, level with, or within
    the uncertainty above the baseline), and a margin that rounds to 0 is never quoted as "0.000"."""
    opening = "No technique's PR-AUC beats the baseline's beyond 2 standard errors: "
    scores = f"{gap.mean:.3f} against the baseline's {gap.baseline_mean:.3f}"
    if gap.difference < 0:
        detail = (
            f"every technique scores below it; the closest, {name}, scores {scores} "
            f"(difference {gap.difference:+.3f}; {gap.basis})."
        )
    elif gap.difference == 0:
        detail = f"the best, {name}, scores the same as the baseline ({gap.mean:.3f}; {gap.basis})."
    else:
        detail = (
            f"the highest, {name}, scores {scores}, a lead of {_small(gap.difference)} within the uncertainty "
            f"(2 standard errors: {_small(gap.margin)}; {gap.basis})."
        )
    return (
        opening
        + detail
        + " The techniques mostly moved the threshold: the threshold matters more than the technique here."
    )


def _small(value: float) -> str:
    """A metric difference: 3 decimals, or 2 significant digits when 3 decimals would read 0.000."""
    return f"{value:.3f}" if abs(value) >= 0.0005 or value == 0 else f"{value:.2g}"


@dataclass(frozen=True)
class _Estimate:
    mean: float
    standard_error: float
    basis: str


@dataclass(frozen=True)
class _Gap:
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


def _corrected_standard_error(values: np.ndarray, folds: int) -> float:
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


def _metric_estimate(comparison: Comparison, result: TechniqueResult, metric: str) -> _Estimate | None:
    """Mean of a ranking metric and its standard error; None when it cannot be estimated."""
    values = _fold_values(result, metric)
    values = values[np.isfinite(values)]
    if len(values) >= 2 and comparison.protocol.mode == "cv":
        error = _corrected_standard_error(values, comparison.protocol.folds)
        return _Estimate(float(values.mean()), error, f"corrected standard error over {len(values)} folds")
    if len(values) != 1 or not comparison.binary or not result.test_labels:
        return None
    labels = np.asarray(result.test_labels[0])
    minority, majority = int(np.sum(labels == 1)), int(np.sum(labels == 0))
    if minority == 0 or majority == 0:
        return None
    value = float(values[0])
    if metric == "roc_auc":
        error = hanley_mcneil_standard_error(value, minority, majority)
        return _Estimate(value, error, f"Hanley-McNeil, {minority} minority and {majority} majority test rows")
    error = average_precision_standard_error(value, minority)
    return _Estimate(value, error, f"binomial approximation over {minority} minority test rows")


def _gap(comparison: Comparison, result: TechniqueResult, baseline: TechniqueResult, metric: str) -> _Gap | None:
    """The technique's lead over the baseline and the margin (Z standard errors) it must exceed."""
    values, baseline_values = _fold_values(result, metric), _fold_values(baseline, metric)
    paired = (
        comparison.protocol.mode == "cv"
        and len(values) == len(baseline_values) >= 2
        and np.all(np.isfinite(values) & np.isfinite(baseline_values))
    )
    if paired:
        differences = values - baseline_values
        error = _corrected_standard_error(differences, comparison.protocol.folds)
        basis = f"paired over {len(values)} folds, corrected standard error"
        return _Gap(float(values.mean()), float(baseline_values.mean()), float(differences.mean()), Z * error, basis)
    own, base = _metric_estimate(comparison, result, metric), _metric_estimate(comparison, baseline, metric)
    if own is None or base is None:
        return None
    error = math.hypot(own.standard_error, base.standard_error)
    return _Gap(own.mean, base.mean, own.mean - base.mean, Z * error, f"unpaired; {own.basis}")


def _baseline_of(usable: list) -> TechniqueResult | None:
    return next(
        (result for result in usable if result.spec.technique_id == BASELINE_ID and not is_reference(result)), None
    )


def _test_prevalence(result: TechniqueResult) -> float:
    labels = np.concatenate([np.asarray(labels) for labels in result.test_labels])
    return float(np.mean(labels == 1)) if len(labels) else math.nan


# --- recommendation ----------------------------------------------------------------------------------


@dataclass
class Recommendation:
    """Which technique to deploy, at which threshold, in plain words, with what to check first."""

    technique: str
    technique_id: str
    name: str
    threshold: float
    rule: str
    text: str
    runner_up: str | None
    confident: bool
    checks: list[str]
    expected_cost_per_1000: float
    cost_per_period: float
    alerts_per_period: float
    caught_per_period: float
    missed_per_period: float
    period: str
    volume: float

    def to_json(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = _finite_or_none(value)
        return data


def recommend(comparison: Comparison, points: list[OperatingPoint], costs: Costs) -> Recommendation | None:
    """The network technique with the lowest mean expected cost on test rows at its own operating point.

    Each threshold is chosen on validation rows, but the ranking uses test-fold means: picking the best
    of several on test rows flatters the winner a little, and the text says so and gives the spread.
    Reference learners are never recommended; one that did as well is mentioned. Ties go to fewer
    alerts, then to the earlier column. How sure: the runner-up's extra cost is compared with Z
    standard errors of the paired difference (same folds and test rows; see `cost_gap`). Confident
    means the gap is wider than that and no few-rows warning applies. None for multi-class or when
    no technique has an operating point.
    """
    if not comparison.binary:
        return None
    candidates = [point for point in points if not point.reference and math.isfinite(point.expected_cost_per_1000)]
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda point: (point.expected_cost_per_1000, point.alerts_per_1000))
    best = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    runner_up_gap = cost_gap(comparison, best, runner_up) if runner_up is not None else None
    few_rows = [
        item
        for item in comparison_warnings(comparison)
        if item.code in ("few_minority_test_rows", "few_validation_minority")
    ]
    sentences = [
        _headline(best, costs),
        _runner_up_sentence(runner_up, runner_up_gap, costs),
        _baseline_sentence(comparison, best),
        _reference_sentence(comparison, best, [point for point in points if point.reference], costs),
        "The threshold was chosen on validation rows only, but the ranking uses the test figures, so the "
        "winner's figures are a little optimistic.",
    ]
    return Recommendation(
        technique=best.technique,
        technique_id=best.technique_id,
        name=best.name,
        threshold=best.threshold,
        rule=best.rule,
        text=" ".join(sentence for sentence in sentences if sentence),
        runner_up=runner_up.technique if runner_up else None,
        confident=bool(runner_up_gap is not None and runner_up_gap.separated and not few_rows),
        checks=_checks(comparison, best, costs, few_rows),
        expected_cost_per_1000=best.expected_cost_per_1000,
        cost_per_period=best.cost_per_period,
        alerts_per_period=best.alerts_per_period,
        caught_per_period=best.caught_per_period,
        missed_per_period=best.missed_per_period,
        period=costs.period,
        volume=costs.volume,
    )


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
    first, second = _result_of(comparison.results, best), _result_of(comparison.results, other)
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
        error = _corrected_standard_error(per_fold, comparison.protocol.folds) * scale
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
    return _row_costs(np.asarray(result.test_labels[fold]), positive, point.threshold, costs)


def _period_uncertainty(point: OperatingPoint) -> float:
    return point.cost_uncertainty_per_1000 * point.volume / 1000.0


def _headline(best: OperatingPoint, costs: Costs) -> str:
    period = costs.period
    positives = best.caught_per_period + best.missed_per_period
    folds = len(best.fold_thresholds)
    if best.flags_nothing:
        return (
            f"Flag nothing: at these costs letting every case through is cheapest. The cheapest technique, "
            f"{best.name}, chose threshold {best.threshold:.3f} on its validation rows because every threshold "
            f"that flags some cases cost more there than flagging none; on the test rows it raises "
            f"{_amount(best.alerts_per_period)} alerts a {period}. At {_amount(costs.volume)} cases a {period}, "
            f"that costs about {_amount(best.cost_per_period)} a {period} (± {_amount(_period_uncertainty(best))}, "
            f"{best.uncertainty_basis}), missing {_amount(best.missed_per_period)} of about {_amount(positives)} "
            "positives. A network is not worth "
            "deploying for this decision unless a miss costs more, or a false alarm less, than stated."
        )
    chosen_on = ""
    if folds > 1:
        low, high = min(best.fold_thresholds), max(best.fold_thresholds)
        alone = f"{low:.3f}" if f"{low:.3f}" == f"{high:.3f}" else f"{low:.3f} to {high:.3f}"
        chosen_on = (
            f" (one threshold, chosen on the validation rows of all {folds} folds together; each fold's rows alone "
            f"would choose {alone})"
        )
    return (
        f"Use {best.name} at threshold {best.threshold:.3f}{chosen_on}. At that threshold, on all test rows, and "
        f"at {_amount(costs.volume)} cases a {period} it would cost about {_amount(best.cost_per_period)} "
        f"a {period} (± {_amount(_period_uncertainty(best))}, {best.uncertainty_basis}), raise "
        f"{_amount(best.alerts_per_period)} alerts a {period}, and catch {_amount(best.caught_per_period)} of "
        f"about {_amount(positives)} positives, missing {_amount(best.missed_per_period)}, with "
        f"{_amount(best.false_alarms_per_period)} false alarms."
    )


def _runner_up_sentence(runner_up: OperatingPoint | None, gap: CostGap | None, costs: Costs) -> str:
    if runner_up is None or gap is None:
        return "Only one technique was compared, so there is no runner-up to weigh it against."
    period = costs.period
    closing = (
        f"it costs {_amount(gap.difference)} a {period} more, beyond 2 standard errors of the difference "
        f"({_amount(gap.margin)}, {gap.basis})."
        if gap.separated
        else f"the difference ({_amount(gap.difference)} a {period}) is within 2 standard errors "
        f"({_amount(gap.margin)}, {gap.basis}), so this data cannot tell them apart: either would do."
    )
    return (
        f"Runner-up: {runner_up.name} at threshold {runner_up.threshold:.3f}, about "
        f"{_amount(runner_up.cost_per_period)} a {period} (± {_amount(_period_uncertainty(runner_up))}); {closing}"
    )


def _baseline_sentence(comparison: Comparison, best: OperatingPoint) -> str:
    usable = [result for result in comparison.results if not result.failed and result.fold_metrics]
    baseline = _baseline_of(usable)
    if baseline is None:
        return ""
    if best.technique_id == BASELINE_ID:
        return "The plain baseline did best: the threshold matters more than the technique here."
    result = _result_of(usable, best)
    gap = _gap(comparison, result, baseline, "pr_auc") if result is not None else None
    if gap is None:
        return ""
    if gap.beats:
        return (
            f"Its PR-AUC ({gap.mean:.3f}) beats the baseline's ({gap.baseline_mean:.3f}) by more than the "
            f"uncertainty ({gap.margin:.3f})."
        )
    return (
        f"Its PR-AUC ({gap.mean:.3f}) does not beat the baseline's ({gap.baseline_mean:.3f}) beyond the "
        f"uncertainty ({gap.margin:.3f}): the threshold matters more than the technique here."
    )


def _reference_sentence(
    comparison: Comparison, best: OperatingPoint, references: list[OperatingPoint], costs: Costs
) -> str:
    """One sentence on the cheapest reference learner against the recommended network, saying plainly which
    costs less; when a reference beats every network beyond the uncertainty (on cost, or on PR-AUC against
    every network), the sentence says so. References stay outside the recommendation's candidates."""
    usable = [point for point in references if math.isfinite(point.expected_cost_per_1000)]
    if not usable:
        return ""
    reference = min(usable, key=lambda point: point.expected_cost_per_1000)
    name = reference.name if "reference" in reference.name else f"{reference.name} (reference)"
    period = costs.period
    costs_words = (
        f"about {_amount(reference.cost_per_period)} a {period} against {_amount(best.cost_per_period)} for {best.name}"
    )
    gap = cost_gap(comparison, reference, best)  # how much more the network costs than the reference
    ranking = _reference_ranks_better(comparison, references)
    if gap.separated:
        return (
            f"{name} beats every network here: it costs less, {costs_words} (the cheapest network), beyond 2 "
            f"standard errors of the difference ({_amount(gap.margin)}, {gap.basis}); on this data a network "
            "is not worth it."
        )
    if ranking is not None:
        ranked_name, reference_score, network_score = ranking
        ranked_name = ranked_name if "reference" in ranked_name else f"{ranked_name} (reference)"
        relation = "less" if gap.difference > 0 else "more" if gap.difference < 0 else "the same"
        return (
            f"{ranked_name} ranks cases better than every network, beyond 2 standard errors (PR-AUC "
            f"{reference_score:.3f} against at most {network_score:.3f}); at these costs {name} costs {relation}, "
            f"{costs_words}, within 2 standard errors of the difference, so a network may not be worth it here."
        )
    if gap.difference > 0:
        return (
            f"{name} costs less, {costs_words}, though within 2 standard errors of the difference "
            f"({_amount(gap.margin)}, {gap.basis}): the network is not clearly better, so it may not be worth "
            "its upkeep here."
        )
    if gap.difference == 0:
        return f"{name} costs the same, {costs_words}, so a network may not be worth its upkeep here."
    if gap.difference >= -gap.margin:
        return (
            f"{name} costs a little more, {costs_words}, within 2 standard errors of the difference "
            f"({_amount(gap.margin)}): it did about as well, so a network may not be worth its upkeep here."
        )
    return ""


def _reference_ranks_better(comparison: Comparison, references: list[OperatingPoint]) -> tuple | None:
    """(name, its PR-AUC, the best network's PR-AUC) for a reference whose PR-AUC beats every network's
    beyond Z standard errors of the paired difference; None when none does."""
    networks = [
        result
        for result in comparison.results
        if not result.failed and result.fold_metrics and not is_reference(result)
    ]
    if not networks:
        return None
    for point in references:
        reference = _result_of(comparison.results, point)
        if reference is None or not reference.fold_metrics:
            continue
        gaps = [_gap(comparison, reference, network, "pr_auc") for network in networks]
        if all(gap is not None and gap.beats for gap in gaps):
            return point.name, gaps[0].mean, max(gap.baseline_mean for gap in gaps)
    return None


def _checks(comparison: Comparison, best: OperatingPoint, costs: Costs, few_rows: list[Warning]) -> list[str]:
    share = best.test_positives / best.test_rows if best.test_rows else math.nan
    checks = [
        f"Re-check on recent data: these figures come from {best.test_rows} test rows ({best.test_positives} "
        "positives) of one table, and live cases drift.",
        f"The {_PER_PERIOD[costs.period]} figures assume live cases hold the same share of positives as the test rows "
        f"({share:.1%}); if they do not, the costs and alerts change too.",
        _cost_check(costs),
        _calibration_check(comparison, best),
    ]
    if comparison.protocol.mode == "quick":
        checks.append("Confirm with K-fold: one split gives no fold spread, so the ranking may not hold.")
    checks.extend(item.message for item in few_rows)
    return checks


def _cost_check(costs: Costs) -> str:
    if costs.false_alarm == 0:
        return "Confirm the costs with the people who bear them: a false alarm costing nothing favours flagging all."
    ratio = (costs.miss + costs.catch_value) / costs.false_alarm
    return (
        "Confirm the costs with the people who bear them: the threshold follows the ratio of a miss (plus the "
        f"value of a catch) to a false alarm, here {ratio:.3g} to 1, and moves when it changes."
    )


def _calibration_check(comparison: Comparison, best: OperatingPoint) -> str:
    result = _result_of(comparison.results, best)
    reshapes = False
    if result is not None:
        try:
            technique = result.spec.technique
            reshapes = technique.reshapes_scores
        except ParameterError:  # an id this version does not know: say the general thing
            reshapes = False
    if reshapes:
        return (
            f"Scores from {best.name} are distorted by resampling or weighting: recalibrate on the validation rows "
            "(prior correction undoes the class balance training saw, its rows times its weights; Platt or isotonic "
            "fit a map from score to risk) and check the calibration chart before anyone reads a score as a risk."
        )
    return "Check the calibration chart before anyone reads a score as a risk; recalibrate on validation rows if not."


def _result_of(results: list, point: OperatingPoint) -> TechniqueResult | None:
    """The result a point was built from: by position when known, else the first with its label."""
    if point.result_index is not None and point.result_index < len(results):
        result = results[point.result_index]
        if result.spec.label == point.technique:
            return result
    return next(
        (
            result
            for result in results
            if result.spec.label == point.technique and result.spec.technique_id == point.technique_id
        ),
        None,
    )


def _amount(value: float) -> str:
    """A figure for a sentence: whole numbers from 100, otherwise up to 3 significant digits."""
    if not math.isfinite(value):
        return "an unknown amount"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


# --- recalibration -------------------------------------------------------------------------------

METHODS: dict[str, str] = {
    "none": "Leave the scores as the network gave them.",
    "prior": "Undo the class shift of resampling, class weights, focal alpha or balanced batches: scale the odds "
    "by the real odds over the odds training saw (its rows times its weights). Focal loss's gamma also flattens "
    "scores, which no prior undoes: use Platt there.",
    "platt": "Fit a logistic curve from score to risk on the validation rows (Platt scaling).",
    "isotonic": "Fit a step-wise increasing map from score to risk on the validation rows; needs a few hundred rows.",
}
_LOGIT_CLIP = 1e-6  # keeps logit(0) and logit(1) finite


@dataclass(frozen=True)
class Recalibration:
    """A fitted map from scores to risks; `transform` applies it to minority-class scores."""

    method: str
    apply: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    note: str = ""

    def transform(self, positive: np.ndarray) -> np.ndarray:
        """Recalibrated minority probabilities, in [0, 1], for scores in [0, 1]."""
        positive = _checked_positive(positive)
        return np.clip(self.apply(positive), 0.0, 1.0)


def fit_recalibration(
    method: str,
    validation_labels: np.ndarray,
    validation_positive: np.ndarray,
    train_prior: float | None = None,
    real_prior: float | None = None,
) -> Recalibration:
    """Fit a recalibration on validation rows only (binary). See METHODS.

    'prior' needs the minority share the network trained on (after resampling); the real share defaults
    to the validation rows', which keep the real class ratio. 'platt' and 'isotonic' need both classes.
    """
    if method not in METHODS:
        raise InputError(f"Unknown recalibration {method!r}; use one of {', '.join(METHODS)}.")
    labels, positive = _checked_scores(validation_labels, validation_positive)
    return _FITTERS[method](labels, positive, train_prior, real_prior)


def _fit_none(labels, positive, train_prior, real_prior) -> Recalibration:
    return Recalibration("none", lambda scores: scores)


def _fit_prior(labels, positive, train_prior, real_prior) -> Recalibration:
    real_prior = float(np.mean(labels)) if real_prior is None else real_prior
    for name, prior in (("training", train_prior), ("real", real_prior)):
        if prior is None or not 0 < prior < 1:
            raise InputError(
                f"The prior correction needs the {name} minority share between 0 and 1 (exclusive); got {prior!r}. "
                "Give the minority share the network trained on (after weights and resampling) and the real one; "
                "without it, use Platt or isotonic, which need no prior."
            )
    odds_ratio = (real_prior / (1 - real_prior)) / (train_prior / (1 - train_prior))

    def apply(scores: np.ndarray) -> np.ndarray:
        # odds * ratio, written so that scores of exactly 0 or 1 stay 0 or 1
        return scores * odds_ratio / (scores * odds_ratio + (1 - scores))

    note = f"Odds scaled by {odds_ratio:.3g} (real minority share {real_prior:.3g}, training {train_prior:.3g})."
    return Recalibration("prior", apply, note)


def _fit_platt(labels, positive, train_prior, real_prior) -> Recalibration:
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.linear_model import LogisticRegression

    _require_both_classes(labels, "platt")
    # scikit-learn's default L2 penalty (C=1) keeps the fit finite when validation rows separate perfectly.
    model = LogisticRegression().fit(_logit(positive), labels)
    return Recalibration("platt", lambda scores: model.predict_proba(_logit(scores))[:, 1])


def _fit_isotonic(labels, positive, train_prior, real_prior) -> Recalibration:
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.isotonic import IsotonicRegression

    _require_both_classes(labels, "isotonic")
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(positive, labels)
    return Recalibration("isotonic", model.predict)


def _logit(scores: np.ndarray) -> np.ndarray:
    clipped = np.clip(scores, _LOGIT_CLIP, 1 - _LOGIT_CLIP)
    return np.log(clipped / (1 - clipped)).reshape(-1, 1)


def _require_both_classes(labels: np.ndarray, method: str) -> None:
    minority = int(labels.sum())
    if minority == 0 or minority == len(labels):
        raise InputError(
            f"{method.capitalize()} recalibration needs validation rows of both classes; these {len(labels)} rows "
            "hold only one. Use 'prior' or 'none', or more data."
        )


_FITTERS = {"none": _fit_none, "prior": _fit_prior, "platt": _fit_platt, "isotonic": _fit_isotonic}


def training_prior(result: TechniqueResult, labels: list[str], fold: int = 0) -> float | None:
    """The minority share a fold's scores reflect, the training prior 'prior' correction undoes (binary).

    Recorded by the engine per fold (TechniqueResult.training_priors): rows after resampling, times class
    weights, focal alpha and batch shares, with logit offsets undone (NetworkPlan.minority_share). Runs saved
    before it was recorded fall back to the share of training rows (first fold), which is right only when
    the rows are all that changed the balance; for other techniques this returns None (no prior known).
    """
    if len(labels) != 2:
        return None
    if result.training_priors:
        return result.training_priors[fold] if fold < len(result.training_priors) else None
    try:
        stages = result.spec.technique.stages
    except ParameterError:  # an id this version does not know: its stages are unknown too
        return None

    neutral = Stages()
    if any(mine is not plain for mine, plain in zip(stages.all()[1:], neutral.all()[1:], strict=True)):
        return None  # weights, loss, batches, members or scores shifted the balance; row counts cannot say how
    counts = result.train_class_counts
    total = sum(counts.values())
    if not total:
        return None
    return counts.get(labels[1], 0) / total
