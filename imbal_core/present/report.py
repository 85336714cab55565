"""Exports of a comparison: the stable JSON document, a metrics CSV, and (in report_html) an offline HTML page."""

from __future__ import annotations

import io
import json
import math
import re

import numpy as np
import pandas as pd

from imbal_core.decide.costs import default_costs, unsupported_reason
from imbal_core.decide.operating_points import operating_points
from imbal_core.decide.recommendation import recommend
from imbal_core.decide.warnings import comparison_warnings
from imbal_core.run.metric_names import METRIC_NAMES
from imbal_core.run.metrics import summarise
from imbal_core.run.results import Comparison, TechniqueResult
from imbal_core.store.results_document import folds_json

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number ("-1", "+0.5", "-2e-3") is data a spreadsheet reads as a number, never a formula:
# it is left as it is, so a -1/1 label survives a round trip. "-2+3" or "-A1" is not plain and is neutralised.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _clean(value):
    """JSON-safe: NaN and infinities become null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    return value


def result_to_json(result: TechniqueResult, labels: list[str]) -> dict:
    tuned = result.tuned_threshold
    tuned_metrics = {}
    if result.fold_metrics_tuned:
        tuned_metrics = summarise(result.fold_metrics_tuned)[0]
    data = {
        "technique": result.spec.technique_id,
        "params": result.spec.params,
        "metrics": {name: result.metrics.get(name, float("nan")) for name in METRIC_NAMES},
        "metrics_std": {name: result.metrics_std.get(name, float("nan")) for name in METRIC_NAMES},
        "tuned_threshold": tuned,
        "metrics_at_tuned_threshold": tuned_metrics,
        "train_class_counts": result.train_class_counts,
        "confusion_matrix": result.confusion_at(0.5).tolist() if result.test_labels else [],
        "labels": labels,
        "notes": result.notes,
        "fit_seconds": round(result.fit_seconds, 3),
        "train_seconds": round(result.train_seconds, 3),
        "failed": result.failed,
        "reference": result.reference,
        "folds": folds_json(result),  # per-fold arrays, so an import redraws every chart (results_document.py)
    }
    if len(labels) > 2 and result.fold_metrics:
        data["per_class"] = _per_class(result, labels)
    return data


def _per_class(result: TechniqueResult, labels: list[str]) -> dict:
    pooled = result.metrics_at(0.5)["per_class"]
    return {
        label: {name: pooled[name][index] for name in ("precision", "recall", "f1", "support")}
        for index, label in enumerate(labels)
    }


AGGREGATION = {
    "metrics": "mean over test folds at threshold 0.5 (metrics_std: standard deviation over folds)",
    "metrics_at_tuned_threshold": "mean over test folds, each fold at its own F1-best threshold from its validation rows",
    "confusion_matrix": "test rows of the first repeat at threshold 0.5: every row counted once",
    "decision": "one threshold per technique, chosen for the costs on the validation rows of all folds together; "
    "every figure measured at it on the test rows of all folds together (_std: standard deviation over folds of the "
    "same figures at that threshold; fold_thresholds: what each fold's validation rows alone would choose)",
}


def comparison_to_json(comparison: Comparison, costs=None) -> dict:
    """The `compare` document; its documented keys are stable, others may be added.

    Binary targets gain, per result, a `decision` (the cost-optimal operating point) and a top-level
    `recommendation`; every target gets `warnings` ({code, message}, codes in the README).
    """
    costs = costs or comparison.costs or default_costs(None)[0]
    protocol = comparison.protocol.to_json()
    protocol["epochs"] = comparison.settings.max_epochs
    results = [result_to_json(result, comparison.labels) for result in comparison.results]
    points = operating_points(comparison, costs)
    for point in points:
        results[point.result_index]["decision"] = point.to_json()
    recommendation = recommend(comparison, points, costs)
    return _clean(
        {
            "dataset": comparison.dataset,
            "protocol": protocol,
            "model": comparison.settings.to_json(),
            "costs": costs.to_json(),
            "aggregation": AGGREGATION,
            "recommendation": recommendation.to_json() if recommendation else None,
            "decision_support": unsupported_reason(comparison),
            "warnings": [warning.to_json() for warning in comparison_warnings(comparison)],
            "notes": comparison.notes,
            "wall_seconds": round(comparison.wall_seconds, 3),
            "results": results,
        }
    )


def comparison_json_text(comparison: Comparison, costs=None) -> str:
    return json.dumps(comparison_to_json(comparison, costs), indent=2, allow_nan=False)


def metrics_table(comparison: Comparison) -> pd.DataFrame:
    """One row per technique: whether it is a reference learner (not a network), mean and std of each
    metric, tuned threshold, fit time, notes."""
    rows = []
    for result in comparison.results:
        row = {"technique": result.spec.label, "reference": bool(result.reference)}
        for name in METRIC_NAMES:
            row[name] = result.metrics.get(name, float("nan"))
            row[f"{name}_std"] = result.metrics_std.get(name, float("nan"))
        row["tuned_threshold"] = result.tuned_threshold
        row["fit_seconds"] = round(result.fit_seconds, 2)
        row["notes"] = " | ".join(result.notes)
        rows.append(row)
    return pd.DataFrame(rows)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote (CSV injection)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_neutralised)
    safe.columns = [_neutralised(str(name)) for name in safe.columns]
    return safe


def _neutralised(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    neutralise_formulas(frame).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def metrics_csv(comparison: Comparison) -> str:
    return to_csv_text(metrics_table(comparison))
