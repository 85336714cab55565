"""Plotly figure builders for the dashboard and the HTML report: data in, go.Figure out.

Nothing here trains or draws on screen; the small data helpers (PCA projection of a resample
preview, the always-majority predictor, result naming) exist so the pages hold no computation.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from imbal_core.present.result_names import NamedResult
from imbal_core.run.metric_names import METRICS, threshold_text

if TYPE_CHECKING:  # the first page draws charts without importing scikit-learn or the protocol
    pass

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
TECHNIQUE_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
MAJORITY_COLOUR = "#9AA5B1"
MINORITY_COLOUR = "#0072B2"
SYNTHETIC_COLOUR = "#E69F00"
REMOVED_COLOUR = "#D55E00"
NO_SKILL_COLOUR = "#7B8794"

METRIC_LABELS = {key: info.label for key, info in METRICS.items()}  # the catalogue's display names
# Headline first; accuracy last because on imbalanced data it rewards ignoring the minority.
HEADLINE_ORDER = (
    "pr_auc",
    "recall",
    "f1",
    "precision",
    "roc_auc",
    "mcc",
    "balanced_accuracy",
    "g_mean",
    "brier",
    "accuracy",
)
MAX_SCATTER_GROUP = 2000  # rows drawn per class and status in the 2-D resample view
# Overlaid histograms stay readable for two or three classes; more get one box per class.
OVERLAY_MAX_CLASSES = 3
BAR_METRICS = ("pr_auc", "recall", "f1", "precision", "roc_auc", "mcc", "balanced_accuracy", "accuracy")

# The title sits at the very top and a horizontal legend just above the plot, so they never overlap.
_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 96, "b": 50},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0},
}


def technique_colours(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per name, in order, so every chart of one page agrees."""
    return {name: TECHNIQUE_PALETTE[index % len(TECHNIQUE_PALETTE)] for index, name in enumerate(names)}


def safe_text(text: object) -> str:
    """User text for a plotly label: plotly.js renders a subset of HTML (<b>, <a href>), so < and > are
    written as entities, which it shows as the characters themselves."""
    return html.escape(str(text), quote=False)


def _finish(figure: go.Figure, title: str, height: int = 420, subtitle: str = "", **layout) -> go.Figure:
    """Title (user text escaped), an optional smaller second line, height and the shared layout."""
    text = safe_text(title) + (f"<br><sup>{safe_text(subtitle)}</sup>" if subtitle else "")
    title_layout = {
        "text": text,
        "x": 0.0,
        "xanchor": "left",
        "y": 0.985,
        "yanchor": "top",
        "yref": "container",
    }
    figure.update_layout(title=title_layout, height=height, **{**_LAYOUT, **layout})
    return figure


# --- data ----------------------------------------------------------------------------------------


def class_histogram(class_counts: Mapping[str, int], title: str, minority: str | None = None) -> go.Figure:
    """Bars of rows per class with count and percentage on each bar; the minority class stands out."""
    labels = [safe_text(label) for label in class_counts]
    counts = [int(count) for count in class_counts.values()]
    total = max(sum(counts), 1)
    minority = safe_text(minority) if minority is not None else (labels[-1] if labels else None)
    colours = [MINORITY_COLOUR if label == minority else MAJORITY_COLOUR for label in labels]
    text = [f"{count:,} ({count / total:.1%})" for count in counts]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=counts,
            text=text,
            textposition="outside",
            cliponaxis=False,
            marker_color=colours,
            hovertemplate="%{x}: %{y:,} rows<extra></extra>",
        )
    )
    figure.update_xaxes(type="category", title="class")
    figure.update_yaxes(title="rows", rangemode="tozero")
    return _finish(figure, title, height=360, showlegend=False)


