"""Tables and words for people, and the self-contained HTML report that opens offline.

The metric table and the verdict are shared by the dashboard and the report, so both say the same
thing. The report embeds plotly.js once (inline, no CDN), and every piece of user text (file name,
column names, class labels) goes through html.escape.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from imbal_core import charts
from imbal_core.charts import HEADLINE_ORDER, METRIC_LABELS, NamedResult
from imbal_core.metric_names import LOWER_IS_BETTER

MISSING = "—"


# --- words ---------------------------------------------------------------------------------------


def severity(imbalance_ratio: float) -> str:
    """A plain word for an imbalance ratio (largest class / smallest class)."""
    if imbalance_ratio < 1.5:
        return "balanced"
    if imbalance_ratio < 4:
        return "mildly imbalanced"
    if imbalance_ratio < 20:
        return "imbalanced"
    if imbalance_ratio < 100:
        return "strongly imbalanced"
    return "extremely imbalanced"


def imbalance_verdict(profile: Mapping) -> str:
    """One sentence on what the imbalance means, e.g. "1 in 40 rows is 'fraud': a model that always
    answers 'legit' scores 97.5% accuracy and catches nothing."

    `profile` is DatasetProfile.to_dict() (rows, class_counts, minority_class, majority_class).
    """
    counts = {str(label): int(count) for label, count in profile["class_counts"].items()}
    rows = max(sum(counts.values()), 1)
    minority, majority = str(profile["minority_class"]), str(profile["majority_class"])
    one_in = max(1, round(rows / max(counts[minority], 1)))
    accuracy = counts[majority] / rows
    if len(counts) == 2:
        return (
            f"1 in {one_in:,} rows is '{minority}': a model that always answers '{majority}' scores "
            f"{accuracy:.1%} accuracy and catches none of the '{minority}' rows."
        )
    others = len(counts) - 1
    return (
        f"The rarest class, '{minority}', is 1 in {one_in:,} rows: a model that always answers '{majority}' "
        f"scores {accuracy:.1%} accuracy and never finds any of the other {others} classes."
    )


def protocol_text(comparison) -> str:
    """Short description of how a run split its rows and trained, e.g. "quick split (25% test), seed 0"."""
    protocol = comparison.protocol
    if protocol.mode == "quick":
        split = f"quick split ({protocol.test_size:.0%} test)"
    else:
        split = f"{protocol.folds}-fold" + (f" x {protocol.repeats}" if protocol.repeats > 1 else "")
    return f"{split}, seed {protocol.seed}, max {comparison.settings.max_epochs} epochs"


# --- tables --------------------------------------------------------------------------------------


@dataclass
class MetricTable:
    """The comparison table: display strings, the numbers behind them and which cell is best per column."""

    display: pd.DataFrame
    means: pd.DataFrame
    best: pd.DataFrame


def metric_table(named: Sequence[NamedResult]) -> MetricTable:
    """Mean (± std over folds when there are several) per technique, headline metrics first, accuracy last."""
    multiclass = any(len(entry.comparison.labels) > 2 for entry in named)
    headers = {name: _header(name, multiclass) for name in HEADLINE_ORDER}
    display_rows, mean_rows, index = [], [], []
    for entry in named:
        result = entry.result
        folds = len(result.fold_metrics)
        row, means = {}, {}
        for name in HEADLINE_ORDER:
            mean = result.metrics.get(name, math.nan) if result.fold_metrics else math.nan
            std = result.metrics_std.get(name, math.nan) if result.fold_metrics else math.nan
            means[headers[name]] = mean
            row[headers[name]] = _mean_std(mean, std, folds)
        tuned = result.tuned_threshold
        row["Tuned threshold"] = MISSING if tuned is None else f"{tuned:.2f}"
        row["Protocol"] = protocol_text(entry.comparison)
        row["Fit seconds"] = f"{result.fit_seconds:.1f}"
        row["Notes"] = result.failed or " | ".join(result.notes)
        display_rows.append(row)
        mean_rows.append(means)
        index.append(entry.name)
    display = pd.DataFrame(display_rows, index=pd.Index(index, name="Technique"))
    means = pd.DataFrame(mean_rows, index=display.index, columns=list(headers.values()), dtype=float)
    best = pd.DataFrame(False, index=display.index, columns=display.columns)
    for name, header in headers.items():
        if name == "accuracy":
            continue  # never celebrate the misleading number
        column = means[header]
        if column.notna().sum() < 2:
            continue
        target = column.min() if name in LOWER_IS_BETTER else column.max()
        best[header] = np.isclose(column, target, rtol=0, atol=5e-4) & column.notna()
    return MetricTable(display, means, best)


def _header(name: str, multiclass: bool) -> str:
    label = METRIC_LABELS[name]
    if multiclass and name in ("precision", "recall", "f1", "pr_auc", "roc_auc"):
        label += " (macro)"
    if name in LOWER_IS_BETTER:
        label += " ↓"
    return label


def _mean_std(mean: float, std: float, folds: int) -> str:
    if mean is None or not math.isfinite(mean):
        return MISSING
    if folds > 1 and std is not None and math.isfinite(std):
        return f"{mean:.3f} ± {std:.3f}"
    return f"{mean:.3f}"


def accuracy_header(table: MetricTable) -> str:
    return next(column for column in table.display.columns if column.startswith("Accuracy"))


def threshold_table(named: Sequence[NamedResult], threshold: float) -> pd.DataFrame:
    """Minority precision, recall and F1 at `threshold` (mean over test folds, as in the metric table)
    and the confusion counts (each test row once: the folds of the first repeat).

    Binary only: computed from stored probabilities, so moving the threshold never retrains.
    """
    rows = []
    for entry in named:
        if not entry.usable:
            continue
        result = entry.result
        values = result.metrics_at(threshold)
        (true_negative, false_positive), (false_negative, true_positive) = result.confusion_at(threshold)
        tuned = result.tuned_threshold
        rows.append(
            {
                "Technique": entry.name,
                "Threshold": round(threshold, 2),
                "Precision": values["precision"],
                "Recall": values["recall"],
                "F1": values["f1"],
                "Caught (TP)": int(true_positive),
                "False alarms (FP)": int(false_positive),
                "Missed (FN)": int(false_negative),
                "Correct rejections (TN)": int(true_negative),
                "Tuned threshold": math.nan if tuned is None else round(tuned, 2),
            }
        )
    return pd.DataFrame(rows).set_index("Technique") if rows else pd.DataFrame()


def curve_class_index(comparison, profile: Mapping | None = None) -> int:
    """Which class the ROC/PR/calibration curves are drawn for: the minority (code 1 when binary)."""
    labels = list(comparison.labels)
    if len(labels) == 2:
        return 1
    minority = (profile or comparison.dataset).get("minority_class")
    return labels.index(minority) if minority in labels else 0


# --- the report ----------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1f2933; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d9e2ec; padding-bottom: 0.3rem; }
.meta { color: #52606d; } .verdict { background: #f0f4f8; padding: 0.8rem 1rem; border-left: 4px solid #0072B2; }
.warning { background: #fff8e1; padding: 0.5rem 1rem; border-left: 4px solid #E69F00; margin: 0.4rem 0; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #d9e2ec; padding: 0.35rem 0.6rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; } th { background: #f5f7fa; }
td.best { font-weight: 700; background: #e3f9e5; } .muted { color: #7b8794; }
td { white-space: nowrap; } td.notes, td.wrap { white-space: normal; }
td.notes { text-align: left; max-width: 28rem; font-size: 0.85rem; color: #52606d; }
.table-wrap { overflow-x: auto; }
pre { background: #f5f7fa; padding: 0.6rem; overflow-x: auto; font-size: 0.85rem; }
.grid { display: flex; flex-wrap: wrap; gap: 1rem; } .grid > div { flex: 1 1 360px; }
"""


