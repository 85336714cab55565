"""Run a technique's rows stage on training rows only, and show the resampled rows in original units.

`resample` is the one entry (training, the Resample page, the CLI and the leakage lesson call it).
The samplers themselves are imbalanced-learn's, built by the rows stages in imbal_core.stages.rows with
the helpers of imbal_core.stages.sampling. Nothing here knows a technique or sampler by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from imbal_core.stages.base import ResampleResult, TrainingRows

if TYPE_CHECKING:
    import pandas as pd

    from imbal_core.data.preprocess import FeatureEncoder
    from imbal_core.techniques.catalogue import TechniqueSpec


def resample(
    spec: TechniqueSpec,
    base_matrix: np.ndarray,
    labels: np.ndarray,
    encoder: FeatureEncoder,
    seed: int,
    frame: pd.DataFrame | None = None,
) -> ResampleResult:
    """Run `spec`'s rows stage on stage-one training rows; returns encoded rows ready for the network.

    `frame`: the same rows as read, for stages that edit raw values (text augmentation)."""
    rows = TrainingRows(base_matrix, np.asarray(labels), encoder, frame)
    return spec.technique.stages.rows.fit_resample(rows, spec.params, seed)


def resampled_rows_frame(preview: dict, target: str) -> pd.DataFrame:
    """The resampled training rows in original units, with the label and a `synthetic` marker column.

    Original rows are written exactly as read; only synthetic rows are decoded from the encoded space
    (decoding through the scaler would change every number in its last digits).
    """
    result: ResampleResult = preview["result"]
    frame = preview["encoder"].decode(result.features)
    originals = preview["original_rows"]
    kept = np.flatnonzero(result.source_index >= 0)
    # New rows made from one original row (text augmentation): its other columns as read, its edited words.
    origin = result.origin if result.origin is not None else np.full(len(result.labels), -1)
    made = np.flatnonzero((result.source_index < 0) & (origin >= 0))
    columns = [column for column in frame.columns if column in originals.columns]
    for column in columns:
        values = frame[column].astype(object)
        values.iloc[kept] = originals[column].iloc[result.source_index[kept]].to_numpy()
        values.iloc[made] = originals[column].iloc[origin[made]].to_numpy()
        edited = [edit.text for edit in result.text_edits if edit.column == column]
        if len(edited) == len(made):
            values.iloc[made] = edited
        frame[column] = values.infer_objects()
    frame[target] = [preview["labels"][code] for code in result.labels]
    frame["synthetic"] = result.synthetic
    return frame
