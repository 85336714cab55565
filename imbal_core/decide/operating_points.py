"""Operating points: each technique at the one threshold a person would deploy (chosen by a rule on the
validation rows of all folds together), with every figure measured at it on the test rows; and how a
result is named and found again from its point."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from imbal_core.decide.costs import Costs
from imbal_core.decide.thresholds import RULES, ThresholdChoice, choose_threshold
from imbal_core.errors import InputError, ParameterError
from imbal_core.run.metrics import confusion
from imbal_core.techniques.catalogue import BASELINE_ID

if TYPE_CHECKING:
    from imbal_core.run.results import Comparison, TechniqueResult

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
            "threshold": finite_or_none(self.threshold),
            "threshold_std": finite_or_none(self.threshold_std),
            "fold_thresholds": [finite_or_none(value) for value in self.fold_thresholds],
            "flags_nothing": self.flags_nothing,
        }
        for figure in FIGURES:
            data[figure] = finite_or_none(getattr(self, figure))
            data[f"{figure}_std"] = finite_or_none(self.std[figure])
        data.update(
            cost_uncertainty_per_1000=finite_or_none(self.cost_uncertainty_per_1000),
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
        row_costs_at(labels, positive, threshold, costs)
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


def row_costs_at(labels: np.ndarray, positive: np.ndarray, threshold: float, costs: Costs) -> np.ndarray:
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


def finite_or_none(value: float | None) -> float | None:
    """JSON has no NaN: a missing figure becomes null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def result_of(results: list, point: OperatingPoint) -> TechniqueResult | None:
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


def baseline_of(usable: list) -> TechniqueResult | None:
    return next(
        (result for result in usable if result.spec.technique_id == BASELINE_ID and not is_reference(result)), None
    )
