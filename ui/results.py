"""The results of the session's runs: metric table, exports, threshold, curves.

Everything here reads stored probabilities; nothing retrains. The threshold slider only re-scores.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from imbal_core import charts
from imbal_core.report import comparison_to_json, metrics_table, to_csv_text
from imbal_core.report_html import (
    MetricTable,
    accuracy_header,
    build_report,
    curve_class_index,
    metric_table,
    threshold_table,
)
from ui import state
from ui.widgets import plain

BEST_STYLE = "background-color: #d3f9d8; font-weight: 700"
MUTED_STYLE = "color: #8a94a6"
CONFUSION_COLUMNS = 3
REPORT_SETTINGS = "report_settings"


def styled_table(table: MetricTable):
    """Best per column highlighted; the accuracy column greyed, since it is the misleading one."""
    css = pd.DataFrame("", index=table.display.index, columns=table.display.columns)
    css = css.mask(table.best, BEST_STYLE)
    accuracy = accuracy_header(table)
    css[accuracy] = css[accuracy].where(css[accuracy] != "", MUTED_STYLE)
    return table.display.style.apply(lambda _: css, axis=None)


def metrics_csv_text(records: list) -> str:
    """The engine's per-run metric table (the CLI's columns), one block per run, in one CSV."""
    frames = []
    for record in records:
        frame = metrics_table(record.comparison)
        frame.insert(0, "run", record.run_id)
        frames.append(frame)
    return to_csv_text(pd.concat(frames, ignore_index=True)) if frames else ""


def results_json_text(records: list, dataset_name: str) -> str:
    """Every run as the CLI's `compare --json` document, under one list."""
    document = {
        "dataset_name": dataset_name,
        "runs": [{"run": record.run_id, **comparison_to_json(record.comparison)} for record in records],
    }
    return json.dumps(document, indent=2, allow_nan=False)


def render(records: list) -> None:
    """Every result of the current data's runs, with exports and the threshold explorer."""
    loaded, profile = state.dataset(), state.dataset_profile()
    named = charts.name_results([record.comparison for record in records])
    usable = [entry for entry in named if entry.usable]
    binary = len(records[0].comparison.labels) == 2

    st.subheader("Results")
    st.caption(
        f"{len(named)} result(s) from {len(records)} run(s) on {plain(loaded.name)}. Means over test folds at "
        "threshold 0.5 (± one standard deviation with K-fold); best per column highlighted. "
        + (
            "Precision, recall and F1 are those of the minority class. "
            if binary
            else "Precision, recall and F1 are macro averages over classes. "
        )
        + "Accuracy comes last: on imbalanced data it rewards ignoring the rare class."
    )
    table = metric_table(named)
    st.dataframe(styled_table(table), width="stretch")
    for entry in named:
        if entry.result.failed:
            st.warning(plain(f"{entry.name}: {entry.result.failed}"), icon=":material/warning:")
    _exports(records, named, profile.to_dict(), loaded.name)
    if not usable:
        return
    if binary:
        _threshold_section(usable)
    else:
        _confusions(usable, 0.5, "Confusion matrices (each row: a true class; the most probable class is predicted)")
    _curves(usable, records[0].comparison, profile.to_dict())


def _exports(records: list, named: list, profile: dict, dataset_name: str) -> None:
    csv_column, json_column, html_column, clear_column = st.columns(4)
    csv_column.download_button(
        "Metrics CSV",
        lambda: metrics_csv_text(records),  # built on click, not on every rerun
        file_name="imbalance_lab_metrics.csv",
        mime="text/csv",
        key="download_csv",
        icon=":material/download:",
        width="stretch",
        on_click="ignore",
    )
    json_column.download_button(
        "Results JSON",
        lambda: results_json_text(records, dataset_name),
        file_name="imbalance_lab_results.json",
        mime="application/json",
        key="download_json",
        icon=":material/download:",
        width="stretch",
        on_click="ignore",
    )

    # The threshold section is a fragment and reruns alone, and a deferred download runs outside any
    # script run; so the report reads the threshold from this dict, which that section keeps current.
    report_settings = _report_settings()

    def report() -> str:
        # Built only when clicked: it carries plotly.js inline (several MB) so it opens offline.
        return build_report(dataset_name, profile, named, report_settings["threshold"])

    html_column.download_button(
        "HTML report",
        report,
        file_name="imbalance_lab_report.html",
        mime="text/html",
        key="download_html",
        icon=":material/description:",
        width="stretch",
        on_click="ignore",
        help="A single file with the settings, dataset profile, metric table and charts; opens offline.",
    )
    clear_column.button(
        "Clear runs",
        key="clear_runs",
        on_click=state.clear_runs,
        icon=":material/delete_sweep:",
        width="stretch",
        help="Forget every run of this session (on every dataset). The loaded data stays.",
    )


