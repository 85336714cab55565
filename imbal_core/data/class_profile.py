"""From a loaded table to classes: suggest the target column, prepare features and labels (labels as text,
spelling variants merged), count the classes and profile them (imbalance ratio, warnings). Reading the
table is in imbal_core.data.tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from imbal_core.data.preprocess import MAX_CATEGORIES, TEXT_FEATURES, check_magnitudes, plan_columns
from imbal_core.data.tables import load_table
from imbal_core.errors import InputError

MAX_CLASSES = 20
TARGET_NAME_PATTERN = re.compile(r"^(class|label|labels|target|y|outcome|is_.*|.*_label|.*_class)$", re.I)


@dataclass
class PreparedData:
    """Feature columns and string labels with rows lacking a label removed."""

    features: pd.DataFrame
    labels: pd.Series
    target: str
    notes: list[str] = field(default_factory=list)
    source_rows: np.ndarray | None = None  # position in the input table of each kept row (resample writes them as read)


@dataclass
class DatasetProfile:
    """What a person needs to see first: size, columns, classes and the imbalance."""

    rows: int
    columns: int
    target: str
    dtypes: dict[str, str]
    missing: dict[str, int]
    class_counts: dict[str, int]
    minority_class: str
    majority_class: str
    imbalance_ratio: float
    numeric_columns: list[str]
    categorical_columns: list[str]
    dropped_columns: dict[str, str]
    notes: list[str]
    warnings: list[str]
    text_columns: list[str] = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        return len(self.class_counts)

    @property
    def minority_share(self) -> float:
        return self.class_counts[self.minority_class] / sum(self.class_counts.values())

    @property
    def features(self) -> int:
        return len(self.numeric_columns) + len(self.categorical_columns) + len(self.text_columns)

    def column_types(self) -> list[tuple[str, str, str]]:
        """(column, type, how it is used) for every feature column: numeric, categorical, text or dropped."""
        rows = [(name, "numeric", "missing values get the median; standardised") for name in self.numeric_columns]
        rows += [
            (name, "categorical", f"one-hot (the {MAX_CATEGORIES} most frequent values)")
            for name in self.categorical_columns
        ]
        rows += [
            (name, "text", f"bag of words: TF-IDF of up to {TEXT_FEATURES} words and word pairs")
            for name in self.text_columns
        ]
        rows += [(name, "dropped", reason) for name, reason in self.dropped_columns.items()]
        return rows

    def to_dict(self) -> dict:
        return {
            "modality": "table",  # imbal_core.data.images.ImageProfile says "image"
            "rows": self.rows,
            "columns": self.columns,
            "features": self.features,
            "target": self.target,
            "class_counts": self.class_counts,
            "minority_class": self.minority_class,
            "majority_class": self.majority_class,
            "imbalance_ratio": self.imbalance_ratio,
            "minority_share": self.minority_share,
            "numeric_columns": self.numeric_columns,
            "categorical_columns": self.categorical_columns,
            "text_columns": self.text_columns,
            "dropped_columns": self.dropped_columns,
            "missing": {name: count for name, count in self.missing.items() if count},
            "dtypes": self.dtypes,
            "notes": self.notes,
            "warnings": self.warnings,
        }


def suggest_target(frame: pd.DataFrame) -> str:
    """A column named like class/label/target/y, else the last column."""
    for column in frame.columns:
        if TARGET_NAME_PATTERN.match(str(column)):
            return str(column)
    return str(frame.columns[-1])


def prepare(frame: pd.DataFrame, target: str) -> PreparedData:
    """Split off the target as clean string labels; drop unlabelled rows; refuse unusable targets."""
    if target not in frame.columns:
        shown = ", ".join(repr(str(column)) for column in list(frame.columns)[:12])
        more = " ..." if frame.shape[1] > 12 else ""
        raise InputError(f"Target column {target!r} is not in the table. Columns are: {shown}{more}.")
    notes: list[str] = []
    raw_labels = frame[target]
    missing = raw_labels.isna()
    if missing.all():
        raise InputError(f"Target column {target!r} is empty in every row. Pick a column with class labels.")
    if missing.any():
        notes.append(f"{int(missing.sum())} rows with a missing {target!r} were dropped.")
    kept = frame.loc[~missing]
    source_rows = np.flatnonzero(~missing.to_numpy())
    if len(kept) < 2:
        raise InputError(
            f"The table has only 1 data row with a {target!r} value; a comparison needs at least 2 rows of every "
            "class (10 or more to learn anything). Upload a table with more rows."
        )
    labels, text_notes = _labels_as_text(kept[target], target)
    notes.extend(text_notes)
    labels, label_notes = _merge_spelling_variants(labels)
    notes.extend(label_notes)
    counts = labels.value_counts()
    if len(counts) < 2:
        raise InputError(
            f"Target column {target!r} has only one class ({counts.index[0]!r}). "
            "Imbalance needs at least two classes: pick another column."
        )
    if len(counts) > MAX_CLASSES:
        raise InputError(
            f"Target column {target!r} has {len(counts)} distinct values; at most {MAX_CLASSES} classes are "
            "supported. Pick a column with class labels, or group the values into fewer classes."
        )
    rare = counts[counts < 2]
    if len(rare):
        if len(counts) - len(rare) < 2:
            raise InputError(
                f"Class {rare.index[0]!r} of {target!r} has only 1 row; a stratified train/test split needs at "
                "least 2 rows of every class (10 or more to learn anything). Add rows of that class."
            )
        notes.append(
            "Classes with a single row were dropped (a split needs 2 rows per class): "
            + ", ".join(repr(label) for label in rare.index)
        )
        keep = ~labels.isin(rare.index)
        kept, labels, source_rows = kept.loc[keep], labels.loc[keep], source_rows[keep.to_numpy()]
    features = kept.drop(columns=[target])
    if features.shape[1] == 0:
        raise InputError(f"The table has only the target column {target!r}; add feature columns to learn from.")
    return PreparedData(
        features=features.reset_index(drop=True),
        labels=labels.reset_index(drop=True),
        target=target,
        notes=notes,
        source_rows=source_rows,
    )


def _labels_as_text(values: pd.Series, target: str) -> tuple[pd.Series, list[str]]:
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "True", False: "False"}).astype(str), []
    if pd.api.types.is_float_dtype(values):
        as_float = values.astype(float)
        if not np.all(np.isfinite(as_float)):
            raise InputError(f"Target column {target!r} holds infinite values. Use class labels as the target.")
        fractional = np.mod(as_float, 1) != 0
        if fractional.any():
            raise InputError(
                f"Target column {target!r} holds continuous numbers ({as_float.nunique()} distinct values such as "
                f"{as_float[fractional].iloc[0]:g}); this tool compares classifiers. Pick a column of class labels, "
                "or bin the values into classes first."
            )
        return as_float.astype(np.int64).astype(str), []
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(str), []
    text = values.astype(str)
    stripped = text.str.strip()
    padded = int((stripped != text).sum())
    if not padded:
        return stripped, []
    return stripped, [f"Spaces around {padded} labels of {target!r} were removed (' yes' and 'yes' are one class)."]


def _merge_spelling_variants(labels: pd.Series) -> tuple[pd.Series, list[str]]:
    """Merge labels that differ only in letter case ("Yes"/"yes"), keeping the commonest spelling."""
    counts = labels.value_counts()
    canonical: dict[str, str] = {}
    for label in counts.index:  # most frequent first, so it wins
        canonical.setdefault(label.casefold(), label)
    mapping = {label: canonical[label.casefold()] for label in counts.index if canonical[label.casefold()] != label}
    if not mapping:
        return labels, []
    merged = ", ".join(f"{old!r} into {new!r}" for old, new in mapping.items())
    return labels.replace(mapping), [f"Labels differing only in letter case were merged: {merged}."]


def class_counts(labels: pd.Series) -> dict[str, int]:
    """Counts per label, largest first (ties by label text, so the order is stable)."""
    counts = labels.value_counts()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return {str(label): int(count) for label, count in ordered}


def profile(frame: pd.DataFrame, target: str | None = None, notes: list[str] | None = None) -> DatasetProfile:
    """Profile a loaded table for a target column (suggested when not given)."""
    target = target or suggest_target(frame)
    prepared = prepare(frame, target)
    plan = plan_columns(prepared.features)
    if plan.coerced:  # mostly numeric text columns become numbers in training: their numbers must fit too
        check_magnitudes(prepared.features[plan.coerced].apply(pd.to_numeric, errors="coerce"), plan.coerced)
    counts = class_counts(prepared.labels)
    minority, majority = list(counts)[-1], list(counts)[0]
    # Empty text is a message with no words (plan.notes says so), not a missing value to impute.
    warnings = _warnings(counts, minority, frame.drop(columns=plan.text), plan.dropped)
    return DatasetProfile(
        rows=len(prepared.labels),
        columns=frame.shape[1],
        target=target,
        dtypes={str(column): str(dtype) for column, dtype in frame.dtypes.items()},
        missing={str(column): int(count) for column, count in frame.isna().sum().items()},
        class_counts=counts,
        minority_class=minority,
        majority_class=majority,
        imbalance_ratio=round(counts[majority] / counts[minority], 4),
        numeric_columns=plan.numeric,
        categorical_columns=plan.categorical,
        dropped_columns=plan.dropped,
        text_columns=plan.text,
        notes=list(notes or []) + prepared.notes + plan.notes,
        warnings=warnings,
    )


def _warnings(counts: dict[str, int], minority: str, frame: pd.DataFrame, dropped: dict[str, str]) -> list[str]:
    warnings = []
    if counts[minority] < 20:
        warnings.append(
            f"The minority class {minority!r} has only {counts[minority]} rows: every metric will be noisy, "
            "and SMOTE-style samplers will use fewer neighbours. Prefer K-fold with repeats."
        )
    missing_cells = int(frame.isna().sum().sum())
    if missing_cells:
        share = missing_cells / max(frame.size, 1)
        warnings.append(f"{missing_cells} cells ({share:.1%}) are missing; they are imputed from training rows.")
    if dropped:
        warnings.append(
            "Columns not used as features: " + "; ".join(f"{name} ({reason})" for name, reason in dropped.items())
        )
    return warnings


def read_and_profile(source: str | Path | bytes, target: str | None = None, file_name: str | None = None):
    """Load a table and profile it in one call; returns (frame, profile)."""
    table = load_table(source, file_name=file_name)
    return table.frame, profile(table.frame, target, notes=table.notes)
