"""The fold work of a comparison, as plain data: a FoldJob in, FoldResults out, progress events on the way.

Both dispatchers run it: this process (imbal_core.run.evaluate.run_comparison) and the Dask workers
(imbal_core.run.scale). One technique on one fold is started (refusal check, rows stage), its networks trained
(one at a time, or stacked with the fold's other techniques), then finished (scores stage).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from imbal_core.errors import Cancelled, ImbalanceLabError
from imbal_core.nets.model import ModelSettings
from imbal_core.run import metrics as metric_functions
from imbal_core.run.folds import EncodedData, FoldData, dataset_summary, encode_dataset, network_settings, prepare_fold
from imbal_core.run.network_trainer import NetworkTrainer, StackedNetworks
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.run.resampling import resample
from imbal_core.run.results import Comparison, TechniqueResult
from imbal_core.seeds import derive_seed
from imbal_core.stages.base import FoldContext, ResampleResult, TechniqueRefused
from imbal_core.techniques.catalogue import TechniqueSpec


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a comparison, for progress bars: stage is 'start', 'epoch', 'stack' or 'done'.

    'stack' events describe the networks of all techniques of one fold training together (imbal_core.nets.stacked):
    `epoch` is the stack's epoch and logs hold how many networks are still training ('training', 'networks')."""

    stage: str
    technique: str
    technique_index: int
    n_techniques: int
    fold_index: int
    n_folds: int
    epoch: int = 0
    max_epochs: int = 0
    logs: dict = field(default_factory=dict)
    # Technique units of this fold finished when the event was sent (a stack's share counted as it trains);
    # None: counted from technique_index. Techniques of a fold start one by one but finish together after
    # the stack, so the position in the list alone would jump ahead and then wait (issue 19, item 10).
    completed: float | None = None

    @property
    def fraction(self) -> float:
        """Share of the whole comparison done, counting each technique-fold as one unit."""
        if self.completed is not None:
            units = max(self.n_techniques * self.n_folds, 1)
            return min(1.0, (self.fold_index * self.n_techniques + self.completed) / units)
        if self.stage == "stack":  # every network of the fold trains together: one clock for the fold
            within = self.epoch / self.max_epochs if self.max_epochs else 0.0
            return min(1.0, (self.fold_index + within) / max(self.n_folds, 1))
        units = self.n_techniques * self.n_folds
        done = self.fold_index * self.n_techniques + self.technique_index
        within = 1.0 if self.stage == "done" else (self.epoch / self.max_epochs if self.max_epochs else 0.0)
        return min(1.0, (done + within) / units)


ProgressHook = Callable[[ProgressEvent], None]


@dataclass
class FoldOutcome:
    """What one technique produced on one fold."""

    validation_probabilities: np.ndarray
    test_probabilities: np.ndarray
    history: dict
    notes: list[str]
    train_class_counts: dict[int, int]
    train_seconds: float
    training_prior: float | None = None  # binary: the minority share the scores reflect (for prior correction)


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
    started = start_technique(spec, fold, n_classes, settings, seed, on_epoch, should_stop)
    output = spec.technique.stages.members.train(started.rows, spec.params, started.context)
    return finish_technique(started, output)


@dataclass(frozen=True)
class StartedTechnique:
    """A technique on a fold after its rows stage, before its members are trained."""

    spec: TechniqueSpec
    rows: ResampleResult
    context: FoldContext


def start_technique(spec, fold, n_classes, settings, seed, on_epoch, should_stop) -> StartedTechnique:
    """Refuse what cannot run, then the rows stage on the fold's training rows only."""
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
        fold.validation,
        fold.validation_codes,
        fold.test,
        n_classes,
        settings,
        on_epoch,
        should_stop,
        memo,
        reference_rows=fold.reference_rows or len(fold.fit_codes),
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
    return StartedTechnique(spec, rows, context)


def finish_technique(started: StartedTechnique, output) -> FoldOutcome:
    """The scores stage on the members' output, and what the fold reports."""
    spec, rows, context = started.spec, started.rows, started.context
    stages = spec.technique.stages
    validation, test, score_notes = stages.scores.finish(output, spec.params, context, rows.labels)
    counts = np.bincount(rows.labels, minlength=context.n_classes)
    notes = [*rows.notes, *output.notes, *score_notes]
    prior = stages.members.training_prior(rows, spec.params, context)
    prior = stages.scores.prior_after(prior, spec.params, context, rows.labels)
    return FoldOutcome(
        validation,
        test,
        output.history,
        notes,
        {int(code): int(count) for code, count in enumerate(counts)},
        output.train_seconds,
        prior,
    )


@dataclass(frozen=True)
class FoldJob:
    """The work of some folds of one comparison, as plain data (arrays, frames, settings), so it can run
    in this process or be sent to another. `splits` and `fold_indices` name the folds this job trains."""

    data: EncodedData
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]
    fold_indices: tuple[int, ...]
    n_folds: int
    specs: tuple[TechniqueSpec, ...]
    protocol: Protocol
    settings: ModelSettings

    def only(self, fold_indices: list[int]) -> FoldJob:
        """The same job restricted to some of its folds (to spread folds over workers)."""
        positions = [self.fold_indices.index(index) for index in fold_indices]
        return replace(self, splits=tuple(self.splits[p] for p in positions), fold_indices=tuple(fold_indices))


