"""Tables and words for people, and the self-contained HTML report that opens offline.

`comparison_report` is the one entry point: the CLI (`compare --html`) and the dashboard's download
both call it, so both write the same page. The page is a view of the engine's decision objects
(imbal_core.decision: costs, operating points, warnings, recommendation), in the order a reader needs
them: summary and recommendation, metric table, operating points, curves and confusion matrices,
warnings and the dataset, and the settings last as an appendix.

The metric table and the verdict are shared by the dashboard and the report, so both say the same
thing. Tables are rendered by pandas' Styler; plotly.js is embedded once (inline, no CDN); every
piece of user text (file name, column names, class labels, notes) goes through html.escape.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from numbers import Real

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from imbal_core.decide.costs import Costs, default_costs, unsupported_reason
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.decide.thresholds import mean_cost_curve
from imbal_core.decide.warnings import comparison_warnings
from imbal_core.errors import InputError
from imbal_core.present import charts
from imbal_core.present.result_names import NamedResult, is_reference
from imbal_core.present.result_tables import (
    HIGHLIGHT_RULE,
    MISSING,
    MetricTable,
    accuracy_header,
    curve_class_index,
    mean_std,
    metric_table,
    report_names,
)
from imbal_core.present.verdict_words import imbalance_verdict, protocol_words, severity
from imbal_core.run.metric_names import threshold_text
from imbal_core.techniques.catalogue import BASELINE_ID

# Curves with more points than this are thinned for the report (a PR curve over 20,000 rows has 20,000).
CURVE_POINT_LIMIT = 400
CURVE_TOLERANCE = 0.002  # in units of the axis range: about one pixel on a 500-pixel chart
_FLOAT_DIGITS = 4

# --- the report ----------------------------------------------------------------------------------

_STYLE = """
html { scrollbar-gutter: stable; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1f2933; padding: 0 1rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #d9e2ec; padding-bottom: 0.3rem; }
.meta, .caption, figcaption { color: #52606d; } .caption, figcaption { font-size: 0.9rem; }
.verdict { background: #f0f4f8; padding: 0.8rem 1rem; border-left: 4px solid #0072B2; }
.recommendation { background: #e3f9e5; padding: 0.8rem 1rem; border-left: 4px solid #009E73; font-size: 1.05rem; }
.recommendation.unsure { background: #f0f4f8; border-left-color: #0072B2; }
.no-recommendation { background: #f0f4f8; padding: 0.8rem 1rem; border-left: 4px solid #7b8794; }
.warning, ul.warnings li { background: #fff8e1; padding: 0.45rem 0.8rem; border-left: 4px solid #E69F00;
       margin: 0.4rem 0; list-style: none; }
ul.warnings { padding-left: 0; } code { font-size: 0.85rem; background: #f5f7fa; padding: 0 0.25rem; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 0.8rem 0; }
table { border-collapse: collapse; font-size: 0.86rem; }
th, td { border: 1px solid #d9e2ec; padding: 0.3rem 0.45rem; text-align: right; vertical-align: top; }
th { background: #f5f7fa; } th.row_heading, th.index_name, th.blank { text-align: left; }
td { white-space: nowrap; } #T_metrics td, #T_operating td { white-space: normal; min-width: 4.2rem; }
td.text { white-space: normal; text-align: left; min-width: 12rem; max-width: 32rem; }
td.best { font-weight: 700; background: #e3f9e5; } .muted { color: #7b8794; }
tr.reference th, td.reference { font-style: italic; color: #52606d; }
td.chosen { background: #e3f9e5; }
.charts { display: grid; gap: 1.2rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); }
.charts.confusions { grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
.charts > figure { margin: 0; min-width: 0; } .charts > figure.wide { grid-column: 1 / -1; }
.charts .plotly-graph-div { width: 100%; }
"""

# Plotly sizes a chart to its container when it is drawn; a container that changes width later (a
# scrollbar appearing, a window resized) would leave the drawn chart too wide, so every chart follows
# its container's size.
_RESIZE_SCRIPT = """
<script>
(function () {
  if (!window.Plotly || !window.ResizeObserver) { return; }
  var observer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.target._fullLayout) { window.Plotly.Plots.resize(entry.target); }
    });
  });
  document.querySelectorAll(".js-plotly-plot").forEach(function (plot) { observer.observe(plot); });
})();
</script>
"""

_RULE_WORDS = {
    "cost": "the lowest expected cost",
    "recall": "the highest threshold that holds recall at {target:.0%}",
    "budget": "the lowest threshold that raises at most {target:g} alerts per 1,000 cases",
}


def comparison_report(
    comparison,
    dataset_name: str,
    threshold: float = 0.5,
    costs=None,
    rule: str = "cost",
    target: float | None = None,
    profile: Mapping | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The offline HTML report of one comparison, as one string (the CLI's `--html` and the dashboard's download).

    `threshold` is the shared threshold of the metric table and the confusion matrices; each technique's
    own operating point follows `rule` ('cost', 'recall' with `target` recall, 'budget' with `target`
    alerts per 1,000 cases; see choose_threshold). `costs` defaults to the comparison's, else the
    generic defaults; `profile` (DatasetProfile.to_dict()) to the comparison's dataset summary.
    """

    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not 0 <= threshold <= 1:
        raise InputError(f"The report's threshold must be a number between 0 and 1; got {threshold!r}.")
    threshold = float(threshold)
    costs = _resolve_costs(costs if costs is not None else getattr(comparison, "costs", None))
    profile = _full_profile(profile if profile is not None else comparison.dataset)
    named = report_names(comparison)
    usable = [entry for entry in named if entry.usable]
    points = operating_points(comparison, costs, rule, target)
    recommendation = recommend(comparison, points, costs) if points else None
    warnings = comparison_warnings(comparison)
    generated_at = generated_at or datetime.now(UTC)
    escape = html.escape
    figures = _Figures()
    rows = int(profile.get("rows", 0) or 0)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Imbalance Lab report: {escape(dataset_name)}</title>",
        f"<style>{_STYLE}</style>",
        _plotly_bundle(),
        "</head><body>",
        f"<h1>Imbalance Lab report: {escape(dataset_name)}</h1>",
        '<p class="meta">'
        + " · ".join(
            escape(part)
            for part in (
                f"Dataset {dataset_name}",
                f"{rows:,} rows",
                f"target {profile.get('target', '')}",
                protocol_words(comparison),
                f"{len(named)} technique result(s)",
                f"generated {generated_at.strftime('%Y-%m-%d %H:%M UTC')}",
            )
        )
        + "</p>",
    ]
    parts += _summary_section(comparison, named, points, recommendation, warnings, costs, rule, target)
    parts += _metrics_section(named, threshold, warnings)
    parts += _operating_section(comparison, named, points, recommendation, costs, rule, target, figures)
    parts += _charts_section(comparison, profile, usable, threshold, figures)
    parts += _warnings_section(comparison, warnings, profile)
    parts += _profile_section(profile, figures)
    parts += _settings_section(comparison, named, costs, rule, target)
    parts.append(_RESIZE_SCRIPT)
    parts.append("</body></html>")
    return "\n".join(parts)


def _resolve_costs(costs):

    if costs is None:
        return default_costs(None)[0]
    if isinstance(costs, Mapping):
        return Costs.from_json(dict(costs))
    return costs


def _full_profile(profile: Mapping) -> dict:
    """The dataset summary with the keys the report reads, filled in when a run's summary lacks them."""
    full = dict(profile or {})
    counts = {str(label): int(count) for label, count in dict(full.get("class_counts", {})).items()}
    full["class_counts"] = counts
    if counts:
        full.setdefault("majority_class", max(counts, key=counts.get))
        full.setdefault("minority_class", min(counts, key=counts.get))
        smallest = max(min(counts.values()), 1)
        full.setdefault("imbalance_ratio", max(counts.values()) / smallest)
        full.setdefault("rows", sum(counts.values()))
    return full


def _plotly_bundle() -> str:
    # Once, in the head, inline: the file opens with no network at all.
    return (
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script charset="utf-8">{get_plotlyjs()}</script>'
    )


class _Figures:
    """Renders figures as divs with stable ids, curves thinned to what a screen can show."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, figure, caption: str = "", wide: bool = False) -> str:
        self.count += 1
        _thin_curves(figure)
        body = figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{self.count}",
            config={"displaylogo": False, "responsive": True},
        )
        classes = ' class="wide"' if wide else ""
        text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        return f"<figure{classes}>{body}{text}</figure>"


def _thin_curves(figure) -> None:
    """Drop curve points closer than about a pixel to the last kept one, and round to 4 decimals.

    ROC and PR curves carry a point per distinct score (tens of thousands on a large table); on a
    500-pixel chart a few hundred draw the same line, and the file stays small.
    """
    for trace in figure.data:
        if trace.type != "scatter" or trace.x is None or trace.y is None or len(trace.x) <= CURVE_POINT_LIMIT:
            continue
        try:
            x = np.asarray(trace.x, dtype=float)
            y = np.asarray(trace.y, dtype=float)
        except (TypeError, ValueError):
            continue  # categorical axis: leave it alone
        keep = _kept_points(x, y)
        trace.x = np.round(x[keep], _FLOAT_DIGITS).tolist()
        trace.y = np.round(y[keep], _FLOAT_DIGITS).tolist()


def _kept_points(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    span_x = np.nanmax(x) - np.nanmin(x) if np.isfinite(x).any() else 0.0
    span_y = np.nanmax(y) - np.nanmin(y) if np.isfinite(y).any() else 0.0
    step_x, step_y = CURVE_TOLERANCE * (span_x or 1.0), CURVE_TOLERANCE * (span_y or 1.0)
    keep = [0]
    last_x, last_y = x[0], y[0]
    for index in range(1, len(x) - 1):
        if not (abs(x[index] - last_x) < step_x and abs(y[index] - last_y) < step_y):
            keep.append(index)
            last_x, last_y = x[index], y[index]
    keep.append(len(x) - 1)
    return np.asarray(keep)


# --- sections ------------------------------------------------------------------------------------


def _summary_section(comparison, named, points, recommendation, warnings, costs, rule, target) -> list[str]:

    escape = html.escape
    parts = ['<section id="summary">', "<h2>Summary</h2>"]
    qualifying = list(warnings)
    reason = unsupported_reason(comparison)
    usable = [entry for entry in named if entry.usable]
    if reason is not None:
        parts.append(f'<p class="no-recommendation">{escape(reason)}</p>')
        best = _best_by(usable, "pr_auc")
        if best is not None:
            parts.append(f"<p>{escape(_best_pr_auc_words(best, usable))}</p>")
            qualifying = [item for item in warnings if item.technique in (None, best.result.spec.label)]
    elif recommendation is not None:
        # Green only when the engine is confident, as on the dashboard; otherwise a neutral blue.
        kind = "recommendation" if recommendation.confident else "recommendation unsure"
        parts.append(f'<p class="{kind}">{escape(recommendation.text)}</p>')
        sure = (
            "The runner-up is beaten beyond the uncertainty."
            if recommendation.confident
            else "Not confident: the runner-up is within the uncertainty, or the rows are few."
        )
        parts.append(f"<p><strong>How sure:</strong> {escape(sure)} {escape(_costs_words(costs, rule, target))}</p>")
        if recommendation.checks:
            parts.append("<p><strong>Check before deploying:</strong></p><ul>")
            parts += [f"<li>{escape(check)}</li>" for check in recommendation.checks]
            parts.append("</ul>")
        qualifying = [item for item in warnings if item.technique in (None, recommendation.technique)]
    else:
        parts.append(f'<p class="no-recommendation">{escape(_no_recommendation_words(usable, points))}</p>')
        best = _best_by(usable, "pr_auc")
        if best is not None:
            parts.append(f"<p>{escape(_best_pr_auc_words(best, usable))}</p>")
    if qualifying:
        parts.append("<p><strong>Warnings that qualify this:</strong></p>")
        parts.append(_warning_list(qualifying))
    elif usable:
        parts.append('<p class="caption">No warning applies to this summary.</p>')
    parts.append("</section>")
    return parts


def _no_recommendation_words(usable, points) -> str:
    if not usable:
        return "No recommendation: every technique failed, so there is nothing to compare (see the notes below)."
    if not points:
        return (
            "No recommendation: these results carry no validation rows, so no threshold can be chosen without "
            "looking at the test rows. Train again to get each technique's operating point."
        )
    return "No recommendation: only reference learners have an operating point; they are never recommended."


def _best_by(usable: Sequence[NamedResult], metric: str) -> NamedResult | None:
    candidates = [
        entry
        for entry in usable
        if not is_reference(entry.result) and math.isfinite(entry.result.metrics.get(metric, math.nan))
    ]
    return max(candidates, key=lambda entry: entry.result.metrics[metric], default=None)


def _best_pr_auc_words(best: NamedResult, usable: Sequence[NamedResult]) -> str:

    folds = len(best.result.fold_metrics)
    value = mean_std(best.result.metrics["pr_auc"], best.result.metrics_std.get("pr_auc", math.nan), folds)
    scope = " (macro average over classes)" if len(best.comparison.labels) > 2 else ""
    where = f"mean over {folds} test folds" if folds > 1 else "on the test rows"
    words = f"Highest PR-AUC{scope}: {best.name}, {value} ({where})."
    baseline = next(
        (e for e in usable if e.result.spec.technique_id == BASELINE_ID and not is_reference(e.result)), None
    )
    if baseline is not None and baseline is not best:
        base = mean_std(baseline.result.metrics["pr_auc"], baseline.result.metrics_std.get("pr_auc", math.nan), folds)
        words += f" The baseline scored {base}."
    return words


def _costs_words(costs, rule: str, target: float | None) -> str:
    chosen = _RULE_WORDS.get(rule, rule).format(target=target if target is not None else math.nan)
    return (
        f"Costs: a false alarm {_amount(costs.false_alarm)}, a miss {_amount(costs.miss)}"
        + (f", value of a catch {_amount(costs.catch_value)}" if costs.catch_value else "")
        + f"; {_amount(costs.volume)} cases a {costs.period}. Each threshold gives {chosen} on validation rows."
    )


def _warning_list(warnings) -> str:
    escape = html.escape
    items = "".join(f"<li><code>{escape(item.code)}</code> {escape(item.message)}</li>" for item in warnings)
    return f'<ul class="warnings">{items}</ul>'


def _metrics_section(named: Sequence[NamedResult], threshold: float, warnings: Sequence = ()) -> list[str]:
    """The metric table, then what qualifies its rows: failures, notes and each technique's own warnings."""
    escape = html.escape
    multiclass = bool(named) and len(named[0].comparison.labels) > 2
    title = (
        "Metrics (most probable class predicted)" if multiclass else f"Metrics at threshold {threshold_text(threshold)}"
    )
    parts = ['<section id="metrics">', f"<h2>{title}</h2>"]
    if not named:
        return [*parts, "<p>No results.</p>", "</section>"]
    folds = max((len(entry.result.fold_metrics) for entry in named), default=0)
    spread = f"means over {folds} test folds ± one standard deviation" if folds > 1 else "one test split"
    scope = (
        "Precision, recall and F1 are macro averages over classes; each row is predicted as its most probable "
        "class (argmax), so no threshold applies."
        if multiclass
        else f"Precision, recall and F1 are those of the minority class; a row is flagged when its score is at "
        f"least {threshold_text(threshold)} (the headers marked @{threshold_text(threshold)})."
    )
    parts.append(
        f'<p class="caption">{escape(spread.capitalize())}. {escape(scope)} {escape(HIGHLIGHT_RULE)} Accuracy comes '
        "last on purpose: on imbalanced data it rewards ignoring the rare class.</p>"
    )
    table = metric_table(named, threshold, details=False)
    parts.append(_metric_table_html(table, named))
    notes = [
        (entry.name, note)
        for entry in named
        for note in ([f"Failed: {entry.result.failed}"] if entry.result.failed else []) + list(entry.result.notes)
    ]
    if notes:
        parts.append("<p><strong>Notes on the techniques:</strong></p><ul>")
        parts += [f"<li>{escape(name)}: {escape(note)}</li>" for name, note in notes]
        parts.append("</ul>")
    labels = {entry.result.spec.label: entry.name for entry in named}
    own = [item for item in warnings if item.technique in labels]
    if own:  # beside the rows they qualify; warnings about the whole comparison lead the summary
        parts.append("<p><strong>Warnings about single techniques:</strong></p>")
        parts.append(_warning_list(own))
    parts.append("</section>")
    return parts


def _metric_table_html(table: MetricTable, named: Sequence[NamedResult]) -> str:
    accuracy = accuracy_header(table)
    classes = pd.DataFrame("", index=table.display.index, columns=table.display.columns)
    classes = classes.mask(table.best, "best")
    classes[accuracy] = "muted"
    references = set(table.references)
    for name in references:
        classes.loc[name] = (classes.loc[name] + " reference").str.strip()
    styler = _styler(table.display, "metrics").set_td_classes(classes)
    styler = styler.map_index(lambda column: "color: #7b8794" if column == accuracy else "", axis=1)
    styler = styler.map_index(lambda name: "font-style: italic" if name in references else "", axis=0)
    return _table_html(styler)


def _styler(frame: pd.DataFrame, uuid: str):
    """A Styler that escapes every cell, row name and header (user text stays text).

    The index name moves to the top-left header cell, so it takes no header row of its own.
    """
    # "0.416 ± 0.075" may wrap before the ± (never after it) when a narrow window squeezes the table.
    frame = frame.map(lambda value: value.replace(" ± ", " ±\u00a0") if isinstance(value, str) else value)
    if frame.index.name is not None:
        frame.columns.name = html.escape(str(frame.index.name))  # Styler does not escape names
        frame.index.name = None
    return (
        frame.style.set_uuid(uuid)
        .format(escape="html", na_rep=MISSING)
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
    )


def _table_html(styler) -> str:
    return f'<div class="table-wrap">{styler.to_html()}</div>'


def _key_value_html(rows: Sequence[tuple[str, object]], uuid: str, header: str = "Value") -> str:
    frame = pd.DataFrame({header: [_plain(value) for _, value in rows]}, index=[name for name, _ in rows])
    classes = pd.DataFrame("text", index=frame.index, columns=frame.columns)
    return _table_html(_styler(frame, uuid).set_td_classes(classes).hide(axis="columns"))


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(item) for item in value)
    if value is None:
        return MISSING
    return str(value)


def _operating_section(comparison, named, points, recommendation, costs, rule, target, figures: _Figures) -> list[str]:

    escape = html.escape
    parts = ['<section id="operating-points">', "<h2>Each technique at its own threshold</h2>"]
    reason = unsupported_reason(comparison)
    if reason is not None:
        return [*parts, f"<p>{escape(reason)}</p>", "</section>"]
    if not points:
        usable = [entry for entry in named if entry.usable]
        return [*parts, f"<p>{escape(_no_recommendation_words(usable, points))}</p>", "</section>"]
    folds = max(len(point.fold_thresholds) for point in points)
    chosen = _RULE_WORDS.get(rule, rule).format(target=target if target is not None else math.nan)
    spread = (
        f"Every figure is measured at that one threshold on the test rows of all {folds} folds together; ± is one "
        "standard deviation of the same figure over folds at that threshold, and the threshold's ± is how far "
        "each fold's validation rows alone would move it."
        if folds > 1
        else "Figures come from one test split (no fold spread)."
    )
    where = "the validation rows of all folds together" if folds > 1 else "the validation rows"
    parts.append(
        '<p class="caption">'
        + escape(
            f"How thresholds were chosen: one threshold per technique, on {where} only (the slice carved from "
            f"each fold's training rows before any resampling, at the real class ratio): each technique gets "
            f"{chosen}. {spread} Per-{costs.period} figures scale the test rows to {_amount(costs.volume)} cases a "
            f"{costs.period}. {_costs_words(costs, rule, target)}"
        )
        + "</p>"
    )
    period = costs.period
    names = {entry.result.spec.label: entry.name for entry in named}
    by_index = {index: entry.name for index, entry in enumerate(named)}
    rows, index = [], []
    several = folds > 1
    for point in points:
        name = by_index.get(point.result_index, names.get(point.technique, point.name))
        std = point.std
        rows.append(
            {
                "Threshold": _spread(point.threshold, point.threshold_std, several, 3),
                "Expected cost / 1,000 cases": _spread(
                    point.expected_cost_per_1000, std.get("expected_cost_per_1000"), several
                ),
                f"Cost per {period}": _spread(point.cost_per_period, std.get("cost_per_period"), several),
                f"Alerts per {period}": _spread(point.alerts_per_period, std.get("alerts_per_period"), several),
                f"Caught per {period}": _spread(point.caught_per_period, std.get("caught_per_period"), several),
                f"Missed per {period}": _spread(point.missed_per_period, std.get("missed_per_period"), several),
                f"False alarms per {period}": _spread(
                    point.false_alarms_per_period, std.get("false_alarms_per_period"), several
                ),
                "Recall": _spread(point.recall, std.get("recall"), several, 3, fixed=True),
                "Precision": _spread(point.precision, std.get("precision"), several, 3, fixed=True),
            }
        )
        index.append(name)
    frame = pd.DataFrame(rows, index=pd.Index(index, name="Technique"))
    classes = pd.DataFrame("", index=frame.index, columns=frame.columns)
    references = {index[position] for position, point in enumerate(points) if point.reference}
    recommended = None
    if recommendation is not None:
        recommended = next(
            (index[position] for position, point in enumerate(points) if point.technique == recommendation.technique),
            None,
        )
    for name in references:
        classes.loc[name] = "reference"
    if recommended is not None:
        classes.loc[recommended] = "chosen"
    styler = _styler(frame, "operating").set_td_classes(classes)
    styler = styler.map_index(lambda name: "font-style: italic" if name in references else "", axis=0)
    parts.append(_table_html(styler))
    if recommended is not None:
        parts.append(f'<p class="caption">Highlighted: the recommended technique, {escape(recommended)}.</p>')
    notes: dict[str, list[str]] = {}
    for position, point in enumerate(points):
        for note in point.notes:
            notes.setdefault(note, []).append(index[position])
    if notes:
        items = [
            f"<li>{escape('All techniques' if len(names) == len(points) > 1 else ', '.join(names))}: {escape(note)}</li>"
            for note, names in notes.items()
        ]
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append(_cost_chart(comparison, named, points, index, costs, figures))
    parts.append("</section>")
    return parts


def _spread(value: float, std: float | None, several: bool, digits: int | None = None, fixed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return MISSING
    text = f"{value:.{digits}f}" if (fixed or digits) else _amount(value)
    if several and std is not None and math.isfinite(std):
        text += " ± " + (f"{std:.{digits}f}" if (fixed or digits) else _amount(std))
    return text


def _amount(value: float) -> str:
    """A figure for a table or sentence: whole numbers with separators from 100, else 3 significant digits."""
    if value is None or not math.isfinite(value):
        return MISSING
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _cost_chart(comparison, named, points, names: list[str], costs, figures: _Figures) -> str:
    """Expected cost per 1,000 test rows at every threshold, all test rows together, one line per technique."""

    curves, chosen = {}, {}
    for point, name in zip(points, names, strict=True):
        result = comparison.results[point.result_index] if point.result_index is not None else None
        if result is None or not result.test_labels:
            continue
        curves[name] = mean_cost_curve(result, costs)  # the dashboard's aggregation: all test rows together
        chosen[name] = (point.threshold, point.expected_cost_per_1000)
    if not curves:
        return ""
    colours = charts.technique_colours([entry.name for entry in named])
    figure = charts.expected_cost_figure(curves, chosen, colours)
    caption = (
        "Expected cost per 1,000 test rows at every threshold (all test rows together); the diamond is each "
        "technique's own threshold, chosen on validation rows, and its cost on the test rows."
    )
    return f'<div class="charts">{figures.html(figure, caption, wide=True)}</div>'


def _charts_section(
    comparison, profile: Mapping, usable: Sequence[NamedResult], threshold: float, figures
) -> list[str]:
    escape = html.escape
    if not usable:
        return [
            '<section id="charts">',
            "<h2>Charts</h2>",
            "<p>No technique produced results to draw.</p>",
            "</section>",
        ]
    class_index = curve_class_index(comparison, profile)
    class_label = str(comparison.labels[class_index])
    parts = ['<section id="charts">', "<h2>Charts</h2>", '<div class="charts">']
    # The bars are drawn at the metric table's threshold, so the two never disagree.
    parts.append(figures.html(charts.metric_bars(usable, threshold=threshold), wide=True))
    parts.append(figures.html(charts.roc_figure(usable, class_index, class_label)))
    parts.append(figures.html(charts.pr_figure(usable, class_index, class_label)))
    parts.append(
        figures.html(
            charts.calibration_figure(usable, class_index, class_label),
            "Below the diagonal: the technique over-states the risk (resampling and weighting do this).",
        )
    )
    parts.append(figures.html(charts.training_curves_figure(usable), wide=True))
    parts.append("</div></section>")
    binary = len(comparison.labels) == 2
    heading = (
        f"Confusion matrices at threshold {threshold_text(threshold)}"
        if binary
        else "Confusion matrices (each row predicted as its most probable class)"
    )
    parts += ['<section id="confusion">', f"<h2>{escape(heading)}</h2>"]
    parts.append('<p class="caption">Rows: true class; columns: predicted class. Colour: share of the true class.</p>')
    parts.append('<div class="charts confusions">')
    for entry in usable:
        at = threshold if binary else 0.5
        title = entry.name + (f" at {threshold_text(at)}" if binary else "")
        figure = charts.confusion_figure(entry.result.confusion_at(at), entry.comparison.labels, title)
        parts.append(figures.html(figure, entry.result.confusion_caption()))
    parts.append("</div></section>")
    return parts


def _warnings_section(comparison, warnings, profile: Mapping) -> list[str]:
    escape = html.escape
    parts = ['<section id="warnings">', "<h2>Warnings</h2>"]
    if warnings:
        parts.append(_warning_list(warnings))
    else:
        parts.append("<p>No warning about the comparison.</p>")
    data_notes = [str(item) for item in profile.get("warnings", [])] + [str(note) for note in comparison.notes]
    if data_notes:
        parts.append("<p><strong>About the data:</strong></p>")
        parts += [f'<p class="warning">{escape(note)}</p>' for note in data_notes]
    parts.append("</section>")
    return parts


def _profile_section(profile: Mapping, figures: _Figures) -> list[str]:
    escape = html.escape
    counts = profile["class_counts"]
    total = max(sum(counts.values()), 1)
    ratio = float(profile.get("imbalance_ratio", math.nan))
    rows = [
        ("Rows", int(profile.get("rows", total))),
        ("Features used", int(profile.get("features", 0) or 0)),
        ("Target", str(profile.get("target", ""))),
        ("Minority class", str(profile.get("minority_class", ""))),
        ("Imbalance ratio", f"{ratio:,.1f} : 1 ({severity(ratio)})"),
    ]
    classes = pd.DataFrame(
        {"Rows": [f"{count:,}" for count in counts.values()], "Share": [f"{c / total:.2%}" for c in counts.values()]},
        index=pd.Index(list(counts), name="Class"),
    )
    parts = [
        '<section id="dataset">',
        "<h2>Dataset</h2>",
        f'<p class="verdict">{escape(imbalance_verdict(profile))}</p>',
        _key_value_html(rows, "dataset"),
        _table_html(_styler(classes, "classes")),
    ]
    histogram = charts.class_histogram(counts, "Rows per class", profile.get("minority_class"))
    parts += ['<div class="charts">', figures.html(histogram), "</div>", "</section>"]
    return parts


_PROTOCOL_WORDS = {"quick": "one stratified hold-out split", "cv": "repeated stratified K-fold"}
_SETTING_NAMES = {
    "hidden_units": "Hidden units per layer",
    "dropout": "Dropout",
    "learning_rate": "Learning rate",
    "batch_size": "Batch size (most)",
    "max_epochs": "Max epochs",
    "patience": "Early-stopping patience (epochs)",
    "validation_fraction": "Validation slice (share of training rows, before resampling)",
    "seed_average_automatic": "Seed average set automatically (small table)",
}


def _settings_section(comparison, named: Sequence[NamedResult], costs, rule: str, target) -> list[str]:
    protocol = comparison.protocol
    protocol_rows = [("Split", _PROTOCOL_WORDS.get(protocol.mode, protocol.mode))]
    if protocol.mode == "quick":
        protocol_rows.append(("Test rows", f"{protocol.test_size:.0%} of rows, stratified"))
    else:
        protocol_rows += [("Folds", protocol.folds), ("Repeats", protocol.repeats)]
    protocol_rows += [("Seed", protocol.seed), ("Wall time", f"{getattr(comparison, 'wall_seconds', 0.0):.1f} s")]
    settings = comparison.settings.to_json()
    if isinstance(settings.get("validation_fraction"), float):
        settings["validation_fraction"] = f"{settings['validation_fraction']:.0%}"
    model_rows = [
        (_SETTING_NAMES.get(key, key.replace("_", " ").capitalize()), value) for key, value in settings.items()
    ]
    technique_rows = []
    for entry in named:
        spec = entry.result.spec
        parameters = "; ".join(f"{key} = {_plain(value)}" for key, value in spec.params.items()) or "none"
        technique_rows.append(
            {
                "Id": spec.technique_id,
                "Parameters": parameters,
                "Fit seconds": f"{entry.result.fit_seconds:.1f}",
                "Status": entry.result.failed or "trained",
            }
        )
    techniques = pd.DataFrame(technique_rows, index=pd.Index([entry.name for entry in named], name="Technique"))
    text_classes = pd.DataFrame("", index=techniques.index, columns=techniques.columns)
    text_classes[["Id", "Parameters", "Status"]] = "text"
    chosen = _RULE_WORDS.get(rule, rule).format(target=target if target is not None else math.nan)
    cost_rows = [
        ("Cost of a false alarm", _amount(costs.false_alarm)),
        ("Cost of a miss", _amount(costs.miss)),
        ("Value of a catch", _amount(costs.catch_value)),
        ("Volume", f"{_amount(costs.volume)} cases a {costs.period}"),
        ("Threshold rule", f"{chosen} on validation rows"),
    ]
    return [
        '<section id="settings">',
        "<h2>Appendix: settings</h2>",
        "<h3>Protocol</h3>",
        _key_value_html(protocol_rows, "protocol"),
        "<h3>Model</h3>",
        _key_value_html(model_rows, "model"),
        "<h3>Techniques</h3>",
        _table_html(_styler(techniques, "techniques").set_td_classes(text_classes)) if technique_rows else "",
        "<h3>Costs</h3>",
        _key_value_html(cost_rows, "costs"),
        "</section>",
    ]
