"""Decisions from stored probabilities: costs, thresholds chosen on validation rows, operating points,
warnings, the recommendation and recalibration. Synthetic scores only; nothing trains."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from imbal_core.data.samples import SAMPLES
from imbal_core.decide.calibration import METHODS, fit_recalibration
from imbal_core.decide.costs import MULTICLASS_NOT_SUPPORTED, Costs, default_costs, unsupported_reason
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.decide.thresholds import (
    alert_budget_threshold,
    cost_curve,
    cost_optimal_threshold,
    recall_target_threshold,
)
from imbal_core.decide.uncertainty import hanley_mcneil_standard_error
from imbal_core.decide.warnings import WARNING_CODES, comparison_warnings
from imbal_core.errors import InputError
from imbal_core.run.metric_names import LOWER_IS_BETTER, METRIC_NAMES, METRICS, THRESHOLD_FREE, metric_label
from tests.support.comparisons import make_comparison, make_folds, make_result, scored_rows, total_cost

PROPERTY = settings(max_examples=150, deadline=None)
# A coarse grid of scores makes ties between rows, and so between thresholds, common.
GRID_SCORES = st.sampled_from([round(step * 0.05, 2) for step in range(21)])


# --- builders --------------------------------------------------------------------------------------


# --- costs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"false_alarm": -1}, "0 or more"),
        ({"miss": math.nan}, "finite"),
        ({"catch_value": math.inf}, "finite"),
        ({"false_alarm": 0, "miss": 0, "catch_value": 0}, "All costs are 0"),
        ({"volume": 0}, "more than 0"),
        ({"period": "year"}, "day, week, month"),
        ({"miss": "ten"}, "finite number"),
    ],
)
def test_costs_reject_bad_values_with_a_message_that_names_the_problem(values, fragment):
    with pytest.raises(InputError, match=fragment):
        Costs(**values)


def test_costs_round_trip_through_json_and_reject_unknown_keys():
    costs = Costs(false_alarm=5, miss=500, catch_value=2, volume=10_000, period="month")
    assert Costs.from_json(json.loads(json.dumps(costs.to_json()))) == costs
    with pytest.raises(InputError, match="Unknown cost settings"):
        Costs.from_json({"false_alarm": 1, "cost_of_coffee": 3})


def test_default_costs_differ_per_bundled_sample_and_say_why():
    fraud, fraud_reason = default_costs("fraud")
    assert fraud.miss / fraud.false_alarm == 100 and "100×" in fraud_reason and "fraud" in fraud_reason
    spam, _ = default_costs("spam")
    assert spam.false_alarm > spam.miss  # losing real mail is worse than letting spam through
    generic, generic_reason = default_costs(None)
    assert generic == Costs() and "Generic" in generic_reason
    assert default_costs("no_such_sample") == (generic, generic_reason)
    assert "multi-class" in default_costs("digits")[1]
    for info in SAMPLES:
        assert default_costs(info.id)[1] != generic_reason, info.id


# --- thresholds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "costs",
    [Costs(false_alarm=2, miss=30, catch_value=1), Costs(false_alarm=1, miss=2, catch_value=20), Costs(10, 1)],
    ids=["misses dear", "catches valuable", "false alarms dear"],
)
def test_cost_optimal_threshold_is_the_cheapest_candidate_on_the_rows_it_is_given(costs):
    labels, positive = scored_rows(np.random.default_rng(1), 400, 0.1, 2.0)
    choice = cost_optimal_threshold(labels, positive, costs)
    candidates = np.unique(np.append(positive, (0.5, 1.0)))
    brute_force = [total_cost(labels, positive, threshold, costs) for threshold in candidates]
    assert total_cost(labels, positive, choice.threshold, costs) == pytest.approx(min(brute_force))
    assert choice.threshold in candidates and 0 <= choice.threshold <= 1
    assert choice.minority_rows == labels.sum() and choice.note is None


def test_a_tie_in_cost_goes_to_the_highest_threshold():
    # Threshold 0.5 and 0.8 both flag exactly the one minority row (cost 0); 0.2 adds a false alarm.
    choice = cost_optimal_threshold(np.array([0, 1]), np.array([0.2, 0.8]), Costs(false_alarm=1, miss=1))
    assert choice.threshold == 0.8


def test_a_threshold_equal_to_a_score_flags_that_score():
    # The only cheap threshold is one that flags the minority row scoring exactly 0.3.
    labels, positive = np.array([0, 1, 0]), np.array([0.1, 0.3, 0.25])
    choice = cost_optimal_threshold(labels, positive, Costs(false_alarm=1, miss=100))
    assert choice.threshold == 0.3
    assert total_cost(labels, positive, choice.threshold, Costs(false_alarm=1, miss=100)) == 0


def test_without_a_minority_row_every_rule_falls_back_to_one_half_and_says_so():
    labels, positive = np.zeros(20, dtype=int), np.linspace(0, 1, 20)
    for choice in (
        cost_optimal_threshold(labels, positive, Costs()),
        recall_target_threshold(labels, positive, 0.9),
    ):
        assert choice.threshold == 0.5 and choice.minority_rows == 0
        assert "No minority row among the 20 validation rows" in choice.note


# Found by search: with costs compared in floating point, raising the miss cost from 1.4 to the next
# float (1.4000000000000001) raised the threshold from 0.75 to 0.85, because rounding broke a near-tie.
FLOAT_ROUNDING_CASE = [(1, 0.35), (1, 0.75), (0, 0.7), (1, 0.2), (0, 0.6), (0, 0.8), (0, 0.1)]
FLOAT_ROUNDING_CASE += [(0, 0.3), (0, 0.35), (1, 0.05), (1, 0.6), (0, 0.85), (0, 0.65), (0, 0.6)]


@PROPERTY
@example(rows=FLOAT_ROUNDING_CASE, false_alarm=1.4, miss=1.4, extra_miss=2.220446049250313e-16, catch_value=0.0)
@given(
    rows=st.lists(st.tuples(st.integers(0, 1), GRID_SCORES), min_size=1, max_size=40),
    false_alarm=st.floats(0.01, 1000),
    miss=st.floats(0, 1000),
    extra_miss=st.floats(0, 1000),
    catch_value=st.floats(0, 100),
)
def test_raising_the_miss_cost_never_raises_the_chosen_threshold(rows, false_alarm, miss, extra_miss, catch_value):
    labels = np.array([label for label, _ in rows])
    positive = np.array([score for _, score in rows])
    assume(labels.sum() > 0)
    lower = cost_optimal_threshold(labels, positive, Costs(false_alarm, miss, catch_value))
    higher = cost_optimal_threshold(labels, positive, Costs(false_alarm, miss + extra_miss, catch_value))
    assert higher.threshold <= lower.threshold


@PROPERTY
@example(rows=[(0, 0.3), (1, 0.2)], false_alarm=10.0, miss=1.0, catch_value=0.0)  # only 0.5 flags nothing
@given(
    rows=st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1)), min_size=1, max_size=60),
    false_alarm=st.floats(0, 1000),
    miss=st.floats(0.01, 1000),
    catch_value=st.floats(0, 100),
)
def test_the_cost_at_the_chosen_threshold_is_never_worse_than_at_one_half(rows, false_alarm, miss, catch_value):
    labels = np.array([label for label, _ in rows])
    positive = np.array([score for _, score in rows])
    costs = Costs(false_alarm, miss, catch_value)
    choice = cost_optimal_threshold(labels, positive, costs)
    assert 0 <= choice.threshold <= 1
    chosen, at_half = total_cost(labels, positive, choice.threshold, costs), total_cost(labels, positive, 0.5, costs)
    assert chosen <= at_half + 1e-9 * max(1.0, abs(at_half))


def test_recall_target_gives_the_highest_threshold_that_reaches_the_recall():
    labels = np.array([1] * 10 + [0] * 5)
    positive = np.array([0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.9, 0.7, 0.4, 0.3, 0.2])
    choice = recall_target_threshold(labels, positive, 0.7)  # 0.7 * 10 rounds up to 8 in floats
    assert choice.threshold == 0.65  # the 7th-highest minority score: recall exactly 0.7
    assert np.mean(positive[labels == 1] >= choice.threshold) >= 0.7
    assert np.mean(positive[labels == 1] >= np.nextafter(choice.threshold, 1)) < 0.7
    with pytest.raises(InputError, match="recall to hold"):
        recall_target_threshold(labels, positive, 1.5)


def test_alert_budget_flags_at_most_the_share_asked_for_and_no_fewer_than_it_must():
    positive = np.random.default_rng(2).random(1000)
    choice = alert_budget_threshold(positive, 50)
    assert np.sum(positive >= choice.threshold) == 50  # distinct scores: the budget is met exactly
    tied = np.array([0.9, 0.9, 0.9, 0.2, 0.1])
    none_flagged = alert_budget_threshold(tied, 400)  # 2 alerts allowed, 3 rows share the top score
    assert np.sum(tied >= none_flagged.threshold) == 0 and none_flagged.threshold <= 1
    assert np.sum(tied >= alert_budget_threshold(tied, 600).threshold) == 3
    with pytest.raises(InputError, match="alert budget"):
        alert_budget_threshold(tied, -1)


def test_cost_curve_matches_the_cost_computed_row_by_row():
    labels, positive = scored_rows(np.random.default_rng(3), 300, 0.2, 1.0)
    costs = Costs(false_alarm=3, miss=20, catch_value=1)
    curve = cost_curve(labels, positive, costs)
    assert len(curve["threshold"]) == 101
    for threshold, cost, alerts in zip(
        curve["threshold"], curve["expected_cost_per_1000"], curve["alerts_per_1000"], strict=True
    ):
        assert cost == pytest.approx(1000 * total_cost(labels, positive, threshold, costs) / len(labels))
        assert alerts == pytest.approx(1000 * np.mean(positive >= threshold))


def test_bad_scores_are_refused_with_a_message():
    with pytest.raises(InputError, match="between 0 and 1"):
        cost_optimal_threshold(np.array([0, 1]), np.array([0.2, 1.2]), Costs())
    with pytest.raises(InputError, match="2 labels but 3 scores"):
        cost_optimal_threshold(np.array([0, 1]), np.array([0.2, 0.3, 0.4]), Costs())


# --- operating points ---------------------------------------------------------------------------------


def shifted_folds(count: int = 3) -> list[dict]:
    """Validation scores run higher than test scores, so a threshold tuned on test rows would differ."""
    folds = make_folds(seed=4, count=count)
    for fold in folds:
        fold["validation_positive"] = np.clip(fold["validation_positive"] * 1.6, 0, 1)
    return folds


def test_one_threshold_is_chosen_on_all_validation_rows_and_measured_on_every_fold_s_test_rows():
    costs = Costs(false_alarm=1, miss=20, volume=5000, period="week")
    folds = shifted_folds()
    result = make_result("class_weight", folds)
    (point,) = operating_points(make_comparison([result], mode="cv", folds=3), costs)
    all_labels = np.concatenate([fold["validation_labels"] for fold in folds])
    all_positive = np.concatenate([fold["validation_positive"] for fold in folds])
    assert point.threshold == cost_optimal_threshold(all_labels, all_positive, costs).threshold
    threshold = point.threshold
    for fold, own_threshold, figures in zip(folds, point.fold_thresholds, point.fold_figures, strict=True):
        on_validation = cost_optimal_threshold(fold["validation_labels"], fold["validation_positive"], costs)
        on_test = cost_optimal_threshold(fold["test_labels"], fold["test_positive"], costs)
        assert own_threshold == on_validation.threshold != on_test.threshold  # each fold's own choice: the spread
        labels, positive = fold["test_labels"], fold["test_positive"]
        flagged = positive >= threshold
        assert figures["recall"] == pytest.approx(np.mean(flagged[labels == 1]))
        assert figures["precision"] == pytest.approx(np.mean(labels[flagged] == 1))
        assert figures["expected_cost_per_1000"] == pytest.approx(
            1000 * total_cost(labels, positive, threshold, costs) / len(labels)
        )
        assert figures["alerts_per_period"] == pytest.approx(5000 * np.mean(flagged))
    test_labels = np.concatenate([fold["test_labels"] for fold in folds])
    test_positive = np.concatenate([fold["test_positive"] for fold in folds])
    assert point.expected_cost_per_1000 == pytest.approx(
        1000 * total_cost(test_labels, test_positive, threshold, costs) / len(test_labels)
    )
    assert point.threshold_std == pytest.approx(np.std(point.fold_thresholds))
    assert point.cost_per_period == pytest.approx(point.expected_cost_per_1000 * 5)
    assert point.std["recall"] == pytest.approx(np.std([figures["recall"] for figures in point.fold_figures]))
    assert point.test_rows == sum(len(fold["test_labels"]) for fold in folds)
    assert point.name == "Class weights" and point.technique == "class_weight"
    assert "all 3 folds together" in point.notes[0]


def test_the_recall_and_budget_rules_hold_their_target_on_validation_rows():
    folds = make_folds(seed=5, count=2)
    comparison = make_comparison([make_result("baseline", folds)], mode="cv", folds=2)
    (recall_point,) = operating_points(comparison, Costs(), rule="recall", target=0.8)
    (budget_point,) = operating_points(comparison, Costs(), rule="budget", target=30)
    for fold, recall_threshold, budget_threshold in zip(
        folds, recall_point.fold_thresholds, budget_point.fold_thresholds, strict=True
    ):
        labels, positive = fold["validation_labels"], fold["validation_positive"]
        assert np.mean(positive[labels == 1] >= recall_threshold) >= 0.8
        assert np.sum(positive >= budget_threshold) <= 0.03 * len(positive)
    with pytest.raises(InputError, match="needs a target"):
        operating_points(comparison, Costs(), rule="recall")


def test_operating_points_skip_failed_results_and_multi_class_comparisons():
    folds = make_folds(seed=6, count=1)
    results = [make_result("baseline", folds), make_result("smote", folds, failed="Training failed: NaN.")]
    assert [point.technique for point in operating_points(make_comparison(results), Costs())] == ["baseline"]
    multi = make_comparison(results, labels=["a", "b", "c"])
    assert operating_points(multi, Costs()) == []
    assert recommend(multi, [], Costs()) is None
    assert unsupported_reason(multi) == MULTICLASS_NOT_SUPPORTED
    assert "binary" in MULTICLASS_NOT_SUPPORTED


def test_operating_point_json_keeps_the_cli_contract_and_is_valid_json():
    (point,) = operating_points(make_comparison([make_result("smote", make_folds(7, 1))]), Costs())
    data = json.loads(json.dumps(point.to_json(), allow_nan=False))
    for key in ("threshold", "expected_cost_per_1000", "recall", "precision", "alerts_per_1000"):
        assert isinstance(data[key], float)
        assert f"{key}_std" in data
    assert data["technique"] == "smote" and data["rule"] == "cost"


# --- warnings --------------------------------------------------------------------------------------------


def codes(warnings: list) -> list[str]:
    return [warning.code for warning in warnings]


def test_a_quick_split_with_13_minority_test_rows_is_flagged_with_its_count():
    folds = make_folds(seed=8, count=1, rows=400, prevalence=0.1)
    fold = folds[0]
    fold["test_labels"] = np.zeros(400, dtype=np.int64)
    fold["test_labels"][:13] = 1
    warnings = comparison_warnings(make_comparison([make_result("baseline", folds)]))
    (warning,) = [item for item in warnings if item.code == "few_minority_test_rows"]
    assert "13 'rare' rows out of 400" in warning.message and "K-fold" in warning.message
    fold["test_labels"][:40] = 1
    assert "few_minority_test_rows" not in codes(comparison_warnings(make_comparison([make_result("baseline", folds)])))


def test_pure_noise_is_flagged_at_chance_level_and_real_signal_is_not():
    noise = make_result("random_under", make_folds(seed=9, count=5, signal=0.0))
    signal = make_result("smote", make_folds(seed=9, count=5, signal=3.0))
    warnings = comparison_warnings(make_comparison([noise, signal], mode="cv"))
    chance = [item for item in warnings if item.code == "chance_level"]
    assert [item.technique for item in chance] == ["random_under"]
    assert "ROC-AUC" in chance[0].message and "5 folds" in chance[0].message
    # One quick split has no fold spread: the Hanley-McNeil standard error decides.
    quick = comparison_warnings(make_comparison([make_result("random_under", make_folds(10, 1, signal=0))]))
    (quick_chance,) = [item for item in quick if item.code == "chance_level"]
    assert "Hanley-McNeil" in quick_chance.message
    strong = comparison_warnings(make_comparison([make_result("smote", make_folds(10, 1, signal=3))]))
    assert "chance_level" not in codes(strong)


@pytest.mark.parametrize("minority_rows, majority_rows, tolerance", [(50, 50, (0.95, 1.05)), (30, 200, (1.0, 1.25))])
def test_hanley_mcneil_tracks_the_spread_of_simulated_aucs(minority_rows, majority_rows, tolerance):
    # Binormal scores with ROC-AUC 0.8; Hanley-McNeil assumes exponential scores, so it is a little
    # conservative (too wide, never too narrow) when the classes are unbalanced.
    rng = np.random.default_rng(20)
    shift = 1.19  # Phi(1.19 / sqrt(2)) = 0.80
    minority = rng.normal(shift, 1, (2000, minority_rows))
    majority = rng.normal(0, 1, (2000, majority_rows))
    simulated = (minority[:, :, None] > majority[:, None, :]).mean(axis=(1, 2)).std()
    ratio = hanley_mcneil_standard_error(0.8, minority_rows, majority_rows) / simulated
    assert tolerance[0] <= ratio <= tolerance[1]


def test_thresholds_from_four_validation_minority_rows_are_flagged():
    folds = make_folds(seed=11, count=1)
    folds[0]["validation_labels"] = np.zeros(200, dtype=np.int64)
    folds[0]["validation_labels"][:4] = 1
    warnings = comparison_warnings(make_comparison([make_result("baseline", folds)]))
    (warning,) = [item for item in warnings if item.code == "few_validation_minority"]
    assert "only 4 minority rows" in warning.message


def test_no_technique_beating_the_baseline_says_the_threshold_matters_more():
    folds = make_folds(seed=12, count=5, signal=2.0)
    # A monotone squash of the baseline's scores: same ranking, same PR-AUC, different threshold scale.
    squashed = [
        dict(fold, test_positive=fold["test_positive"] ** 3, validation_positive=fold["validation_positive"] ** 3)
        for fold in folds
    ]
    results = [make_result("baseline", folds), make_result("random_under", squashed)]
    warnings = comparison_warnings(make_comparison(results, mode="cv"))
    (warning,) = [item for item in warnings if item.code == "no_better_than_baseline"]
    assert "threshold matters more than the technique" in warning.message
    # Same strength, independent noise: a little better by chance (+0.016), within the margin (0.083).
    rng = np.random.default_rng(0)
    redrawn = []
    for fold in folds:
        redrawn.append(dict(fold))
        for part in ("validation", "test"):
            labels = fold[f"{part}_labels"]
            redrawn[-1][f"{part}_positive"] = 1 / (1 + np.exp(-(rng.normal(size=len(labels)) + 2.0 * labels - 2.5)))
    lucky = make_comparison([make_result("baseline", folds), make_result("smote", redrawn)], mode="cv")
    assert "no_better_than_baseline" in codes(comparison_warnings(lucky))
    better = [
        make_result("baseline", make_folds(seed=12, count=5, signal=1.0)),
        make_result("smote", make_folds(12, 5, signal=4.0)),
    ]
    assert "no_better_than_baseline" not in codes(comparison_warnings(make_comparison(better, mode="cv")))


def test_every_warning_code_is_documented_and_warnings_serialise():
    folds = make_folds(seed=13, count=1, rows=90, signal=0.0)
    folds[0]["validation_labels"][:] = 0
    folds[0]["validation_labels"][:3] = 1
    warnings = comparison_warnings(make_comparison([make_result("baseline", folds), make_result("smote", folds)]))
    assert set(codes(warnings)) == set(WARNING_CODES)
    for warning in warnings:
        assert set(warning.to_json()) == {"code", "message", "technique"}
        assert any(character.isdigit() for character in warning.message)  # names the numbers it rests on


# --- recommendation --------------------------------------------------------------------------------------


def recommendation_setup(mode: str = "cv", count: int = 5):
    costs = Costs(false_alarm=5, miss=500, volume=10_000)
    results = [
        make_result("baseline", make_folds(seed=14, count=count, signal=1.0)),
        make_result("class_weight", make_folds(seed=14, count=count, signal=4.0)),
        make_result("smote", make_folds(seed=14, count=count, signal=2.0)),
    ]
    comparison = make_comparison(results, mode=mode, folds=max(count, 2))
    return comparison, operating_points(comparison, costs), costs


def test_the_recommendation_is_the_cheapest_network_and_says_what_it_costs_per_period():
    comparison, points, costs = recommendation_setup()
    recommendation = recommend(comparison, points, costs)
    cheapest = min(points, key=lambda point: point.expected_cost_per_1000)
    assert recommendation.technique == cheapest.technique == "class_weight"
    assert recommendation.threshold == cheapest.threshold
    assert f"{cheapest.cost_per_period:,.0f}" in recommendation.text and "a day" in recommendation.text
    assert recommendation.runner_up is not None and recommendation.confident
    assert "validation rows only" in recommendation.text and "5 folds" in recommendation.text
    assert any("recalibrate" in check for check in recommendation.checks)
    data = json.loads(json.dumps(recommendation.to_json(), allow_nan=False))
    assert data["technique"] == "class_weight" and data["threshold"] == pytest.approx(cheapest.threshold)


def test_the_recommended_threshold_is_never_worse_than_one_half_on_its_validation_rows():
    comparison, points, costs = recommendation_setup()
    recommendation = recommend(comparison, points, costs)
    (result,) = [item for item in comparison.results if item.spec.label == recommendation.technique]
    labels = np.concatenate(result.validation_labels)
    positive = np.concatenate([probabilities[:, 1] for probabilities in result.validation_probabilities])
    threshold = recommendation.threshold
    assert total_cost(labels, positive, threshold, costs) <= total_cost(labels, positive, 0.5, costs)


def perfect_scores(folds: list[dict]) -> list[dict]:
    return [
        dict(
            fold,
            test_positive=np.where(fold["test_labels"] == 1, 0.9, 0.1),
            validation_positive=np.where(fold["validation_labels"] == 1, 0.9, 0.1),
        )
        for fold in folds
    ]


@pytest.mark.parametrize(
    "mode, count, perfect, verdict",
    [("cv", 5, False, "costs the same, about"), ("quick", 1, True, "beats every network here: it costs less")],
    ids=["as good as the winner", "clearly cheaper"],
)
def test_a_reference_learner_is_never_recommended_but_is_mentioned(mode, count, perfect, verdict):
    comparison, _, costs = recommendation_setup(mode, count)
    folds = make_folds(seed=14, count=count, signal=4.0)  # the winner's scores, or perfect ones
    comparison.results.append(make_result("logistic_regression", perfect_scores(folds) if perfect else folds))
    points = operating_points(comparison, costs)
    recommendation = recommend(comparison, points, costs)
    assert [point.reference for point in points] == [False, False, False, True]
    assert points[3].expected_cost_per_1000 <= recommendation.expected_cost_per_1000
    assert recommendation.technique == "class_weight"
    assert f"Logistic regression (reference) {verdict}" in recommendation.text


def test_a_winner_that_does_not_beat_the_baseline_says_the_threshold_matters_more():
    folds = make_folds(seed=16, count=5, signal=2.0)
    squashed = [
        dict(fold, test_positive=fold["test_positive"] ** 2, validation_positive=fold["validation_positive"] ** 2)
        for fold in folds
    ]
    costs = Costs(false_alarm=1, miss=30)
    comparison = make_comparison([make_result("baseline", folds), make_result("random_under", squashed)], mode="cv")
    points = operating_points(comparison, costs)
    recommendation = recommend(comparison, points, costs)
    assert "the threshold matters more than the technique here" in recommendation.text
    assert not recommendation.confident  # identical rankings: the two cost ranges overlap


def test_a_quick_split_recommendation_reports_a_standard_error_and_asks_for_k_fold():
    comparison, points, costs = recommendation_setup(mode="quick", count=1)
    recommendation = recommend(comparison, points, costs)
    assert "standard error over the" in recommendation.text
    assert any("K-fold" in check for check in recommendation.checks)


# --- recalibration ---------------------------------------------------------------------------------------


def miscalibrated_rows(seed: int, rows: int = 4000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True risks, outcomes drawn from them, and scores pushed towards the minority (as resampling does)."""
    rng = np.random.default_rng(seed)
    risk = 1 / (1 + np.exp(-(rng.normal(size=rows) * 1.5 - 2.5)))
    labels = (rng.random(rows) < risk).astype(np.int64)
    odds = risk / (1 - risk) * 8
    return risk, labels, odds / (1 + odds)


