"""The evaluation protocol: split first (stratified), fit preprocessing and resampling on training rows only.

Quick mode is one stratified hold-out split; cv mode is repeated stratified K-fold. Within a fold
every technique starts from the same initial weights, so differences come from the technique.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedShuffleSplit, train_test_split

from imbal_core import metrics as metric_functions
from imbal_core.data import PreparedData, class_counts, prepare
from imbal_core.engine import WaitStatus, trainer
from imbal_core.errors import InputError
from imbal_core.images import ImageEncoder, image_plan, image_shape_of
from imbal_core.model import ModelSettings
from imbal_core.preprocess import FeatureEncoder, clean_features, plan_columns
from imbal_core.resampling import ResampleResult, resample
from imbal_core.seeds import derive_seed
from imbal_core.stages import FoldContext, TechniqueRefused
from imbal_core.stages.members import balanced_subset, member_seed  # noqa: F401 (imported from here too)
from imbal_core.techniques import DEFAULT_TECHNIQUES, TechniqueSpec  # noqa: F401 (the CLI's default set)

CHEAP_KFOLD_ROWS = 5_000  # below this, 5-fold CV of the default techniques takes well under a minute here
MIN_MINORITY_TEST_ROWS = 30


def suggested_mode(rows: int, minority_rows: int, test_size: float) -> Literal["quick", "cv"]:
    """K-fold when it is cheap (small data) or when one hold-out split would test too few minority rows."""
    if rows <= CHEAP_KFOLD_ROWS or minority_rows * test_size < MIN_MINORITY_TEST_ROWS:
        return "cv"
    return "quick"


@dataclass(frozen=True)
class Protocol:
    """How rows are split: one stratified hold-out ('quick') or repeated stratified K-fold ('cv')."""

    mode: Literal["quick", "cv"] = "quick"
    folds: int = 5
    repeats: int = 1
    test_size: float = 0.25
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("quick", "cv"):
            raise InputError(f"Protocol mode must be 'quick' or 'cv'; got {self.mode!r}.")
        if self.mode == "cv" and not (2 <= self.folds <= 20):
            raise InputError(f"Folds must be between 2 and 20; got {self.folds}.")
        if not (1 <= self.repeats <= 10):
            raise InputError(f"Repeats must be between 1 and 10; got {self.repeats}.")
        if not (0.05 <= self.test_size <= 0.5):
            raise InputError(f"Test size must be between 0.05 and 0.5; got {self.test_size}.")

    @property
    def n_splits(self) -> int:
        return 1 if self.mode == "quick" else self.folds * self.repeats

    def to_json(self) -> dict:
        quick = self.mode == "quick"
        return {
            "mode": self.mode,
            "folds": 1 if quick else self.folds,
            "repeats": 1 if quick else self.repeats,
            "test_size": self.test_size if quick else None,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a comparison, for progress bars: stage is 'start', 'epoch' or 'done'."""

    stage: str
    technique: str
    technique_index: int
    n_techniques: int
    fold_index: int
    n_folds: int
    epoch: int = 0
    max_epochs: int = 0
    logs: dict = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        """Share of the whole comparison done, counting each technique-fold as one unit."""
        units = self.n_techniques * self.n_folds
        done = self.fold_index * self.n_techniques + self.technique_index
        within = 1.0 if self.stage == "done" else (self.epoch / self.max_epochs if self.max_epochs else 0.0)
        return min(1.0, (done + within) / units)


class Cancelled(Exception):
    """Raised when a run is stopped on request; results so far are discarded."""


