"""The results of the session's runs: metric table, exports, threshold, curves.

Everything here reads stored probabilities; nothing retrains. The threshold slider only re-scores.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from imbal_core.decide.calibration import METHODS, recalibrated
from imbal_core.present import charts
from imbal_core.present.report import comparison_to_json, metrics_table, to_csv_text
from imbal_core.present.report_html import comparison_report
from imbal_core.present.result_names import NamedResult, name_results
from imbal_core.present.result_tables import (
    HIGHLIGHT_RULE,
    MetricTable,
    accuracy_header,
    curve_class_index,
    metric_table,
    threshold_table,
)
from imbal_core.present.verdict_words import protocol_text
from imbal_core.run.metric_names import threshold_text
from ui import keys, links
from ui.decision import decision_section
from ui.link import DEFAULT_THRESHOLD
from ui.page_state import RESULTS
from ui.store import store
from ui.widgets import plain, visible

BEST_STYLE = "background-color: #d3f9d8; font-weight: 700"
MUTED_STYLE = "color: #8a94a6"
REFERENCE_STYLE = "font-style: italic; color: #52606d"
CONFUSION_COLUMNS = 3


def styled_table(table: MetricTable):
    """Best network per column highlighted; reference rows in italics (never highlighted); the accuracy
    column greyed, since it is the misleading one."""
    css = pd.DataFrame("", index=table.display.index, columns=table.display.columns)
    css = css.mask(table.best, BEST_STYLE)
    accuracy = accuracy_header(table)
    css[accuracy] = css[accuracy].where(css[accuracy] != "", MUTED_STYLE)
    for name in table.references:
        css.loc[name] = REFERENCE_STYLE
    return table.display.style.apply(lambda _: css, axis=None)


def metrics_csv_text(records: list) -> str:
    """The engine's per-run metric table (the CLI's columns), one block per run, in one CSV."""
    frames = []
    for record in records:
        frame = metrics_table(record.comparison)
        frame.insert(0, "run", record.run_id)
        frames.append(frame)
    return to_csv_text(pd.concat(frames, ignore_index=True)) if frames else ""


def results_json_text(records: list, dataset_name: str, costs=None) -> str:
    """Every run as the CLI's `compare --json` document (decisions at the page's costs), under one list."""
    document = {
        "dataset_name": dataset_name,
        "runs": [{"run": record.run_id, **comparison_to_json(record.comparison, costs)} for record in records],
    }
    return json.dumps(document, indent=2, allow_nan=False)


RUN_WIDGET = keys.SHOWN_RUN.name


def run_label(record) -> str:
    """How a run is named in the picker: number, protocol, techniques and time, so protocols never mix."""
    comparison = record.comparison
    count = len(comparison.results)
    return (
        f"Run {record.run_id} · {protocol_text(comparison)} · {count} technique{'s' if count != 1 else ''} · "
        f"{record.created:%H:%M}"
    )


def render(records: list) -> None:
    """One run of the current data at a time (the latest by default): decision, metrics, threshold, curves.

    Results of different runs are never mixed in one table, so "best" is only ever highlighted among
    results trained with the same protocol, data and target.
    """
    loaded, profile = store.dataset(), store.dataset_profile()
    latest = records[-1]
    by_label = {run_label(record): record for record in reversed(records)}
    if RESULTS.shown_run not in by_label or RESULTS.shown_run_latest != latest.run_id:
        RESULTS.shown_run = run_label(latest)  # a new run shows itself
        RESULTS.shown_run_latest = latest.run_id
    chosen = st.selectbox(
        "Run",
        list(by_label),
        format_func=visible,  # run labels carry file names
        key=RUN_WIDGET,
        help="Each run keeps its own results; compare techniques within one run (same protocol, data and target).",
    )
    record = by_label[chosen]
    comparison = record.comparison
    named = name_results([comparison])
    usable = [entry for entry in named if entry.usable]
    binary = comparison.binary

    if usable:
        decision_section(comparison, named)
    st.subheader("Metrics")
    st.caption(
        f"{plain(protocol_text(comparison))} on {plain(loaded.name)} ({comparison.dataset['rows']:,} rows). "
        f"Means over test folds at threshold {threshold_text(0.5)} (± one standard deviation with K-fold). "
        + HIGHLIGHT_RULE
        + " "
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
    _exports(records, record, profile.to_dict(), loaded.name)
    if not usable:
        return
    if binary:
        _threshold_section(usable)
    else:
        _confusions(usable, 0.5, "Confusion matrices (each row: a true class; the most probable class is predicted)")
    _curves(usable, comparison, profile.to_dict())
    if binary:
        recalibration_section(usable, comparison)


def _exports(records: list, shown, profile: dict, dataset_name: str) -> None:
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
        lambda: results_json_text(records, dataset_name, _report_settings().get("costs")),
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
        return comparison_report(
            shown.comparison,
            dataset_name,
            threshold=report_settings["threshold"],
            costs=report_settings.get("costs"),
            rule=report_settings.get("rule", "cost"),
            target=report_settings.get("target"),
            profile=profile,
        )

    html_column.download_button(
        "HTML report",
        report,
        file_name="imbalance_lab_report.html",
        mime="text/html",
        key="download_html",
        icon=":material/description:",
        width="stretch",
        on_click="ignore",
        help="The run shown above as one offline file: recommendation first, then metrics, operating points, "
        "charts, warnings, and the settings last.",
    )
    clear_column.button(
        "Clear runs",
        key="clear_runs",
        on_click=store.clear_runs,
        icon=":material/delete_sweep:",
        width="stretch",
        help="Forget every run of this session (on every dataset). The loaded data stays.",
    )


def _report_settings() -> dict:
    """Per-session settings the HTML report reads when it is built (on click)."""
    return RESULTS.setdefault("report_settings", {"threshold": DEFAULT_THRESHOLD})


def _use_tuned(threshold: float) -> None:
    RESULTS.threshold = round(min(1.0, max(0.0, threshold)), 3)


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
        0.0,
        1.0,
        step=0.001,
        format="%.3f",
        key=keys.THRESHOLD_WIDGET.name,
        persist_state="session",
    )
    _report_settings()["threshold"] = threshold
    links.sync_url()  # a fragment rerun skips app.py, so the link follows the slider here
    tuned = [entry for entry in usable if entry.result.tuned_threshold is not None]
    if tuned:
        names = [entry.name for entry in tuned]
        chosen = tuned_column.selectbox("Tuned threshold of", names, key="tuned_from", persist_state="session")
        entry = tuned[names.index(chosen)] if chosen in names else tuned[0]
        tuned_column.button(
            f"Set slider to {threshold_text(entry.result.tuned_threshold)}",
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
            "Threshold": st.column_config.NumberColumn(format="%.3f"),
            "Tuned threshold": st.column_config.NumberColumn(format="%.3f"),
        },
    )
    _confusions(usable, threshold, f"Confusion matrices at threshold {threshold_text(threshold)} (rows: true class)")
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
            format_func=visible,
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


RECALIBRATION_WIDGET = keys.RECALIBRATION.name


def recalibration_section(usable: list, comparison) -> None:
    """Read probabilities as risks again: a recalibration fitted on each fold's validation rows only."""
    st.subheader("Probabilities as risks")
    st.caption(
        "Resampling and class weights push scores away from real risks (points below the diagonal). A "
        "recalibration is fitted on each fold's validation rows, which keep the real class ratio, and applied to "
        "its test rows; ranking metrics barely move, the Brier score and the calibration curve do."
    )
    method = st.radio(
        "Recalibration",
        list(METHODS),
        format_func=lambda name: f"{name}: {METHODS[name]}",
        key=RECALIBRATION_WIDGET,
        index=0,
    )
    if method == "none":
        return
    after, failures = [], []
    for entry in usable:
        try:
            after.append(NamedResult(entry.name, recalibrated(entry.result, method, comparison.labels), comparison))
        except Exception as error:  # InputError: e.g. a fold's validation rows hold one class only
            failures.append(f"{entry.name}: {error}")
    for failure in failures:
        st.warning(plain(failure), icon=":material/warning:")
    before_column, after_column = st.columns(2)
    before_column.plotly_chart(
        charts.calibration_figure(usable, 1, str(comparison.labels[1])), width="stretch", key="chart_calibration_before"
    )
    after_column.plotly_chart(
        charts.calibration_figure(after, 1, f"{comparison.labels[1]} after {method}"),
        width="stretch",
        key="chart_calibration_after",
    )
    brier = pd.DataFrame(
        [
            {
                "Technique": entry.name,
                "Brier before": entry.result.metrics["brier"],
                f"Brier after {method}": recalibrated_entry.result.metrics["brier"],
                "PR-AUC before": entry.result.metrics["pr_auc"],
                f"PR-AUC after {method}": recalibrated_entry.result.metrics["pr_auc"],
            }
            for entry, recalibrated_entry in zip(usable, after, strict=False)
            if entry.name == recalibrated_entry.name
        ]
    )
    if not brier.empty:
        st.dataframe(brier.set_index("Technique"), width="stretch")
        st.caption(
            "Brier score: mean squared error of the probabilities on test rows, mean over folds (lower is better)."
        )
