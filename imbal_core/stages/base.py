"""Base classes of the six stages and the typed values that pass between them (see the package docstring).

Each base class is also the neutral stage of its kind: rows unchanged, no weights, plain cross-entropy,
shuffled batches, one network, scores as they are. Its public method validates once, then calls the
private hook a subclass fills in (imbalanced-learn's `SamplerMixin.fit_resample` / `_fit_resample`).
Only NumPy is imported here, so the registry stays cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

RowKind = Literal["none", "oversample", "undersample", "clean", "hybrid", "augment"]
MemberKind = Literal["network", "reference", "anomaly"]
ScoreKind = Literal["probabilities", "anomaly_score"]
MODALITIES = ("table", "image", "text")


class TechniqueRefused(ValueError):
    """A technique cannot run on this data (e.g. a binary-only technique on a multi-class target).

    The engine turns it into the result's `failed` note; nothing crashes and no other technique stops.
    """


# --- values passed between stages -------------------------------------------------------------------


@dataclass
class ResampleResult:
    """Encoded training rows after the rows stage; `source_index` is -1 for synthetic rows."""

    features: np.ndarray
    labels: np.ndarray
    source_index: np.ndarray
    n_original: int
    method: str
    notes: list[str] = field(default_factory=list)
    # Optional, for previews (the Resample page): the original row each row was made from (-1 when none or
    # not recorded), and text augmentation's word edits of its new rows (imbal_core.stages.text_augment.TextEdit).
    origin: np.ndarray | None = None
    text_edits: tuple = ()

    @property
    def synthetic(self) -> np.ndarray:
        return self.source_index < 0

    @property
    def removed_index(self) -> np.ndarray:
        """Original rows that are not in the output (removed by undersampling or cleaning)."""
        kept = np.zeros(self.n_original, dtype=bool)
        kept[self.source_index[self.source_index >= 0]] = True
        return np.flatnonzero(~kept)


@dataclass(frozen=True)
class TrainingRows:
    """One fold's training rows as the rows stage receives them (never validation or test rows).

    `base` is the encoder's stage-one matrix (numbers imputed and scaled, categories as integer codes),
    so SMOTENC/SMOTEN can see categories; `encoder.encode(base)` gives the network's features.
    """

    base: np.ndarray
    labels: np.ndarray
    encoder: Any  # imbal_core.data.preprocess.FeatureEncoder (or a modality's encoder with the same methods)
    # The same rows as read (cleaned, not encoded), in the same order as `base`, when the data has free-text
    # columns: a text augmenter edits the words and re-encodes them with `encoder.base`. None otherwise.
    frame: Any = None

    def encoded(self) -> np.ndarray:
        return self.encoder.encode(self.base)


@dataclass(frozen=True)
class LossSettings:
    """What the loss stage decides for one network.

    focal: gamma, alpha and balance_classes for Keras' focal cross-entropy (None: cross-entropy).
    class_factors: per-class factors multiplied into the row weights (multi-class focal alpha).
    output_offset: added to the output logits while training and removed before predicting: the
        logit-adjusted loss (one value for the sigmoid output, one per class for softmax).
    """

    focal: dict | None = None
    class_factors: dict[int, float] | None = None
    output_offset: np.ndarray | None = None


@dataclass(frozen=True)
class BatchPlan:
    """How mini-batches are drawn: `class_shares[c]` is class c's share of every batch (None: shuffled rows)."""

    class_shares: np.ndarray | None = None