@dataclass
class TechniqueResult:
    """Everything one technique produced over all folds, probabilities included for curves."""

    spec: TechniqueSpec
    fold_metrics: list[dict] = field(default_factory=list)
    fold_metrics_tuned: list[dict] = field(default_factory=list)
    tuned_thresholds: list[float] = field(default_factory=list)
    train_class_counts: dict[str, int] = field(default_factory=dict)
    test_labels: list[np.ndarray] = field(default_factory=list)
    test_probabilities: list[np.ndarray] = field(default_factory=list)
    test_rows: list[np.ndarray] = field(default_factory=list)  # positions in the dataset, per fold
    fold_repeats: list[int] = field(default_factory=list)  # which repeat of K-fold each fold belongs to
    validation_labels: list[np.ndarray] = field(default_factory=list)
    validation_probabilities: list[np.ndarray] = field(default_factory=list)
    histories: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fit_seconds: float = 0.0  # resampling + training + prediction, summed over folds
    train_seconds: float = 0.0  # Keras fit alone
    failed: str | None = None

    @property
    def reference(self) -> bool:
        """True for scikit-learn reference learners: shown beside the networks, never recommended."""
        return self.spec.technique.is_reference

    def add_note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    @property
    def first_repeat(self) -> list[int]:
        """Folds of the first repeat: together they test every row exactly once."""
        if not self.fold_repeats:
            return list(range(len(self.test_labels)))
        return [index for index, repeat in enumerate(self.fold_repeats) if repeat == 0]

    @property
    def labels(self) -> np.ndarray:
        """Test labels pooled over the first repeat's folds (each row once), in fold order."""
        folds = self.first_repeat
        return np.concatenate([self.test_labels[i] for i in folds]) if folds else np.array([], dtype=np.int64)

    @property
    def probabilities(self) -> np.ndarray:
        """Out-of-fold probabilities pooled like `labels`: what the curves are drawn from."""
        folds = self.first_repeat
        return np.concatenate([self.test_probabilities[i] for i in folds]) if folds else np.empty((0, 2))

    @property
    def fold_index(self) -> np.ndarray:
        return np.concatenate([np.full(len(self.test_labels[i]), i) for i in self.first_repeat])

    @property
    def metrics(self) -> dict:
        """Mean over folds of each fold's test metrics (the table's aggregation)."""
        return metric_functions.summarise(self.fold_metrics)[0] if self.fold_metrics else {}

    @property
    def metrics_std(self) -> dict:
        return metric_functions.summarise(self.fold_metrics)[1] if self.fold_metrics else {}

    @property
    def tuned_threshold(self) -> float | None:
        return float(np.mean(self.tuned_thresholds)) if self.tuned_thresholds else None

    def fold_metrics_at(self, threshold: float) -> list[dict]:
        """Each fold's metrics at another threshold: no retraining, only stored probabilities.

        Threshold metrics come from each fold's confusion matrix; the threshold-free ones (ROC-AUC,
        PR-AUC, Brier) are the fold's stored values.
        """
        per_fold = []
        for labels, probabilities, stored in zip(
            self.test_labels, self.test_probabilities, self.fold_metrics, strict=True
        ):
            matrix = metric_functions.confusion(labels, probabilities, threshold)
            fold = metric_functions.confusion_metrics(matrix)
            fold.update({name: stored[name] for name in metric_functions.THRESHOLD_FREE})
            per_fold.append(fold)
        return per_fold

    def metrics_at(self, threshold: float) -> dict:
        """Mean over folds at `threshold`, the table's aggregation, so at 0.5 both agree exactly.

        Multi-class adds `per_class` (precision, recall, F1 averaged over folds; support of the first repeat).
        """
        per_fold = self.fold_metrics_at(threshold)
        means = metric_functions.summarise(per_fold)[0]
        if "per_class" in per_fold[0]:
            means["per_class"] = {
                name: np.mean([fold["per_class"][name] for fold in per_fold], axis=0).tolist()
                for name in ("precision", "recall", "f1")
            }
            means["per_class"]["support"] = np.bincount(self.labels, minlength=self.n_classes).tolist()
        return means

    def metrics_std_at(self, threshold: float) -> dict:
        return metric_functions.summarise(self.fold_metrics_at(threshold))[1]

    @property
    def n_classes(self) -> int:
        return self.test_probabilities[0].shape[1] if self.test_probabilities else 0

    def confusion_at(self, threshold: float = 0.5) -> np.ndarray:
        """Confusion matrix summed over the first repeat's folds: every row counted exactly once."""
        return sum(
            metric_functions.confusion(self.test_labels[i], self.test_probabilities[i], threshold)
            for i in self.first_repeat
        )

    @property
    def repeats(self) -> int:
        return (max(self.fold_repeats) + 1) if self.fold_repeats else 1

    def confusion_caption(self) -> str:
        """How the confusion matrix counts rows, for every place that shows one."""
        folds = len(self.first_repeat)
        if folds <= 1:
            return f"{len(self.labels):,} test rows of one hold-out split."
        caption = f"{len(self.labels):,} rows, each counted once: the test rows of {folds} folds"
        if self.repeats > 1:
            caption += f" of repeat 1 (of {self.repeats})"
        return caption + "."


