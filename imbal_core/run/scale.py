"""Scale-out on a Dask distributed cluster: the folds of a comparison run on the cluster's workers.

Embedded by default: with no scheduler address nothing here runs and training stays in this process.
With an address (`IMBAL_LAB_SCHEDULER=tcp://host:8786`, or `compare --scheduler ADDRESS`) each fold of a
comparison is one task. What crosses the wire is the encoded data (a frame and arrays, sent once) and one
FoldJob per fold (splits, technique ids with their parameters, protocol and model settings); results come
back as FoldResults (probabilities, histories, notes). The numbers depend only on the job, so they are the
same as a local run with the same seed. docs/scale-out.md says how to run a cluster and what to guard.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from imbal_core.errors import Cancelled, ImbalanceLabError
from imbal_core.nets.engine import trainer
from imbal_core.run.fold_work import FoldJob, FoldResult, ProgressEvent, ProgressHook, train_folds
from imbal_core.run.folds import EncodedData

SCHEDULER_VARIABLE = "IMBAL_LAB_SCHEDULER"
CONNECT_SECONDS = 5.0
POLL_SECONDS = 0.2
WORKER_CHECK_SECONDS = 5.0
NO_WORKERS_SECONDS = 60.0  # a cluster without workers would keep the folds pending forever

FoldTask = Callable[[EncodedData, FoldJob], list[FoldResult]]


class ScaleOutError(ImbalanceLabError, RuntimeError):
    """The Dask cluster could not finish a comparison: unreachable, no workers, or a worker kept dying.

    Nothing partial is returned; the message names the scheduler and what to do. It is an
    ImbalanceLabError so the CLI and the dashboard show the message as it is, never a traceback.
    """


def scheduler_address(explicit: str | None = None) -> str | None:
    """The scheduler to send comparisons to: `explicit`, else IMBAL_LAB_SCHEDULER, else None (train locally)."""
    address = explicit if explicit is not None else os.environ.get(SCHEDULER_VARIABLE)
    address = (address or "").strip()
    return address or None


def hold_data(data: EncodedData) -> EncodedData:
    """The encoded data as a task of its own: sent to the cluster once, fetched by each worker that trains a
    fold, and rebuilt from the scheduler's copy if the worker holding it dies (scattered data would be lost)."""
    return data


def train_fold_job(data: EncodedData, job: FoldJob) -> list[FoldResult]:
    """Runs on a worker: train the job's folds on `data` (sent once per comparison, not once per fold).

    It holds that worker process's trainer turn, so two tasks in one threaded worker never interleave Keras.
    """
    with trainer().turn():
        return train_folds(replace(job, data=data))


def train_on_cluster(
    job: FoldJob,
    address: str,
    on_progress: ProgressHook | None = None,
    should_stop: Callable[[], bool] | None = None,
    task: FoldTask = train_fold_job,
) -> list[FoldResult]:
    """Train every fold of `job` on the Dask cluster at `address`, one task per fold; all results or an error.

    Progress is one 'done' event per technique-fold, released in fold order so bars never move back (there
    are no per-epoch events from workers). Raises ScaleOutError when the scheduler cannot be reached, has no
    workers, or a worker died on a fold more often than the scheduler allows (`allowed-failures`; a fold lost
    with its worker is retried on another and gives the same numbers). Raises Cancelled on a stop request,
    after cancelling the folds still queued. `task` is the function each worker runs (tests replace it).
    """
    client = _connect(address)
    try:
        run = uuid.uuid4().hex[:8]
        data = client.submit(hold_data, job.data, pure=False, key=f"imbal-lab-{run}-data")
        without_data = replace(job, data=None)
        futures = {
            index: client.submit(
                task, data, without_data.only([index]), pure=False, key=f"imbal-lab-{run}-fold-{index}"
            )
            for index in job.fold_indices
        }
        try:
            return _gather(client, futures, job, address, on_progress, should_stop)
        except BaseException:
            client.cancel([data, *futures.values()])  # queued folds never start; running ones finish unread
            raise
    finally:
        client.close()


def _connect(address: str):
    """A Dask client of the scheduler at `address`, or ScaleOutError within about CONNECT_SECONDS."""
    # deferred: Dask loads only when a scheduler address is given
    from distributed import Client

    _check_reachable(address)
    try:
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError) as error:
        raise ScaleOutError(_unreachable(address, error)) from None