@dataclass(frozen=True)
class NetworkPlan:
    """Everything one network's training needs; a trainer (one network now, stacked later) runs it."""

    features: np.ndarray
    labels: np.ndarray
    seed: int
    class_weight: dict[int, float] | None = None
    row_weights: np.ndarray | None = None  # per row, multiplied with the class weights (boosting)
    loss: LossSettings = field(default_factory=LossSettings)
    batches: BatchPlan = field(default_factory=BatchPlan)

    def minority_share(self, n_classes: int) -> float | None:
        """Binary: the minority (class 1) share this network's scores reflect, the training prior a prior
        correction undoes. Each class's mass is its rows (or its batch share) times its class weight, its mean
        row weight and, with focal class balancing, alpha (1 - alpha for class 0); a training logit offset
        (the logit-adjusted loss) is undone, since predictions leave it out. None for multi-class, or when
        a class has no weight at all."""
        if n_classes != 2:
            return None
        labels = np.asarray(self.labels)
        row_weights = np.ones(len(labels)) if self.row_weights is None else np.asarray(self.row_weights, dtype=float)
        shares = self.batches.class_shares
        focal = self.loss.focal or {}
        alpha = float(focal.get("alpha", 0.5))
        balance = {0: 1.0 - alpha, 1: alpha} if focal.get("balance_classes") else {0: 1.0, 1: 1.0}
        mass = []
        for code in (0, 1):
            in_class = labels == code
            if not in_class.any():
                return None
            rows = (
                float(shares[code]) * float(row_weights[in_class].mean())
                if shares is not None
                else float(row_weights[in_class].sum())
            )
            mass.append(rows * (self.class_weight or {}).get(code, 1.0) * balance[code])
        if min(mass) <= 0:
            return None
        log_odds = float(np.log(mass[1] / mass[0]))
        if self.loss.output_offset is not None:
            log_odds -= float(np.asarray(self.loss.output_offset).ravel()[0])
        return float(1.0 / (1.0 + np.exp(-log_odds)))


@dataclass
class FittedNetwork:
    """A trained network's probabilities on the fold's validation and test rows (and on `also_predict`)."""

    validation: np.ndarray
    test: np.ndarray
    history: dict
    train_seconds: float
    extra: np.ndarray | None = None


@dataclass
class MemberOutput:
    """What the members stage produced: (n, n_classes) probabilities, or (n, 1) anomaly scores."""

    validation: np.ndarray
    test: np.ndarray
    history: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    train_seconds: float = 0.0
    kind: ScoreKind = "probabilities"


@dataclass(frozen=True)
class FoldContext:
    """One technique on one fold: the rows it is scored on, its settings, and who trains networks.

    Validation rows (early stopping, thresholds, score maps) and test rows are never resampled.
    `trainer` has `fit(plan, also_predict=None) -> FittedNetwork` and `fit_all(plans)`; the engine
    passes imbal_core.run.network_trainer.NetworkTrainer.
    """

    validation: np.ndarray
    validation_labels: np.ndarray
    test: np.ndarray
    n_classes: int
    settings: Any  # imbal_core.nets.model.ModelSettings
    seed: int
    stages: Stages
    params: Mapping[str, Any]
    trainer: Any
    on_epoch: Callable[[int, dict], None] | None = None
    should_stop: Callable[[], bool] | None = None

    def network_plan(
        self, features: np.ndarray, labels: np.ndarray, seed: int, row_weights: np.ndarray | None = None
    ) -> NetworkPlan:
        """A network on these rows with the technique's weights, loss and batches stages applied."""
        loss = self.stages.loss.settings(labels, self.n_classes, self.params)
        weights = self.stages.weights.class_weights(labels, self.n_classes, self.params)
        parts = [part for part in (weights, loss.class_factors) if part]
        class_weight = None
        if parts:
            class_weight = {
                code: float(np.prod([part.get(code, 1.0) for part in parts])) for code in range(self.n_classes)
            }
        batches = self.stages.batches.plan(labels, self.n_classes, self.params)
        return NetworkPlan(features, labels, seed, class_weight, row_weights, loss, batches)


# --- checks shared by the public methods ------------------------------------------------------------


# What to do instead when a technique does not handle the data's modality (Stages.refusal).
_MODALITY_ADVICE = {
    "image": "It needs table rows, where neighbours, added noise or a table model mean something; between raw "
    "pixels they do not, so it is not run on them. For images use image augmentation, random over- or "
    "undersampling, class weights, focal loss or balanced bagging.",
    "table": "For tables use noise augmentation or one of the oversamplers instead.",
}


