"""Members stages: how many models are trained on the fold's rows and how they are combined.

Network members never call Keras: they describe each network as a NetworkPlan and hand it to the
fold's trainer, all at once when the members are independent (bagging), so a stacked trainer can
train them together; boosting is sequential by nature (each round's row weights come from the last).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from imbal_core.nets.autoencoder import fit_autoencoder
from imbal_core.seeds import Role, seed_for
from imbal_core.stages.base import (
    ONE_NETWORK,
    FittedNetwork,
    FoldContext,
    MemberKind,
    MemberOutput,
    MemberStage,
    NetworkPlan,
    ResampleResult,
    ScoreKind,
)
from imbal_core.stages.references import (
    create_hist_gradient_boosting,
    create_logistic_regression,
    reference_probabilities,
    reference_threads,
)
from imbal_core.stages.sampling import undersampling_targets

Params = Mapping[str, Any]


def member_seed(fold_seed: int, member: int) -> int:
    """Member 0 starts from the fold's weights, like every other technique; later members get their own."""
    return fold_seed if member == 0 else seed_for(fold_seed, Role.MEMBER, member)


def balanced_subset(features: np.ndarray, codes: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every class cut to the smallest class's size by imbalanced-learn's RandomUnderSampler."""
    features, codes, _ = undersampled(features, codes, seed)
    return features, codes


def undersampled(
    features: np.ndarray, codes: np.ndarray, seed: int, ratio: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Larger classes cut to smallest / `ratio` rows (RandomUnderSampler); also returns the kept positions."""
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.under_sampling import RandomUnderSampler

    strategy = "auto" if ratio >= 1.0 else undersampling_targets(codes, ratio)
    if not strategy:  # the classes already meet the ratio: every row stays
        return np.asarray(features, dtype=np.float32), np.asarray(codes), np.arange(len(codes))
    sampler = RandomUnderSampler(sampling_strategy=strategy, random_state=seed)
    subset, subset_codes = sampler.fit_resample(features, codes)
    return np.asarray(subset, dtype=np.float32), np.asarray(subset_codes), np.asarray(sampler.sample_indices_)


@dataclass(frozen=True, kw_only=True)
class BalancedBagging(MemberStage):
    """N networks, each on a balanced random undersample (UnderBagging); probabilities averaged."""

    title: ClassVar[str] = "Balanced bagging"

    def plans(self, rows: ResampleResult, params: Params, context: FoldContext) -> list[NetworkPlan]:
        plans = []
        for member in range(int(params["members"])):
            seed = member_seed(context.seed, member)
            features, codes = balanced_subset(rows.features, rows.labels, seed_for(seed, Role.SUBSET))
            plans.append(context.network_plan(features, codes, seed))
        return plans

    def combine(self, networks: list[FittedNetwork], params: Params, context: FoldContext) -> MemberOutput:
        members = len(networks)
        validation = np.zeros((len(context.validation_labels), context.n_classes))
        test = np.zeros((len(context.test), context.n_classes))
        for network in networks:
            validation += network.validation
            test += network.test
        note = f"{members} members, each trained on a balanced random subset; probabilities averaged."
        seconds = sum(network.train_seconds for network in networks)
        return MemberOutput(validation / members, test / members, networks[0].history, [note], seconds)


def samme_round(weights: np.ndarray, wrong: np.ndarray, n_classes: int) -> tuple[float, np.ndarray, float]:
    """One SAMME boosting step (Zhu et al. 2009, AdaBoost for K classes).

    `weights` sum to 1 over the training rows; `wrong` marks the rows this round's member got wrong.
    Returns (the member's say alpha, the next round's weights, the weighted error). Rows got wrong gain
    weight exp(alpha); alpha = log((1 − err) / err) + log(K − 1), positive while err < 1 − 1/K.
    """
    error = float(np.clip(weights[wrong].sum(), 1e-10, 1.0))
    alpha = float(np.log((1.0 - error) / error) + np.log(n_classes - 1))
    updated = weights * np.exp(alpha * wrong)
    return alpha, updated / updated.sum(), error


@dataclass(frozen=True, kw_only=True)
class RusBoost(MemberStage):
    """RUSBoost (Seiffert et al. 2010) with networks: each round trains on a random undersample, its rows
    weighted by the boosting weights; rows earlier rounds got wrong weigh more in later rounds (SAMME).

    imbalanced-learn's RUSBoostClassifier takes scikit-learn estimators only, so the loop is here. Members
    are combined by their alpha-weighted mean probability (a soft vote), which ranks rows smoothly.
    """

    title: ClassVar[str] = "RUSBoost"
    sequential: ClassVar[bool] = True

    def training_prior(self, rows: ResampleResult, params: Params, context: FoldContext) -> float | None:
        """The first round's share (its undersample, equal boosting weights). Later rounds weigh the rows
        earlier ones got wrong, which are unknown before training, so this is an approximation."""
        if context.n_classes != 2:
            return None
        subset, codes, _ = undersampled(rows.features, rows.labels, context.seed, float(params["sampling_ratio"]))
        return context.network_plan(subset, codes, context.seed).minority_share(2)

    def _train(self, rows: ResampleResult, params: Params, context: FoldContext) -> MemberOutput:
        features, labels, n_classes = rows.features, rows.labels, context.n_classes
        weights = np.full(len(labels), 1.0 / len(labels))
        validation = np.zeros((len(context.validation_labels), n_classes))
        test = np.zeros((len(context.test), n_classes))
        total_alpha, seconds, history, notes = 0.0, 0.0, {}, []
        rounds = int(params["rounds"])
        for round_index in range(rounds):
            seed = member_seed(context.seed, round_index)
            ratio = float(params["sampling_ratio"])
            subset, codes, kept = undersampled(features, labels, seed_for(seed, Role.SUBSET), ratio)
            row_weights = weights[kept] / weights[kept].mean()  # mean 1, as every technique's weights
            plan = context.network_plan(subset, codes, seed, row_weights=row_weights.astype(np.float32))
            network = context.trainer.fit(plan, also_predict=features)
            seconds += network.train_seconds
            history = history or network.history
            wrong = network.extra.argmax(axis=1) != labels
            alpha, weights, error = samme_round(weights, wrong, n_classes)
            stop = None
            if alpha <= 0:
                stop = (
                    f"Boosting stopped at round {round_index + 1} of {rounds}: its network was no better than "
                    f"chance on the weighted training rows (weighted error {error:.2f})."
                )
                if round_index > 0:
                    notes.append(stop)
                    break
                alpha = 1.0  # the first member still gives the scores
            elif error <= 1e-10:
                stop = f"Boosting stopped after round {round_index + 1}: it classified every training row."
            validation += alpha * network.validation
            test += alpha * network.test
            total_alpha += alpha
            if stop:
                notes.append(stop)
                break
        notes.insert(0, f"RUSBoost: {rounds} rounds at most, each on a random undersample; alpha-weighted mean.")
        return MemberOutput(validation / total_alpha, test / total_alpha, history, notes, seconds)


@dataclass(frozen=True, kw_only=True)
class ReferenceLearner(MemberStage):
    """A scikit-learn reference learner on the same folds and preprocessing: shown, never recommended."""

    kind: ClassVar[MemberKind] = "reference"
    modalities: ClassVar[tuple[str, ...]] = ("table",)
    factory: Callable[[int], Any]

    def training_prior(self, rows: ResampleResult, params: Params, context: FoldContext) -> float | None:
        """The share of its training rows: the factories fit without class weights."""
        if context.n_classes != 2:
            return None
        return float(np.mean(rows.labels == 1))

    def _train(self, rows: ResampleResult, params: Params, context: FoldContext) -> MemberOutput:
        started = time.perf_counter()
        model = self.factory(context.seed)
        with reference_threads():  # one thread per pool: the fit shares busy cores (imbal_core.stages.references)
            model.fit(rows.features, rows.labels)
            validation = reference_probabilities(model, context.validation, context.n_classes)
            test = reference_probabilities(model, context.test, context.n_classes)
        seconds = time.perf_counter() - started
        return MemberOutput(validation, test, {}, [], seconds)


@dataclass(frozen=True, kw_only=True)
class AnomalyAutoencoder(MemberStage):
    """A small autoencoder fitted on the majority class's training rows only; the score of a row is how
    badly it is reconstructed (mean squared error). Binary only: 'normal' is the majority class."""

    kind: ClassVar[MemberKind] = "anomaly"
    output: ClassVar[ScoreKind] = "anomaly_score"
    binary_only: ClassVar[bool] = True
    modalities: ClassVar[tuple[str, ...]] = ("table",)
    title: ClassVar[str] = "The anomaly autoencoder"

    def training_prior(self, rows: ResampleResult, params: Params, context: FoldContext) -> float | None:
        return None  # a reconstruction error has no class prior; the scores stage maps it to a probability

    def _train(self, rows: ResampleResult, params: Params, context: FoldContext) -> MemberOutput:
        majority = 0  # binary class code 0 is the majority (evaluate.encode_dataset)
        normal = rows.features[rows.labels == majority]
        code_units = min(int(params["code_units"]), max(1, rows.features.shape[1] // 2))
        notes = [f"Autoencoder trained on the {len(normal):,} majority-class training rows only."]
        if code_units < int(params["code_units"]):
            notes.append(
                f"code_units lowered from {params['code_units']} to {code_units}: a code as wide as the "
                f"{rows.features.shape[1]} input columns would learn to copy every row."
            )
        started = time.perf_counter()
        autoencoder = fit_autoencoder(
            normal,
            context.validation,
            (context.validation_labels != majority).astype(np.int64),
            context.settings,
            context.seed,
            code_units,
            on_epoch=context.on_epoch,
            should_stop=context.should_stop,
        )
        seconds = time.perf_counter() - started
        return MemberOutput(
            autoencoder.errors(context.validation)[:, None],
            autoencoder.errors(context.test)[:, None],
            autoencoder.history,
            notes,
            seconds,
            kind="anomaly_score",
        )


__all__ = ["ONE_NETWORK", "member_seed", "balanced_subset", "undersampled", "samme_round"]

BALANCED_BAGGING = BalancedBagging(name="balanced_bagging")
RUS_BOOST = RusBoost(name="rus_boost")
LOGISTIC_REGRESSION = ReferenceLearner(name="logistic_regression", factory=create_logistic_regression)
HIST_GRADIENT_BOOSTING = ReferenceLearner(name="hist_gradient_boosting", factory=create_hist_gradient_boosting)
AUTOENCODER = AnomalyAutoencoder(name="autoencoder")
