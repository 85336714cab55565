"""The decision view: what a decision is worth, each technique at its own operating point, a recommendation.

Everything is computed by imbal_core.decision from stored probabilities; this module only draws it.
It is a fragment, so changing a cost redraws this section alone and never retrains.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from imbal_core.decide.costs import PERIODS, Costs, alerts_per_1000_for, cost_caption, default_costs, unsupported_reason
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.decide.thresholds import mean_cost_curve
from imbal_core.decide.warnings import comparison_warnings
from imbal_core.present import charts
from ui import keys, links
from ui.page_state import RESULTS
from ui.store import store
from ui.widgets import plain

# The cost inputs' keys, by cost name (declared in ui/keys.py, where links seed them too).
COST_WIDGETS = {name: key.name for name, key in keys.COST_WIDGETS.items()}
COST_CURVE_THRESHOLDS = np.linspace(0.0, 1.0, 201)
RULE_LABELS = {
    "cost": "Lowest expected cost",
    "recall": "Hold recall at a target",
    "budget": "Review a fixed number of alerts",
}


def _sync_defaults() -> str | None:
    """Each bundled sample starts from its own sensible costs; they reset only when the data changes.
    Returns the sample's id, for the caption."""
    sample_id = store.dataset().sample_id
    costs, _ = default_costs(sample_id)
    if RESULTS.costs_for != store.dataset_key():
        for name in COST_WIDGETS:
            RESULTS.set_cost(name, getattr(costs, name))
        RESULTS.costs_for = store.dataset_key()
    return sample_id


def costs_inputs() -> Costs | None:
    """Cost and volume inputs; returns the Costs, or None (with the reason shown) when they are invalid."""
    sample_id = _sync_defaults()
    false_alarm, miss, catch, volume, period = st.columns([1, 1, 1, 1.2, 0.8])
    false_alarm.number_input(
        "Cost of a false alarm", min_value=0.0, step=1.0, format="%g", key=COST_WIDGETS["false_alarm"]
    )
    miss.number_input("Cost of a miss", min_value=0.0, step=10.0, format="%g", key=COST_WIDGETS["miss"])
    catch.number_input(
        "Value of a catch",
        min_value=0.0,
        step=10.0,
        format="%g",
        key=COST_WIDGETS["catch_value"],
        help="What a caught case saves beyond avoiding the miss; usually 0.",
    )
    volume.number_input("Cases per period", min_value=1.0, step=100.0, format="%g", key=COST_WIDGETS["volume"])
    period.selectbox("Period", PERIODS, key=COST_WIDGETS["period"])
    try:
        costs = Costs(**{name: RESULTS.cost(name) for name in COST_WIDGETS})
    except Exception as error:  # InputError: an impossible combination, e.g. every cost 0
        st.warning(plain(str(error)), icon=":material/warning:")
        return None
    st.caption(plain(cost_caption(costs, sample_id)))  # the costs in use, not the sample's defaults
    return costs


def rule_inputs(costs: Costs) -> tuple[str, float | None]:
    """How each technique's threshold is chosen: lowest cost, a recall to hold, or an alert budget."""
    rule_column, target_column = st.columns([2, 1])
    rule = rule_column.radio(
        "Pick each technique's threshold by",
        list(RULE_LABELS),
        format_func=RULE_LABELS.get,
        key=keys.RULE_WIDGET.name,
        horizontal=True,
    )
    if rule == "recall":
        recall = target_column.slider("Recall to hold", 0.5, 0.99, 0.9, step=0.01, key="decision_recall")
        return rule, recall
    if rule == "budget":
        alerts = target_column.number_input(
            f"Alerts we can review per {costs.period}",
            min_value=1.0,
            value=float(max(1.0, round(costs.volume * 0.02))),
            step=10.0,
            key="decision_budget",
        )
        return rule, alerts_per_1000_for(alerts, costs)
    return rule, None