def _check_labels(labels: np.ndarray, rows: int | None = None, what: str = "labels") -> None:
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"The {what} must be a 1-D array of integer class codes; got {labels.dtype} {labels.shape}.")
    if len(labels) and labels.min() < 0:
        raise ValueError(f"The {what} must be class codes from 0; got {labels.min()}.")
    if rows is not None and len(labels) != rows:
        raise ValueError(f"Got {rows} rows but {len(labels)} {what}; each row needs exactly one label.")


def _check_probabilities(values: np.ndarray, rows: int, columns: int, where: str) -> None:
    values = np.asarray(values)
    if values.shape != (rows, columns):
        raise ValueError(f"{where} returned scores of shape {values.shape}; expected ({rows}, {columns}).")
    if not np.isfinite(values).all():
        raise FloatingPointError(f"{where} returned scores that are not finite")


# --- the six stage kinds; each base class is the neutral stage --------------------------------------


@dataclass(frozen=True, kw_only=True)
class Stage:
    """Common to every stage: a JSON-safe name, the modalities it handles, the classes it handles."""

    name: str = "none"
    modalities: ClassVar[tuple[str, ...]] = MODALITIES
    binary_only: ClassVar[bool] = False
    title: ClassVar[str] = ""  # how notes name this stage

    def refusal(self, n_classes: int) -> str | None:
        """Why this stage cannot run with `n_classes` classes, or None when it can."""
        if self.binary_only and n_classes != 2:
            return (
                f"{self.title or self.name} handles two classes only (normal against rare); this target has "
                f"{n_classes} classes. Pick another technique, or make the target binary (one class against "
                "the rest)."
            )
        return None


@dataclass(frozen=True, kw_only=True)
class RowStage(Stage):
    """What happens to the training rows. `kind` names the family the common checks hold it to."""

    kind: ClassVar[RowKind] = "none"
    modalities: ClassVar[tuple[str, ...]] = MODALITIES

    def fit_resample(self, rows: TrainingRows, params: Mapping[str, Any], seed: int) -> ResampleResult:
        _check_labels(rows.labels, len(rows.base))
        result = self._fit_resample(rows, params, seed)
        n = len(rows.labels)
        if not (len(result.features) == len(result.labels) == len(result.source_index)):
            raise ValueError(f"Rows stage {self.name!r} returned features, labels and sources of different lengths.")
        if result.n_original != n or (len(result.source_index) and result.source_index.max() >= n):
            raise ValueError(f"Rows stage {self.name!r} lost track of which input rows it kept.")
        kept = result.source_index >= 0
        if not np.array_equal(result.labels[kept], rows.labels[result.source_index[kept]]):
            raise ValueError(f"Rows stage {self.name!r} changed the label of a row it kept.")
        return result

    def _fit_resample(self, rows: TrainingRows, params: Mapping[str, Any], seed: int) -> ResampleResult:
        labels = rows.labels
        return ResampleResult(rows.encoded(), labels, np.arange(len(labels)), len(labels), "none")


@dataclass(frozen=True, kw_only=True)
class WeightStage(Stage):
    """Per-class weights in the loss (None: every row weighs 1)."""

    def class_weights(self, labels: np.ndarray, n_classes: int, params: Mapping[str, Any]) -> dict[int, float] | None:
        _check_labels(labels)
        weights = self._class_weights(labels, n_classes, params)
        if weights is not None:
            values = np.array(list(weights.values()), dtype=float)
            if not (np.isfinite(values).all() and (values > 0).all()):
                raise ValueError(f"Weights stage {self.name!r} returned weights that are not finite and positive.")
        return weights

    def _class_weights(self, labels: np.ndarray, n_classes: int, params: Mapping[str, Any]) -> dict[int, float] | None:
        return None