@dataclass
class Comparison:
    """A whole run: the dataset summary, the protocol and settings, and one result per technique."""

    dataset: dict
    protocol: Protocol
    settings: ModelSettings
    labels: list[str]
    results: list[TechniqueResult]
    notes: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    costs: object | None = None  # imbal_core.decision.Costs stated for this run, if any
    wait_seconds: float = 0.0  # how long it waited for the trainer before training started

    @property
    def binary(self) -> bool:
        return len(self.labels) == 2


@dataclass
class EncodedData:
    """Cleaned features and integer class codes; binary code 1 is the minority class."""

    features: pd.DataFrame
    codes: np.ndarray
    labels: list[str]
    plan: object
    notes: list[str]
    image_shape: tuple[int, int, int] | None = None  # images (imbal_core.images.to_frame): the CNN's input


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
    return EncodedData(features, codes, labels, plan, prepared.notes + plan.notes, image_shape)


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


def make_splits(codes: np.ndarray, protocol: Protocol) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified train/test index pairs; raises InputError when a class is too small for the protocol."""
    smallest = int(np.bincount(codes).min())
    if protocol.mode == "quick":
        if smallest < 2:
            raise InputError("A class has fewer than 2 rows; a stratified split needs at least 2 of every class.")
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=protocol.test_size, random_state=protocol.seed)
    else:
        if smallest < protocol.folds:
            raise InputError(
                f"The smallest class has {smallest} rows, fewer than the {protocol.folds} folds asked for. "
                f"Use at most {smallest} folds, or the quick hold-out split."
            )
        splitter = RepeatedStratifiedKFold(
            n_splits=protocol.folds, n_repeats=protocol.repeats, random_state=protocol.seed
        )
    try:
        splits = [(train, test) for train, test in splitter.split(np.zeros(len(codes)), codes)]
    except ValueError as error:  # e.g. fewer test rows than classes
        raise InputError(
            f"The rows cannot be split with test size {protocol.test_size:g} ({error}). "
            "Use a larger test size, or upload more rows."
        ) from None
    for _, test in splits:
        if len(np.unique(codes[test])) < len(np.bincount(codes)):
            advice = min(0.5, np.ceil(20 / smallest) / 20)
            raise InputError(
                f"With test size {protocol.test_size:g} the test rows would hold no row of a class that has only "
                f"{smallest} rows, so its recall could not be measured. Use a test size of at least {advice:g}, "
                "or K-fold."
            )
    return splits


MIN_VALIDATION_MINORITY = 5


def validation_slice(codes: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Carve the early-stopping slice from training rows (stratified when every class allows it).

    Every class with at least 2 training rows gets at least one validation row: a stratified split
    can round a tiny class down to none, and PR-AUC on a slice without minority rows is undefined,
    which would stop training after `patience` epochs with the first epoch's weights.
    """
    positions = np.arange(len(codes))
    counts = np.bincount(codes)
    stratify = codes if counts[counts > 0].min() >= 2 else None
    fit, validation = train_test_split(positions, test_size=fraction, random_state=seed, stratify=stratify)
    notes = [] if stratify is not None else ["A class had 1 training row: the validation slice is not stratified."]
    for code in np.flatnonzero(counts >= 2):
        if not (codes[validation] == code).any():
            moved = fit[codes[fit] == code][0]
            fit, validation = fit[fit != moved], np.append(validation, moved)
    return np.sort(fit), np.sort(validation), notes


