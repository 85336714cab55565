"""One dataset encoded once, and one fold's matrices: the encoder is fitted on the fold's training rows only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from imbal_core.data.class_profile import PreparedData, class_counts, prepare
from imbal_core.data.image_encoder import ImageEncoder, image_plan, image_shape_of
from imbal_core.data.preprocess import FeatureEncoder, clean_features, plan_columns
from imbal_core.errors import InputError
from imbal_core.nets.model import ModelSettings
from imbal_core.run.protocol import validation_notes, validation_slice


@dataclass
class EncodedData:
    """Cleaned features and integer class codes; binary code 1 is the minority class."""

    features: pd.DataFrame
    codes: np.ndarray
    labels: list[str]
    plan: object
    notes: list[str]
    image_shape: tuple[int, int, int] | None = None  # images (imbal_core.data.images.to_frame): the CNN's input
    source_rows: np.ndarray | None = None  # position of each row in the table as read (PreparedData.source_rows)


def encode_dataset(frame: pd.DataFrame, target: str) -> EncodedData:
    """Prepare target and features (row-wise cleaning only: nothing here learns from the rows).

    Column typing (numeric, categorical, dropped) looks at every row, test rows included. It reads no
    labels and fits no statistic, only what kind of values a column holds, so it cannot leak the answer;
    everything that learns from values (imputation, scaling, categories) is fitted per fold.
    """
    prepared: PreparedData = prepare(frame, target)
    image_shape = image_shape_of(frame)
    if image_shape is not None:  # every pixel stays, so each row is still an image
        plan = image_plan(prepared.features)
        height, width, channels = image_shape
        plan.notes.append(
            f"Images of {height}x{width}x{channels}: a small CNN is trained on the pixels as they are (0 to 1)."
        )
    else:
        plan = plan_columns(prepared.features)
    if not plan.numeric and not plan.categorical and not plan.text:
        dropped = "; ".join(f"{name} ({reason})" for name, reason in plan.dropped.items())
        raise InputError(f"No usable feature columns remain: {dropped}. Add numeric or categorical columns.")
    labels = ordered_labels(prepared.labels)
    codes = prepared.labels.map({label: code for code, label in enumerate(labels)}).to_numpy(dtype=np.int64)
    # Pixels are finite numbers already; cleaning hundreds of columns one by one would only cost time.
    features = prepared.features.astype(np.float32) if image_shape else clean_features(prepared.features, plan)
    return EncodedData(features, codes, labels, plan, prepared.notes + plan.notes, image_shape, prepared.source_rows)


def ordered_labels(labels: pd.Series) -> list[str]:
    """Binary: [majority, minority]; multi-class: natural order (numbers numerically)."""
    counts = class_counts(labels)
    if len(counts) == 2:
        return list(counts)
    names = list(counts)
    try:
        return sorted(names, key=float)
    except ValueError:
        return sorted(names)


@dataclass
class FoldData:
    """One fold's matrices: stage-one training rows, encoded validation and test rows."""

    base_fit: np.ndarray
    fit_codes: np.ndarray
    validation: np.ndarray
    validation_codes: np.ndarray
    test: np.ndarray
    test_codes: np.ndarray
    encoder: FeatureEncoder
    notes: list[str]
    test_rows: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    fit_rows: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    repeat: int = 0
    already_resampled: bool = False  # only the deliberately leaky protocol sets this
    # Training rows as read, before any resampling, when fit_codes already holds resampled rows (the leaky
    # protocol): an epoch is one pass over these, so the leaky and honest networks take the same steps.
    reference_rows: int | None = None
    fit_frame: pd.DataFrame | None = None  # the training rows as read, kept only when there is free text
    # Networks trained on this fold, by plan (imbal_core.run.network_trainer.NetworkTrainer): an identical plan is not
    # trained twice (same rows, weights, loss, batches and seed give the same network).
    trained: dict = field(default_factory=dict, repr=False)


def encoder_for(data: EncodedData):
    """The modality's encoder: images keep their pixels (flattened), tables are imputed, scaled, encoded."""
    return ImageEncoder(data.plan, data.image_shape) if data.image_shape else FeatureEncoder(data.plan)


def network_settings(data: EncodedData, settings: ModelSettings) -> ModelSettings:
    """The settings with the network body the data needs: a CNN for images, the MLP for tables."""
    return replace(settings, image_shape=data.image_shape) if data.image_shape else settings


def prepare_fold(
    data: EncodedData, train: np.ndarray, test: np.ndarray, settings: ModelSettings, seed: int
) -> FoldData:
    """Split off validation rows, then fit the encoder on the remaining training rows only."""
    fit_positions, validation_positions, notes = validation_slice(data.codes[train], settings.validation_fraction, seed)
    fit_rows, validation_rows = train[fit_positions], train[validation_positions]
    notes = notes + validation_notes(data.codes[validation_rows], len(data.labels))
    encoder = encoder_for(data).fit(data.features.iloc[fit_rows])
    return FoldData(
        base_fit=encoder.base(data.features.iloc[fit_rows]),
        fit_codes=data.codes[fit_rows],
        validation=encoder.transform(data.features.iloc[validation_rows]),
        validation_codes=data.codes[validation_rows],
        test=encoder.transform(data.features.iloc[test]),
        test_codes=data.codes[test],
        encoder=encoder,
        notes=notes,
        test_rows=np.asarray(test),
        fit_rows=fit_rows,
        fit_frame=data.features.iloc[fit_rows].reset_index(drop=True) if getattr(data.plan, "text", None) else None,
    )


def dataset_summary(data: EncodedData, target: str) -> dict:
    counts = {label: int(count) for label, count in zip(data.labels, np.bincount(data.codes), strict=False)}
    ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    minority = list(ordered)[-1]
    return {
        "rows": int(len(data.codes)),
        "features": len(data.plan.numeric) + len(data.plan.categorical) + len(data.plan.text),
        "target": target,
        "class_counts": ordered,
        "minority_class": minority,
        "imbalance_ratio": round(max(counts.values()) / counts[minority], 4),
    } | ({"modality": "image", "image_shape": list(data.image_shape)} if data.image_shape else {})
