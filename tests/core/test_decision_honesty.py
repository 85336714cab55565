"""Issue 19 (items 2, 3, 8, 9): the decision never costs more than doing nothing, states the threshold it
measured, keeps every row of its table self-consistent, and its words say what the numbers say.
Synthetic scores only; nothing trains here (the dashboard's cost caption is in test_app_compare.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from imbal_core.decide.costs import Costs, amount, cost_caption, default_costs
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.decide.thresholds import cost_optimal_threshold, mean_cost_curve
from imbal_core.decide.warnings import comparison_warnings
from imbal_core.present.report import comparison_to_json
from tests.support.comparisons import make_comparison, make_folds, make_result, total_cost

PROPERTY = settings(max_examples=200, deadline=None)
SCORES = st.one_of(st.sampled_from([round(step * 0.05, 2) for step in range(20)]), st.floats(0, 1, exclude_max=True))


def noise_folds(seed: int, count: int, rows: int = 300, prevalence: float = 0.1) -> list[dict]:
    """Pure noise: scores carry no signal and sit around 0.6, as an over-weighted network's would."""
    rng = np.random.default_rng(seed)
    folds = []
    for _ in range(count):
        fold = {}
        for part, size in (("validation", rows // 3), ("test", rows)):
            labels = (rng.random(size) < prevalence).astype(np.int64)
            labels[:2] = (1, 0)
            fold[f"{part}_labels"] = labels
            fold[f"{part}_positive"] = np.clip(rng.normal(0.6, 0.1, size), 0, 1)
        folds.append(fold)
    return folds


# --- item 2: flagging nothing is a candidate -----------------------------------------------------------


@PROPERTY
@example(rows=[(0, 0.6), (0, 0.7), (1, 0.65)], false_alarm=10.0, miss=1.0, catch_value=0.0)  # every score above 0.5
@given(
    rows=st.lists(st.tuples(st.integers(0, 1), SCORES), min_size=1, max_size=60),
    false_alarm=st.floats(0, 1000),
    miss=st.floats(0, 1000),
    catch_value=st.floats(0, 100),
)
def test_the_chosen_threshold_never_costs_more_than_flagging_nothing_or_everything(
    rows, false_alarm, miss, catch_value
):
    if false_alarm == miss == catch_value == 0:
        return  # Costs refuses all-zero costs
    labels = np.array([label for label, _ in rows])
    positive = np.array([score for _, score in rows])
    costs = Costs(false_alarm, miss, catch_value)
    choice = cost_optimal_threshold(labels, positive, costs)
    chosen = total_cost(labels, positive, choice.threshold, costs)
    minority = int(labels.sum())
    if minority == 0:
        assert choice.threshold == 0.5  # no minority row: the stated fallback
        return
    flag_nothing = miss * minority
    flag_everything = false_alarm * (len(labels) - minority) - catch_value * minority
    tolerance = 1e-9 * max(1.0, abs(flag_nothing), abs(flag_everything))
    assert chosen <= flag_nothing + tolerance
    assert chosen <= flag_everything + tolerance
    assert 0 <= choice.threshold <= 1
    assert choice.flags_nothing == (not np.any(positive >= choice.threshold))


def test_on_pure_noise_with_dear_false_alarms_the_recommendation_is_to_flag_nothing():
    # The case: false alarm 10, miss 1, pure noise, 3 folds. Scores sit above 0.5, so before, the
    # candidates (scores plus 0.5) could not flag nothing and the chosen thresholds cost more than doing so.
    costs = Costs(false_alarm=10, miss=1, volume=1000)
    results = [make_result("class_weight", noise_folds(1, 3)), make_result("baseline", noise_folds(2, 3))]
    comparison = make_comparison(results, mode="cv", folds=3)
    points = operating_points(comparison, costs)
    for point, result in zip(points, results, strict=True):
        validation_labels = np.concatenate(result.validation_labels)
        validation_positive = np.concatenate([p[:, 1] for p in result.validation_probabilities])
        nothing = costs.miss * validation_labels.sum()
        assert total_cost(validation_labels, validation_positive, point.threshold, costs) <= nothing
        assert point.flags_nothing and point.alerts_per_period == 0
        test_positives = sum(int(labels.sum()) for labels in result.test_labels)
        assert point.expected_cost_per_1000 == pytest.approx(1000 * costs.miss * test_positives / point.test_rows)
    recommendation = recommend(comparison, points, costs)
    assert recommendation.text.startswith("Flag nothing: at these costs letting every case through is cheapest.")
    assert any("Flagging no case was cheapest" in note for note in points[0].notes)


# --- item 3: the stated threshold is the measured one ---------------------------------------------------


def scaled_folds(count: int) -> list[dict]:
    """Folds whose networks score on different scales (as retrained networks do)."""
    folds = make_folds(seed=21, count=count, signal=2.5)
    for index, fold in enumerate(folds):
        power = 1.0 + 0.6 * index
        fold["validation_positive"] = fold["validation_positive"] ** (1 / power)
        fold["test_positive"] = fold["test_positive"] ** (1 / power)
    return folds


def pooled(result_json: dict, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and minority scores of every fold's `part` rows, read back from the results JSON."""
    folds = result_json["folds"]
    labels = np.concatenate([np.asarray(item["ndarray"]["data"]) for item in folds[f"{part}_labels"]])
    positive = np.concatenate([np.asarray(item["ndarray"]["data"])[:, 1] for item in folds[f"{part}_probabilities"]])
    return labels, positive


def figures_at(labels: np.ndarray, positive: np.ndarray, threshold: float, costs: Costs) -> dict:
    """Every decision figure at one threshold, written out the slow, obvious way."""
    flagged = positive >= threshold
    caught = int(np.sum(flagged & (labels == 1)))
    false_alarms = int(np.sum(flagged & (labels == 0)))
    missed = int(np.sum(~flagged & (labels == 1)))
    rows = len(labels)
    cost = costs.false_alarm * false_alarms + costs.miss * missed - costs.catch_value * caught
    scale = costs.volume / rows
    return {
        "expected_cost_per_1000": 1000 * cost / rows,
        "recall": caught / (caught + missed),
        "precision": caught / (caught + false_alarms) if caught + false_alarms else None,
        "alerts_per_1000": 1000 * (caught + false_alarms) / rows,
        "cost_per_period": cost * scale,
        "alerts_per_period": (caught + false_alarms) * scale,
        "caught_per_period": caught * scale,
        "missed_per_period": missed * scale,
        "false_alarms_per_period": false_alarms * scale,
    }


@pytest.mark.parametrize("mode, count", [("cv", 3), ("quick", 1)], ids=["3-fold", "quick split"])
def test_the_json_decision_figures_equal_a_recomputation_at_the_stated_threshold(mode, count):
    costs = Costs(false_alarm=5, miss=500, volume=10_000)
    results = [
        make_result("baseline", scaled_folds(count)),
        make_result("class_weight", make_folds(seed=22, count=count, signal=3.5)),
        make_result("smote", make_folds(seed=23, count=count, signal=1.5)),
    ]
    document = json.loads(json.dumps(comparison_to_json(make_comparison(results, mode=mode, folds=3), costs)))
    stored_costs = Costs(**document["costs"])
    for result_json in document["results"]:
        stated = result_json["decision"]
        validation_labels, validation_positive = pooled(result_json, "validation")
        threshold = cost_optimal_threshold(validation_labels, validation_positive, stored_costs).threshold
        assert stated["threshold"] == threshold
        test_labels, test_positive = pooled(result_json, "test")
        for figure, value in figures_at(test_labels, test_positive, stated["threshold"], stored_costs).items():
            assert stated[figure] == pytest.approx(value, rel=1e-12, abs=1e-9), figure
    recommendation = document["recommendation"]
    (chosen,) = [item["decision"] for item in document["results"] if item["technique"] == recommendation["technique"]]
    for key in ("threshold", "expected_cost_per_1000", "cost_per_period", "alerts_per_period", "caught_per_period"):
        assert recommendation[key] == pytest.approx(chosen[key], rel=1e-12)
    assert f"threshold {chosen['threshold']:.3f}" in recommendation["text"]
    assert f"{chosen['cost_per_period']:,.0f}" in recommendation["text"]


def test_the_per_fold_figures_at_the_stated_threshold_are_the_spread():
    costs = Costs(false_alarm=1, miss=20)
    result = make_result("baseline", scaled_folds(3))
    (point,) = operating_points(make_comparison([result], mode="cv", folds=3), costs)
    for labels, probabilities, figures in zip(
        result.test_labels, result.test_probabilities, point.fold_figures, strict=True
    ):
        expected = figures_at(labels, probabilities[:, 1], point.threshold, costs)
        assert figures["expected_cost_per_1000"] == pytest.approx(expected["expected_cost_per_1000"])
    spread = np.std([figures["recall"] for figures in point.fold_figures])
    assert point.std["recall"] == pytest.approx(spread)
    assert len(set(point.fold_thresholds)) > 1  # each fold alone would choose differently: shown as spread
    curve = mean_cost_curve(result, costs, np.array([point.threshold]))
    assert curve["expected_cost_per_1000"][0] == pytest.approx(point.expected_cost_per_1000)  # the dot is on its curve


# --- item 8: the figures of a row agree with each other --------------------------------------------------


def test_every_row_of_the_decision_table_agrees_with_itself():
    from ui.decision import operating_table

    costs = Costs(false_alarm=1, miss=30, volume=2000)
    folds = make_folds(seed=24, count=5, rows=200, prevalence=0.05, signal=2.0)
    quiet = [dict(fold) for fold in folds]
    quiet[4]["test_positive"] = quiet[4]["test_positive"] * 0.01  # one fold raises no alert at all
    results = [make_result("focal_loss", folds), make_result("random_over", quiet)]
    comparison = make_comparison(results, mode="cv", folds=5)
    points = operating_points(comparison, costs)
    table = operating_table(points, costs)
    for _, row in table.iterrows():
        caught, alerts = row["Caught per day"], row["Alerts per day"]
        positives = caught + row["Missed per day"]
        assert row["Precision"] == pytest.approx(caught / alerts, abs=5e-4)
        assert row["Recall"] == pytest.approx(caught / positives, abs=5e-4)
        assert alerts - caught == pytest.approx(row["False alarms per day"])
    for point in points:
        data = point.to_json()
        assert data["precision"] == pytest.approx(data["caught_per_period"] / data["alerts_per_period"])


def test_no_alert_means_no_precision_rather_than_a_precision_of_zero():
    folds = make_folds(seed=25, count=1)
    folds[0]["test_positive"] = np.zeros_like(folds[0]["test_positive"])
    (point,) = operating_points(make_comparison([make_result("baseline", folds)]), Costs(1, 30))
    assert point.alerts_per_period == 0 and point.to_json()["precision"] is None


# --- item 9: words that say what the numbers say ---------------------------------------------------------


def test_a_technique_scoring_below_the_baseline_is_not_called_the_best():
    folds = make_folds(seed=26, count=5, signal=2.5)
    weaker = make_folds(seed=26, count=5, signal=2.2)
    comparison = make_comparison([make_result("baseline", folds), make_result("focal_loss", weaker)], mode="cv")
    (warning,) = [item for item in comparison_warnings(comparison) if item.code == "no_better_than_baseline"]
    focal, baseline = comparison.results[1].metrics["pr_auc"], comparison.results[0].metrics["pr_auc"]
    assert focal < baseline
    assert "the best" not in warning.message
    assert "every technique scores below it; the closest, Focal loss" in warning.message


def test_a_margin_of_zero_is_never_quoted_as_needed_more_than_zero():
    folds = make_folds(seed=27, count=5)
    same = make_comparison([make_result("baseline", folds), make_result("random_over", folds)], mode="cv")
    (warning,) = [item for item in comparison_warnings(same) if item.code == "no_better_than_baseline"]
    assert "needed more than 0.000" not in warning.message and "0.000;" not in warning.message
    assert "scores the same as the baseline" in warning.message


def test_a_five_fold_run_is_not_told_to_use_k_fold():
    folds = make_folds(seed=28, count=5)
    for fold in folds:
        fold["validation_labels"] = np.zeros_like(fold["validation_labels"])
        fold["validation_labels"][:1] = 1  # one validation minority row per fold: 5 in all
    comparison = make_comparison([make_result("baseline", folds)], mode="cv", folds=5)
    (warning,) = [item for item in comparison_warnings(comparison) if item.code == "few_validation_minority"]
    assert "K-fold" not in warning.message and "5 folds together" in warning.message
    recommendation = recommend(comparison, operating_points(comparison, Costs()), Costs())
    assert not any("K-fold" in check for check in recommendation.checks)


@pytest.mark.parametrize(
    "nudged, verdict",
    [(1, "though within 2 standard errors"), (5, "beats every network here")],
    ids=["one fold: within noise", "every fold: beyond noise"],
)
def test_a_cheaper_reference_is_called_cheaper_not_as_good(nudged, verdict):
    costs = Costs(false_alarm=5, miss=500, volume=10_000)
    network = make_folds(seed=29, count=5, signal=3.0)
    reference = make_folds(seed=29, count=5, signal=3.0)
    for fold in reference[:nudged]:  # the same scores, positives nudged up: a little cheaper
        fold["test_positive"] = np.where(fold["test_labels"] == 1, fold["test_positive"] ** 0.8, fold["test_positive"])
    comparison = make_comparison(
        [make_result("baseline", network), make_result("logistic_regression", reference)], mode="cv"
    )
    points = operating_points(comparison, costs)
    assert points[1].cost_per_period < points[0].cost_per_period
    text = recommend(comparison, points, costs).text
    assert "did as well" not in text
    cheaper = amount(points[1].cost_per_period)
    assert f"costs less, about {cheaper} a day against {amount(points[0].cost_per_period)}" in text
    assert verdict in text


def test_the_cost_caption_describes_the_costs_in_use():
    defaults, reason = default_costs("fraud")
    assert cost_caption(defaults, "fraud") == reason
    changed = cost_caption(Costs(false_alarm=8, miss=900, volume=5_000, period="day"), "fraud")
    assert "Defaults for a fraud desk" not in changed and "500" not in changed
    assert "a miss (900) costs 112× a false alarm (8)" in changed and "5,000 cases a day" in changed