def feature_distribution(values: pd.Series, labels: pd.Series, feature: str, bins: int = 40) -> go.Figure:
    """A feature's distribution per class, each class scaled to 100% so the minority is visible at all."""
    order = list(labels.value_counts().index)
    colours = technique_colours([str(label) for label in order])
    figure = go.Figure()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and len(order) > OVERLAY_MAX_CLASSES:
        return _feature_boxes(values, labels, feature, order, colours)
    if numeric:
        finite = pd.to_numeric(values, errors="coerce").astype(float)
        present = finite[np.isfinite(finite)]
        if present.empty:
            return _finish(figure, f"{feature}: no values to show")
        # Clip to the 0.5-99.5 percentiles: one extreme amount would squeeze every other bar into one bin.
        low, high = np.nanpercentile(present, [0.5, 99.5])
        if high <= low:
            low, high = float(present.min()), float(present.max()) + 1.0
        edges = np.linspace(low, high, bins + 1)
        centres = (edges[:-1] + edges[1:]) / 2
        for label in order:
            chosen = np.clip(finite[(labels == label).to_numpy()].dropna().to_numpy(), low, high)
            counts, _ = np.histogram(chosen, bins=edges)
            share = 100 * counts / max(counts.sum(), 1)
            figure.add_trace(
                go.Bar(
                    x=centres,
                    y=share,
                    width=edges[1] - edges[0],
                    name=safe_text(label),
                    marker_color=colours[str(label)],
                    opacity=0.6,
                    hovertemplate=f"{_hover_safe(label)}: %{{y:.1f}}% of the class near %{{x:.3g}}<extra></extra>",
                )
            )
        figure.update_layout(barmode="overlay")
        figure.update_xaxes(title=f"{safe_text(feature)} (outer 1% clipped into the end bins)")
    else:
        text = values.astype("string").fillna("(missing)")
        top = list(text.value_counts().index[:15])
        for label in order:
            in_class = text[(labels == label).to_numpy()]
            shares = in_class.where(in_class.isin(top), "(other)").value_counts(normalize=True) * 100
            categories = top + (["(other)"] if "(other)" in shares.index else [])
            figure.add_trace(
                go.Bar(
                    x=[safe_text(category) for category in categories],
                    y=[float(shares.get(category, 0.0)) for category in categories],
                    name=safe_text(label),
                    marker_color=colours[str(label)],
                    hovertemplate=f"{_hover_safe(label)}: %{{y:.1f}}% of the class<extra></extra>",
                )
            )
        figure.update_layout(barmode="group")
        figure.update_xaxes(type="category", title=safe_text(feature))
    figure.update_yaxes(title="% of the class's rows")
    return _finish(figure, f"Distribution of {feature} by class", legend_title_text="class")


def _feature_boxes(values: pd.Series, labels: pd.Series, feature: str, order: list, colours: dict) -> go.Figure:
    """One box per class from quartiles computed here, so a large table is not shipped to the browser."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    figure = go.Figure()
    for label in sorted(order, key=_natural_key):
        chosen = numbers[(labels == label).to_numpy()].dropna().to_numpy()
        if len(chosen) == 0:
            continue
        low, q1, median, q3, high = np.percentile(chosen, [0, 25, 50, 75, 100])
        spread = 1.5 * (q3 - q1)
        figure.add_trace(
            go.Box(
                x=[safe_text(label)],
                q1=[q1],
                median=[median],
                q3=[q3],
                mean=[float(chosen.mean())],
                lowerfence=[max(low, q1 - spread)],
                upperfence=[min(high, q3 + spread)],
                name=safe_text(label),
                marker_color=colours[str(label)],
                boxmean=True,
            )
        )
    figure.update_xaxes(type="category", title="class")
    figure.update_yaxes(title=safe_text(feature))
    return _finish(figure, f"Distribution of {feature} by class (box: quartiles; whiskers: 1.5 IQR)", showlegend=False)


def _natural_key(label: object) -> tuple:
    """Numbers in numeric order, then text: "2" before "10"."""
    try:
        return (0, float(str(label)), "")
    except ValueError:
        return (1, 0.0, str(label))


def _hover_safe(value: object) -> str:
    """Hover templates treat %{...} as a placeholder; a label must not inject one."""
    return str(value).replace("%", "%%").replace("{", "(").replace("}", ")")


# --- resampling ----------------------------------------------------------------------------------


def preview_counts(preview: dict) -> tuple[dict[str, int], dict[str, int]]:
    """Training rows per class before and after the sampler, in the engine's label order."""
    labels = preview["labels"]
    before = np.bincount(preview["original_codes"], minlength=len(labels))
    after = np.bincount(preview["result"].labels, minlength=len(labels))
    return (
        {labels[code]: int(count) for code, count in enumerate(before)},
        {labels[code]: int(count) for code, count in enumerate(after)},
    )


