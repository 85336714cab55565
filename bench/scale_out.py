"""Issue 13 items 3 and 4: comparisons on a Dask LocalCluster of 1 and 2 worker processes against this process.

Three measurements, each printed and saved to results/scale_out.json:
- grid: one K-fold comparison, in this process and on 1 and 2 workers (warm: TensorFlow already imported);
  the probabilities must be identical.
- sessions: N comparisons started at once (the dashboard's queue: medical sample, its default techniques,
  quick split, 5 epochs), through this process's trainer queue and on 2 workers; when each finished.
- fold: one fold of the 15 named techniques (10-fold job) on one worker, the unit of the simulated
  15 x 10 x 3 grid in docs/scale-out.md.

Run: cd bench && ../.venv/bin/python scale_out.py [--sessions 6]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from common import machine, save, synthetic_frame

FIFTEEN = (
    "baseline",
    "class_weight",
    "focal_loss",
    "random_over",
    "smote",
    "adasyn",
    "borderline_smote",
    "random_under",
    "tomek",
    "near_miss",
    "enn",
    "smote_tomek",
    "smote_enn",
    "balanced_bagging",
    "noise_augment",
)


def cluster(workers: int):
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )


def fingerprint(comparison) -> str:
    digest = hashlib.sha256()
    for result in comparison.results:
        for probabilities in result.test_probabilities:
            digest.update(np.ascontiguousarray(probabilities).tobytes())
    return digest.hexdigest()[:12]


def timed_comparison(frame, target, specs, protocol, settings, scheduler: str) -> tuple[float, object]:
    from imbal_core.run.evaluate import run_comparison

    started = time.perf_counter()
    comparison = run_comparison(frame, target, specs, protocol, settings, scheduler=scheduler)
    return time.perf_counter() - started, comparison


def warm(address: str) -> float:
    """Import TensorFlow on every worker (a tiny comparison per worker); returns the seconds it took."""
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec

    started = time.perf_counter()
    frame = synthetic_frame(400, minority_share=0.2, seed=1)
    protocol = Protocol(mode="cv", folds=4, seed=1)
    timed_comparison(frame, "label", [make_spec("baseline")], protocol, ModelSettings(max_epochs=1), address)
    return time.perf_counter() - started


def grid(rows: int, folds: int, epochs: int) -> dict:
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import DEFAULT_TECHNIQUES, make_spec

    frame = synthetic_frame(rows)
    specs = [make_spec(technique) for technique in DEFAULT_TECHNIQUES]
    protocol, settings = Protocol(mode="cv", folds=folds, seed=0), ModelSettings(max_epochs=epochs)
    timed_comparison(frame, "label", specs[:1], Protocol(mode="quick"), ModelSettings(max_epochs=1), "")  # warm
    seconds, local = timed_comparison(frame, "label", specs, protocol, settings, "")
    runs = {"local": {"seconds": round(seconds, 1), "fingerprint": fingerprint(local)}}
    for workers in (1, 2):
        with cluster(workers) as dask_cluster:
            warm_seconds = warm(dask_cluster.scheduler_address)
            seconds, remote = timed_comparison(
                frame, "label", specs, protocol, settings, dask_cluster.scheduler_address
            )
        runs[f"{workers}_workers"] = {
            "seconds": round(seconds, 1),
            "worker_start_seconds": round(warm_seconds, 1),
            "fingerprint": fingerprint(remote),
        }
        print(f"grid: {workers} workers {seconds:.1f} s (local {runs['local']['seconds']} s)", flush=True)
    shape = {"rows": rows, "techniques": list(DEFAULT_TECHNIQUES), "folds": folds, "max_epochs": epochs}
    return {"shape": shape, "runs": runs}


def sessions(count: int) -> dict:
    from imbal_core.data.samples import get_sample, load_sample
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import DEFAULT_DASHBOARD_CHOICE, make_spec

    frame, target = load_sample("medical"), get_sample("medical").target
    specs = [make_spec(technique) for technique in DEFAULT_DASHBOARD_CHOICE]
    protocol, settings = Protocol(mode="quick", seed=0), ModelSettings(max_epochs=5)

    def at_once(address: str) -> list[float]:
        started = time.perf_counter()

        def one(_) -> float:
            timed_comparison(frame, target, specs, protocol, settings, address)
            return time.perf_counter() - started

        with ThreadPoolExecutor(count) as pool:
            return sorted(pool.map(one, range(count)))

    timed_comparison(frame, target, specs, protocol, settings, "")  # warm this process
    finished = {"local": at_once("")}
    with cluster(2) as dask_cluster:
        warm(dask_cluster.scheduler_address)
        finished["2_workers"] = at_once(dask_cluster.scheduler_address)
    summary = {
        name: {"first": round(times[0], 1), "mean": round(float(np.mean(times)), 1), "last": round(times[-1], 1)}
        for name, times in finished.items()
    }
    print(f"sessions: {summary}", flush=True)
    shape = {"sessions": count, "sample": "medical", "techniques": list(DEFAULT_DASHBOARD_CHOICE), "max_epochs": 5}
    return {"shape": shape, "finished_seconds": summary}


def fold(rows: int) -> dict:
    """One fold of the 15 named techniques (default settings) on one warm worker: the simulation's unit."""
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.fold_work import comparison_job
    from imbal_core.run.protocol import Protocol
    from imbal_core.run.scale import train_on_cluster
    from imbal_core.techniques.catalogue import make_spec

    frame = synthetic_frame(rows)
    job = comparison_job(
        frame, "label", [make_spec(technique) for technique in FIFTEEN], Protocol(mode="cv", folds=10), ModelSettings()
    )
    with cluster(1) as dask_cluster:
        warm(dask_cluster.scheduler_address)
        started = time.perf_counter()
        results = train_on_cluster(job.only([0]), dask_cluster.scheduler_address)
        seconds = time.perf_counter() - started
    failures = [result.failure for result in results if result.failure]
    print(f"fold: 15 techniques, one fold of {rows} rows: {seconds:.1f} s", flush=True)
    return {"rows": rows, "techniques": list(FIFTEEN), "seconds": round(seconds, 1), "failures": failures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=6)
    parser.add_argument("--only", choices=("grid", "sessions", "fold"), action="append")
    arguments = parser.parse_args()
    steps = arguments.only or ["grid", "sessions", "fold"]
    payload = {"machine": machine()}
    if "grid" in steps:
        payload["grid"] = grid(arguments.rows, arguments.folds, arguments.epochs)
    if "sessions" in steps:
        payload["sessions"] = sessions(arguments.sessions)
    if "fold" in steps:
        payload["fold"] = fold(arguments.rows)
    save("scale_out", payload)


if __name__ == "__main__":  # worker processes are spawned and import this file: no work at import time
    main()