def validation_notes(validation_codes: np.ndarray, n_classes: int) -> list[str]:
    """Say when early stopping and the tuned threshold rest on very few minority validation rows."""
    if n_classes != 2:
        return []
    minority = int((validation_codes == 1).sum())
    if minority == 0:
        return [
            "The validation slice held no minority row: early stopping watched the validation loss instead "
            "of PR-AUC, and the tuned threshold is 0.5. Use more rows or K-fold for a trustworthy threshold."
        ]
    if minority < MIN_VALIDATION_MINORITY:
        return [
            f"The validation slice held only {minority} minority row(s): early stopping and the tuned threshold "
            "rest on them and may be noisy."
        ]
    return []


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
    fit_frame: pd.DataFrame | None = None  # the training rows as read, kept only when there is free text
    # Networks trained on this fold, by plan (imbal_core.train.NetworkTrainer): an identical plan is not
    # trained twice (same rows, weights, loss, batches and seed give the same network).
    trained: dict = field(default_factory=dict, repr=False)


def _encoder(data: EncodedData):
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
    encoder = _encoder(data).fit(data.features.iloc[fit_rows])
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


ProgressHook = Callable[[ProgressEvent], None]
WaitHook = Callable[[WaitStatus], None]


@dataclass
class FoldOutcome:
    """What one technique produced on one fold."""

    validation_probabilities: np.ndarray
    test_probabilities: np.ndarray
    history: dict
    notes: list[str]
    train_class_counts: dict[int, int]
    train_seconds: float


def run_technique_on_fold(
    spec: TechniqueSpec,
    fold: FoldData,
    n_classes: int,
    settings: ModelSettings,
    seed: int,
    on_epoch=None,
    should_stop=None,
) -> FoldOutcome:
    """Run the technique's stages on one fold (imbal_core.stages): rows, then members (the weights, loss
    and batches stages shape every network they plan), then scores.

    Only the training rows reach the rows stage; validation and test rows are scored, never resampled.
    Raises TechniqueRefused when the technique cannot run on this target, Cancelled on a stop request,
    FloatingPointError when a loss becomes NaN.
    """
    from imbal_core.train import NetworkTrainer

    stages = spec.technique.stages
    refusal = stages.refusal(n_classes, getattr(fold.encoder, "modality", "table"))
    if refusal:
        raise TechniqueRefused(refusal)
    if fold.already_resampled:
        identity = np.arange(len(fold.fit_codes))
        rows = ResampleResult(fold.base_fit, fold.fit_codes, identity, len(identity), "before the split")
    else:
        rows = resample(spec, fold.base_fit, fold.fit_codes, fold.encoder, seed, fold.fit_frame)
    memo = None if fold.already_resampled else fold.trained
    trainer = NetworkTrainer(
        fold.validation, fold.validation_codes, fold.test, n_classes, settings, on_epoch, should_stop, memo
    )
    context = FoldContext(
        fold.validation,
        fold.validation_codes,
        fold.test,
        n_classes,
        settings,
        seed,
        stages,
        spec.params,
        trainer,
        on_epoch,
        should_stop,
    )
    output = stages.members.train(rows, spec.params, context)
    validation, test, score_notes = stages.scores.finish(output, spec.params, context, rows.labels)
    counts = {int(code): int(count) for code, count in enumerate(np.bincount(rows.labels, minlength=n_classes))}
    notes = [*rows.notes, *output.notes, *score_notes]
    return FoldOutcome(validation, test, output.history, notes, counts, output.train_seconds)


def run_comparison(
    frame: pd.DataFrame,
    target: str,
    specs: list[TechniqueSpec],
    protocol: Protocol | None = None,
    settings: ModelSettings | None = None,
    on_progress: ProgressHook | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_wait: WaitHook | None = None,
) -> Comparison:
    """Run every technique on every fold of the protocol; same seed, same numbers.

    Training waits for its turn on the process's trainer (imbal_core.engine), which runs one comparison
    at a time; `on_wait` hears the place in the queue while it waits.
    """
    if not specs:
        raise InputError("Pick at least one technique to compare.")
    with trainer().turn(on_wait, should_stop) as waited:
        comparison = _run_comparison(frame, target, specs, protocol, settings, on_progress, should_stop)
    comparison.wait_seconds = waited
    return comparison


