"""A Comparison to a JSON-safe record and back, exactly: every field, per-fold arrays included.

The record is written generically over the dataclass fields (of Comparison, TechniqueResult and whatever they
hold), so a field added to them later is stored and restored without a change here; keys a reader does not
know are ignored, and a field missing from an older record keeps its default. Arrays are written as
`{"ndarray": {"dtype", "shape", "data"}}` inline, or, for the history database, as `{"ndarray_ref": name}`
pointing into a separate `.npz` blob (see `pack_comparison`), which is far smaller than text.

`comparison_from_record(record)` reads what `comparison_to_record` wrote (history, tests). The results JSON
the CLI and the dashboard export is read by imbal_core.store.results_document, with the checks and codec here.
"""

from __future__ import annotations

import dataclasses
import io
import math
import sys
import types
import typing
from typing import Any

import numpy as np

from imbal_core.decide.costs import Costs
from imbal_core.errors import ImbalanceLabError, InputError
from imbal_core.run.metric_names import THRESHOLD_FREE
from imbal_core.techniques.catalogue import get_technique

FORMAT_VERSION = 1
RECORD_KIND = "imbalance-lab-comparison"
ARRAY_KEY, ARRAY_REF_KEY = "ndarray", "ndarray_ref"
TYPE_KEY = "__dataclass__"  # names the class of an engine dataclass held in a loosely typed field
# The only classes a type tag may name. A record is user data (an imported file, a shared run): it never chooses
# what the server imports, so a tag is looked up here and nothing is ever imported by name. A tag is a stored
# name, not an import path: Costs moved to imbal_core.decide.costs, and records keep naming it as they always have.
TAGGED_CLASSES: dict[str, type] = {"imbal_core.decision.Costs": Costs}
MAX_NESTING = 64  # levels of lists/objects a record may have; ours have about 12 (probabilities in a fold)
PROBABILITY_SLACK = 1e-6  # a network's float32 outputs may pass 1 by a rounding step
COMPLEMENT = "complement"  # a binary (n, 2) probability array stored as its second column (see pack_comparison)
_REFERENCE_KEYS = frozenset({ARRAY_REF_KEY, "dtype", "shape", "codec"})
# Array dtypes a record may name: numbers and booleans only (never object arrays, which could hold code).
_ARRAY_KINDS = frozenset("biuf")


# --- encoding ------------------------------------------------------------------------------------------------


def encode(value: Any, arrays: dict[str, np.ndarray] | None = None) -> Any:
    """A JSON-safe copy of `value`. With `arrays`, numpy arrays go there and leave a reference behind."""
    if isinstance(value, np.ndarray):
        if arrays is not None:
            name = f"a{len(arrays)}"
            arrays[name] = value
            return {ARRAY_REF_KEY: name, "dtype": value.dtype.str}
        return {ARRAY_KEY: {"dtype": value.dtype.str, "shape": list(value.shape), "data": value.tolist()}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = type_hints(type(value))
        encoded = {}
        for item in dataclasses.fields(value):
            field_value = getattr(value, item.name)
            if item.metadata.get("omit_when_default") and field_value == item.default:
                continue  # a field added later: records that do not need it keep their old shape
            encoded[item.name] = encode(field_value, arrays)
            if _needs_type_tag(field_value, hints.get(item.name, Any)):
                encoded[item.name][TYPE_KEY] = _tag_name(type(field_value))
        return encoded
    if isinstance(value, dict):
        return {str(key): encode(item, arrays) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item, arrays) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def comparison_to_record(comparison) -> dict:
    """Every field of `comparison` (an imbal_core.run.results.Comparison) as a JSON-safe dict with arrays inline."""
    return {"kind": RECORD_KIND, "format_version": FORMAT_VERSION, "comparison": encode(comparison)}


def pack_comparison(comparison) -> tuple[dict, bytes]:
    """A record whose arrays are references into one compressed `.npz` blob: (record, blob). For the database.

    Arrays of the same stored type are concatenated into one flat array (a few zip entries instead of one per
    fold and field). Every narrowing is checked to be lossless before it is used, so reading gives back the
    very same values: integers go in the smallest integer type that holds them; float64 values that are
    float32 values (a network's outputs) go as float32; and a binary (n, 2) probability array whose first
    column is exactly 1 - the second keeps only the second. A 5-fold, 6-technique run on 20,000 rows then
    takes about 1 MB instead of 4 (bench/RESULTS.md).
    """
    arrays: dict[str, np.ndarray] = {}
    record = {"kind": RECORD_KIND, "format_version": FORMAT_VERSION, "comparison": encode(comparison, arrays)}
    groups: dict[str, list[np.ndarray]] = {}
    sizes: dict[str, int] = {}
    locations = {}
    for name, array in arrays.items():
        narrowed, codec = _compacted(array)
        group = narrowed.dtype.str.replace("<", "le").replace(">", "be").replace("|", "")
        locations[name] = (group, sizes.get(group, 0), list(array.shape), codec)
        groups.setdefault(group, []).append(narrowed.ravel())
        sizes[group] = sizes.get(group, 0) + narrowed.size
    record = _locate(record, locations)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{group: np.concatenate(parts) for group, parts in groups.items()})
    return record, buffer.getvalue()


