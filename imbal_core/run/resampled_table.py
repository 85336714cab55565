"""A table resampled for use elsewhere: what `resample --out` writes and the Resample page downloads.

Original rows are the input table's own rows, as read: same columns in the same order, same dtypes, same
values (nothing goes through the scaler and back). Synthetic rows are decoded from the sampler's encoded
space and put in each column's dtype: integer columns rounded to whole numbers, true/false columns back to
booleans, categorical columns hold a category seen in the data. A `synthetic` column marks them.

Which rows go in is a choice (ROW_CHOICES): every row of the table, or the training rows a network
trains on (the first stratified split minus its validation slice, exactly as in training). The statement
says which rows were used and how many of each kind, so nothing is left out without a word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from imbal_core.errors import InputError
from imbal_core.nets.model import ModelSettings
from imbal_core.run.folds import encode_dataset, encoder_for, prepare_fold
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.run.resampling import resample
from imbal_core.seeds import derive_seed
from imbal_core.stages.base import ResampleResult, TechniqueRefused
from imbal_core.techniques.catalogue import REGISTRY, TechniqueSpec

RowChoice = Literal["all", "training"]
ROW_CHOICES: tuple[RowChoice, ...] = ("all", "training")
MARKER = "synthetic"
SYNTHETIC_VALUES_NOTE = (
    "Synthetic rows: integer columns are rounded to whole numbers, true/false columns are booleans, and "
    "categorical columns hold categories seen in the data."
)


@dataclass
class ResampledTable:
    """The written table and a true account of its rows."""

    frame: pd.DataFrame  # the input's columns in their order and dtypes, then the marker column
    marker: str  # the marker column's name ("synthetic", unless the table already has one)
    rows: RowChoice
    method: str
    input_rows: int  # rows in the table as read
    used_rows: int  # rows the sampler was given
    original_rows: int  # original rows written (used rows the sampler kept)
    synthetic_rows: int
    removed_rows: int  # used rows the sampler removed (undersamplers)
    not_used: dict[str, int] = field(default_factory=dict)  # rows not given to the sampler, by why
    notes: list[str] = field(default_factory=list)

    def statement(self) -> str:
        """Which rows were used and what became of them, in one paragraph (the CLI and the page say it)."""
        if self.rows == "all":
            used = f"All {self.used_rows:,} rows of the table were resampled"
        else:
            used = (
                f"The {self.used_rows:,} training rows of the first stratified split were resampled (the rows a "
                "network trains on)"
            )
        left = "; ".join(f"{count:,} {why}" for why, count in self.not_used.items() if count)
        left_text = f"; not in the file: {left}" if left else ""
        return (
            f"{used}{left_text}. Written: {self.original_rows:,} original rows as read, {self.synthetic_rows:,} "
            f"synthetic rows (marked in column {self.marker!r}); {self.removed_rows:,} original rows removed by "
            f"{self.method}."
        )


def resample_table(
    frame: pd.DataFrame, target: str, spec: TechniqueSpec, seed: int = 0, rows: RowChoice = "all"
) -> ResampledTable:
    """Run `spec`'s rows stage on the rows `rows` names and return the table to write (see the module)."""
    if rows not in ROW_CHOICES:
        raise InputError(f"Rows to resample must be one of {', '.join(ROW_CHOICES)}; got {rows!r}.")
    technique = spec.technique
    if not (technique.sampler or technique.augment):
        with_rows = ", ".join(item.id for item in REGISTRY.values() if item.sampler or item.augment)
        raise InputError(
            f"{technique.name} ({technique.id}) does not change the rows, so there is nothing to resample. "
            f"Pick a technique with a rows stage: {with_rows}."
        )
    try:
        return _resample_table(frame, target, spec, seed, rows)
    except TechniqueRefused as error:  # e.g. image augmentation on a table: a sentence, never a traceback
        raise InputError(str(error)) from None


def _resample_table(frame, target, spec, seed, rows) -> ResampledTable:
    data = encode_dataset(frame, target)
    source_rows = data.source_rows if data.source_rows is not None else np.arange(len(data.codes))
    fold_seed = derive_seed(seed, 0)  # the seed training gives the first fold, as the Resample page's preview
    not_used = {}
    if rows == "all":
        encoder = encoder_for(data).fit(data.features)
        text_frame = data.features.reset_index(drop=True) if getattr(data.plan, "text", None) else None
        result = resample(spec, encoder.base(data.features), data.codes, encoder, fold_seed, text_frame)
        used = np.arange(len(data.codes))
    else:
        train, test = make_splits(data.codes, Protocol(seed=seed))[0]
        fold = prepare_fold(data, train, test, ModelSettings(), fold_seed)
        result = resample(spec, fold.base_fit, fold.fit_codes, fold.encoder, fold_seed, fold.fit_frame)
        encoder, used = fold.encoder, fold.fit_rows
        not_used = {"validation rows (early stopping)": len(train) - len(used), "test rows": len(test)}
    dropped = len(frame) - len(data.codes)
    if dropped:
        not_used[f"rows without a usable {target!r} value"] = dropped
    written = _written_frame(frame, target, data, result, encoder, source_rows[used])
    marker = _marker_name(frame)
    marks = pd.Series(result.synthetic[_output_order(result)], name=marker, dtype=bool)
    written = pd.concat([written, marks], axis=1)
    notes = list(result.notes) + _unused_column_notes(frame, target, data, int(result.synthetic.sum()))
    if result.synthetic.any():
        notes.append(SYNTHETIC_VALUES_NOTE)
    return ResampledTable(
        frame=written,
        marker=marker,
        rows=rows,
        method=result.method,
        input_rows=len(frame),
        used_rows=len(used),
        original_rows=int((result.source_index >= 0).sum()),
        synthetic_rows=int(result.synthetic.sum()),
        removed_rows=int(len(result.removed_index)),
        not_used=not_used,
        notes=notes,
    )