def _run_comparison(frame, target, specs, protocol, settings, on_progress, should_stop) -> Comparison:
    protocol = protocol or Protocol()
    settings = settings or ModelSettings()
    started = time.perf_counter()
    data = encode_dataset(frame, target)
    settings = network_settings(data, settings)
    splits = make_splits(data.codes, protocol)
    results = [TechniqueResult(spec=spec) for spec in specs]
    run = RunContext(len(data.labels), settings, data.labels, on_progress, should_stop)
    for fold_index, (train, test) in enumerate(splits):
        fold_seed = derive_seed(protocol.seed, fold_index)
        fold = prepare_fold(data, train, test, settings, fold_seed)
        fold.repeat = fold_index // protocol.folds if protocol.mode == "cv" else 0
        for technique_index, (spec, result) in enumerate(zip(specs, results, strict=False)):
            event = ProgressEvent(
                "start",
                spec.technique_id,
                technique_index,
                len(specs),
                fold_index,
                len(splits),
                max_epochs=settings.max_epochs,
            )
            _emit(on_progress, event)
            _run_one(spec, result, FoldRun(fold, fold_index, fold_seed, event, run))
            _emit(on_progress, replace(event, stage="done"))
            for note in fold.notes:
                result.add_note(note)
    dataset = dataset_summary(data, target)
    return Comparison(dataset, protocol, settings, data.labels, results, data.notes, time.perf_counter() - started)


def _emit(hook: ProgressHook | None, event: ProgressEvent) -> None:
    if hook is not None:
        hook(event)


@dataclass(frozen=True)
class RunContext:
    """What every technique-fold run of one comparison shares."""

    n_classes: int
    settings: ModelSettings
    labels: list[str]
    on_progress: ProgressHook | None
    should_stop: Callable[[], bool] | None


@dataclass(frozen=True)
class FoldRun:
    """One technique's run on one fold: the fold's rows, where it stands in the comparison, and the shared context."""

    fold: FoldData
    fold_index: int
    seed: int
    event: ProgressEvent
    run: RunContext


