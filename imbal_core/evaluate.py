"""Running a comparison: every technique on every fold, through the technique's stages.

The parts it uses live beside it: imbal_core.protocol (splits), imbal_core.folds (encoding and fold
matrices), imbal_core.results (progress events and results). Their names are re-exported here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from imbal_core import metrics as metric_functions
from imbal_core.engine import WaitStatus, trainer
from imbal_core.errors import ImbalanceLabError, InputError
from imbal_core.folds import (  # noqa: F401 (re-exported)
    EncodedData,
    FoldData,
    dataset_summary,
    encode_dataset,
    network_settings,
    ordered_labels,
    prepare_fold,
)
from imbal_core.model import ModelSettings
from imbal_core.protocol import (  # noqa: F401 (re-exported)
    CHEAP_KFOLD_ROWS,
    MIN_MINORITY_TEST_ROWS,
    MIN_VALIDATION_MINORITY,
    Protocol,
    make_splits,
    suggested_mode,
    validation_notes,
    validation_slice,
)
from imbal_core.resampling import ResampleResult, resample
from imbal_core.results import Cancelled, Comparison, ProgressEvent, TechniqueResult  # noqa: F401 (re-exported)
from imbal_core.seeds import derive_seed
from imbal_core.stages import FoldContext, TechniqueRefused
from imbal_core.stages.members import balanced_subset, member_seed  # noqa: F401 (imported from here too)
from imbal_core.techniques import DEFAULT_TECHNIQUES, TechniqueSpec  # noqa: F401 (the CLI's default set)

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
    started = _start_technique(spec, fold, n_classes, settings, seed, on_epoch, should_stop)
    output = spec.technique.stages.members.train(started.rows, spec.params, started.context)
    return _finish_technique(started, output)


@dataclass(frozen=True)
class _StartedTechnique:
    """A technique on a fold after its rows stage, before its members are trained."""

    spec: TechniqueSpec
    rows: ResampleResult
    context: FoldContext


def _start_technique(spec, fold, n_classes, settings, seed, on_epoch, should_stop) -> _StartedTechnique:
    """Refuse what cannot run, then the rows stage on the fold's training rows only."""
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
    return _StartedTechnique(spec, rows, context)


def _finish_technique(started: _StartedTechnique, output) -> FoldOutcome:
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


def run_comparison(
    frame: pd.DataFrame,
    target: str,
    specs: list[TechniqueSpec],
    protocol: Protocol | None = None,
    settings: ModelSettings | None = None,
    on_progress: ProgressHook | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_wait: WaitHook | None = None,
    scheduler: str | None = None,
) -> Comparison:
    """Run every technique on every fold of the protocol; same seed, same numbers.

    Training waits for its turn on the process's trainer (imbal_core.engine), which runs one comparison
    at a time; `on_wait` hears the place in the queue while it waits. With a Dask scheduler address
    (`scheduler`, else IMBAL_LAB_SCHEDULER) the folds train on that cluster's workers instead
    (imbal_core.scale), with no local turn to wait for.
    """
    from imbal_core.scale import scheduler_address

    if not specs:
        raise InputError("Pick at least one technique to compare.")
    address = scheduler_address(scheduler)
    if address is not None:
        return _run_comparison(frame, target, specs, protocol, settings, on_progress, should_stop, address)
    with trainer().turn(on_wait, should_stop) as waited:
        comparison = _run_comparison(frame, target, specs, protocol, settings, on_progress, should_stop)
    comparison.wait_seconds = waited
    return comparison