def comparison_from_packed(record: dict, blob: bytes):
    """The Comparison `pack_comparison` wrote."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
            groups = {name: stored[name] for name in stored.files}
    except Exception as error:  # noqa: BLE001 - ValueError, OSError, zipfile.BadZipFile, EOFError
        raise InputError(f"The stored arrays of this run are damaged ({error}).") from None
    try:
        resolved = _resolve_references(record, groups)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"The stored arrays of this run are damaged ({error}).") from None
    return comparison_from_record(resolved)


def _locate(value: Any, locations: dict) -> Any:
    """References by name become (group, offset, shape) references into the concatenated arrays."""
    if isinstance(value, dict):
        if ARRAY_REF_KEY in value and set(value) == {ARRAY_REF_KEY, "dtype"}:
            group, offset, shape, codec = locations[value[ARRAY_REF_KEY]]
            reference = {ARRAY_REF_KEY: [group, offset], "shape": shape, "dtype": value["dtype"]}
            return {**reference, "codec": codec} if codec else reference
        return {key: _locate(item, locations) for key, item in value.items()}
    if isinstance(value, list):
        return [_locate(item, locations) for item in value]
    return value


def _resolve_references(value: Any, groups: dict[str, np.ndarray]) -> Any:
    if isinstance(value, dict):
        if ARRAY_REF_KEY in value and {ARRAY_REF_KEY, "dtype", "shape"} <= set(value) <= _REFERENCE_KEYS:
            group, offset = value[ARRAY_REF_KEY]
            shape = tuple(int(size) for size in value["shape"])
            codec = value.get("codec")
            count = shape[0] if codec == COMPLEMENT else int(np.prod(shape, dtype=np.int64))
            flat = groups[group][int(offset) : int(offset) + count]
            if flat.size != count:
                raise ValueError(f"array {group}[{offset}] is shorter than its shape {shape}")
            restored = flat.astype(_checked_dtype(value["dtype"]))
            if codec == COMPLEMENT:
                restored = np.column_stack([1.0 - restored, restored])
            elif codec is not None:
                raise ValueError(f"unknown array codec {codec!r}")
            return {ARRAY_KEY: restored.reshape(shape)}
        return {key: _resolve_references(item, groups) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_references(item, groups) for item in value]
    return value


def _compacted(array: np.ndarray) -> tuple[np.ndarray, str | None]:
    """The smallest lossless stored form of `array` and the codec that undoes it (None: a plain cast back)."""
    codec = None
    if (
        array.dtype == np.float64
        and array.ndim == 2
        and array.shape[1] == 2
        and array.shape[0] > 0
        and np.array_equal(array[:, 0], 1.0 - array[:, 1])
    ):
        array, codec = array[:, 1], COMPLEMENT
    if array.size == 0:
        return array, codec
    if array.dtype == np.float64:
        single = array.astype(np.float32)
        if np.array_equal(single.astype(np.float64), array, equal_nan=True):
            return single, codec
        return array, codec
    if array.dtype.kind not in "iu":
        return array, codec
    low, high = int(array.min()), int(array.max())
    for candidate in (np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32):
        info = np.iinfo(candidate)
        if info.min <= low and high <= info.max:
            return array.astype(candidate), codec
    return array, codec


# --- decoding ------------------------------------------------------------------------------------------------


def comparison_from_record(record: dict):
    """The Comparison `comparison_to_record` wrote; InputError for a record that is not ours or too new."""
    # deferred: results imports scikit-learn, through metrics; the Data page paints without it
    from imbal_core.run.results import Comparison

    if (
        not isinstance(record, dict)
        or record.get("kind") != RECORD_KIND
        or not isinstance(record.get("comparison"), dict)
    ):
        raise InputError("This is not an Imbalance Lab comparison record.")
    check_version(record.get("format_version"), "record")
    check_nesting(record, "This comparison record")
    try:
        comparison = decode(record["comparison"], Comparison)
    except InputError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise InputError(f"The comparison record is damaged and cannot be read ({error}).") from None
    problem = comparison_problem(comparison, try_drawing=False)  # a stored run: checked, not drawn, on each open
    if problem:
        raise InputError(f"The comparison record is damaged and cannot be drawn: {problem}.")
    return comparison


def decode(value: Any, kind: Any) -> Any:
    """`value` (as `encode` wrote it) rebuilt as type `kind`; arrays are recognised by their marker."""
    if isinstance(value, dict) and ARRAY_KEY in value and len(value) == 1:
        return value[ARRAY_KEY] if isinstance(value[ARRAY_KEY], np.ndarray) else _array_from_inline(value[ARRAY_KEY])
    if value is None:
        return None
    if kind is Any or kind is None:
        return _decode_untyped(value)
    origin = typing.get_origin(kind)
    arguments = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in arguments if option is not type(None)]
        return decode(value, options[0]) if len(options) == 1 else _decode_untyped(value)
    if origin is typing.Literal:
        return value
    if dataclasses.is_dataclass(kind) and isinstance(value, dict):
        return _decode_dataclass(value, kind)
    if kind is np.ndarray:
        return np.asarray(value)
    if origin in (list, tuple) or kind in (list, tuple):
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        if origin is tuple and arguments and arguments[-1] is not Ellipsis:
            return tuple(decode(item, item_kind) for item, item_kind in zip(value, arguments, strict=False))
        item_kind = arguments[0] if arguments else Any
        items = [decode(item, item_kind) for item in value]
        return tuple(items) if (origin is tuple or kind is tuple) else items
    if origin is dict or kind is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        value_kind = arguments[1] if len(arguments) == 2 else Any
        return {key: decode(item, value_kind) for key, item in value.items()}
    if kind in _SCALARS:
        return _scalar(value, kind)
    return _decode_untyped(value)


_SCALARS = {float: "a number", int: "a whole number", str: "text", bool: "true or false"}


def _scalar(value: Any, kind: type) -> Any:
    """A JSON scalar as `kind`; TypeError when it is another kind (text where a number belongs, and so on)."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is float and numeric:
        return float(value)
    if kind is int and numeric and float(value).is_integer():
        return int(value)
    if kind in (str, bool) and type(value) is kind:
        return value
    raise TypeError(f"expected {_SCALARS[kind]}, found {type(value).__name__} {_shortened(value)}")


