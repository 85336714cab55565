"""Weights, loss and batches stages: what one network's training sees, with the rows left as they are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from imbal_core.stages.base import BatchPlan, BatchStage, LossSettings, LossStage, WeightStage

Params = Mapping[str, Any]
PRIOR_SMOOTHING = 1e-3  # as imbal_core.nets.model.output_bias: a class may be absent after cleaning


def balanced_weights(labels: np.ndarray) -> dict[int, float]:
    """scikit-learn's 'balanced' weights n / (classes x count) for the classes present."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.utils.class_weight import compute_class_weight

    present = np.unique(labels)
    weights = compute_class_weight("balanced", classes=present, y=labels)
    return {int(label): float(weight) for label, weight in zip(present, weights, strict=True)}


def class_prior(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Each class's share of `labels`, smoothed so an absent class has a tiny, finite share."""
    counts = np.bincount(labels, minlength=n_classes).astype(float) + PRIOR_SMOOTHING
    return counts / counts.sum()


@dataclass(frozen=True, kw_only=True)
class ClassWeights(WeightStage):
    """'balanced' (n / (classes x count)) or a manual weight for every class but the largest."""

    def _class_weights(self, labels: np.ndarray, n_classes: int, params: Params) -> dict[int, float]:
        if params["mode"] == "balanced":
            return balanced_weights(labels)
        largest = int(np.bincount(labels, minlength=n_classes).argmax())
        weight = float(params["minority_weight"])
        return {label: (1.0 if label == largest else weight) for label in range(n_classes)}


def effective_number_weights(counts: np.ndarray, beta: float) -> np.ndarray:
    """Cui et al. (CVPR 2019): weight ∝ (1 − β) / (1 − β^n), scaled so the mean row weight is 1.

    The effective number (1 − β^n) / (1 − β) grows like n for small n and levels off at 1 / (1 − β):
    past a few times 1 / (1 − β) rows, more rows of a class add little new information. β → 1 gives
    'balanced' (1 / n); β = 0 gives no weighting. Classes with no rows get weight 0.
    """
    counts = np.asarray(counts, dtype=float)
    raw = np.zeros_like(counts)
    present = counts > 0
    raw[present] = (1.0 - beta) / (1.0 - np.power(beta, counts[present]))
    return raw * counts.sum() / (raw * counts).sum()


@dataclass(frozen=True, kw_only=True)
class EffectiveNumberWeights(WeightStage):
    """Class-balanced weights from the effective number of samples (parameter `beta`)."""

    def _class_weights(self, labels: np.ndarray, n_classes: int, params: Params) -> dict[int, float]:
        counts = np.bincount(labels, minlength=n_classes)
        weights = effective_number_weights(counts, float(params["beta"]))
        return {int(label): float(weights[label]) for label in np.flatnonzero(counts)}


@dataclass(frozen=True, kw_only=True)
class FocalLoss(LossStage):
    """Keras' focal cross-entropy. Binary: alpha weights the minority when balancing (Keras'
    apply_class_balancing). Multi-class: each class's alpha is its balanced weight, passed as row weights.

    Keras' CategoricalFocalCrossentropy multiplies each class's term by alpha[class]; with one-hot labels
    only the true class's term is non-zero, so this equals a per-row weight alpha[label]. Passing it as row
    weights keeps one compiled model per architecture instead of one per fold.
    """

    def _settings(self, labels: np.ndarray, n_classes: int, params: Params) -> LossSettings:
        if n_classes == 2:
            focal = {
                "gamma": params["gamma"],
                "alpha": params["alpha"],
                "balance_classes": bool(params["balance_classes"]),
            }
            return LossSettings(focal=focal)
        focal = {"gamma": params["gamma"], "alpha": 1.0, "balance_classes": False}
        factors = balanced_weights(labels) if params["balance_classes"] else None
        return LossSettings(focal=focal, class_factors=factors)


def logit_offset(labels: np.ndarray, n_classes: int, tau: float) -> np.ndarray:
    """τ·log(prior) on the logits: one value (τ·log(π1/π0)) for the sigmoid output, one per softmax class."""
    log_prior = np.log(class_prior(labels, n_classes))
    if n_classes == 2:
        return np.array([tau * (log_prior[1] - log_prior[0])])
    return tau * log_prior


@dataclass(frozen=True, kw_only=True)
class LogitAdjustedLoss(LossStage):
    """Menon et al. (ICLR 2021): cross-entropy on f(x) + τ·log(prior); predictions use f(x) alone.

    Only when `mode` is 'loss'; in 'post_hoc' mode the network trains with plain cross-entropy and the
    scores stage subtracts τ·log(prior) afterwards (imbal_core.stages.scores.PostHocLogitAdjustment).
    """

    def _settings(self, labels: np.ndarray, n_classes: int, params: Params) -> LossSettings:
        if params["mode"] != "loss":
            return LossSettings()
        return LossSettings(output_offset=logit_offset(labels, n_classes, float(params["tau"])))


def batch_shares(counts: np.ndarray, balance: float) -> np.ndarray:
    """Class shares of every batch: proportional to count^(1 − balance).

    balance 0: the natural shares (as plain shuffling); 1: every present class equally often; 0.5:
    square-root sampling. Kang et al. (ICLR 2020) write this as p_j ∝ n_j^q with q = 1 − balance.
    """
    counts = np.asarray(counts, dtype=float)
    raw = np.where(counts > 0, np.power(np.maximum(counts, 1.0), 1.0 - balance), 0.0)
    return raw / raw.sum()


@dataclass(frozen=True, kw_only=True)
class ClassBalancedBatches(BatchStage):
    """Every mini-batch drawn with fixed class shares (parameter `balance`); the rows themselves unchanged."""

    def _plan(self, labels: np.ndarray, n_classes: int, params: Params) -> BatchPlan:
        return BatchPlan(batch_shares(np.bincount(labels, minlength=n_classes), float(params["balance"])))


CLASS_WEIGHTS = ClassWeights(name="class_weight")
EFFECTIVE_NUMBER = EffectiveNumberWeights(name="effective_number")
FOCAL = FocalLoss(name="focal")
LOGIT_ADJUSTED = LogitAdjustedLoss(name="logit_adjusted")
BALANCED_BATCHES = ClassBalancedBatches(name="class_shares")