def projection_frame(
    preview: dict, max_points_per_group: int = MAX_SCATTER_GROUP, seed: int = 0
) -> tuple[pd.DataFrame, dict]:
    """PCA (fitted on the original training rows) of kept, synthetic and removed rows, for a 2-D view.

    Returns the plotted rows (columns x, y, status, label) and the full count per status, since each
    group is capped at `max_points_per_group` random rows so the browser stays responsive.
    """
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.decomposition import PCA

    labels = preview["labels"]
    result = preview["result"]
    original = np.asarray(preview["original_features"], dtype=float)
    original_codes = np.asarray(preview["original_codes"])
    components = min(2, original.shape[1], len(original))
    pca = PCA(n_components=components, random_state=seed).fit(original)

    def project(matrix: np.ndarray) -> np.ndarray:
        if len(matrix) == 0:
            return np.empty((0, 2))
        points = pca.transform(np.asarray(matrix, dtype=float))
        return points if points.shape[1] == 2 else np.column_stack([points[:, 0], np.zeros(len(points))])

    removed = np.asarray(result.removed_index, dtype=int)
    kept_mask = np.ones(len(original), dtype=bool)
    kept_mask[removed] = False
    synthetic = np.asarray(result.synthetic, dtype=bool)
    groups = [
        ("original", original[kept_mask], original_codes[kept_mask]),
        ("synthetic", np.asarray(result.features)[synthetic], np.asarray(result.labels)[synthetic]),
        ("removed", original[removed], original_codes[removed]),
    ]
    rng = np.random.default_rng(seed)
    frames, totals = [], {}
    binary = len(labels) == 2
    for status, matrix, codes in groups:
        totals[status] = int(len(codes))
        for code in np.unique(codes):
            rows = np.flatnonzero(codes == code)
            key = _status_name(status, labels[code], binary, code)
            totals[key] = int(len(rows))
            if len(rows) > max_points_per_group:
                rows = np.sort(rng.choice(rows, size=max_points_per_group, replace=False))
            points = project(matrix[rows])
            frames.append(
                pd.DataFrame(
                    {"x": points[:, 0], "y": points[:, 1], "status": status, "label": labels[code], "group": key}
                )
            )
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["x", "y", "status", "label"])
    totals["explained_variance"] = [float(share) for share in pca.explained_variance_ratio_]
    return frame, totals


def _status_name(status: str, label: str, binary: bool, code: int) -> str:
    if binary and status == "original":
        return f"original {'minority' if code == 1 else 'majority'} ({label})"
    return f"{status} ({label})"


def resample_scatter(projection: pd.DataFrame, totals: dict, labels: Sequence[str], title: str) -> go.Figure:
    """Original majority, original minority, synthetic and removed rows as four distinct marker styles.

    Binary data uses four fixed colours; multi-class data colours by class and marks synthetic rows as
    diamonds and removed rows as crosses.
    """
    labels = [str(label) for label in labels]
    binary = len(labels) == 2
    class_colours = technique_colours(labels)
    figure = go.Figure()
    # Drawing order: common rows at the back, synthetic rows over them, the real minority rows and the
    # removed rows on top, since those are what a person looks for.
    layers = (
        ("original", lambda code: code == 0 or not binary),
        ("synthetic", lambda code: True),
        ("original", lambda code: binary and code == 1),
        ("removed", lambda code: True),
    )
    for status, wanted in layers:
        subset = projection[projection["status"] == status]
        for group, rows in subset.groupby("group", sort=False):
            label = str(rows["label"].iloc[0])
            code = labels.index(label)
            if not wanted(code):
                continue
            marker = _scatter_marker(status, code, binary, class_colours[label])
            shown, total = len(rows), totals.get(group, len(rows))
            name = f"{safe_text(group)}: {total:,}" + (f" ({shown:,} shown)" if shown < total else "")
            figure.add_trace(
                go.Scattergl(
                    x=rows["x"],
                    y=rows["y"],
                    mode="markers",
                    name=name,
                    marker=marker,
                    hovertemplate=f"{_hover_safe(group)}<extra></extra>",
                )
            )
    variance = [*totals.get("explained_variance", []), 0.0, 0.0][:2]
    figure.update_xaxes(title=f"PC1 ({variance[0]:.0%} of variance)")
    figure.update_yaxes(title=f"PC2 ({variance[1]:.0%} of variance)")
    sampled = any(
        key != "explained_variance" and isinstance(count, int) and count > MAX_SCATTER_GROUP
        for key, count in totals.items()
    )
    note = (
        f"each group drawn as at most {MAX_SCATTER_GROUP:,} random rows; the legend gives the full counts"
        if sampled
        else ""
    )
    return _finish(
        figure, title, height=560, subtitle=note, legend={"orientation": "v", "x": 1.02, "y": 1.0, "xanchor": "left"}
    )


