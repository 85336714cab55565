"""Why the gradient-boosting reference was slow in the dashboard (issue 19, item 10).

Times the reference learner's fit on one fold in a fresh process per setting, as the server runs it
(TensorFlow imported and warmed up, a 0.5 ms GIL switch interval, other threads alive) and as the CLI runs it.

    python bench/reference_threads.py [--rows 1200] [--repeats 3] [--settings plain,server,...]

Settings: plain (the CLI's process), switch (0.5 ms interval only), tensorflow (TensorFlow imported and a
stacked epoch trained), busy (another thread running Python, as other sessions' scripts do), server (all
three, the dashboard's process), and the same names with "+limited" (the fit under the engine's thread
limits, imbal_core.stages.references.reference_threads).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

from common import ROOT, synthetic_frame

ALL_SETTINGS = ("plain", "plain+limited", "switch", "tensorflow", "busy", "server", "server+limited")


def fit_seconds(rows: int, repeats: int, setting: str) -> list[float]:
    """Seconds per reference fit on the first fold of a `rows`-row table, in this process, under `setting`."""
    from dataclasses import replace

    import imbal_core.stages.references as references
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.fold_work import run_technique_on_fold
    from imbal_core.run.folds import encode_dataset, prepare_fold
    from imbal_core.run.protocol import Protocol, make_splits
    from imbal_core.techniques.catalogue import make_spec

    parts = set(setting.replace("+", ",").split(","))
    server = "server" in parts
    if "limited" not in parts and hasattr(references, "reference_threads"):
        references.THREAD_LIMITS_ENABLED = False  # measure the fit as it ran before the fix
    if server or "tensorflow" in parts:
        from imbal_core.nets.engine import warm_up

        warm_up()
    if server or "switch" in parts:
        sys.setswitchinterval(0.0005)
    stop = threading.Event()
    if server or "busy" in parts:

        def spin() -> None:  # a Python-bound neighbour, as another session's script or the web server's thread
            while not stop.is_set():
                sum(range(1000))
                time.sleep(0.001)

        threading.Thread(target=spin, daemon=True).start()
    frame = synthetic_frame(rows, features=20, minority_share=0.1)
    data = encode_dataset(frame, "label")
    train, test = make_splits(data.codes, Protocol(mode="cv", folds=5))[0]
    settings = replace(ModelSettings(), max_epochs=1)
    fold = prepare_fold(data, train, test, settings, 0)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_technique_on_fold(make_spec("hist_gradient_boosting"), fold, 2, settings, 0)
        seconds.append(round(time.perf_counter() - started, 2))
    stop.set()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1200, help="Rows of the synthetic table (default 1200).")
    parser.add_argument("--repeats", type=int, default=3, help="Fits per setting (default 3).")
    parser.add_argument("--settings", default=",".join(ALL_SETTINGS), help="Comma-separated settings to time.")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: time one setting in this process
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(fit_seconds(arguments.rows, arguments.repeats, arguments.one)))
        return
    for setting in arguments.settings.split(","):
        command = [sys.executable, __file__, "--rows", str(arguments.rows), "--repeats", str(arguments.repeats)]
        output = subprocess.run([*command, "--one", setting], capture_output=True, text=True, cwd=ROOT, check=True)
        seconds = json.loads(output.stdout.strip().splitlines()[-1])
        print(f"{setting:16} {' '.join(f'{value:6.2f}' for value in seconds)}  s per fit", flush=True)


if __name__ == "__main__":
    main()