def _report_settings() -> dict:
    """Per-session settings the HTML report reads when it is built (on click)."""
    return st.session_state.setdefault(REPORT_SETTINGS, {"threshold": state.DEFAULT_THRESHOLD})


def _use_tuned(threshold: float) -> None:
    st.session_state[state.THRESHOLD_WIDGET] = round(min(0.99, max(0.01, threshold)), 2)


@st.fragment
def _threshold_section(usable: list) -> None:
    """Moving the slider reruns only this section: nothing upstream (tables, curves, exports) is redrawn."""
    st.subheader("Decision threshold")
    st.caption(
        "A row is called minority when its predicted probability is at least the threshold. Moving the "
        "slider re-scores the stored test predictions: nothing retrains. Precision, recall and F1 are means "
        "over test folds, like the table above; counts take each test row once. The tuned threshold maximises "
        "F1 on each fold's validation slice (never on the test rows); shown is its mean over folds."
    )
    slider_column, tuned_column = st.columns([3, 2])
    threshold = slider_column.slider(
        "Threshold on the minority probability",
        0.01,
        0.99,
        step=0.01,
        key=state.THRESHOLD_WIDGET,
        persist_state="session",
    )
    _report_settings()["threshold"] = threshold
    tuned = [entry for entry in usable if entry.result.tuned_threshold is not None]
    if tuned:
        names = [entry.name for entry in tuned]
        chosen = tuned_column.selectbox("Tuned threshold of", names, key="tuned_from", persist_state="session")
        entry = tuned[names.index(chosen)] if chosen in names else tuned[0]
        tuned_column.button(
            f"Set slider to {entry.result.tuned_threshold:.2f}",
            key="use_tuned",
            on_click=_use_tuned,
            args=(entry.result.tuned_threshold,),
            icon=":material/tune:",
        )
    at_threshold = threshold_table(usable, threshold)
    st.dataframe(
        at_threshold,
        width="stretch",
        column_config={name: st.column_config.NumberColumn(format="%.3f") for name in ("Precision", "Recall", "F1")}
        | {
            "Threshold": st.column_config.NumberColumn(format="%.2f"),
            "Tuned threshold": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    _confusions(usable, threshold, f"Confusion matrices at threshold {threshold:.2f} (rows: true class)")
    names = [entry.name for entry in usable]
    chosen = st.selectbox("Threshold trade-off for", names, key="sweep_technique", persist_state="session")
    entry = usable[names.index(chosen)] if chosen in names else usable[0]
    st.plotly_chart(charts.threshold_figure(entry, threshold), width="stretch", key="chart_threshold")


def _confusions(usable: list, threshold: float, title: str) -> None:
    st.markdown(f"**{title}**")
    for start in range(0, len(usable), CONFUSION_COLUMNS):
        columns = st.columns(CONFUSION_COLUMNS)
        for column, entry in zip(columns, usable[start : start + CONFUSION_COLUMNS], strict=False):
            matrix = entry.result.confusion_at(threshold)
            figure = charts.confusion_figure(matrix, entry.comparison.labels, entry.name)
            column.plotly_chart(figure, width="stretch", key=f"chart_confusion_{start}_{entry.name}")
            column.caption(entry.result.confusion_caption())


def _curves(usable: list, comparison, profile: dict) -> None:
    st.subheader("Charts")
    labels = list(comparison.labels)
    class_index = curve_class_index(comparison, profile)
    if len(labels) > 2:
        chosen = st.selectbox(
            "Curves for class (one vs the rest)",
            labels,
            index=class_index,
            key="curve_class",
            help="Multi-class curves are drawn one class against all others; the rarest class is the default.",
        )
        class_index = labels.index(chosen)
    class_label = str(labels[class_index])
    tabs = st.tabs(["Metric bars", "ROC curves", "Precision-recall", "Calibration", "Training curves"])
    figures = (
        charts.metric_bars(usable),
        charts.roc_figure(usable, class_index, class_label),
        charts.pr_figure(usable, class_index, class_label),
        charts.calibration_figure(usable, class_index, class_label),
        charts.training_curves_figure(usable),
    )
    keys = ("chart_metric_bars", "chart_roc", "chart_pr", "chart_calibration", "chart_training")
    for tab, figure, key in zip(tabs, figures, keys, strict=True):
        tab.plotly_chart(figure, width="stretch", key=key)
    st.caption(
        "ROC looks flattering when negatives are plentiful; the precision-recall curve and its no-skill line "
        "(the class's share of test rows) show what finding the rare class costs in false alarms."
        + (" Training curves show the first fold." if any(len(e.result.histories) > 1 for e in usable) else "")
    )
