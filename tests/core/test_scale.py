"""Scale-out on Dask (imbal_core.run.scale) against a real 2-worker LocalCluster (worker processes, not threads).

Same seed, same numbers on the cluster as in this process; the env var and `compare --scheduler` reach it;
a worker killed mid-comparison is retried with identical numbers, or the run fails with a sentence, never
a hang or partial results; an unreachable scheduler is refused within seconds.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import dask
import numpy as np
import pytest

from imbal_core.cli import main
from imbal_core.data.tables import load_table
from imbal_core.nets.model import ModelSettings
from imbal_core.present.report import comparison_json_text
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.fold_work import comparison_job
from imbal_core.run.protocol import Protocol
from imbal_core.run.scale import SCHEDULER_VARIABLE, ScaleOutError, scheduler_address, train_fold_job, train_on_cluster
from imbal_core.techniques.catalogue import make_spec
from tests.support.frames import make_binary_frame

pytestmark = pytest.mark.slow

TECHNIQUES = ("baseline", "balanced_bagging", "smote")
PROTOCOL = Protocol(mode="cv", folds=2, seed=3)
SETTINGS = ModelSettings(max_epochs=3)  # what `compare --epochs 3` asks for, so the CLI compares too
LIMIT_SECONDS = 120  # far above a run here (about 10 s); reaching it means a hang
# The techniques here train stacked (imbal_core/nets/stacked.py: initial weights from each network's own seed).
# Networks built by model.py (boosting, the autoencoder, images) take Keras' unseeded initializer seeds from
# Python's global `random`, which a worker's event loop also draws from: docs/scale-out.md, "one caveat".


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    # A fold whose worker dies is retried once on another worker; a second death fails the comparison.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local_cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL
        )
    client = Client(local_cluster, set_as_default=False)
    yield local_cluster, client
    client.close()
    local_cluster.close()


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "small.csv"
    make_binary_frame(rows=200, minority_share=0.15, seed=5).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def frame(csv_path):
    return load_table(csv_path).frame  # what the CLI reads, so its numbers compare too


@pytest.fixture(scope="module")
def local(frame):
    """The reference: the comparison trained in this process."""
    return run_comparison(frame, "label", _specs(), PROTOCOL, SETTINGS, scheduler="")


@pytest.fixture(autouse=True)
def no_scheduler_from_the_environment(monkeypatch):
    monkeypatch.delenv(SCHEDULER_VARIABLE, raising=False)


def _specs():
    return [make_spec(technique) for technique in TECHNIQUES]


def _within_limit(function, *arguments, **keywords):
    """Call `function`; fail the test instead of hanging when it takes longer than LIMIT_SECONDS."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *arguments, **keywords).result(timeout=LIMIT_SECONDS)