def _scatter_marker(status: str, code: int, binary: bool, class_colour: str) -> dict:
    if status == "synthetic":
        colour = SYNTHETIC_COLOUR if binary else class_colour
        return {
            "color": colour,
            "symbol": "diamond",
            "size": 7,
            "opacity": 0.5,  # the real rows underneath stay visible through dense synthetic clouds
            "line": {"width": 0.5, "color": "#333"},
        }
    if status == "removed":
        return {"color": REMOVED_COLOUR if binary else class_colour, "symbol": "x", "size": 9, "opacity": 0.95}
    if binary and code == 1:
        return {
            "color": MINORITY_COLOUR,
            "symbol": "circle",
            "size": 8,
            "opacity": 0.95,
            "line": {"width": 1, "color": "#0b3d61"},
        }
    return {"color": "#7B8794" if binary else class_colour, "symbol": "circle", "size": 6, "opacity": 0.6}


# --- results -------------------------------------------------------------------------------------


def metric_bars(
    named: Sequence[NamedResult], metric_names: Sequence[str] = BAR_METRICS, threshold: float | None = None
) -> go.Figure:
    """Grouped bars: mean of each metric per technique over test folds, as the metric table beside them.

    With `threshold`, threshold-dependent metrics are recomputed there (two-class results; several classes
    predict the most probable one), so the bars and a table at that threshold show the same numbers.
    Error bars (one standard deviation over folds) appear only when there are several folds.
    """
    usable = [entry for entry in named if entry.usable]
    colours = technique_colours([entry.name for entry in named])
    folds = max((len(entry.result.fold_metrics) for entry in usable), default=0)
    figure = go.Figure()
    for entry in usable:
        means, stds = _bar_values(entry, threshold)
        error = [0.0 if not math.isfinite(stds.get(name, math.nan)) else stds[name] for name in metric_names]
        figure.add_trace(
            go.Bar(
                x=[METRIC_LABELS[name] for name in metric_names],
                y=[means.get(name, math.nan) for name in metric_names],
                error_y={"type": "data", "array": error, "visible": folds > 1},
                name=entry.name,
                marker_color=colours[entry.name],
                hovertemplate="%{x}: %{y:.3f}<extra>" + _hover_safe(entry.name) + "</extra>",
            )
        )
    figure.update_layout(barmode="group")
    drawn = [value for trace in figure.data for value in trace.y if value is not None and math.isfinite(value)]
    lowest = min(drawn, default=0.0)
    figure.update_yaxes(title="score (higher is better)", range=[lowest - 0.05 if lowest < 0 else 0.0, 1.05])
    return _finish(figure, "Metrics by technique", height=440, subtitle=_bars_subtitle(usable, threshold, folds))


def _bar_values(entry: NamedResult, threshold: float | None) -> tuple[dict, dict]:
    if threshold is None:
        return entry.result.metrics, entry.result.metrics_std
    return entry.result.metrics_at(threshold), entry.result.metrics_std_at(threshold)


def _bars_subtitle(usable: Sequence[NamedResult], threshold: float | None, folds: int) -> str:
    """What the bars are: at which threshold, and whether error bars exist (one test split has no spread)."""
    binary = bool(usable) and all(entry.result.n_classes == 2 for entry in usable)
    at = f"threshold {threshold_text(0.5 if threshold is None else threshold)}" if binary else "most probable class"
    spread = f"error bars: 1 std over {folds} test folds" if folds > 1 else "one test split, so no error bars"
    return f"Precision, recall, F1, MCC, balanced accuracy, accuracy at {at}; {spread}"


