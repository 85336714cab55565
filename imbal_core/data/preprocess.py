"""Decide what each column is, then impute, scale and one-hot encode: fitted on training rows only.

Encoding runs in two stages so SMOTENC/SMOTEN can see categories as categories:
stage one imputes, scales numbers and turns categories into integer codes; stage two
one-hot encodes those codes for the network. Samplers that need plain numbers run after
stage two; SMOTE-family samplers on data with categories run between the stages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from imbal_core.errors import InputError

# The networks compute in float32: a number beyond its largest (about 3.4e38) cannot reach them, and below it
# the scaler's mean and variance (float64) stay finite for any number of rows a table can have.
MAX_MAGNITUDE = float(np.finfo(np.float32).max)
MAX_CATEGORIES = 30
NUMERIC_SHARE_FOR_COERCION = 0.95
TEXT_MIN_MEAN_WORDS = 3.0  # free text: several words per value on average, and many distinct values
TEXT_FEATURES = 300  # words (and word pairs) kept per text column, by frequency in the training rows
MOSTLY_DISTINCT_SHARE = 0.8  # categories repeat; messages hardly ever do
# Words as the text columns are read: runs of two or more letters or digits (scikit-learn's default), each
# Chinese/Japanese character on its own (those scripts put no spaces between words, so character pairs become
# the "word pairs"), and emoji, with skin tones and zero-width-joiner sequences (a family, a flag) kept whole.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
TOKEN_PATTERN = (
    rf"(?:(?![{_CJK}])\w){{2,}}|[{_CJK}]|[{_EMOJI}](?:[\ufe0f\U0001f3fb-\U0001f3ff]|\u200d[{_EMOJI}]\ufe0f?)*"
)
_DATE_PATTERN = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})([ T]\d{1,2}:\d{2}.*)?\s*$")
_ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key|index)$", re.I)


@dataclass
class ColumnPlan:
    """Which feature columns are numeric, categorical or dropped (with the reason)."""

    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    coerced: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def plan_columns(features: pd.DataFrame) -> ColumnPlan:
    """Classify feature columns; constant, empty, date and ID-like columns are dropped with a reason."""
    plan = ColumnPlan()
    rows = len(features)
    for column in features.columns:
        values = features[column]
        non_missing = values.dropna()
        name = str(column)
        if non_missing.empty:
            plan.dropped[name] = "every value is missing"
        elif non_missing.nunique() == 1:
            plan.dropped[name] = "constant"
        elif pd.api.types.is_bool_dtype(values):
            plan.categorical.append(name)
        elif pd.api.types.is_numeric_dtype(values):
            if _looks_like_integer_id(name, non_missing, rows):
                plan.dropped[name] = "ID-like: a unique integer per row"
            else:
                plan.numeric.append(name)
        else:
            _plan_text_column(name, non_missing.astype(str), rows, plan)
    if plan.text:
        plan.notes.append(
            "Free-text columns become bag-of-words features (TF-IDF of words and word pairs, learned from the "
            "training rows of each fold): " + ", ".join(plan.text)
        )
    empty = {name: int(features[name].isna().sum()) for name in plan.text if features[name].isna().any()}
    if empty:
        plan.notes.append(
            "Empty text is read as a message with no words (not imputed): "
            + ", ".join(f"{name} ({count} of {rows} rows empty)" for name, count in empty.items())
        )
    if plan.coerced:
        plan.notes.append(
            "Mostly numeric columns with a few text values were read as numbers (the text became missing): "
            + ", ".join(plan.coerced)
        )
    return plan


def _looks_like_integer_id(name: str, values: pd.Series, rows: int) -> bool:
    if not pd.api.types.is_integer_dtype(values) or rows < 20:
        return False
    unique_per_row = values.nunique() == len(values)
    return unique_per_row and (bool(_ID_NAME.search(name)) or values.is_monotonic_increasing)


def _plan_text_column(name: str, values: pd.Series, rows: int, plan: ColumnPlan) -> None:
    sample = values.head(2000)
    numeric_share = pd.to_numeric(sample, errors="coerce").notna().mean()
    if numeric_share >= NUMERIC_SHARE_FOR_COERCION:
        plan.numeric.append(name)
        plan.coerced.append(name)
    elif sample.str.match(_DATE_PATTERN).mean() >= NUMERIC_SHARE_FOR_COERCION:
        plan.dropped[name] = "dates are not used as features"
    elif _looks_like_free_text(sample, values):
        plan.text.append(name)
    elif rows >= 20 and values.nunique() > max(0.5 * len(values), MAX_CATEGORIES):
        plan.dropped[name] = f"ID-like: {values.nunique()} distinct values in {len(values)} rows"
    else:
        plan.categorical.append(name)


def _looks_like_free_text(sample: pd.Series, values: pd.Series) -> bool:
    """Messages, notes, reviews: several words per value, and more distinct values than categories have or
    (a column filled in for a few rows only) hardly a value written twice."""
    # Words as the vectoriser reads them, or as spaces separate them: text in Chinese or Japanese has no spaces.
    words = np.maximum(sample.str.split().str.len(), sample.str.lower().str.count(TOKEN_PATTERN))
    distinct = values.nunique()
    mostly_distinct = distinct >= MOSTLY_DISTINCT_SHARE * len(values)
    return bool(words.mean() >= TEXT_MIN_MEAN_WORDS and (distinct > MAX_CATEGORIES or mostly_distinct))


def clean_features(features: pd.DataFrame, plan: ColumnPlan) -> pd.DataFrame:
    """Row-wise cleaning that learns nothing from the data, so it is safe before the split.

    Raises InputError when a number is beyond what the networks can compute with (check_magnitudes).
    """
    columns: dict[str, pd.Series] = {}
    for column in plan.numeric:
        numbers = pd.to_numeric(features[column], errors="coerce").astype(float)
        columns[column] = numbers.mask(np.isinf(numbers))
    for column in plan.categorical:
        columns[column] = features[column].map(str, na_action="ignore").astype(object)
    for column in plan.text:
        columns[column] = features[column].fillna("").map(str).astype(object)  # a missing message is an empty one
    # One concat, not one insert per column: a wide table would fragment the frame (pandas' PerformanceWarning).
    cleaned = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=features.index)
    check_magnitudes(cleaned, plan.numeric)
    return cleaned


class FeatureEncoder:
    """Two-stage encoder fitted on training rows: `base` (codes) then `encode` (one-hot)."""

    def __init__(self, plan: ColumnPlan) -> None:
        # scikit-learn is imported here, not at the top, so profiling a table (the first page) stays light.
        # deferred: scikit-learn loads only when this runs; the pages paint without it
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OrdinalEncoder, StandardScaler

        from imbal_core.data.text_features import TextFeatures  # deferred: scikit-learn, only when encoding starts

        self.plan = plan
        numeric_steps = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
        categorical_steps = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                (
                    "codes",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=-1,
                        max_categories=MAX_CATEGORIES,
                        dtype=np.float64,
                    ),
                ),
            ]
        )
        transformers = []
        if plan.numeric:
            transformers.append(("numeric", numeric_steps, plan.numeric))
        if plan.categorical:
            transformers.append(("categorical", categorical_steps, plan.categorical))
        for column in plan.text:
            # A column name (not a list) hands the vectoriser one string per row; fitted on training rows only.
            vectoriser = TextFeatures(
                max_features=TEXT_FEATURES, ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN_PATTERN
            )
            transformers.append((f"text {column}", vectoriser, column))
        self.base_transformer = ColumnTransformer(transformers, remainder="drop", sparse_threshold=0)
        self.one_hot = None  # a fitted OneHotEncoder once fit() has seen categorical columns

    @property
    def categorical_indices(self) -> list[int]:
        """Positions of category-code columns in the stage-one matrix."""
        start = len(self.plan.numeric)
        return list(range(start, start + len(self.plan.categorical)))

    def fit(self, training_features: pd.DataFrame) -> FeatureEncoder:
        # deferred: scikit-learn loads only when this runs; the pages paint without it
        from sklearn.preprocessing import OneHotEncoder

        base = self.base_transformer.fit_transform(training_features)
        if self.plan.categorical:
            codes = base[:, self.categorical_indices]
            categories = [np.arange(int(column.max()) + 1, dtype=np.float64) for column in codes.T]
            self.one_hot = OneHotEncoder(
                categories=categories, handle_unknown="ignore", sparse_output=False, dtype=np.float32
            ).fit(codes)
        return self

    def base(self, features: pd.DataFrame) -> np.ndarray:
        """Stage one: imputed, scaled numbers followed by integer category codes (-1 = unseen)."""
        return self.base_transformer.transform(features).astype(np.float64)

    def encode(self, base_matrix: np.ndarray) -> np.ndarray:
        """Stage two: one-hot encode the category codes; the network's input matrix.

        Columns: numbers, then one-hot categories, then text features (TF-IDF, already numbers in stage one).
        """
        numeric = base_matrix[:, : len(self.plan.numeric)].astype(np.float32)
        text = base_matrix[:, self.text_start :].astype(np.float32)
        if self.one_hot is None:
            return np.hstack([numeric, text]) if text.shape[1] else numeric
        codes = base_matrix[:, self.categorical_indices]
        return np.hstack([numeric, self.one_hot.transform(codes), text])

    @property
    def text_start(self) -> int:
        """Where the text features start in the stage-one matrix (after numbers and category codes)."""
        return len(self.plan.numeric) + len(self.plan.categorical)

    def transform(self, features: pd.DataFrame) -> np.ndarray:
        return self.encode(self.base(features))

    @property
    def n_numeric(self) -> int:
        return len(self.plan.numeric)

    def decode(self, encoded: np.ndarray) -> pd.DataFrame:
        """Back to original units and category names (for showing resampled rows to a person)."""
        frame = pd.DataFrame(index=range(len(encoded)))
        if self.plan.numeric:
            scaler = self.base_transformer.named_transformers_["numeric"].named_steps["scale"]
            numbers = scaler.inverse_transform(encoded[:, : self.n_numeric].astype(np.float64))
            for position, column in enumerate(self.plan.numeric):
                frame[column] = numbers[:, position]
        if self.one_hot is not None:
            width = sum(len(categories) for categories in self.one_hot.categories_)
            codes = self.one_hot.inverse_transform(encoded[:, self.n_numeric : self.n_numeric + width])
            ordinal = self.base_transformer.named_transformers_["categorical"].named_steps["codes"]
            codes = np.where(pd.isna(codes), 0, codes).astype(np.float64)
            names = ordinal.inverse_transform(codes)
            for position, column in enumerate(self.plan.categorical):
                frame[column] = names[:, position]
        for column in self.plan.text:
            frame[column] = ""  # words cannot be read back from TF-IDF; original rows get theirs back as read
        return frame


def check_magnitudes(frame: pd.DataFrame, columns, source: str = "The table") -> None:
    """Refuse numbers beyond float32's range in `columns` (numeric already), naming each column."""
    columns = list(columns)
    if columns:
        refuse_huge(columns, frame[columns].to_numpy(dtype=np.float64, na_value=np.nan), source)


def refuse_huge(columns: list, values: np.ndarray, source: str) -> None:
    """Refused rather than clipped: clipping a column of 1e300s would make every value the same number (the
    column would say nothing) and would invent values silently; the person knows the units and can rescale."""
    with np.errstate(invalid="ignore"):
        largest = np.nanmax(np.abs(np.where(np.isinf(values), np.nan, values)), axis=0, initial=0.0)
    offending = [(str(column), size) for column, size in zip(columns, largest, strict=True) if size > MAX_MAGNITUDE]
    if not offending:
        return
    shown = ", ".join(f"{name!r} (up to {size:.3g})" for name, size in offending[:10])
    more = f" and {len(offending) - 10} more" if len(offending) > 10 else ""
    raise InputError(
        f"{source} has numbers too large to compute with in {shown}{more}: the networks compute in 32-bit floats, "
        f"whose largest number is about {MAX_MAGNITUDE:.2g}. Rescale those columns (divide by a power of ten, or "
        "take the logarithm), make sentinel values such as 1e308 empty, or remove the columns, then load the "
        "file again."
    )