@dataclass(frozen=True, kw_only=True)
class LossStage(Stage):
    """The loss a network trains with (default: cross-entropy)."""

    def settings(self, labels: np.ndarray, n_classes: int, params: Mapping[str, Any]) -> LossSettings:
        _check_labels(labels)
        settings = self._settings(labels, n_classes, params)
        offset = settings.output_offset
        if offset is not None:
            expected = 1 if n_classes == 2 else n_classes
            if np.shape(offset) != (expected,) or not np.isfinite(offset).all():
                raise ValueError(f"Loss stage {self.name!r} returned an output offset that does not fit the output.")
        return settings

    def _settings(self, labels: np.ndarray, n_classes: int, params: Mapping[str, Any]) -> LossSettings:
        return LossSettings()


@dataclass(frozen=True, kw_only=True)
class BatchStage(Stage):
    """How mini-batches are drawn (default: every row once per epoch, shuffled)."""

    def plan(self, labels: np.ndarray, n_classes: int, params: Mapping[str, Any]) -> BatchPlan:
        _check_labels(labels)
        plan = self._plan(labels, n_classes, params)
        shares = plan.class_shares
        if shares is not None:
            present = np.bincount(labels, minlength=n_classes) > 0
            if (
                np.shape(shares) != (n_classes,)
                or (shares < 0).any()
                or not np.isclose(shares.sum(), 1.0)
                or (shares[~present] > 0).any()
            ):
                raise ValueError(f"Batch stage {self.name!r} returned class shares that are not a distribution.")
        return plan

    def _plan(self, labels: np.ndarray, n_classes: int, params: Mapping[str, Any]) -> BatchPlan:
        return BatchPlan()


@dataclass(frozen=True, kw_only=True)
class MemberStage(Stage):
    """How many models are trained and how they are combined (default: one network).

    Members whose networks are independent (one network, bagging) fill in `plans` and `combine`: a
    trainer can then take the plans of many techniques and folds at once (stacked training) before any
    is combined. Sequential members (boosting: each round needs the last one's errors) set
    `sequential` and override `_train`; so do members that train no network of ours.
    """

    kind: ClassVar[MemberKind] = "network"
    output: ClassVar[ScoreKind] = "probabilities"
    sequential: ClassVar[bool] = False

    @property
    def independent_networks(self) -> bool:
        """True when `plans` and `combine` describe this stage: networks of ours, known before training."""
        return self.kind == "network" and not self.sequential

    def train(self, rows: ResampleResult, params: Mapping[str, Any], context: FoldContext) -> MemberOutput:
        self.check_rows(rows, context)
        return self.checked(self._train(rows, params, context), context)

    def check_rows(self, rows: ResampleResult, context: FoldContext) -> None:
        """Refuse a target this stage cannot handle; check the rows it is given."""
        refusal = self.refusal(context.n_classes)
        if refusal:
            raise TechniqueRefused(refusal)
        _check_labels(rows.labels, len(rows.features))

    def checked(self, output: MemberOutput, context: FoldContext) -> MemberOutput:
        """`output`, once it is known to be what this stage declares (a trainer that trains the plans of
        many techniques before combining any calls `check_rows`, `plans`, then `combine` and this)."""
        columns = context.n_classes if output.kind == "probabilities" else 1
        if output.kind != self.output:
            raise ValueError(f"Members stage {self.name!r} returned {output.kind}; it declares {self.output}.")
        _check_probabilities(output.validation, len(context.validation_labels), columns, f"Members stage {self.name!r}")
        _check_probabilities(output.test, len(context.test), columns, f"Members stage {self.name!r}")
        return output

    def _train(self, rows: ResampleResult, params: Mapping[str, Any], context: FoldContext) -> MemberOutput:
        networks = context.trainer.fit_all(self.plans(rows, params, context))
        return self.combine(networks, params, context)

    def training_prior(self, rows: ResampleResult, params: Mapping[str, Any], context: FoldContext) -> float | None:
        """Binary: the minority share the members' scores reflect (NetworkPlan.minority_share, mean over the
        networks); None for multi-class. Network members answer from their plans, which are cheap to make;
        members that train no network of ours override this."""
        if context.n_classes != 2:
            return None
        shares = [plan.minority_share(2) for plan in self.plans(rows, params, context)]
        shares = [share for share in shares if share is not None]
        return float(np.mean(shares)) if shares else None

    def plans(self, rows: ResampleResult, params: Mapping[str, Any], context: FoldContext) -> list[NetworkPlan]:
        """The independent networks to train, before any is trained (default: one on all the rows)."""
        return [context.network_plan(rows.features, rows.labels, context.seed)]

    def combine(self, networks: list[FittedNetwork], params: Mapping[str, Any], context: FoldContext) -> MemberOutput:
        """One output from the trained networks, in the order `plans` gave them (default: the one network)."""
        (network,) = networks
        return MemberOutput(network.validation, network.test, network.history, [], network.train_seconds)