def _positive(entry: NamedResult, class_index: int) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest labels and scores for a class (class 1, the minority, when binary)."""
    labels = entry.result.labels
    return (labels == class_index).astype(int), entry.result.probabilities[:, class_index]


def _pooled(entry: NamedResult) -> str:
    return "pooled " if len(entry.result.first_repeat) > 1 else ""


def _pooling_note(named: Sequence[NamedResult]) -> str:
    """Curves pool each row's out-of-fold prediction once; the table averages per-fold values instead."""
    if not any(entry.usable and len(entry.result.first_repeat) > 1 for entry in named):
        return ""
    return "out-of-fold predictions pooled, each row once; the table shows the mean over folds"


def _reference_line(x: list[float], y: list[float], name: str) -> go.Scatter:
    """A dashed grey line a curve is read against (chance, no skill, perfect calibration)."""
    return go.Scatter(
        x=x, y=y, mode="lines", name=name, line={"dash": "dash", "color": NO_SKILL_COLOUR}, hoverinfo="skip"
    )


def roc_figure(named: Sequence[NamedResult], class_index: int, class_label: str) -> go.Figure:
    """ROC curves overlaid, with the chance diagonal."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.metrics import roc_auc_score

    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.run import metrics as metric_functions

    colours = technique_colours([entry.name for entry in named])
    figure = go.Figure()
    figure.add_trace(_reference_line([0, 1], [0, 1], "chance"))
    for entry in named:
        if not entry.usable:
            continue
        truth, score = _positive(entry, class_index)
        if truth.min() == truth.max():
            continue
        points = metric_functions.roc_points(truth, score)
        area = _safe_metric(roc_auc_score, truth, score)
        figure.add_trace(
            go.Scatter(
                x=points["fpr"],
                y=points["tpr"],
                mode="lines",
                name=f"{entry.name} ({_pooled(entry)}AUC {area:.3f})",
                line={"color": colours[entry.name]},
            )
        )
    figure.update_xaxes(title="false positive rate", range=[0, 1])
    figure.update_yaxes(title=f"true positive rate (recall of {safe_text(class_label)})", range=[0, 1.02])
    return _finish(figure, f"ROC curves: {class_label} vs the rest", height=480, subtitle=_pooling_note(named))


def pr_figure(named: Sequence[NamedResult], class_index: int, class_label: str) -> go.Figure:
    """Precision-recall curves overlaid, with the no-skill line at the class's share of test rows."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.metrics import average_precision_score

    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.run import metrics as metric_functions

    colours = technique_colours([entry.name for entry in named])
    figure = go.Figure()
    prevalence = None
    for entry in named:
        if not entry.usable:
            continue
        truth, score = _positive(entry, class_index)
        if truth.sum() == 0:
            continue
        prevalence = float(truth.mean())
        points = metric_functions.pr_points(truth, score)
        area = _safe_metric(average_precision_score, truth, score)
        figure.add_trace(
            go.Scatter(
                x=points["recall"],
                y=points["precision"],
                mode="lines",
                name=f"{entry.name} ({_pooled(entry)}AP {area:.3f})",
                line={"color": colours[entry.name]},
            )
        )
    if prevalence is not None:
        figure.add_trace(_reference_line([0, 1], [prevalence, prevalence], f"no skill ({prevalence:.1%})"))
    figure.update_xaxes(title=f"recall of {safe_text(class_label)}", range=[0, 1])
    figure.update_yaxes(title=f"precision of {safe_text(class_label)}", range=[0, 1.02])
    return _finish(
        figure, f"Precision-recall curves: {class_label} vs the rest", height=480, subtitle=_pooling_note(named)
    )


