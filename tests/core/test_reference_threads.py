"""Issue 19 item 10: references fit with one thread per pool, and a comparison's progress never steps back.

The gradient-boosting reference took 15x longer in the dashboard than in the CLI: its OpenMP pool (one thread
per core) waited at a barrier in every parallel region for threads the busy machine had descheduled
(bench/RESULTS.md section 14). These tests check the mechanism, never wall time.
"""

from __future__ import annotations

import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_info, threadpool_limits

from imbal_core.run.evaluate import run_comparison
from imbal_core.run.fold_work import run_technique_on_fold
from imbal_core.run.folds import encode_dataset, prepare_fold
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.techniques.catalogue import make_spec
from tests.support.frames import make_binary_frame


def test_the_gradient_boosting_reference_fits_with_one_thread_per_pool(monkeypatch, fast_settings):
    seen: list[dict[str, int]] = []
    original_fit = HistGradientBoostingClassifier.fit

    def recording_fit(model, *arguments, **keywords):
        seen.append({pool["filepath"]: pool["num_threads"] for pool in threadpool_info()})
        return original_fit(model, *arguments, **keywords)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", recording_fit)
    data = encode_dataset(make_binary_frame(rows=300), "label")
    train, test = make_splits(data.codes, Protocol())[0]
    fold = prepare_fold(data, train, test, fast_settings, 0)
    # Three threads outside, whatever this machine has: the reference must bring its own pools down to one.
    with threadpool_limits(limits=3):
        outcome = run_technique_on_fold(make_spec("hist_gradient_boosting"), fold, 2, fast_settings, 0)
        after = {pool["filepath"]: pool["num_threads"] for pool in threadpool_info()}
    assert outcome.test_probabilities.shape[0] == len(test)
    assert len(seen) == 1 and seen[0], "the fit was not observed or no thread pool is loaded"
    assert set(seen[0].values()) == {1}, seen[0]
    assert set(after.values()) == {3}, "the limits must be given back after the fit"


@pytest.mark.slow
def test_progress_moves_forward_through_folds_references_and_stacks(fast_settings):
    """Every event's overall share is at least the last one's, references report per fold, the end is 100%."""
    events = []
    specs = [make_spec("baseline"), make_spec("class_weight"), make_spec("logistic_regression")]
    run_comparison(
        make_binary_frame(rows=300),
        "label",
        specs,
        Protocol(mode="cv", folds=3),
        fast_settings,
        on_progress=events.append,
    )
    fractions = [event.fraction for event in events]
    steps_back = [
        (before, after) for before, after in zip(fractions, fractions[1:], strict=False) if after < before - 1e-9
    ]
    assert not steps_back, f"the overall share stepped back {len(steps_back)} times, e.g. {steps_back[:3]}"
    assert fractions[-1] == pytest.approx(1.0)
    reference_events = [(event.fold_index, event.stage) for event in events if event.technique == "logistic_regression"]
    assert reference_events == [(fold, stage) for fold in range(3) for stage in ("start", "done")]
    stack_folds = sorted({event.fold_index for event in events if event.stage == "stack"})
    assert stack_folds == [0, 1, 2], "stack epochs must say which fold they belong to"