def comparison_job(
    frame: pd.DataFrame, target: str, specs: list[TechniqueSpec], protocol: Protocol, settings: ModelSettings
) -> FoldJob:
    """Encode the data once and split it: the job of every fold of the comparison."""
    data = encode_dataset(frame, target)
    splits = make_splits(data.codes, protocol)
    return FoldJob(
        data,
        tuple(splits),
        tuple(range(len(splits))),
        len(splits),
        tuple(specs),
        protocol,
        network_settings(data, settings),
    )


@dataclass
class FoldResult:
    """One technique on one fold: what it produced, or why it failed; plain data, like FoldJob."""

    technique_index: int
    fold_index: int
    repeat: int
    test_codes: np.ndarray
    test_rows: np.ndarray
    validation_codes: np.ndarray
    fold_notes: list[str]
    outcome: FoldOutcome | None = None
    failure: str | None = None
    seconds: float = 0.0


def train_folds(
    job: FoldJob, on_progress: ProgressHook | None = None, should_stop: Callable[[], bool] | None = None
) -> list[FoldResult]:
    """Train every technique of `job` on each of its folds; results in (fold, technique) order.

    The networks of every technique and fold whose members are independent (one network, bagging) train
    together in one stack (imbal_core.nets.stacked); boosting, references and the autoencoder train as they
    go. A technique that fails or is refused on a fold is reported in its FoldResult, never raised; a stop
    request raises Cancelled. The numbers depend only on the job, not on which process runs it or which
    folds share its stack (a stacked member does not depend on its neighbours).
    """
    n_classes = len(job.data.labels)
    results = []
    for fold_index, (train, test) in zip(job.fold_indices, job.splits, strict=True):
        stack, waiting = StackedNetworks(n_classes, job.settings), []
        fold_seed = derive_seed(job.protocol.seed, fold_index)
        fold = prepare_fold(job.data, train, test, job.settings, fold_seed)
        repeat = fold_index // job.protocol.folds if job.protocol.mode == "cv" else 0
        finished = 0  # technique units of this fold done: the overall share moves with them, never ahead
        for technique_index, spec in enumerate(job.specs):
            event = ProgressEvent(
                "start",
                spec.technique_id,
                technique_index,
                len(job.specs),
                fold_index,
                job.n_folds,
                max_epochs=job.settings.max_epochs,
                completed=finished,
            )
            result = FoldResult(
                technique_index, fold_index, repeat, fold.test_codes, fold.test_rows, fold.validation_codes, fold.notes
            )
            results.append(result)
            members = spec.technique.stages.members
            emit(on_progress, event)
            if job.settings.image_shape is None and members.independent_networks:
                queued = _queue(spec, fold, fold_seed, n_classes, job.settings, result, stack)
                if queued is not None:
                    waiting.append((result, queued, event))
                    continue
            else:
                train_one(spec, fold, fold_seed, n_classes, job.settings, result, event, on_progress, should_stop)
            finished += 1
            emit(on_progress, replace(event, stage="done", completed=finished))
        if waiting:
            _train_stack(stack, waiting, job, fold_index, finished, on_progress, should_stop)
    return results


def _queue(spec, fold, seed, n_classes, settings, result, stack) -> tuple | None:
    """Run the technique up to its network plans and queue them on the stack; returns what finishing needs,
    or None when the technique already failed (the failure is in `result`)."""
    started_at = time.perf_counter()
    try:
        started = start_technique(spec, fold, n_classes, settings, seed, None, None)
        members = spec.technique.stages.members
        members.check_rows(started.rows, started.context)
        plans = members.plans(started.rows, spec.params, started.context)
        ticket = stack.add(started.context.trainer, plans)
    except Exception as error:  # anything one technique's stages raise is that technique's failure
        result.failure = failure_sentence(error)
        return None
    finally:
        result.seconds += time.perf_counter() - started_at
    return started, ticket


def _train_stack(stack, waiting: list, job: FoldJob, fold_index: int, finished: int, on_progress, should_stop) -> None:
    """Train every queued network at once, then combine and score each technique on each fold.

    `finished`: technique units of this fold already done (trained one by one); the stack's epochs move the
    overall share from there across its own techniques' units."""

    def on_epoch(epoch: int, training: int, networks: int) -> None:
        logs = {"training": training, "networks": networks}
        share = (epoch + 1) / job.settings.max_epochs if job.settings.max_epochs else 0.0
        event = ProgressEvent(
            "stack",
            "all",
            0,
            len(job.specs),
            fold_index,
            job.n_folds,
            epoch + 1,
            job.settings.max_epochs,
            logs,
            completed=finished + len(waiting) * min(share, 1.0),
        )
        emit(on_progress, event)

    stack.train(on_epoch, should_stop)
    for result, (started, ticket), event in waiting:
        members = started.spec.technique.stages.members
        try:
            networks = stack.networks(ticket)
            output = members.checked(members.combine(networks, started.spec.params, started.context), started.context)
            result.outcome = finish_technique(started, output)
            result.seconds += result.outcome.train_seconds
        except Exception as error:
            result.failure = failure_sentence(error)
        # The stack's epochs already counted its techniques; scoring each is quick and completes the fold.
        emit(on_progress, replace(event, stage="done", completed=finished + len(waiting)))