def build_report(
    dataset_name: str,
    profile: Mapping,
    named: Sequence[NamedResult],
    threshold: float = 0.5,
    generated_at: datetime | None = None,
) -> str:
    """A complete HTML page: settings, dataset profile, metric table and charts; opens offline.

    `profile` is DatasetProfile.to_dict(); `named` are the results to report (see charts.name_results).
    """
    generated_at = generated_at or datetime.now(UTC)
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Imbalance Lab report: {escape(dataset_name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Imbalance Lab report: {escape(dataset_name)}</h1>",
        f'<p class="meta">Generated {escape(generated_at.strftime("%Y-%m-%d %H:%M UTC"))} · '
        f"{len(named)} technique result(s) · threshold {threshold:.2f}</p>",
    ]
    parts += _profile_section(profile)
    usable = [entry for entry in named if entry.usable]
    parts += _settings_section(named)
    parts += _metrics_section(named, threshold)
    parts += _charts_section(profile, usable, threshold)
    parts.append("</body></html>")
    return "\n".join(parts)


def _profile_section(profile: Mapping) -> list[str]:
    escape = html.escape
    counts = {str(label): int(count) for label, count in profile["class_counts"].items()}
    total = max(sum(counts.values()), 1)
    ratio = float(profile["imbalance_ratio"])
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{count:,}</td><td>{count / total:.2%}</td></tr>"
        for label, count in counts.items()
    )
    parts = [
        "<h2>Dataset</h2>",
        "<table>",
        f"<tr><th>Rows</th><td>{int(profile['rows']):,}</td></tr>",
        f"<tr><th>Features used</th><td>{int(profile.get('features', 0)):,}</td></tr>",
        f"<tr><th>Target</th><td>{escape(str(profile['target']))}</td></tr>",
        f"<tr><th>Minority class</th><td>{escape(str(profile['minority_class']))}</td></tr>",
        f"<tr><th>Imbalance ratio</th><td>{ratio:,.1f} : 1 ({escape(severity(ratio))})</td></tr>",
        "</table>",
        f'<p class="verdict">{escape(imbalance_verdict(profile))}</p>',
        "<table><tr><th>Class</th><th>Rows</th><th>Share</th></tr>" + rows + "</table>",
    ]
    for warning in profile.get("warnings", []):
        parts.append(f'<p class="warning">{escape(str(warning))}</p>')
    return parts