def _output_order(result: ResampleResult) -> np.ndarray:
    """Output positions: kept originals in the table's order, then the new rows in the sampler's order."""
    kept = np.flatnonzero(result.source_index >= 0)
    kept = kept[np.argsort(result.source_index[kept], kind="stable")]
    return np.concatenate([kept, np.flatnonzero(result.source_index < 0)])


def _written_frame(frame, target, data, result: ResampleResult, encoder, used_positions: np.ndarray) -> pd.DataFrame:
    """Original rows straight from `frame`, synthetic rows decoded into the same columns and dtypes."""
    order = _output_order(result)
    kept = result.source_index[order[result.source_index[order] >= 0]]
    originals = frame.iloc[used_positions[kept]]
    new = order[result.source_index[order] < 0]
    if not len(new):
        return originals.reset_index(drop=True)
    decoded = encoder.decode(result.features[new])
    origin = result.origin[new] if result.origin is not None else np.full(len(new), -1)
    from_row = origin >= 0  # text augmentation: a new row made from one original row
    columns: dict = {}  # built whole, then framed once (a wide image table would fragment column by column)
    spelled: dict[int, object] = {}
    for column in frame.columns:
        if column == target:
            values = pd.Series([_label_value(frame, target, data, code, spelled) for code in result.labels[new]])
        elif column in decoded.columns:
            values = decoded[column].astype(object)
        else:
            values = pd.Series([None] * len(new), dtype=object)  # not used by the sampler: nothing to decode
        if from_row.any() and column != target:
            source = frame[column].iloc[used_positions[origin[from_row]]].to_numpy()
            values.iloc[np.flatnonzero(from_row)] = source
            edited = [edit.text for edit in result.text_edits if edit.column == column]
            if len(edited) == int(from_row.sum()):
                values.iloc[np.flatnonzero(from_row)] = edited
        columns[column] = _in_dtype_of(values, frame[column])
    synthetic = pd.DataFrame(columns, columns=frame.columns)
    return pd.concat([originals.reset_index(drop=True), synthetic], ignore_index=True)


def _label_value(frame, target, data, code: int, cache: dict):
    """The target as the table spells it for class `code` (from a row of that class)."""
    if code not in cache:
        rows = data.source_rows if data.source_rows is not None else np.arange(len(data.codes))
        cache[code] = frame[target].iloc[rows[np.argmax(data.codes == code)]]
    return cache[code]


def _in_dtype_of(values: pd.Series, original: pd.Series) -> pd.Series:
    """Decoded values in the original column's dtype (integers rounded, booleans and categories restored)."""
    dtype = original.dtype
    values = values.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(dtype):
        mapped = values.map(lambda value: {"True": True, "False": False}.get(str(value)))
        return mapped.astype(dtype) if mapped.notna().all() else mapped
    if pd.api.types.is_integer_dtype(dtype):
        numbers = pd.to_numeric(values, errors="coerce").round()
        if numbers.notna().all():
            return numbers.astype(dtype)
        return numbers.astype("Int64")  # written as whole numbers; the empty cells stay empty
    if pd.api.types.is_float_dtype(dtype):
        return pd.to_numeric(values, errors="coerce").astype(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        by_text = {str(category): category for category in dtype.categories}
        return values.map(lambda value: by_text.get(str(value), value)).astype(dtype)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return values.astype(dtype)
    return values


def _marker_name(frame: pd.DataFrame) -> str:
    name = MARKER
    while name in frame.columns:
        name = f"{name}_"
    return name


def _unused_column_notes(frame, target, data, synthetic: int) -> list[str]:
    """Columns the sampler does not see: original rows keep them, synthetic rows leave them empty."""
    plan = data.plan
    used = {*plan.numeric, *plan.categorical, *getattr(plan, "text", []), target}
    unused = [str(column) for column in frame.columns if column not in used]
    if not unused or not synthetic:
        return []
    return [
        f"Not used by the sampler, so empty in synthetic rows: {', '.join(unused)} (the Data page says why "
        "each column is not used); original rows keep their values."
    ]
