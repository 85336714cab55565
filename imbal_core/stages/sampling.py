"""What rows stages share: per-class targets from a sampling ratio (a float strategy is binary-only in
imbalanced-learn), neighbour counts clamped to what a fold allows, imbalanced-learn samplers run with
track of which output rows are synthetic and which input rows were removed, and the notes they leave."""

from __future__ import annotations

from typing import Any

import numpy as np

from imbal_core.stages.base import ResampleResult


def oversampling_targets(labels: np.ndarray, ratio: float) -> dict[int, int]:
    """Classes below `ratio` x the largest class, mapped to that target count."""
    counts = np.bincount(labels)
    target = int(ratio * counts.max())
    return {label: target for label, count in enumerate(counts) if 0 < count < target}


def undersampling_targets(labels: np.ndarray, ratio: float) -> dict[int, int]:
    """Classes above smallest / `ratio`, mapped to that target count."""
    counts = np.bincount(labels)
    present = counts[counts > 0]
    target = max(int(present.min() / ratio), int(present.min()))
    return {label: target for label, count in enumerate(counts) if count > target}


def nothing_to_do(action: str, ratio: float | None) -> str:
    return f"Nothing to {action}: the classes already meet sampling_ratio={ratio}; trained on the rows as they are."


def unchanged(encoded: np.ndarray, labels: np.ndarray, method: str, note: str) -> ResampleResult:
    return ResampleResult(encoded, labels, np.arange(len(labels)), len(labels), method, [note])


def run_tracked(
    sampler: Any, matrix: np.ndarray, labels: np.ndarray, notes: list[str], adds_rows: bool
) -> ResampleResult:
    """Run an imbalanced-learn sampler and map output rows back to input rows (method: its class name)."""
    features, new_labels = sampler.fit_resample(matrix, labels)
    if hasattr(sampler, "sample_indices_") and not adds_rows:
        source = np.asarray(sampler.sample_indices_)
    else:
        # imbalanced-learn's oversamplers return every input row first, then the new rows.
        source = np.concatenate([np.arange(len(labels)), np.full(len(new_labels) - len(labels), -1)])
    return ResampleResult(
        np.asarray(features, dtype=np.float32),
        np.asarray(new_labels),
        source,
        len(labels),
        type(sampler).__name__,
        notes,
    )


def restore_categories(result: ResampleResult, encoded: np.ndarray, drawn: np.ndarray, n_numeric: int) -> None:
    """Shrinkage jitters every column; one-hot columns of the copies go back to their source row's 0/1.

    imbalanced-learn's smoothed bootstrap has no per-column switch, and its `sample_indices_` names the
    row each copy was drawn from.
    """
    copies = result.synthetic
    result.features[copies, n_numeric:] = encoded[drawn[copies], n_numeric:]


def clamped_neighbours(requested: int, labels: np.ndarray, targets: dict[int, int], name: str) -> tuple[int, list]:
    """The neighbour count a fold allows: one less than the smallest class to oversample."""
    smallest = int(min(np.bincount(labels)[label] for label in targets))
    allowed = smallest - 1
    if requested <= allowed:
        return requested, []
    return allowed, [
        f"{name} lowered from {requested} to {allowed}: only {smallest} rows of a class to oversample in this fold."
    ]


def shortfall_notes(result: ResampleResult, targets: dict[int, int], method: str) -> list[str]:
    """Say which classes an oversampler left without any new row (e.g. no minority row near the border)."""
    counts = np.bincount(result.labels, minlength=max(targets) + 1)
    original = np.bincount(result.labels[~result.synthetic], minlength=len(counts))
    empty = [label for label in targets if counts[label] == original[label]]
    if not empty:
        return []
    return [
        f"{method} made no new row for class code(s) {', '.join(map(str, empty))}: no row of that class qualified "
        "(for Borderline-SMOTE: none had enough neighbours of other classes to be 'in danger')."
    ]
