"""Issue 6.5: 100k and 1M rows x 30 columns as CSV: load + profile, SMOTE, one training run.

Each step runs in its own process under `/usr/bin/time -v` so peak memory is the step's own.
Run: .venv/bin/python bench/scale.py [--sizes 100000 1000000]
One step alone: .venv/bin/python bench/scale.py --step profile --rows 1000000
The training step uses the engine's stacked trainer; `--keras` times the earlier one-network Keras fit.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, machine, save, synthetic_frame

DATA = Path("/tmp/imbalance-lab-bench")
KERAS_ALONE = "--keras" in sys.argv


def csv_for(rows: int) -> Path:
    path = DATA / f"scale_{rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        synthetic_frame(rows, seed=1).to_csv(path, index=False, float_format="%.5g")
    return path


def step(name: str, rows: int) -> None:
    """Runs inside the measured child process and prints `seconds=` for the parent."""
    from imbal_core.data.class_profile import profile
    from imbal_core.data.tables import load_table

    path = csv_for(rows)
    started = time.perf_counter()
    table = load_table(path)
    summary = profile(table.frame, "label")
    load_seconds = time.perf_counter() - started
    if name == "profile":
        print(f"seconds={load_seconds:.3f} profiled_rows={summary.rows}")
        return
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.folds import encode_dataset, prepare_fold
    from imbal_core.run.protocol import Protocol, make_splits
    from imbal_core.run.resampling import resample
    from imbal_core.techniques.catalogue import make_spec

    data = encode_dataset(table.frame, "label")
    train, test = make_splits(data.codes, Protocol(seed=0))[0]
    fold = prepare_fold(data, train, test, ModelSettings(), 0)
    if name == "smote":
        started = time.perf_counter()
        result = resample(make_spec("smote"), fold.base_fit, fold.fit_codes, fold.encoder, 0)
        print(f"seconds={time.perf_counter() - started:.3f} rows_out={len(result.labels)}")
        return
    from imbal_core.nets.single_fit import fit_network
    from imbal_core.run.network_trainer import NetworkTrainer
    from imbal_core.stages.base import NetworkPlan

    features = fold.encoder.encode(fold.base_fit)
    started = time.perf_counter()
    if KERAS_ALONE:  # the one-network Keras path the engine used before stacked training
        network = fit_network(features, fold.fit_codes, fold.validation, fold.validation_codes, 2, ModelSettings(), 0)
        epochs = network.epochs_run
    else:  # the engine's path: a stack of one
        trainer = NetworkTrainer(fold.validation, fold.validation_codes, fold.test, 2, ModelSettings())
        epochs = len(trainer.fit(NetworkPlan(features, fold.fit_codes, 0)).history["loss"])
    print(f"seconds={time.perf_counter() - started:.3f} epochs={epochs} training_rows={len(fold.fit_codes)}")


def measure(name: str, rows: int) -> dict:
    command = ["/usr/bin/time", "-v", sys.executable, __file__, "--step", name, "--rows", str(rows)]
    command += ["--keras"] if KERAS_ALONE else []
    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    reported = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", completed.stdout)}
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
    return {
        "step": name,
        "csv_rows": rows,
        "seconds": reported.pop("seconds", None),
        "peak_mb": round(int(peak.group(1)) / 1024) if peak else None,
        "command": " ".join(["/usr/bin/time -v", ".venv/bin/python", "bench/scale.py", *command[4:]]),
        **reported,
        "ok": completed.returncode == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--step", choices=["profile", "smote", "train"])
    parser.add_argument("--rows", type=int)
    parser.add_argument("--keras", action="store_true", help="time the one-network Keras fit instead")
    arguments = parser.parse_args()
    if arguments.step:
        step(arguments.step, arguments.rows)
        return
    results = []
    for rows in arguments.sizes:
        size_mb = csv_for(rows).stat().st_size / 1e6
        for name in ("profile", "smote", "train"):
            result = measure(name, rows) | {"csv_mb": round(size_mb, 1)}
            print(result, flush=True)
            results.append(result)
    save("scale", {"machine": machine(), "results": results})


if __name__ == "__main__":
    main()