def train_one(spec, fold, seed, n_classes, settings, result, event, on_progress, should_stop) -> None:
    """Train `spec` on one fold into `result` (its outcome, or why it failed), networks one at a time."""

    reached = {"within": 0.0}  # boosting restarts epochs per round: the share holds until it is passed

    def on_epoch(epoch: int, logs: dict) -> None:
        within = (epoch + 1) / settings.max_epochs if settings.max_epochs else 0.0
        reached["within"] = max(reached["within"], min(within, 1.0))
        completed = None if event.completed is None else event.completed + reached["within"]
        emit(on_progress, replace(event, stage="epoch", epoch=epoch + 1, logs=dict(logs), completed=completed))

    started = time.perf_counter()
    try:
        result.outcome = run_technique_on_fold(spec, fold, n_classes, settings, seed, on_epoch, should_stop)
    except Exception as error:
        result.failure = failure_sentence(error)
    result.seconds = time.perf_counter() - started


def failure_sentence(error: Exception) -> str:
    """What a person reads when one technique's stages raise: the comparison goes on without it.

    A stop request (Cancelled) is not a failure and is raised again. Refusals and the engine's own errors are
    sentences already; anything else (a library's ValueError, say) is named, with what to try.
    """
    if isinstance(error, Cancelled):
        raise error
    if isinstance(error, FloatingPointError):
        return f"Training failed: {error}."
    if isinstance(error, (TechniqueRefused, ImbalanceLabError)):
        return str(error)
    detail = " ".join(str(error).split())[:200] or "no message"
    return (
        f"Training failed: this technique raised {type(error).__name__} ({detail}). The other techniques are not "
        "affected. Check the feature columns for extreme or unusual values, or try other parameters."
    )


def assemble_comparison(job: FoldJob, target: str, fold_results: list[FoldResult], seconds: float) -> Comparison:
    """Gather fold results (from this process or from workers, in any order) into one Comparison.

    Raises RuntimeError when a technique-fold result is missing: partial numbers are never complete ones.
    """
    expected = {(fold, technique) for fold in range(job.n_folds) for technique in range(len(job.specs))}
    received = {(item.fold_index, item.technique_index) for item in fold_results}
    if received != expected or len(fold_results) != len(expected):
        raise RuntimeError(
            f"The comparison received {len(fold_results)} technique-fold results for {len(expected)} expected; "
            "it is not reported as complete. Run it again."
        )
    results = [TechniqueResult(spec=spec) for spec in job.specs]
    for fold_result in sorted(fold_results, key=lambda item: (item.fold_index, item.technique_index)):
        add_fold(results[fold_result.technique_index], fold_result, job.data.labels)
    dataset = dataset_summary(job.data, target)
    return Comparison(dataset, job.protocol, job.settings, job.data.labels, results, job.data.notes, seconds)


def emit(hook: ProgressHook | None, event: ProgressEvent) -> None:
    if hook is not None:
        hook(event)


def add_fold(result: TechniqueResult, fold: FoldResult, labels: list[str]) -> None:
    """Add one fold's outcome to the technique's result; after a failure the technique takes no more folds."""
    if result.failed:
        return
    if fold.failure is not None:
        result.failed = fold.failure
        result.add_note(fold.failure)
        return
    outcome = fold.outcome
    result.fit_seconds += fold.seconds
    result.train_seconds += outcome.train_seconds
    for note in outcome.notes:
        result.add_note(note)
    if fold.fold_index == 0:
        result.train_class_counts = {labels[code]: count for code, count in outcome.train_class_counts.items()}
    result.histories.append(outcome.history)
    result.training_priors.append(outcome.training_prior)
    result.test_labels.append(fold.test_codes)
    result.test_probabilities.append(outcome.test_probabilities)
    result.test_rows.append(fold.test_rows)
    result.fold_repeats.append(fold.repeat)
    result.validation_labels.append(fold.validation_codes)
    result.validation_probabilities.append(outcome.validation_probabilities)
    result.fold_metrics.append(metric_functions.compute_metrics(fold.test_codes, outcome.test_probabilities))
    if len(labels) == 2:
        validation_positive = outcome.validation_probabilities[:, 1]
        threshold = metric_functions.best_f1_threshold(fold.validation_codes, validation_positive)
        result.tuned_thresholds.append(threshold)
        result.fold_metrics_tuned.append(
            metric_functions.compute_metrics(fold.test_codes, outcome.test_probabilities, threshold)
        )
    for note in fold.fold_notes:
        result.add_note(note)