def _run_comparison(frame, target, specs, protocol, settings, on_progress, should_stop, address=None) -> Comparison:
    started = time.perf_counter()
    job = comparison_job(frame, target, specs, protocol or Protocol(), settings or ModelSettings())
    if address is None:
        fold_results = train_folds(job, on_progress, should_stop)
    else:
        from imbal_core.scale import train_on_cluster

        fold_results = train_on_cluster(job, address, on_progress, should_stop)
    return assemble_comparison(job, target, fold_results, time.perf_counter() - started)


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
    together in one stack (imbal_core.stacked); boosting, references and the autoencoder train as they
    go. A technique that fails or is refused on a fold is reported in its FoldResult, never raised; a stop
    request raises Cancelled. The numbers depend only on the job, not on which process runs it or which
    folds share its stack (a stacked member does not depend on its neighbours).
    """
    from imbal_core.train import StackedNetworks

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
            _emit(on_progress, event)
            if job.settings.image_shape is None and members.independent_networks:
                queued = _queue(spec, fold, fold_seed, n_classes, job.settings, result, stack)
                if queued is not None:
                    waiting.append((result, queued, event))
                    continue
            else:
                _train_one(spec, fold, fold_seed, n_classes, job.settings, result, event, on_progress, should_stop)
            finished += 1
            _emit(on_progress, replace(event, stage="done", completed=finished))
        if waiting:
            _train_stack(stack, waiting, job, fold_index, finished, on_progress, should_stop)
    return results


def _queue(spec, fold, seed, n_classes, settings, result, stack) -> tuple | None:
    """Run the technique up to its network plans and queue them on the stack; returns what finishing needs,
    or None when the technique already failed (the failure is in `result`)."""
    started_at = time.perf_counter()
    try:
        started = _start_technique(spec, fold, n_classes, settings, seed, None, None)
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
        _emit(on_progress, event)

    stack.train(on_epoch, should_stop)
    for result, (started, ticket), event in waiting:
        members = started.spec.technique.stages.members
        try:
            networks = stack.networks(ticket)
            output = members.checked(members.combine(networks, started.spec.params, started.context), started.context)
            result.outcome = _finish_technique(started, output)
            result.seconds += result.outcome.train_seconds
        except Exception as error:
            result.failure = failure_sentence(error)
        # The stack's epochs already counted its techniques; scoring each is quick and completes the fold.
        _emit(on_progress, replace(event, stage="done", completed=finished + len(waiting)))


def _train_one(spec, fold, seed, n_classes, settings, result, event, on_progress, should_stop) -> None:
    """Train `spec` on one fold into `result` (its outcome, or why it failed), networks one at a time."""

    reached = {"within": 0.0}  # boosting restarts epochs per round: the share holds until it is passed

    def on_epoch(epoch: int, logs: dict) -> None:
        within = (epoch + 1) / settings.max_epochs if settings.max_epochs else 0.0
        reached["within"] = max(reached["within"], min(within, 1.0))
        completed = None if event.completed is None else event.completed + reached["within"]
        _emit(on_progress, replace(event, stage="epoch", epoch=epoch + 1, logs=dict(logs), completed=completed))

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
        _add_fold(results[fold_result.technique_index], fold_result, job.data.labels)
    dataset = dataset_summary(job.data, target)
    return Comparison(dataset, job.protocol, job.settings, job.data.labels, results, job.data.notes, seconds)


def _emit(hook: ProgressHook | None, event: ProgressEvent) -> None:
    if hook is not None:
        hook(event)


def _add_fold(result: TechniqueResult, fold: FoldResult, labels: list[str]) -> None:
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
            reference_rows=len(honest_fold.fit_codes),  # the honest run's epoch: the only difference is the leak
        )
        note = (
            f"Resampled before the split: the sampler saw the {len(test):,} test rows; {leaked:,} synthetic or "
            "copied rows in training may come from them. Test rows keep the real class ratio."
        )
        result = TechniqueResult(spec=spec, notes=[note, *resampled.notes])
        event = ProgressEvent("start", spec.technique_id, 0, 1, 0, 1, max_epochs=settings.max_epochs)
        _emit(on_progress, event)
        fold_result = FoldResult(0, 0, 0, fold.test_codes, fold.test_rows, fold.validation_codes, [])
        _train_one(spec, fold, fold_seed, len(data.labels), settings, fold_result, event, on_progress, None)
        _add_fold(result, fold_result, data.labels)
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