def _assert_same_numbers(expected, received):
    assert [result.spec for result in received.results] == [result.spec for result in expected.results]
    for mine, theirs in zip(expected.results, received.results, strict=True):
        assert theirs.failed is None and mine.failed is None
        assert len(theirs.test_probabilities) == len(mine.test_probabilities) == 2
        for fold_mine, fold_theirs in zip(mine.test_probabilities, theirs.test_probabilities, strict=True):
            assert np.array_equal(fold_mine, fold_theirs)
        assert theirs.metrics == mine.metrics


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kill_worker_on_fold(marker: str, fold: int, every_time: bool, data, job):
    """A fold task that kills its own worker process on `fold`: once (then trains), or on every attempt."""
    if job.fold_indices == (fold,) and (every_time or not os.path.exists(marker)):
        with open(marker, "w") as file:
            file.write(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return train_fold_job(data, job)


def test_scheduler_address_comes_from_the_argument_then_the_environment(monkeypatch):
    assert scheduler_address() is None
    monkeypatch.setenv(SCHEDULER_VARIABLE, " tcp://cluster:8786 ")
    assert scheduler_address() == "tcp://cluster:8786"
    assert scheduler_address("tcp://other:8786") == "tcp://other:8786"
    assert scheduler_address("") is None  # an explicit empty address means this process


def test_same_seed_same_numbers_on_two_workers(cluster, frame, local):
    local_cluster, _ = cluster
    events = []
    received = _within_limit(
        run_comparison,
        frame,
        "label",
        _specs(),
        PROTOCOL,
        SETTINGS,
        events.append,
        scheduler=local_cluster.scheduler_address,
    )
    _assert_same_numbers(local, received)
    # One 'done' per technique-fold, in fold order, so progress bars only move forward.
    assert [(event.stage, event.fold_index, event.technique_index) for event in events] == [
        ("done", fold, technique) for fold in range(2) for technique in range(len(TECHNIQUES))
    ]
    assert [event.fraction for event in events] == sorted(event.fraction for event in events)
    assert received.wait_seconds == 0.0


def test_the_environment_variable_sends_the_dashboard_and_cli_runs_to_the_cluster(cluster, frame, local, monkeypatch):
    local_cluster, _ = cluster
    monkeypatch.setenv(SCHEDULER_VARIABLE, local_cluster.scheduler_address)
    events = []
    received = _within_limit(run_comparison, frame, "label", _specs(), PROTOCOL, SETTINGS, events.append)
    _assert_same_numbers(local, received)
    assert {event.stage for event in events} == {"done"}  # a local run reports starts and epochs too


def test_cli_compare_scheduler_gives_the_local_numbers(cluster, csv_path, local, tmp_path, capsys):
    local_cluster, _ = cluster
    out = tmp_path / "cluster.json"
    arguments = ["compare", str(csv_path), "--target", "label", "--techniques", ",".join(TECHNIQUES)]
    arguments += ["--folds", "2", "--seed", "3", "--epochs", "3", "--seed-average", "1", "--json", str(out)]
    assert _within_limit(main, [*arguments, "--scheduler", local_cluster.scheduler_address]) == 0
    received = json.loads(out.read_text())
    expected_json = json.loads(comparison_json_text(local))
    assert [item["metrics"] for item in received["results"]] == [item["metrics"] for item in expected_json["results"]]
    assert "fold 2/2 smote done" in capsys.readouterr().err


def test_a_worker_killed_mid_comparison_is_retried_with_the_same_numbers(cluster, frame, local, tmp_path):
    local_cluster, client = cluster
    marker = tmp_path / "killed"
    job = comparison_job(frame, "label", _specs(), PROTOCOL, SETTINGS)
    task = partial(kill_worker_on_fold, str(marker), 1, False)
    received = _within_limit(train_on_cluster, job, local_cluster.scheduler_address, task=task)
    assert marker.exists()  # the worker training fold 2 really died once
    expected = comparison_job(frame, "label", _specs(), PROTOCOL, SETTINGS)
    assert [(item.fold_index, item.technique_index) for item in received] == [
        (fold, technique) for fold in expected.fold_indices for technique in range(len(TECHNIQUES))
    ]
    local_probabilities = [fold for result in local.results for fold in result.test_probabilities]
    by_technique = sorted(received, key=lambda item: (item.technique_index, item.fold_index))
    for mine, theirs in zip(local_probabilities, by_technique, strict=True):
        assert np.array_equal(mine, theirs.outcome.test_probabilities)
    client.wait_for_workers(2, timeout=60)


def test_a_fold_that_keeps_killing_workers_fails_with_a_sentence(cluster, frame, tmp_path):
    local_cluster, client = cluster
    job = comparison_job(frame, "label", _specs(), PROTOCOL, SETTINGS)
    task = partial(kill_worker_on_fold, str(tmp_path / "killed"), 0, True)
    with pytest.raises(ScaleOutError, match="died while training fold 1") as raised:
        _within_limit(train_on_cluster, job, local_cluster.scheduler_address, task=task)
    assert local_cluster.scheduler_address in str(raised.value)
    assert "run the comparison again" in str(raised.value)
    client.wait_for_workers(2, timeout=60)


def test_a_stop_request_cancels_the_folds(cluster, frame):
    local_cluster, client = cluster
    job = comparison_job(frame, "label", _specs(), PROTOCOL, SETTINGS)
    from imbal_core.errors import Cancelled

    started = time.monotonic()
    with pytest.raises(Cancelled):
        _within_limit(train_on_cluster, job, local_cluster.scheduler_address, should_stop=lambda: True)
    assert time.monotonic() - started < 10


def test_an_unreachable_scheduler_is_refused_within_seconds(frame):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(ScaleOutError, match="Cannot reach the Dask scheduler") as raised:
        _within_limit(run_comparison, frame, "label", _specs(), PROTOCOL, SETTINGS, scheduler=address)
    assert time.monotonic() - started < 10
    assert address in str(raised.value) and "IMBAL_LAB_SCHEDULER" in str(raised.value)


def test_cli_with_an_unreachable_scheduler_says_so_in_one_line(csv_path, capsys, monkeypatch):
    monkeypatch.setenv(SCHEDULER_VARIABLE, f"tcp://127.0.0.1:{_closed_port()}")
    code = main(["compare", str(csv_path), "--target", "label", "--techniques", "baseline", "--epochs", "2"])
    error = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert error[-1].startswith("error: Cannot reach the Dask scheduler at 'tcp://127.0.0.1:")