def calibration_figure(named: Sequence[NamedResult], class_index: int, class_label: str, bins: int = 10) -> go.Figure:
    """Reliability diagram: mean predicted probability against the observed share, per technique."""
    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.run import metrics as metric_functions

    colours = technique_colours([entry.name for entry in named])
    figure = go.Figure()
    figure.add_trace(_reference_line([0, 1], [0, 1], "perfectly calibrated"))
    for entry in named:
        if not entry.usable:
            continue
        truth, score = _positive(entry, class_index)
        try:
            points = metric_functions.calibration_points(truth, score, bins=bins)
        except ValueError:
            continue  # e.g. a class absent from the test rows
        figure.add_trace(
            go.Scatter(
                x=points["mean_predicted"],
                y=points["fraction_positive"],
                mode="lines+markers",
                name=entry.name,
                line={"color": colours[entry.name]},
            )
        )
    figure.update_xaxes(title=f"mean predicted probability of {safe_text(class_label)}", range=[0, 1])
    figure.update_yaxes(title=f"observed share of {safe_text(class_label)}", range=[0, 1.02])
    return _finish(figure, f"Calibration: {class_label} (equal-count bins)", height=480, subtitle=_pooling_note(named))


def confusion_figure(matrix: np.ndarray, labels: Sequence[str], title: str) -> go.Figure:
    """Counts per true and predicted class; colour is the share of each true class (row)."""
    matrix = np.asarray(matrix)
    row_share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    names = [safe_text(label) for label in labels]
    # go.Heatmap directly: px.imshow builds the same trace with ~30 ms of overhead per call, and the
    # threshold slider redraws one matrix per technique on every move.
    figure = go.Figure(
        go.Heatmap(
            z=row_share,
            x=names,
            y=names,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            showscale=False,
            # Counts are what a person reads; the colour (row share) keeps rare classes readable.
            text=matrix,
            texttemplate="%{text:,}",
            hovertemplate="true %{y}, predicted %{x}: %{text:,} rows (%{z:.1%} of the true class)<extra></extra>",
        )
    )
    figure.update_xaxes(title="predicted")
    figure.update_yaxes(title="true", autorange="reversed")
    figure.update_xaxes(type="category", side="bottom")
    figure.update_yaxes(type="category")
    size = 300 + 22 * max(0, len(names) - 2)
    return _finish(figure, title, height=size, coloraxis_showscale=False, margin={"l": 60, "r": 10, "t": 50, "b": 40})


def threshold_figure(entry: NamedResult, threshold: float) -> go.Figure:
    """Precision, recall and F1 of the minority class against the threshold, current and tuned marked."""
    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.run import metrics as metric_functions

    result = entry.result
    sweeps = [
        metric_functions.threshold_sweep(labels, probabilities[:, 1])
        for labels, probabilities in zip(result.test_labels, result.test_probabilities, strict=True)
    ]
    # Mean over folds, like the metric table, so at 0.5 the chart and the table show the same F1.
    sweep = {name: np.mean([fold[name] for fold in sweeps], axis=0) for name in sweeps[0]}
    figure = go.Figure()
    for name, colour in (("precision", "#0072B2"), ("recall", "#E69F00"), ("f1", "#009E73")):
        figure.add_trace(
            go.Scatter(
                x=sweep["threshold"], y=sweep[name], mode="lines", name=METRIC_LABELS[name], line={"color": colour}
            )
        )
    figure.add_vline(
        x=threshold,
        line={"color": "#333", "width": 2},
        annotation_text=f"slider {threshold_text(threshold)}",
        annotation_position="top right",
    )
    tuned = result.tuned_threshold
    if tuned is not None:
        figure.add_vline(
            x=tuned,
            line={"color": "#D55E00", "dash": "dot", "width": 2},
            annotation_text=f"tuned {threshold_text(tuned)}",
            annotation_position="top left",
        )
    figure.update_xaxes(title="threshold on the minority probability", range=[0, 1])
    figure.update_yaxes(title="score", range=[0, 1.05])
    folds = len(result.test_labels)
    where = f"mean over {folds} test folds" if folds > 1 else "test rows"
    return _finish(figure, f"Threshold trade-off: {entry.name} ({where})", height=420)


