"""Probabilities as risks again: fit a recalibration (prior correction, Platt, isotonic) on validation rows
and apply it to a technique's stored probabilities, fold by fold.

Resampling and class weights shift a network's scores away from real risks. Each fold's map is fitted
on that fold's validation rows (real class ratio, never test rows) and applied to its test rows, so
the recalibrated numbers stay honest. Ranking metrics barely move; Brier score and calibration do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from imbal_core.decide.thresholds import checked_positive, checked_scores
from imbal_core.errors import InputError, ParameterError
from imbal_core.run import metrics as metric_functions
from imbal_core.run.results import TechniqueResult
from imbal_core.stages.base import Stages


def recalibrated(result: TechniqueResult, method: str, labels: list[str]) -> TechniqueResult:
    """A copy of a binary `result` with validation and test probabilities recalibrated per fold."""
    if method == "none" or result.failed or not result.validation_probabilities:
        return result
    validation, test, fold_metrics, notes = [], [], [], []
    for fold in range(len(result.test_probabilities)):
        validation_labels = result.validation_labels[fold]
        validation_positive = result.validation_probabilities[fold][:, 1]
        train_prior = training_prior(result, labels, fold) if method == "prior" else None
        if method == "prior" and train_prior is None:
            raise InputError(
                "Prior correction needs the class balance this technique trained on (after its weights, focal "
                "alpha or batch shares), and this run does not record it (saved by an older version, or a "
                "technique with no class prior). Use Platt or isotonic, which are fitted on the validation rows."
            )
        mapping = fit_recalibration(method, validation_labels, validation_positive, train_prior)
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


METHODS: dict[str, str] = {
    "none": "Leave the scores as the network gave them.",
    "prior": "Undo the class shift of resampling, class weights, focal alpha or balanced batches: scale the odds "
    "by the real odds over the odds training saw (its rows times its weights). Focal loss's gamma also flattens "
    "scores, which no prior undoes: use Platt there.",
    "platt": "Fit a logistic curve from score to risk on the validation rows (Platt scaling).",
    "isotonic": "Fit a step-wise increasing map from score to risk on the validation rows; needs a few hundred rows.",
}
_LOGIT_CLIP = 1e-6  # keeps logit(0) and logit(1) finite


@dataclass(frozen=True)
class Recalibration:
    """A fitted map from scores to risks; `transform` applies it to minority-class scores."""

    method: str
    apply: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    note: str = ""

    def transform(self, positive: np.ndarray) -> np.ndarray:
        """Recalibrated minority probabilities, in [0, 1], for scores in [0, 1]."""
        positive = checked_positive(positive)
        return np.clip(self.apply(positive), 0.0, 1.0)


def fit_recalibration(
    method: str,
    validation_labels: np.ndarray,
    validation_positive: np.ndarray,
    train_prior: float | None = None,
    real_prior: float | None = None,
) -> Recalibration:
    """Fit a recalibration on validation rows only (binary). See METHODS.

    'prior' needs the minority share the network trained on (after resampling); the real share defaults
    to the validation rows', which keep the real class ratio. 'platt' and 'isotonic' need both classes.
    """
    if method not in METHODS:
        raise InputError(f"Unknown recalibration {method!r}; use one of {', '.join(METHODS)}.")
    labels, positive = checked_scores(validation_labels, validation_positive)
    return _FITTERS[method](labels, positive, train_prior, real_prior)


def _fit_none(labels, positive, train_prior, real_prior) -> Recalibration:
    return Recalibration("none", lambda scores: scores)


def _fit_prior(labels, positive, train_prior, real_prior) -> Recalibration:
    real_prior = float(np.mean(labels)) if real_prior is None else real_prior
    for name, prior in (("training", train_prior), ("real", real_prior)):
        if prior is None or not 0 < prior < 1:
            raise InputError(
                f"The prior correction needs the {name} minority share between 0 and 1 (exclusive); got {prior!r}. "
                "Give the minority share the network trained on (after weights and resampling) and the real one; "
                "without it, use Platt or isotonic, which need no prior."
            )
    odds_ratio = (real_prior / (1 - real_prior)) / (train_prior / (1 - train_prior))

    def apply(scores: np.ndarray) -> np.ndarray:
        # odds * ratio, written so that scores of exactly 0 or 1 stay 0 or 1
        return scores * odds_ratio / (scores * odds_ratio + (1 - scores))

    note = f"Odds scaled by {odds_ratio:.3g} (real minority share {real_prior:.3g}, training {train_prior:.3g})."
    return Recalibration("prior", apply, note)


def _fit_platt(labels, positive, train_prior, real_prior) -> Recalibration:
    _require_both_classes(labels, "platt")
    # scikit-learn's default L2 penalty (C=1) keeps the fit finite when validation rows separate perfectly.
    model = LogisticRegression().fit(_logit(positive), labels)
    return Recalibration("platt", lambda scores: model.predict_proba(_logit(scores))[:, 1])


def _fit_isotonic(labels, positive, train_prior, real_prior) -> Recalibration:
    _require_both_classes(labels, "isotonic")
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(positive, labels)
    return Recalibration("isotonic", model.predict)


def _logit(scores: np.ndarray) -> np.ndarray:
    clipped = np.clip(scores, _LOGIT_CLIP, 1 - _LOGIT_CLIP)
    return np.log(clipped / (1 - clipped)).reshape(-1, 1)


def _require_both_classes(labels: np.ndarray, method: str) -> None:
    minority = int(labels.sum())
    if minority == 0 or minority == len(labels):
        raise InputError(
            f"{method.capitalize()} recalibration needs validation rows of both classes; these {len(labels)} rows "
            "hold only one. Use 'prior' or 'none', or more data."
        )


_FITTERS = {"none": _fit_none, "prior": _fit_prior, "platt": _fit_platt, "isotonic": _fit_isotonic}


def training_prior(result: TechniqueResult, labels: list[str], fold: int = 0) -> float | None:
    """The minority share a fold's scores reflect, the training prior 'prior' correction undoes (binary).

    Recorded by the engine per fold (TechniqueResult.training_priors): rows after resampling, times class
    weights, focal alpha and batch shares, with logit offsets undone (NetworkPlan.minority_share). Runs saved
    before it was recorded fall back to the share of training rows (first fold), which is right only when
    the rows are all that changed the balance; for other techniques this returns None (no prior known).
    """
    if len(labels) != 2:
        return None
    if result.training_priors:
        return result.training_priors[fold] if fold < len(result.training_priors) else None
    try:
        stages = result.spec.technique.stages
    except ParameterError:  # an id this version does not know: its stages are unknown too
        return None
    neutral = Stages()
    if any(mine is not plain for mine, plain in zip(stages.all()[1:], neutral.all()[1:], strict=True)):
        return None  # weights, loss, batches, members or scores shifted the balance; row counts cannot say how
    counts = result.train_class_counts
    total = sum(counts.values())
    if not total:
        return None
    return counts.get(labels[1], 0) / total
