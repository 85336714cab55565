"""Running a comparison: its fold work (imbal_core.run.fold_work) in this process, in the trainer's turn, or on a
Dask cluster (imbal_core.run.scale); and the two teaching runs beside it (the resample preview, the leaky run).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from imbal_core.errors import InputError
from imbal_core.nets.engine import WaitStatus, trainer
from imbal_core.nets.model import ModelSettings
from imbal_core.run.fold_work import (
    FoldResult,
    ProgressEvent,
    ProgressHook,
    add_fold,
    assemble_comparison,
    comparison_job,
    emit,
    train_folds,
    train_one,
)
from imbal_core.run.folds import dataset_summary, encode_dataset, network_settings, prepare_fold
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.run.resampling import resample
from imbal_core.run.results import Comparison, TechniqueResult
from imbal_core.run.scale import scheduler_address, train_on_cluster
from imbal_core.seeds import derive_seed
from imbal_core.techniques.catalogue import TechniqueSpec

WaitHook = Callable[[WaitStatus], None]


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

    Training waits for its turn on the process's trainer (imbal_core.nets.engine), which runs one comparison
    at a time; `on_wait` hears the place in the queue while it waits. With a Dask scheduler address
    (`scheduler`, else IMBAL_LAB_SCHEDULER) the folds train on that cluster's workers instead
    (imbal_core.run.scale), with no local turn to wait for.
    """
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
        fold_results = train_on_cluster(job, address, on_progress, should_stop)
    return assemble_comparison(job, target, fold_results, time.perf_counter() - started)


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
        emit(on_progress, event)
        fold_result = FoldResult(0, 0, 0, fold.test_codes, fold.test_rows, fold.validation_codes, [])
        train_one(spec, fold, fold_seed, len(data.labels), settings, fold_result, event, on_progress, None)
        add_fold(result, fold_result, data.labels)
        emit(on_progress, replace(event, stage="done"))
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
