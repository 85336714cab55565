"""The recommendation: which technique to deploy at which threshold, in plain sentences, with the runner-up,
the baseline, the reference learners and what to check before anyone relies on it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from imbal_core.decide.costs import Costs, amount
from imbal_core.decide.operating_points import OperatingPoint, baseline_of, finite_or_none, is_reference, result_of
from imbal_core.decide.uncertainty import CostGap, cost_gap, metric_gap
from imbal_core.decide.warnings import Warning, comparison_warnings
from imbal_core.errors import ParameterError
from imbal_core.techniques.catalogue import BASELINE_ID

if TYPE_CHECKING:
    from imbal_core.run.results import Comparison

_PER_PERIOD = {"day": "daily", "week": "weekly", "month": "monthly"}


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
                data[key] = finite_or_none(value)
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
            f"{amount(best.alerts_per_period)} alerts a {period}. At {amount(costs.volume)} cases a {period}, "
            f"that costs about {amount(best.cost_per_period)} a {period} (± {amount(_period_uncertainty(best))}, "
            f"{best.uncertainty_basis}), missing {amount(best.missed_per_period)} of about {amount(positives)} "
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
        f"at {amount(costs.volume)} cases a {period} it would cost about {amount(best.cost_per_period)} "
        f"a {period} (± {amount(_period_uncertainty(best))}, {best.uncertainty_basis}), raise "
        f"{amount(best.alerts_per_period)} alerts a {period}, and catch {amount(best.caught_per_period)} of "
        f"about {amount(positives)} positives, missing {amount(best.missed_per_period)}, with "
        f"{amount(best.false_alarms_per_period)} false alarms."
    )


def _runner_up_sentence(runner_up: OperatingPoint | None, gap: CostGap | None, costs: Costs) -> str:
    if runner_up is None or gap is None:
        return "Only one technique was compared, so there is no runner-up to weigh it against."
    period = costs.period
    closing = (
        f"it costs {amount(gap.difference)} a {period} more, beyond 2 standard errors of the difference "
        f"({amount(gap.margin)}, {gap.basis})."
        if gap.separated
        else f"the difference ({amount(gap.difference)} a {period}) is within 2 standard errors "
        f"({amount(gap.margin)}, {gap.basis}), so this data cannot tell them apart: either would do."
    )
    return (
        f"Runner-up: {runner_up.name} at threshold {runner_up.threshold:.3f}, about "
        f"{amount(runner_up.cost_per_period)} a {period} (± {amount(_period_uncertainty(runner_up))}); {closing}"
    )


def _baseline_sentence(comparison: Comparison, best: OperatingPoint) -> str:
    usable = [result for result in comparison.results if not result.failed and result.fold_metrics]
    baseline = baseline_of(usable)
    if baseline is None:
        return ""
    if best.technique_id == BASELINE_ID:
        return "The plain baseline did best: the threshold matters more than the technique here."
    result = result_of(usable, best)
    gap = metric_gap(comparison, result, baseline, "pr_auc") if result is not None else None
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
        f"about {amount(reference.cost_per_period)} a {period} against {amount(best.cost_per_period)} for {best.name}"
    )
    gap = cost_gap(comparison, reference, best)  # how much more the network costs than the reference
    ranking = _reference_ranks_better(comparison, references)
    if gap.separated:
        return (
            f"{name} beats every network here: it costs less, {costs_words} (the cheapest network), beyond 2 "
            f"standard errors of the difference ({amount(gap.margin)}, {gap.basis}); on this data a network "
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
            f"({amount(gap.margin)}, {gap.basis}): the network is not clearly better, so it may not be worth "
            "its upkeep here."
        )
    if gap.difference == 0:
        return f"{name} costs the same, {costs_words}, so a network may not be worth its upkeep here."
    if gap.difference >= -gap.margin:
        return (
            f"{name} costs a little more, {costs_words}, within 2 standard errors of the difference "
            f"({amount(gap.margin)}): it did about as well, so a network may not be worth its upkeep here."
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
        reference = result_of(comparison.results, point)
        if reference is None or not reference.fold_metrics:
            continue
        gaps = [metric_gap(comparison, reference, network, "pr_auc") for network in networks]
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
    result = result_of(comparison.results, best)
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