def training_curves_figure(named: Sequence[NamedResult], columns: int = 3) -> go.Figure:
    """Training and validation loss per epoch, one panel per technique (first fold; ensembles: first member)."""
    usable = [entry for entry in named if entry.usable and entry.result.histories]
    if not usable:
        return _finish(go.Figure(), "Training curves: nothing to show yet")
    columns = min(columns, len(usable))
    rows = math.ceil(len(usable) / columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[entry.name for entry in usable],
        horizontal_spacing=0.06,
        vertical_spacing=min(0.3, 110 / (280 * rows + 60)) if rows > 1 else 0.1,  # ~110 px: titles clear the axis
    )
    for index, entry in enumerate(usable):
        history = entry.result.histories[0]
        row, column = index // columns + 1, index % columns + 1
        for key, colour, dash, label in (
            ("loss", "#0072B2", "solid", "training loss"),
            ("val_loss", "#D55E00", "dash", "validation loss"),
        ):
            values = history.get(key, [])
            figure.add_trace(
                go.Scatter(
                    x=list(range(1, len(values) + 1)),
                    y=values,
                    mode="lines",
                    name=label,
                    line={"color": colour, "dash": dash},
                    legendgroup=key,
                    showlegend=index == 0,
                ),
                row=row,
                col=column,
            )
    figure.update_xaxes(title_text="epoch")
    return _finish(
        figure,
        "Training curves (loss per epoch; early stopping keeps the best epoch)",
        height=max(320, 280 * rows + 60),
        # Beside the panels: above them it would sit on the panel titles.
        legend={"orientation": "v", "x": 1.01, "y": 1.0, "xanchor": "left", "yanchor": "top"},
    )


def _safe_metric(function, *arguments) -> float:
    try:
        return float(function(*arguments))
    except ValueError:
        return math.nan


# --- learning -------------------------------------------------------------------------------------


def always_majority_metrics(class_counts: Mapping[str, int]) -> dict:
    """Metrics of a predictor that always answers the largest class, from the engine's metric code.

    Binary results are for the minority class (precision, recall, F1); multi-class ones are macro averages.
    """
    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.run import metrics as metric_functions

    counts = [int(count) for count in class_counts.values()]  # largest first, as profiles order them
    n_classes = len(counts)
    if n_classes == 2:
        codes = np.concatenate([np.zeros(counts[0], dtype=np.int64), np.ones(counts[1], dtype=np.int64)])
    else:
        codes = np.concatenate([np.full(count, code, dtype=np.int64) for code, count in enumerate(counts)])
    probabilities = np.zeros((len(codes), n_classes))
    probabilities[:, 0] = 1.0
    return metric_functions.compute_metrics(codes, probabilities, threshold=0.5)


def majority_figure(class_counts: Mapping[str, int]) -> go.Figure:
    """Accuracy next to recall for the always-majority predictor: the gap is the lesson."""
    values = always_majority_metrics(class_counts)
    binary = len(class_counts) == 2
    names = ["Accuracy", "Recall of the minority" if binary else "Recall (macro)", "Balanced accuracy", "F1"]
    numbers = [values["accuracy"], values["recall"], values["balanced_accuracy"], values["f1"]]
    colours = [MAJORITY_COLOUR, REMOVED_COLOUR, "#E69F00", "#0072B2"]
    figure = go.Figure(
        go.Bar(
            x=names,
            y=numbers,
            marker_color=colours,
            text=[f"{value:.1%}" for value in numbers],
            textposition="outside",
            cliponaxis=False,
        )
    )
    figure.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return _finish(figure, "A model that always answers the largest class", height=360, showlegend=False)


# --- decisions ------------------------------------------------------------------------------------


