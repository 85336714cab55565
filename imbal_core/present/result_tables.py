"""The comparison as DataFrame tables: the metric table (mean ± std, best per column marked), the
threshold table, and the names people read for each result. Shared by the dashboard and the report,
so both show the same numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from imbal_core.decide.operating_points import display_name
from imbal_core.present.charts import HEADLINE_ORDER
from imbal_core.present.result_names import NamedResult, is_reference
from imbal_core.present.verdict_words import protocol_text
from imbal_core.run.metric_names import METRICS, threshold_text

MISSING = "—"


HIGHLIGHT_RULE = (
    "Highlighted: the best network per column (ties within 0.0005 share it). Reference learners, marked "
    "(reference) and in italics, are shown for comparison and never highlighted, even where they score higher."
)


@dataclass
class MetricTable:
    """The comparison table: display strings, the numbers behind them and which cell is best per column."""

    display: pd.DataFrame
    means: pd.DataFrame
    best: pd.DataFrame
    references: tuple[str, ...] = ()  # row names of reference learners: shown, never ranked


def metric_table(named: Sequence[NamedResult], threshold: float | None = None, *, details: bool = True) -> MetricTable:
    """Mean (± std over folds when there are several) per technique, headline metrics first, accuracy last.

    Without `threshold`, threshold metrics are the stored ones at 0.5 and headers are plain ("F1").
    With it, they are recomputed at `threshold` from stored probabilities and every threshold-dependent
    header says so ("F1 @0.30"; multi-class results predict the most probable class: "@argmax").
    `details` adds the tuned threshold, protocol, fit time and notes after the metrics.

    Best per column is marked only among results of the same run (protocol, dataset and target), and
    never for accuracy, reference learners or failed results.
    """
    multiclass = any(len(entry.comparison.labels) > 2 for entry in named)
    headers = {name: _header(name, multiclass, threshold) for name in HEADLINE_ORDER}
    display_rows, mean_rows, index = [], [], []
    for entry in named:
        result = entry.result
        folds = len(result.fold_metrics)
        means_of, stds_of = _metric_values(entry, threshold)
        row, means = {}, {}
        for name in HEADLINE_ORDER:
            mean = means_of.get(name, math.nan)
            std = stds_of.get(name, math.nan)
            means[headers[name]] = mean
            row[headers[name]] = mean_std(mean, std, folds)
        if details:
            tuned = result.tuned_threshold
            row["Tuned threshold"] = MISSING if tuned is None else threshold_text(tuned)
            row["Protocol"] = protocol_text(entry.comparison)
            row["Fit seconds"] = f"{result.fit_seconds:.1f}"
            row["Notes"] = result.failed or " | ".join(result.notes)
        display_rows.append(row)
        mean_rows.append(means)
        index.append(entry.name)
    display = pd.DataFrame(display_rows, index=pd.Index(index, name="Technique"))
    means = pd.DataFrame(mean_rows, index=display.index, columns=list(headers.values()), dtype=float)
    best = pd.DataFrame(False, index=display.index, columns=display.columns)
    groups: dict[tuple, list[int]] = {}
    for position, entry in enumerate(named):
        if not is_reference(entry.result) and not entry.result.failed:
            groups.setdefault(_run_key(entry.comparison), []).append(position)
    for name, header in headers.items():
        if name == "accuracy":
            continue  # never celebrate the misleading number
        for positions in groups.values():
            column = means[header].iloc[positions]
            if column.notna().sum() < 2:
                continue
            target = column.max() if METRICS[name].higher_is_better else column.min()
            hits = np.isclose(column, target, rtol=0, atol=5e-4) & column.notna()
            best.iloc[positions, best.columns.get_loc(header)] = hits.to_numpy()
    references = tuple(entry.name for entry in named if is_reference(entry.result))
    return MetricTable(display, means, best, references)


def _metric_values(entry: NamedResult, threshold: float | None) -> tuple[dict, dict]:
    result = entry.result
    if not result.fold_metrics:
        return {}, {}
    if threshold is None or not entry.usable:
        return result.metrics, result.metrics_std
    return result.metrics_at(threshold), result.metrics_std_at(threshold)


def _run_key(comparison) -> tuple:
    """Results are comparable ("best") only within one protocol, dataset and target."""
    dataset = comparison.dataset or {}
    return (
        repr(comparison.protocol.to_json()),
        str(dataset.get("target")),
        int(dataset.get("rows", 0) or 0),
        repr(sorted((str(key), int(value)) for key, value in dict(dataset.get("class_counts", {})).items())),
    )


def _header(name: str, multiclass: bool, threshold: float | None = None) -> str:
    info = METRICS[name]  # the one catalogue of metric facts
    label = info.label
    if multiclass and info.multiclass_average == "macro":
        label += " (macro)"
    if threshold is not None and info.threshold_dependent:
        label += " @argmax" if multiclass else f" @{threshold_text(threshold)}"
    if not info.higher_is_better:
        label += " ↓"
    return label


def mean_std(mean: float, std: float, folds: int) -> str:
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
                "Threshold": round(threshold, 3),
                "Precision": values["precision"],
                "Recall": values["recall"],
                "F1": values["f1"],
                "Caught (TP)": int(true_positive),
                "False alarms (FP)": int(false_positive),
                "Missed (FN)": int(false_negative),
                "Correct rejections (TN)": int(true_negative),
                "Tuned threshold": math.nan if tuned is None else round(tuned, 3),
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


def report_names(comparison) -> list[NamedResult]:
    """The comparison's results under the names people read ("Class weights", "SMOTE (k_neighbors=3)"),
    references marked "(reference)", each name unique."""
    named, seen = [], {}
    for result in comparison.results:
        name = display_name(result)
        if is_reference(result) and "(reference)" not in name:
            name += " (reference)"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} #{seen[name]}"
        named.append(NamedResult(name, result, comparison))
    return named