def _check_reachable(address: str) -> None:
    """Fail fast, with a sentence, when nothing listens at a tcp:// or tls:// address.

    A refused port or an unknown host is found in milliseconds here; distributed's Client would retry until
    its timeout and then spend as long again closing itself.
    """
    # deferred: Dask loads only when a scheduler address is given
    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location, default_port=8786)
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except (OSError, ValueError, TypeError) as error:
        raise ScaleOutError(_unreachable(address, error)) from None


def _unreachable(address: str, error: Exception) -> str:
    return (
        f"Cannot reach the Dask scheduler at {address!r} ({error}). Expected a running `dask scheduler` at "
        f"that address (for example tcp://host:8786). Start one, fix the address (--scheduler or "
        f"{SCHEDULER_VARIABLE}), or unset it to train in this process."
    )


def _gather(client, futures: dict, job: FoldJob, address: str, on_progress, should_stop) -> list[FoldResult]:
    """Wait for every fold's future, reporting progress and checking for stops, dead workers and no workers."""
    finished: dict[int, list[FoldResult]] = {}
    released = 0
    workers = _WorkerWatch(client, address)
    while len(finished) < len(futures):
        if should_stop is not None and should_stop():
            raise Cancelled()
        for index, future in futures.items():
            if index not in finished and future.done():
                finished[index] = _fold_results(future, index, address)
        released = _release_in_order(job, finished, released, on_progress)
        if len(finished) < len(futures):
            workers.check()
            time.sleep(POLL_SECONDS)
    return [result for index in job.fold_indices for result in finished[index]]


def _fold_results(future, fold_index: int, address: str) -> list[FoldResult]:
    """The results of a finished fold's future; a worker's death becomes ScaleOutError, a bug raises as is."""
    # deferred: Dask loads only when a scheduler address is given
    from distributed import KilledWorker

    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        raise ScaleOutError(
            f"Fold {fold_index + 1} was cancelled on the Dask scheduler at {address!r} (the connection was lost "
            "or the cluster restarted); no results are reported. Check the scheduler and run the comparison again."
        )
    error = future.exception()
    if isinstance(error, KilledWorker):
        raise ScaleOutError(
            f"Dask workers of the scheduler at {address!r} died while training fold {fold_index + 1}, more often "
            "than the scheduler retries a task (its allowed-failures setting); no results are reported. Look at "
            "the workers' logs (often memory: give each worker more, or run fewer threads per worker) and run "
            "the comparison again."
        ) from error
    if isinstance(error, ImportError):
        raise ScaleOutError(
            f"A Dask worker of the scheduler at {address!r} cannot import Imbalance Lab ({error}). Start the "
            "workers from this project's checkout with its requirements.txt installed (docs/scale-out.md)."
        ) from error
    raise error


def _release_in_order(job: FoldJob, finished: dict[int, list[FoldResult]], released: int, on_progress) -> int:
    """Emit 'done' events for finished folds whose earlier folds are finished too; returns how many folds
    have been reported."""
    while released < len(job.fold_indices) and job.fold_indices[released] in finished:
        for result in finished[job.fold_indices[released]]:
            _emit_done(job, result, on_progress)
        released += 1
    return released


def _emit_done(job: FoldJob, result: FoldResult, on_progress) -> None:
    if on_progress is None:
        return
    spec = job.specs[result.technique_index]
    on_progress(
        ProgressEvent(
            "done",
            spec.technique_id,
            result.technique_index,
            len(job.specs),
            result.fold_index,
            job.n_folds,
            max_epochs=job.settings.max_epochs,
        )
    )


class _WorkerWatch:
    """Notices a cluster that has had no workers for NO_WORKERS_SECONDS: its folds would wait forever."""

    def __init__(self, client, address: str) -> None:
        self.client = client
        self.address = address
        self.last_check = 0.0
        self.last_seen = time.monotonic()

    def check(self) -> None:
        now = time.monotonic()
        if now - self.last_check < WORKER_CHECK_SECONDS:
            return
        self.last_check = now
        if self.client.status != "running":
            raise ScaleOutError(
                f"Lost the connection to the Dask scheduler at {self.address!r} during the comparison; no results "
                "are reported. Check that the scheduler is still running and run the comparison again."
            )
        if self.client.nthreads():
            self.last_seen = now
        elif now - self.last_seen > NO_WORKERS_SECONDS:
            raise ScaleOutError(
                f"The Dask scheduler at {self.address!r} has had no workers for {NO_WORKERS_SECONDS:.0f} s, so the "
                f"folds cannot run. Start workers with `dask worker {self.address} --nthreads 1` "
                "(docs/scale-out.md) or unset the scheduler to train in this process."
            )