def expected_cost_figure(
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    chosen: Mapping[str, tuple[float, float]] | None = None,
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """Expected cost per 1,000 cases against the threshold, one line per technique.

    `curves[name]` holds "threshold" and "expected_cost_per_1000" (decision.cost_curve's keys, e.g. its
    pooled test rows); `chosen[name]` is a technique's own (threshold, expected cost per 1,000), drawn
    as a marker. The y axis stops a little above the cheaper of "flag every case" and "flag none", so
    one expensive extreme does not flatten the region where the choice is made.
    """
    colours = dict(colours or technique_colours(list(curves)))
    chosen = chosen or {}
    figure = go.Figure()
    plotted: list[float] = []
    cheaper_extremes: list[float] = []
    for index, (name, curve) in enumerate(curves.items()):
        colour = colours.get(name, TECHNIQUE_PALETTE[index % len(TECHNIQUE_PALETTE)])
        cost = [float(value) for value in curve["expected_cost_per_1000"]]
        figure.add_trace(
            go.Scatter(
                x=list(curve["threshold"]),
                y=cost,
                mode="lines",
                name=safe_text(name),
                line={"color": colour},
                legendgroup=safe_text(name),
                hovertemplate="threshold %{x:.3f}: %{y:,.1f} per 1,000 cases<extra>" + _hover_safe(name) + "</extra>",
            )
        )
        finite = [value for value in cost if math.isfinite(value)]
        plotted += finite
        if finite:
            cheaper_extremes.append(min(finite[0], finite[-1]))
        if name in chosen:
            threshold, value = chosen[name]
            plotted.append(float(value))
            figure.add_trace(
                go.Scatter(
                    x=[threshold],
                    y=[value],
                    mode="markers",
                    name=f"{safe_text(name)}: own threshold",
                    marker={"color": colour, "size": 11, "symbol": "diamond", "line": {"color": "#1f2933", "width": 1}},
                    legendgroup=safe_text(name),
                    showlegend=False,
                    hovertemplate=f"{_hover_safe(name)}: own threshold %{{x:.3f}}, %{{y:,.1f}} per 1,000 cases"
                    "<extra></extra>",
                )
            )
    figure.update_xaxes(title="threshold on the minority probability", range=[0, 1])
    figure.update_yaxes(title="expected cost per 1,000 cases (test rows)")
    finite_chosen = [float(value) for _, value in chosen.values() if math.isfinite(value)]
    if plotted and cheaper_extremes:
        low = min(plotted)
        high = max([max(cheaper_extremes), *finite_chosen])
        margin = 0.08 * max(high - low, 1e-9)
        figure.update_yaxes(range=[low - margin, high + 2 * margin])
    return _finish(figure, "Expected cost against the threshold (diamonds: each technique's own threshold)", height=460)


# --- lessons -------------------------------------------------------------------------------------


def smote_toy_figure(toy) -> go.Figure:
    """A two-feature toy: majority, minority, and each synthetic row on the segment SMOTE drew it from."""
    figure = go.Figure()
    segment_x, segment_y = [], []
    for start, end in toy.segments:
        segment_x += [start[0], end[0], None]
        segment_y += [start[1], end[1], None]
    figure.add_trace(
        go.Scatter(
            x=segment_x,
            y=segment_y,
            mode="lines",
            name="segment between two rare neighbours",
            line={"color": SYNTHETIC_COLOUR, "width": 1},
            hoverinfo="skip",
        )
    )
    for code, name, colour, size in ((0, "majority", MAJORITY_COLOUR, 7), (1, "minority (real)", MINORITY_COLOUR, 10)):
        rows = toy.features[toy.labels == code]
        figure.add_trace(
            go.Scatter(x=rows[:, 0], y=rows[:, 1], mode="markers", name=name, marker={"color": colour, "size": size})
        )
    figure.add_trace(
        go.Scatter(
            x=toy.synthetic[:, 0],
            y=toy.synthetic[:, 1],
            mode="markers",
            name="synthetic (SMOTE)",
            marker={"color": SYNTHETIC_COLOUR, "symbol": "diamond", "size": 8, "line": {"width": 0.5, "color": "#333"}},
        )
    )
    figure.update_xaxes(title="feature 1")
    figure.update_yaxes(title="feature 2", scaleanchor="x")
    return _finish(figure, "What SMOTE creates: every synthetic row lies between two real rare rows", height=480)


def loss_figure(curves: Mapping[str, Sequence[float]], probabilities: Sequence[float], title: str) -> go.Figure:
    """Loss against the predicted probability of a row's true class, one line per named loss."""
    figure = go.Figure()
    for index, (name, values) in enumerate(curves.items()):
        figure.add_trace(
            go.Scatter(
                x=list(probabilities),
                y=list(values),
                mode="lines",
                name=safe_text(name),
                line={"color": TECHNIQUE_PALETTE[index % len(TECHNIQUE_PALETTE)], "width": 2},
            )
        )
    figure.update_xaxes(title="predicted probability of the row's true class", range=[0, 1])
    figure.update_yaxes(title="loss", rangemode="tozero")
    return _finish(figure, title, height=400)