@st.fragment
def decision_section(comparison, named: list) -> None:
    """Costs, the recommendation, each technique's operating point and the cost curves, for one run."""
    started = time.perf_counter()
    st.subheader("Decision: which technique, at which threshold, at what cost")
    reason = unsupported_reason(comparison)
    if reason:
        st.info(plain(reason), icon=":material/info:")
        return
    costs = costs_inputs()
    if costs is None:
        return
    rule, target = rule_inputs(costs)
    points = operating_points(comparison, costs, rule, target)
    recommendation = recommend(comparison, points, costs)
    warnings = comparison_warnings(comparison)
    RESULTS.setdefault("report_settings", {}).update(costs=costs, rule=rule, target=target)
    links.sync_url()  # a fragment rerun skips app.py, so the link follows the costs here
    _recommendation(recommendation)
    _warnings(warnings)
    by_index = _by_result_index(named, comparison)
    st.dataframe(
        operating_table(points, costs),
        width="stretch",
        column_config=_operating_columns(costs),
    )
    st.caption(operating_caption(comparison, costs, rule))
    shown = [(by_index[point.result_index], point) for point in points if point.result_index in by_index]
    curves = {entry.name: mean_cost_curve(entry.result, costs, COST_CURVE_THRESHOLDS) for entry, _ in shown}
    chosen = {entry.name: (point.threshold, point.expected_cost_per_1000) for entry, point in shown}
    figure = charts.expected_cost_figure(curves, chosen)
    st.plotly_chart(figure, width="stretch", key="chart_expected_cost")
    RESULTS.decision_seconds = time.perf_counter() - started  # everything this section does on a cost change


def operating_caption(comparison, costs: Costs, rule: str) -> str:
    """How the table's figures were made: one threshold per technique, every figure at it."""
    folds = len(comparison.results[0].test_labels) if comparison.results else 1
    chosen_on = "the validation rows (never test rows)"
    spread = "one test split, so there is no spread"
    if folds > 1:
        chosen_on = f"the validation rows of all {folds} folds together (never test rows)"
        spread = (
            f"± is the spread of the same figures over the {folds} folds at that threshold; Threshold ± is how far "
            "each fold's validation rows alone would move it"
        )
    return (
        f"Each technique at one threshold of its own, chosen on {chosen_on} by "
        f"\u201c{RULE_LABELS[rule].lower()}\u201d. Every figure in a row is measured at that threshold on all test "
        f"rows together (precision = caught / alerts, recall = caught / positives) and scaled to "
        f"{costs.volume:,.0f} cases per {costs.period}; {spread}."
    )


def _by_result_index(named: list, comparison) -> dict:
    """This comparison's named entries keyed by their position in comparison.results."""
    positions = {id(result): index for index, result in enumerate(comparison.results)}
    return {positions[id(entry.result)]: entry for entry in named if id(entry.result) in positions}


def _recommendation(recommendation) -> None:
    if recommendation is None:
        st.info("No technique could be placed at an operating point (see the notes).", icon=":material/info:")
        return
    box = st.success if recommendation.confident else st.info
    box(plain(recommendation.text), icon=":material/recommend:")
    if recommendation.checks:
        st.markdown(
            "**Before deploying, check:**\n" + "\n".join(f"- {plain(check)}" for check in recommendation.checks)
        )


def _warnings(warnings: list) -> None:
    for warning in warnings:
        st.warning(plain(warning.message), icon=":material/warning:")


def operating_table(points: list, costs: Costs) -> pd.DataFrame:
    """One row per technique at its operating point: threshold, costs, alerts, catches, with fold spread."""
    period = costs.period
    rows = []
    for point in points:
        spread = point.std
        rows.append(
            {
                "Technique": point.name + (" (reference)" if point.reference else ""),
                "Threshold": point.threshold,
                f"Cost per {period}": point.cost_per_period,
                f"Alerts per {period}": point.alerts_per_period,
                f"Caught per {period}": point.caught_per_period,
                f"Missed per {period}": point.missed_per_period,
                f"False alarms per {period}": point.false_alarms_per_period,
                "Recall": point.recall,
                "Precision": point.precision,
                "Cost per 1,000": point.expected_cost_per_1000,
                "Cost per 1,000 ±": spread["expected_cost_per_1000"],
                "Recall ±": spread["recall"],
                "Threshold ±": point.threshold_std,
                "Notes": " | ".join(point.notes),
            }
        )
    return pd.DataFrame(rows).set_index("Technique") if rows else pd.DataFrame()


def _operating_columns(costs: Costs) -> dict:
    period = costs.period
    three = st.column_config.NumberColumn(format="%.3f")
    counts = st.column_config.NumberColumn(format="localized")
    money = st.column_config.NumberColumn(format="localized")
    return {
        "Threshold": three,
        "Threshold ±": three,
        "Cost per 1,000": money,
        "Cost per 1,000 ±": money,
        f"Cost per {period}": money,
        f"Alerts per {period}": counts,
        f"Caught per {period}": counts,
        f"Missed per {period}": counts,
        f"False alarms per {period}": counts,
        "Recall": three,
        "Recall ±": three,
        "Precision": three,
    }
