"""Probabilities as risks again: recalibrate a technique's stored probabilities, fold by fold.

Resampling and class weights shift a network's scores away from real risks. Each fold's map is fitted
on that fold's validation rows (real class ratio, never test rows) and applied to its test rows, so
the recalibrated numbers stay honest. Ranking metrics barely move; Brier score and calibration do.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from imbal_core import decision
from imbal_core import metrics as metric_functions
from imbal_core.results import TechniqueResult


def recalibrated(result: TechniqueResult, method: str, labels: list[str]) -> TechniqueResult:
    """A copy of a binary `result` with validation and test probabilities recalibrated per fold."""
    if method == "none" or result.failed or not result.validation_probabilities:
        return result
    validation, test, fold_metrics, notes = [], [], [], []
    for fold in range(len(result.test_probabilities)):
        validation_labels = result.validation_labels[fold]
        validation_positive = result.validation_probabilities[fold][:, 1]
        train_prior = decision.training_prior(result, labels, fold) if method == "prior" else None
        if method == "prior" and train_prior is None:
            raise decision.InputError(
                "Prior correction needs the class balance this technique trained on (after its weights, focal "
                "alpha or batch shares), and this run does not record it (saved by an older version, or a "
                "technique with no class prior). Use Platt or isotonic, which are fitted on the validation rows."
            )
        mapping = decision.fit_recalibration(method, validation_labels, validation_positive, train_prior)
        validation.append(_as_two_columns(mapping.transform(validation_positive)))
        test.append(_as_two_columns(mapping.transform(result.test_probabilities[fold][:, 1])))
        fold_metrics.append(metric_functions.compute_metrics(result.test_labels[fold], test[-1]))
        if mapping.note and mapping.note not in notes:
            notes.append(mapping.note)
    return replace(
        result,
        validation_probabilities=validation,
        test_probabilities=test,
        fold_metrics=fold_metrics,
        notes=[*result.notes, f"Recalibrated ({method}) on each fold's validation rows.", *notes],
    )


def _as_two_columns(positive: np.ndarray) -> np.ndarray:
    return np.column_stack([1.0 - positive, positive])
