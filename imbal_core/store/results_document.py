"""The results JSON document (report.comparison_to_json, `compare --json`, the dashboard's JSON download)
read back into comparisons, and the per-result `"folds"` entry that makes it complete enough to do so.
The history's own record format is in imbal_core.store.serialize."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from imbal_core.errors import InputError
from imbal_core.nets.model import ModelSettings
from imbal_core.store.serialize import (
    FORMAT_VERSION,
    TYPE_KEY,
    check_nesting,
    check_version,
    comparison_problem,
    decode,
    encode,
    too_deep,
    type_hints,
)
from imbal_core.techniques.catalogue import TechniqueSpec

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024  # a 5-fold, 15-technique run on 20,000 rows is about 25 MB of JSON

# TechniqueResult fields the document already carries at the top level of each result.
_DOCUMENT_RESULT_KEYS = {"spec"}


def folds_json(result) -> dict:
    """The `"folds"` entry of a result in the results JSON: every TechniqueResult field but the spec (which the
    document holds as technique + params), per-fold arrays inline, and the format version."""
    encoded = {
        item.name: encode(getattr(result, item.name))
        for item in dataclasses.fields(result)
        if item.name not in _DOCUMENT_RESULT_KEYS
    }
    return {"format_version": FORMAT_VERSION, **encoded}


def comparisons_from_json_document(document: str | bytes | dict) -> list:
    """Every Comparison in a results JSON: the CLI's `compare --json` document (one comparison) or the
    dashboard's export (`{"dataset_name", "runs": [...]}`, one comparison per run).

    Raises InputError when the document is too large, not JSON, not ours, from a newer version, or was
    written before results carried their per-fold data (then nothing can be redrawn from it).
    """
    if isinstance(document, (str, bytes)):
        size = len(document.encode("utf-8") if isinstance(document, str) else document)
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(
                f"This file is {size / 1e6:,.1f} MB; results JSON files up to {MAX_DOCUMENT_BYTES / 1e6:,.1f} MB "
                "can be imported."
            )
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError) as error:
            raise InputError(
                f"This file is not JSON ({error}); pick a results JSON exported by Imbalance Lab."
            ) from None
        except RecursionError:
            raise InputError(too_deep("This file")) from None
    check_nesting(document, "This file")
    if isinstance(document, dict) and isinstance(document.get("runs"), list) and "results" not in document:
        if not document["runs"]:
            raise InputError("This results file holds no runs, so there is nothing to show.")
        return [_comparison_from_document(run) for run in document["runs"]]
    return [_comparison_from_document(document)]


def comparison_from_json_document(document: str | bytes | dict):
    """The one Comparison in a results JSON (see comparisons_from_json_document); InputError if it holds several."""
    comparisons = comparisons_from_json_document(document)
    if len(comparisons) != 1:
        raise InputError(
            f"This results file holds {len(comparisons)} runs; read it with comparisons_from_json_document."
        )
    return comparisons[0]


def _comparison_from_document(document: dict):
    # deferred: protocol and results import scikit-learn; the Data page paints without it
    from imbal_core.run.protocol import Protocol
    from imbal_core.run.results import Comparison, TechniqueResult

    if not isinstance(document, dict) or not {"dataset", "protocol", "results"} <= set(document):
        raise InputError(
            "This JSON is not an Imbalance Lab results file: it needs dataset, protocol and results "
            "(export one with the CLI's --json or the dashboard's JSON download)."
        )
    results = document["results"]
    if not isinstance(results, list) or not all(isinstance(result, dict) for result in results):
        raise InputError("This JSON is not an Imbalance Lab results file: results must be a list of objects.")
    if not results:
        raise InputError("This results file holds no techniques, so there is nothing to show.")
    if any("folds" not in result for result in results):
        raise InputError(
            "This results file was written by an older Imbalance Lab, without the per-fold predictions needed "
            "to redraw charts. Run the comparison again and export it once more."
        )
    for result in results:
        check_version(
            result["folds"].get("format_version") if isinstance(result["folds"], dict) else None, "results file"
        )
    try:
        protocol_json = dict(document["protocol"])
        model_json = dict(document.get("model") or {})
        if "epochs" in protocol_json and "max_epochs" not in model_json:
            model_json["max_epochs"] = protocol_json["epochs"]
        protocol = _protocol_from_json(protocol_json, Protocol)
        settings = decode(model_json, ModelSettings)
        labels = None
        technique_results = []
        for result in results:
            spec = TechniqueSpec(str(result["technique"]), dict(result.get("params") or {}))
            folds = {key: item for key, item in result["folds"].items() if key != "format_version"}
            technique_result = decode({**folds, "spec": None}, TechniqueResult)
            technique_result.spec = spec
            technique_results.append(technique_result)
            labels = labels or [str(label) for label in result.get("labels") or []]
        dataset = dict(document["dataset"])
        if not labels:
            labels = [str(label) for label in dataset.get("class_counts", {})]
        comparison = Comparison(
            dataset=dataset,
            protocol=protocol,
            settings=settings,
            labels=labels,
            results=technique_results,
            notes=list(document.get("notes") or []),
            wall_seconds=float(document.get("wall_seconds") or 0.0),
        )
        extra = {key: item for key, item in document.items() if key in _extra_comparison_fields(Comparison)}
        for name, item in extra.items():
            hints = type_hints(Comparison)
            if isinstance(item, dict) and name in _DOCUMENT_CLASSES:  # e.g. costs, written by Costs.to_json()
                item = {**item, TYPE_KEY: _DOCUMENT_CLASSES[name]}
            setattr(comparison, name, decode(item, hints.get(name, Any)))
    except InputError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise InputError(f"This results file is damaged and cannot be read ({error}).") from None
    problem = comparison_problem(comparison)
    if problem:
        raise InputError(
            f"This results file is damaged, so nothing was imported: {problem}. "
            "Export the run again from the dashboard or with the CLI's --json."
        )
    return comparison


def _protocol_from_json(data: dict, protocol_class: type):
    """The document's protocol (quick mode writes folds=1 and cv mode test_size=null) as a Protocol."""
    defaults = protocol_class()
    mode = data.get("mode", defaults.mode)
    values = {
        "mode": mode,
        "folds": int(data.get("folds") or defaults.folds) if mode == "cv" else defaults.folds,
        "repeats": int(data.get("repeats") or defaults.repeats),
        "test_size": float(data["test_size"]) if data.get("test_size") is not None else defaults.test_size,
        "seed": int(data.get("seed") or 0),
    }
    known = {item.name for item in dataclasses.fields(protocol_class)}
    return protocol_class(**{key: item for key, item in values.items() if key in known})


# Comparison fields typed loosely whose results-JSON form is one engine dataclass's fields.
_DOCUMENT_CLASSES = {"costs": "imbal_core.decision.Costs"}


def _extra_comparison_fields(comparison_class: type) -> set[str]:
    """Comparison fields the document may carry under their own name beyond the fixed ones (e.g. costs)."""
    fixed = {"dataset", "protocol", "settings", "labels", "results", "notes", "wall_seconds"}
    return {item.name for item in dataclasses.fields(comparison_class)} - fixed