def _settings_section(named: Sequence[NamedResult]) -> list[str]:
    escape = html.escape
    parts = ["<h2>Settings</h2>"]
    comparisons = []
    for entry in named:
        if all(entry.comparison is not seen for seen in comparisons):
            comparisons.append(entry.comparison)
    for number, comparison in enumerate(comparisons, start=1):
        techniques = [result.spec.to_json() for result in comparison.results]
        document = {
            "protocol": comparison.protocol.to_json(),
            "model": comparison.settings.to_json(),
            "techniques": techniques,
        }
        parts.append(f"<h3>Run {number}: {escape(protocol_text(comparison))}</h3>")
        parts.append(f"<pre>{escape(json.dumps(document, indent=2, default=str))}</pre>")
    return parts


def _metrics_section(named: Sequence[NamedResult], threshold: float) -> list[str]:
    escape = html.escape
    table = metric_table(named)
    accuracy = accuracy_header(table)
    headers = "".join(
        f'<th class="muted">{escape(column)}</th>' if column == accuracy else f"<th>{escape(column)}</th>"
        for column in table.display.columns
    )
    body = []
    for name, row in table.display.iterrows():
        cells = [f"<td>{escape(str(name))}</td>"]
        for column, value in row.items():
            classes = []
            if table.best.loc[name, column]:
                classes.append("best")
            if column == accuracy:
                classes.append("muted")
            if column == "Notes":
                classes.append("notes")
            if column == "Protocol":
                classes.append("wrap")
            attribute = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attribute}>{escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    parts = [
        "<h2>Metrics</h2>",
        "<p>Means over test folds at threshold 0.5 (± one standard deviation when there are several folds). "
        "Bold: best in its column. Accuracy comes last on purpose: on imbalanced data it rewards ignoring "
        "the rare class.</p>",
        f"<div class='table-wrap'><table><tr><th>Technique</th>{headers}</tr>{''.join(body)}</table></div>",
    ]
    binary = [entry for entry in named if entry.usable and len(entry.comparison.labels) == 2]
    if binary:
        at_threshold = threshold_table(binary, threshold)
        parts.append(f"<h3>At threshold {threshold:.2f} (pooled test rows)</h3>")
        parts.append(_frame_html(at_threshold))
    return parts


def _frame_html(frame: pd.DataFrame) -> str:
    escape = html.escape
    headers = "".join(f"<th>{escape(str(column))}</th>" for column in [frame.index.name or "", *frame.columns])
    rows = []
    # As objects, so a row mixing counts and rates keeps its integers integers.
    for name, row in frame.astype(object).iterrows():
        cells = [f"<td>{escape(str(name))}</td>"]
        for value in row:
            if isinstance(value, float):
                text = MISSING if not math.isfinite(value) else f"{value:.3f}"
            else:
                text = f"{value:,}" if isinstance(value, (int, np.integer)) else str(value)
            cells.append(f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<div class='table-wrap'><table><tr>{headers}</tr>{''.join(rows)}</table></div>"


def _charts_section(profile: Mapping, usable: Sequence[NamedResult], threshold: float) -> list[str]:
    figures = [charts.class_histogram(profile["class_counts"], "Rows per class", profile["minority_class"])]
    confusions = []
    if usable:
        first = usable[0].comparison
        class_index = curve_class_index(first, profile)
        class_label = str(first.labels[class_index])
        figures += [
            charts.metric_bars(usable),
            charts.roc_figure(usable, class_index, class_label),
            charts.pr_figure(usable, class_index, class_label),
            charts.calibration_figure(usable, class_index, class_label),
            charts.training_curves_figure(usable),
        ]
        for entry in usable:
            binary = len(entry.comparison.labels) == 2
            at = threshold if binary else 0.5
            title = f"{entry.name}" + (f" at threshold {at:.2f}" if binary else "")
            confusions.append(charts.confusion_figure(entry.result.confusion_at(at), entry.comparison.labels, title))
    parts = ["<h2>Charts</h2>"]
    first_chart = True
    for figure in figures:
        parts.append(f"<div>{_figure_html(figure, first_chart)}</div>")
        first_chart = False
    if confusions:
        parts.append("<h3>Confusion matrices (rows: true class, columns: predicted)</h3><div class='grid'>")
        for figure in confusions:
            parts.append(f"<div>{_figure_html(figure, first_chart)}</div>")
            first_chart = False
        parts.append("</div>")
    return parts


def _figure_html(figure, include_plotlyjs: bool) -> str:
    # The first chart carries plotly.js inline (no CDN), so the file works with no network at all.
    return figure.to_html(
        full_html=False, include_plotlyjs=bool(include_plotlyjs), config={"displaylogo": False, "responsive": True}
    )