def _shortened(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _needs_type_tag(value: Any, declared: Any) -> bool:
    """A dataclass in a loosely typed field (e.g. Comparison.costs: object) is tagged with its class."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return False
    options = typing.get_args(declared) if typing.get_origin(declared) in (typing.Union, types.UnionType) else ()
    return declared is not type(value) and type(value) not in options


def _tag_name(kind: type) -> str:
    """The tag of a class in TAGGED_CLASSES; TypeError for any other, so a record never names what cannot be
    read back (a new loosely typed field holding a new class needs its entry there)."""
    name = next((tag for tag, known in TAGGED_CLASSES.items() if known is kind), None)
    if name is None:
        where = f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"{where} is held in a loosely typed field; add it to serialize.TAGGED_CLASSES to store it.")
    return name


def _tagged_class(name: Any) -> type | None:
    """The class a type tag names, from the allow-list only (None for anything else: it stays a plain dict)."""
    return TAGGED_CLASSES.get(name) if isinstance(name, str) else None


def _decode_untyped(value: Any) -> Any:
    if isinstance(value, dict):
        if ARRAY_KEY in value and len(value) == 1:
            return decode(value, Any)
        tagged = _tagged_class(value.get(TYPE_KEY))
        if tagged is not None:
            return _decode_dataclass(value, tagged)
        return {key: _decode_untyped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_untyped(item) for item in value]
    return value


def _decode_dataclass(value: dict, kind: type) -> Any:
    hints = type_hints(kind)
    known = {item.name: item for item in dataclasses.fields(kind)}
    init_values, later_values = {}, {}
    for name, item in value.items():
        if name not in known:
            continue  # a field this version does not have: ignored
        try:
            decoded = decode(item, hints.get(name, Any))
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name}: {error}") from None
        (init_values if known[name].init else later_values)[name] = decoded
    instance = kind(**init_values)
    for name, decoded in later_values.items():
        object.__setattr__(instance, name, decoded)
    return instance


def type_hints(kind: type) -> dict[str, Any]:
    """Field types, resolved in the dataclass's module; a field whose type cannot be resolved is untyped."""
    try:
        return typing.get_type_hints(kind)
    except Exception:  # noqa: BLE001 - e.g. a name imported only under TYPE_CHECKING
        namespace = vars(sys.modules[kind.__module__])
        hints = {}
        for item in dataclasses.fields(kind):
            try:
                hints[item.name] = _resolved(item.type, namespace) if isinstance(item.type, str) else item.type
            except Exception:  # noqa: BLE001
                hints[item.name] = Any
        return hints


def _resolved(annotation: str, namespace: dict) -> Any:
    """One field's string annotation resolved by typing itself (our own source text, never user data)."""
    holder = type("_Holder", (), {"__annotations__": {"value": annotation}})
    return typing.get_type_hints(holder, globalns=namespace)["value"]


def _checked_dtype(name: str) -> np.dtype:
    try:
        dtype = np.dtype(name)
    except TypeError:
        raise TypeError(f"unknown array type {name!r}") from None
    if dtype.kind not in _ARRAY_KINDS:
        raise TypeError(f"array type {name!r} is not numeric")
    return dtype


def _array_from_inline(spec: dict) -> np.ndarray:
    if not isinstance(spec, dict) or not {"dtype", "shape", "data"} <= set(spec):
        raise TypeError("an array needs dtype, shape and data")
    dtype = _checked_dtype(spec["dtype"])
    data = spec["data"]
    if dtype.kind == "f":  # a JSON export writes NaN as null
        data = _nulls_to_nan(data)
    array = np.asarray(data, dtype=dtype)
    shape = tuple(int(size) for size in spec["shape"])
    if array.shape != shape:
        array = array.reshape(shape)
    return array


def _nulls_to_nan(data: Any) -> Any:
    if isinstance(data, list):
        return [_nulls_to_nan(item) for item in data]
    return math.nan if data is None else data


def check_version(version: Any, what: str) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(f"This {what} has no valid format_version, so it was not written by Imbalance Lab.")
    if version > FORMAT_VERSION:
        raise InputError(
            f"This {what} has format version {version}, newer than this Imbalance Lab reads ({FORMAT_VERSION}). "
            "Update Imbalance Lab to open it."
        )


# --- checks on what a record holds ----------------------------------------------------------------------------


def too_deep(what: str) -> str:
    return (
        f"{what} has lists or objects nested more than {MAX_NESTING} levels deep; an Imbalance Lab results file "
        "never does, so it was not read."
    )


def check_nesting(value: Any, what: str) -> None:
    """InputError when `value` nests deeper than MAX_NESTING (checked without recursion, before any reader
    that recurses sees it). An inline array's numbers are left to numpy, which reads them without recursing
    in Python and refuses more than its 64 dimensions: walking a 10 MB export's rows here took 4 s."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_NESTING:
            raise InputError(too_deep(what))
        if isinstance(item, dict):
            children = item.values()
            if ARRAY_KEY in item and isinstance(item[ARRAY_KEY], dict):
                children = [child for key, child in item[ARRAY_KEY].items() if key != "data"]
        elif isinstance(item, list):
            children = item
        else:
            continue
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def comparison_problem(comparison, try_drawing: bool = True) -> str | None:
    """What makes a decoded comparison unusable (arrays that do not match, labels out of range, probabilities
    that are not finite numbers in [0, 1], a technique this version does not know), in words; None when every
    page can draw it. A run from a file or the database is user data: it is checked before anyone sees it.

    `try_drawing` also computes what the pages compute (about 0.5 s for a 20,000-row, 6-technique, 5-fold run;
    the checks alone take 2 ms): done once for an import, not each time a stored run is opened."""
    labels = comparison.labels
    if len(labels) < 2 or not all(isinstance(label, str) for label in labels):
        return f"it names {len(labels)} class(es); a run has at least two class names"
    counts = comparison.dataset.get("class_counts", {}) if isinstance(comparison.dataset, dict) else None
    if not isinstance(counts, dict) or not all(
        isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in counts.values()
    ):
        return "its dataset's class_counts are not whole numbers of rows per class"
    if not comparison.results:
        return "it holds no techniques"
    for result in comparison.results:
        try:
            get_technique(result.spec.technique_id)
        except ImbalanceLabError:
            return f"technique {result.spec.technique_id!r} is not one this Imbalance Lab knows"
        problem = _result_problem(result, len(labels)) or (_drawing_problem(result) if try_drawing else None)
        if problem:
            return f"technique {result.spec.technique_id!r}, {problem}"
    return None


def _result_problem(result, n_classes: int) -> str | None:
    folds = len(result.test_labels)
    if result.failed and folds == 0:
        return None  # a technique that could not run: only its message is shown
    if folds == 0:
        return "has no folds (no test labels)"
    sizes = {
        "test probabilities": len(result.test_probabilities),
        "fold metrics": len(result.fold_metrics),
    }
    optional = {
        "test row numbers": len(result.test_rows),
        "fold repeats": len(result.fold_repeats),
        "validation probabilities": len(result.validation_probabilities),
        "tuned thresholds": len(result.tuned_thresholds),
    }
    sizes.update({name: size for name, size in optional.items() if size})
    for name, size in sizes.items():
        if size != folds:
            return f"has {folds} folds of test labels but {size} folds of {name}"
    validation = bool(result.validation_probabilities)  # a record older than validation probabilities has none
    if validation and len(result.validation_labels) != len(result.validation_probabilities):
        return "has validation labels and probabilities for different numbers of folds"
    if any(not isinstance(repeat, int) or repeat < 0 for repeat in result.fold_repeats):
        return "has a fold repeat that is not a whole number from 0"
    for fold in range(folds):
        problem = _fold_problem(result.test_labels[fold], result.test_probabilities[fold], n_classes, "test") or (
            _fold_problem(
                result.validation_labels[fold], result.validation_probabilities[fold], n_classes, "validation"
            )
            if validation
            else None
        )
        if problem is None and result.test_rows and _array_problem(result.test_rows[fold], 1, "iu"):
            problem = "its test row numbers are not a list of whole numbers"
        if problem is None and result.test_rows and len(result.test_rows[fold]) != len(result.test_labels[fold]):
            problem = (
                f"has {len(result.test_labels[fold])} test labels but {len(result.test_rows[fold])} test row numbers"
            )
        if problem is None and not isinstance(result.fold_metrics[fold], dict):
            problem = "its fold metrics are not a table of names and values"
        if problem is None and not all(
            _number_or_none(result.fold_metrics[fold].get(name)) and name in result.fold_metrics[fold]
            for name in THRESHOLD_FREE
        ):
            problem = f"fold metrics lack a number for one of {', '.join(sorted(THRESHOLD_FREE))}"
        if problem:
            return f"fold {fold + 1} {problem}"
    thresholds = np.asarray(result.tuned_thresholds, dtype=float)
    if thresholds.size and not (np.isfinite(thresholds).all() and (thresholds >= 0).all() and (thresholds <= 1).all()):
        return "has a tuned threshold that is not a number between 0 and 1"
    return None


def _number_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _fold_problem(labels: Any, probabilities: Any, n_classes: int, role: str) -> str | None:
    problem = _array_problem(labels, 1, "iu") or _array_problem(probabilities, 2, "f")
    if problem:
        return f"{role} {problem}"
    if probabilities.shape[0] != labels.shape[0]:
        return f"has {labels.shape[0]} {role} labels but {probabilities.shape[0]} rows of probabilities"
    if probabilities.shape[1] != n_classes:
        return f"has {probabilities.shape[1]} columns of {role} probabilities for {n_classes} classes"
    outside = labels[(labels < 0) | (labels >= n_classes)]
    if outside.size:
        return f"has {role} label {int(outside[0])}, outside the class codes 0 to {n_classes - 1}"
    finite = np.isfinite(probabilities)
    inside = (probabilities >= -PROBABILITY_SLACK) & (probabilities <= 1 + PROBABILITY_SLACK)
    if not (finite & inside).all():
        return f"has {role} probabilities that are not finite numbers between 0 and 1 (NaN, infinite or out of range)"
    return None


def _array_problem(value: Any, ndim: int, kinds: str) -> str | None:
    if not isinstance(value, np.ndarray) or value.ndim != ndim or value.dtype.kind not in kinds:
        what = "whole numbers" if kinds == "iu" else "numbers"
        shape = "a list" if ndim == 1 else "a table (rows by classes)"
        return f"values are not {shape} of {what}"
    return None


def _drawing_problem(result) -> str | None:
    """What the pages compute from a result, tried once, so a combination the checks above missed is refused
    here rather than on a page (whoever opens a shared run would see it)."""
    try:
        result.metrics_at(0.5)
        result.confusion_at(0.5)
        _ = result.metrics, result.labels, result.probabilities
    except Exception as error:  # noqa: BLE001 - anything a page would have raised
        return f"cannot be drawn ({type(error).__name__}: {error})"
    return None
