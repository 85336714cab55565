"""Scores stages: what happens to the members' scores after training, with no retraining."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from imbal_core.stages.base import FoldContext, MemberOutput, ScoreKind, ScoreStage
from imbal_core.stages.training import logit_offset

Params = Mapping[str, Any]
LOG_CLIP = 1e-12


def shift_logits(probabilities: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Probabilities whose logits are moved by `offset`: one value (binary, on the logit of class 1) or one
    per class (multi-class, on the log-probabilities, then renormalised: a softmax of shifted logits)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    logs = np.log(np.clip(probabilities, LOG_CLIP, 1.0))
    if probabilities.shape[1] == 2:
        logit = logs[:, 1] - logs[:, 0] + float(offset[0])
        positive = 1.0 / (1.0 + np.exp(-logit))
        return np.column_stack([1.0 - positive, positive])
    shifted = logs + np.asarray(offset)[None, :]
    shifted -= shifted.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


@dataclass(frozen=True, kw_only=True)
class PostHocLogitAdjustment(ScoreStage):
    """Menon et al. (ICLR 2021), post hoc: subtract τ·log(prior) from a trained network's logits.

    For a sigmoid output that moves the logit by −τ·log(π1/π0). Two classes: the same as moving the
    threshold to π1^τ / (π1^τ + π0^τ), so PR-AUC and ROC-AUC are the plain network's. Applies only when
    `mode` is 'post_hoc' (in 'loss' mode the loss stage trained with the offset instead).
    """

    def _finish(self, output: MemberOutput, params: Params, context: FoldContext, training_labels: np.ndarray):
        if params["mode"] != "post_hoc":
            return output.validation, output.test, []
        offset = -logit_offset(training_labels, context.n_classes, float(params["tau"]))
        note = (
            f"Post-hoc logit adjustment (tau={params['tau']}): the trained network's logits moved by "
            f"{', '.join(f'{value:+.3g}' for value in offset)}; no retraining."
        )
        return shift_logits(output.validation, offset), shift_logits(output.test, offset), [note]

    def prior_after(self, prior, params: Params, context: FoldContext, training_labels: np.ndarray):
        """The logits moved by the offset move the prior's log-odds by the same amount."""
        if params["mode"] != "post_hoc" or prior is None or context.n_classes != 2:
            return prior
        offset = -float(logit_offset(training_labels, context.n_classes, float(params["tau"]))[0])
        log_odds = float(np.log(prior / (1.0 - prior))) + offset
        return float(1.0 / (1.0 + np.exp(-log_odds)))


@dataclass(frozen=True, kw_only=True)
class ScoreToProbability(ScoreStage):
    """An anomaly score (higher = more unusual) mapped to the minority probability on the validation rows.

    A logistic fit on the log of the score (Platt scaling), fitted on the fold's validation rows, which
    keep the real class ratio; test rows are only transformed. The map keeps the score's order, so PR-AUC
    and ROC-AUC are those of the score itself, and every threshold and cost works on a probability scale.
    """

    accepts: ClassVar[ScoreKind] = "anomaly_score"

    def _finish(self, output: MemberOutput, params: Params, context: FoldContext, training_labels: np.ndarray):
        # deferred: scikit-learn loads only when this runs; the pages paint without it
        from sklearn.linear_model import LogisticRegression

        labels = context.validation_labels
        target = (labels == 1).astype(int)  # binary class code 1 is the minority (evaluate.encode_dataset)
        validation_scores = np.log(np.maximum(output.validation[:, 0], LOG_CLIP))
        test_scores = np.log(np.maximum(output.test[:, 0], LOG_CLIP))
        centre, spread = validation_scores.mean(), validation_scores.std() or 1.0
        prior = float(np.clip(target.mean(), 1e-3, 1 - 1e-3))
        notes = []
        slope, intercept = 0.0, float(np.log(prior / (1 - prior)))
        if 0 < target.sum() < len(target):
            model = LogisticRegression().fit(((validation_scores - centre) / spread)[:, None], target)
            slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
        if slope <= 0:
            notes.append(
                "On the validation rows a larger reconstruction error did not go with the rare class: the "
                "probabilities keep the error's order but stay near the validation share of rare rows."
            )
            slope = 1e-3

        def probability(scores: np.ndarray) -> np.ndarray:
            positive = 1.0 / (1.0 + np.exp(-(slope * (scores - centre) / spread + intercept)))
            return np.column_stack([1.0 - positive, positive])

        notes.append("Reconstruction error mapped to a probability by a logistic fit on the validation rows.")
        return probability(validation_scores), probability(test_scores), notes

    def prior_after(self, prior, params: Params, context: FoldContext, training_labels: np.ndarray):
        """Fitted on the validation rows, the probabilities already reflect their (real) minority share."""
        return float(np.mean(context.validation_labels == 1))


POST_HOC_LOGIT = PostHocLogitAdjustment(name="post_hoc_logit_adjustment")
ANOMALY_TO_PROBABILITY = ScoreToProbability(name="anomaly_to_probability")