def _run_one(spec: TechniqueSpec, result: TechniqueResult, context: FoldRun) -> None:
    """Train `spec` on one fold and add what it produced (or why it failed) to `result`."""
    if result.failed:
        return
    fold, run = context.fold, context.run

    def on_epoch(epoch: int, logs: dict) -> None:
        _emit(run.on_progress, replace(context.event, stage="epoch", epoch=epoch + 1, logs=dict(logs)))

    started = time.perf_counter()
    try:
        outcome = run_technique_on_fold(
            spec, fold, run.n_classes, run.settings, context.seed, on_epoch, run.should_stop
        )
    except FloatingPointError as error:
        result.failed = f"Training failed: {error}."
        result.add_note(result.failed)
        return
    except TechniqueRefused as error:
        result.failed = str(error)
        result.add_note(result.failed)
        return
    result.fit_seconds += time.perf_counter() - started
    result.train_seconds += outcome.train_seconds
    for note in outcome.notes:
        result.add_note(note)
    if context.fold_index == 0:
        result.train_class_counts = {run.labels[code]: count for code, count in outcome.train_class_counts.items()}
    result.histories.append(outcome.history)
    result.test_labels.append(fold.test_codes)
    result.test_probabilities.append(outcome.test_probabilities)
    result.test_rows.append(fold.test_rows)
    result.fold_repeats.append(fold.repeat)
    result.validation_labels.append(fold.validation_codes)
    result.validation_probabilities.append(outcome.validation_probabilities)
    result.fold_metrics.append(metric_functions.compute_metrics(fold.test_codes, outcome.test_probabilities))
    if run.n_classes == 2:
        validation_positive = outcome.validation_probabilities[:, 1]
        threshold = metric_functions.best_f1_threshold(fold.validation_codes, validation_positive)
        result.tuned_thresholds.append(threshold)
        result.fold_metrics_tuned.append(
            metric_functions.compute_metrics(fold.test_codes, outcome.test_probabilities, threshold)
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


def resample_preview(
    frame: pd.DataFrame,
    target: str,
    spec: TechniqueSpec,
    protocol: Protocol | None = None,
    settings: ModelSettings | None = None,
) -> dict:
    """What a sampler does to the training rows of the first fold, exactly as training prepares them
    (the validation slice carved out first, the same seeds): a teaching view, no training.

    Returns encoded rows before and after, labels, the synthetic mask and the removed rows.
    """
    protocol = protocol or Protocol()
    settings = settings or ModelSettings()
    data = encode_dataset(frame, target)
    train, test = make_splits(data.codes, protocol)[0]
    fold_seed = derive_seed(protocol.seed, 0)
    fold = prepare_fold(data, train, test, settings, fold_seed)
    result = resample(spec, fold.base_fit, fold.fit_codes, fold.encoder, fold_seed, fold.fit_frame)
    return {
        "labels": data.labels,
        "original_features": fold.encoder.encode(fold.base_fit),
        "original_codes": fold.fit_codes,
        "original_rows": data.features.iloc[fold.fit_rows].reset_index(drop=True),
        "result": result,
        "encoder": fold.encoder,
    }


def leaky_comparison(
    frame: pd.DataFrame,
    target: str,
    specs: list[TechniqueSpec],
    protocol: Protocol | None = None,
    settings: ModelSettings | None = None,
    on_progress: ProgressHook | None = None,
    on_wait: WaitHook | None = None,
) -> Comparison:
    """The mistake, on purpose: the sampler sees the test rows. For the Learn page and for tests.

    Everything else matches the honest run's first fold: the same split, validation slice, encoder
    (fitted on training rows) and seeds. The sampler resamples training and test rows together; the
    network trains on its output minus the original test rows, so copies and synthetic neighbours of
    test rows sit in training. The test rows are the same original rows at the real class ratio, so
    the gap to the honest run is leakage alone, not a change of prevalence.
    """
    with trainer().turn(on_wait) as waited:
        comparison = _leaky_comparison(frame, target, specs, protocol, settings, on_progress)
    comparison.wait_seconds = waited
    return comparison


def _leaky_comparison(frame, target, specs, protocol, settings, on_progress) -> Comparison:
    protocol = protocol or Protocol()
    settings = settings or ModelSettings()
    started = time.perf_counter()
    data = encode_dataset(frame, target)
    settings = network_settings(data, settings)
    train, test = make_splits(data.codes, protocol)[0]
    fold_seed = derive_seed(protocol.seed, 0)
    honest_fold = prepare_fold(data, train, test, settings, fold_seed)
    test_base = honest_fold.encoder.base(data.features.iloc[test])
    pool = np.vstack([honest_fold.base_fit, test_base])
    pool_codes = np.concatenate([honest_fold.fit_codes, honest_fold.test_codes])
    results = []
    for spec in specs:
        resampled = resample(spec, pool, pool_codes, honest_fold.encoder, fold_seed)
        # Original test rows leave training; their copies and synthetic neighbours stay: that is the leak.
        in_training = resampled.source_index < len(honest_fold.fit_codes)
        leaked = int((resampled.synthetic & in_training).sum())
        fold = replace(
            honest_fold,
            base_fit=resampled.features[in_training],
            fit_codes=resampled.labels[in_training],
            notes=[],
            already_resampled=True,
        )
        note = (
            f"Resampled before the split: the sampler saw the {len(test):,} test rows; {leaked:,} synthetic or "
            "copied rows in training may come from them. Test rows keep the real class ratio."
        )
        result = TechniqueResult(spec=spec, notes=[note, *resampled.notes])
        event = ProgressEvent("start", spec.technique_id, 0, 1, 0, 1, max_epochs=settings.max_epochs)
        _emit(on_progress, event)
        run = RunContext(len(data.labels), settings, data.labels, on_progress, None)
        _run_one(spec, result, FoldRun(fold, 0, fold_seed, event, run))
        _emit(on_progress, replace(event, stage="done"))
        results.append(result)
    return Comparison(
        dataset_summary(data, target),
        protocol,
        settings,
        data.labels,
        results,
        ["Leaky protocol: resampling saw the test rows."],
        time.perf_counter() - started,
    )