def brier(labels: np.ndarray, positive: np.ndarray) -> float:
    return float(np.mean((positive - labels) ** 2))


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_platt_and_isotonic_lower_the_brier_score_on_held_out_rows(method):
    _, labels, scores = miscalibrated_rows(seed=17)
    _, held_out_labels, held_out_scores = miscalibrated_rows(seed=18)
    recalibration = fit_recalibration(method, labels, scores)
    recalibrated = recalibration.transform(held_out_scores)
    assert brier(held_out_labels, recalibrated) < brier(held_out_labels, held_out_scores) - 0.01
    assert recalibrated.min() >= 0 and recalibrated.max() <= 1


def test_the_prior_correction_undoes_a_known_shift_in_the_odds():
    risk, labels, scores = miscalibrated_rows(seed=19)
    # Odds times 8 is what training on a minority share of 8/9 against a real share of 1/2 does.
    recalibration = fit_recalibration("prior", labels, scores, train_prior=8 / 9, real_prior=0.5)
    assert np.allclose(recalibration.transform(scores), risk)
    assert np.array_equal(fit_recalibration("none", labels, scores).transform(scores), scores)
    with pytest.raises(InputError, match="training minority share"):
        fit_recalibration("prior", labels, scores)
    with pytest.raises(InputError, match="both classes"):
        fit_recalibration("platt", np.zeros(5, dtype=int), np.linspace(0, 1, 5))
    assert set(METHODS) == {"none", "prior", "platt", "isotonic"}


# --- metric catalogue ------------------------------------------------------------------------------------


def test_the_metric_catalogue_covers_every_metric_and_derives_the_old_names():
    assert tuple(METRICS) == METRIC_NAMES
    assert {"brier"} == LOWER_IS_BETTER
    assert {"roc_auc", "pr_auc", "brier"} == THRESHOLD_FREE
    assert metric_label("f1", binary=True) == "F1 (minority)"
    assert metric_label("pr_auc", binary=False) == "PR-AUC (macro)"
    assert metric_label("mcc", binary=False) == "MCC"
    for info in METRICS.values():
        assert info.help and "--" not in info.help and info.multiclass_average in ("macro", "-")


def test_the_metric_catalogue_imports_without_scikit_learn():
    code = "import sys, imbal_core.run.metric_names; print('sklearn' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"