@dataclass(frozen=True, kw_only=True)
class ScoreStage(Stage):
    """Scores after training (default: the members' probabilities as they are)."""

    accepts: ClassVar[ScoreKind] = "probabilities"

    def finish(
        self, output: MemberOutput, params: Mapping[str, Any], context: FoldContext, training_labels: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(validation probabilities, test probabilities, notes), each (n, n_classes), rows summing to 1."""
        if output.kind != self.accepts:
            raise ValueError(f"Scores stage {self.name!r} takes {self.accepts}; the members gave {output.kind}.")
        validation, test, notes = self._finish(output, params, context, training_labels)
        where = f"Scores stage {self.name!r}"
        _check_probabilities(validation, len(context.validation_labels), context.n_classes, where)
        _check_probabilities(test, len(context.test), context.n_classes, where)
        for values in (validation, test):
            if (values < 0).any() or (values > 1).any():
                raise ValueError(f"{where} returned probabilities outside [0, 1].")
        return validation, test, notes

    def _finish(
        self, output: MemberOutput, params: Mapping[str, Any], context: FoldContext, training_labels: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        return output.validation, output.test, []

    def prior_after(
        self, prior: float | None, params: Mapping[str, Any], context: FoldContext, training_labels: np.ndarray
    ) -> float | None:
        """The minority share the finished scores reflect, given the members' `prior` (default: unchanged)."""
        return prior


NO_ROWS = RowStage()
NO_WEIGHTS = WeightStage()
CROSS_ENTROPY = LossStage(name="cross_entropy")
SHUFFLED_BATCHES = BatchStage(name="shuffled")
ONE_NETWORK = MemberStage(name="one_network")
RAW_SCORES = ScoreStage(name="as_trained")


@dataclass(frozen=True)
class Stages:
    """A technique's six stages; the ones it does not name are neutral."""

    rows: RowStage = NO_ROWS
    weights: WeightStage = NO_WEIGHTS
    loss: LossStage = CROSS_ENTROPY
    batches: BatchStage = SHUFFLED_BATCHES
    members: MemberStage = ONE_NETWORK
    scores: ScoreStage = RAW_SCORES

    def __post_init__(self) -> None:
        if self.members.output != self.scores.accepts:
            raise TypeError(
                f"Members stage {self.members.name!r} gives {self.members.output}, but scores stage "
                f"{self.scores.name!r} takes {self.scores.accepts}."
            )

    def all(self) -> tuple[Stage, ...]:
        return (self.rows, self.weights, self.loss, self.batches, self.members, self.scores)

    @property
    def modalities(self) -> tuple[str, ...]:
        """The modalities every stage supports, in MODALITIES order."""
        return tuple(m for m in MODALITIES if all(m in stage.modalities for stage in self.all()))

    def refusal(self, n_classes: int, modality: str = "table") -> str | None:
        """Why this composition cannot run on such data, or None."""
        for stage in self.all():
            reason = stage.refusal(n_classes)
            if reason:
                return reason
        if modality not in self.modalities:
            supported = ", ".join(self.modalities) or "no data"
            return f"This technique works on {supported} data, not on {modality} data. " + _MODALITY_ADVICE.get(
                modality, ""
            )
        return None

    def to_json(self) -> dict[str, str]:
        return {kind: stage.name for kind, stage in zip(STAGE_KINDS, self.all(), strict=True)}


STAGE_KINDS = ("rows", "weights", "loss", "batches", "members", "scores")
