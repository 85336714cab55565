"""Issue 13: the stacked engine against an earlier engine, side by side, in separate processes.

Each engine runs in its own process from its own checkout (a git worktree of the older commit, made
and removed here), on the same sample, protocol and seed; wall time and PR-AUC per technique.

Run:
  .venv/bin/python bench/stacked.py                                    # maintenance, default techniques, 5-fold
  .venv/bin/python bench/stacked.py --sample fraud --techniques all    # every table technique
  .venv/bin/python bench/stacked.py --baseline 76abecc --seeds 0 1 2   # the engine just before stacking
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import machine, save

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

# Runs inside the checkout being measured: only the public names every engine since bc988cf has.
RUNNER = """
import json, sys, time
from imbal_core.data.tables import load_table
from imbal_core.run.evaluate import DEFAULT_TECHNIQUES, Protocol, run_comparison
from imbal_core.data.samples import get_sample, sample_path
from imbal_core.techniques.catalogue import REGISTRY, make_spec
sample, techniques, folds, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
frame = load_table(sample_path(get_sample(sample).id)).frame
if techniques == "default":
    ids = list(DEFAULT_TECHNIQUES)
elif techniques == "all":
    ids = [i for i, t in REGISTRY.items() if "table" in getattr(t, "modalities", ("table",))
           and not getattr(t, "is_reference", False) and i != "text_augment"]
else:
    ids = techniques.split(",")
import keras  # the import is not part of the comparison's time
specs = [make_spec(i) for i in ids]
started = time.perf_counter()
comparison = run_comparison(frame, get_sample(sample).target, specs, Protocol(mode="cv", folds=folds, seed=seed))
seconds = time.perf_counter() - started
# The dashboard's server runs many comparisons in one process: the second one finds compiled functions ready.
started = time.perf_counter()
run_comparison(frame, get_sample(sample).target, specs, Protocol(mode="cv", folds=folds, seed=seed))
warm = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "warm_seconds": warm, "pr_auc": {r.spec.technique_id: r.metrics.get("pr_auc") for r in comparison.results},
                  "failed": {r.spec.technique_id: r.failed for r in comparison.results if r.failed}}))
"""


def run_engine(checkout: Path, sample: str, techniques: str, folds: int, seed: int) -> dict:
    completed = subprocess.run(
        [str(PYTHON), "-c", RUNNER, sample, techniques, str(folds), str(seed)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(checkout), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="bc988cf", help="the older commit to run side by side")
    parser.add_argument("--sample", default="maintenance")
    parser.add_argument("--techniques", default="default", help="default, all, or ids separated by commas")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        older = Path(folder) / "older"
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(older), arguments.baseline], cwd=ROOT, check=True
        )
        try:
            runs = []
            for seed in arguments.seeds:
                for name, checkout in ((arguments.baseline, older), ("HEAD", ROOT)):
                    result = run_engine(checkout, arguments.sample, arguments.techniques, arguments.folds, seed)
                    runs.append({"engine": name, "seed": seed, **result})
                    print(
                        f"{name:>8} seed {seed}: {result['seconds']:6.1f} s first, {result['warm_seconds']:6.1f} s warm",
                        flush=True,
                    )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(older)], cwd=ROOT, check=True)
    report(runs, arguments)


def report(runs: list[dict], arguments) -> None:
    engines = [arguments.baseline, "HEAD"]
    seconds = {name: [run["seconds"] for run in runs if run["engine"] == name] for name in engines}
    warm = {name: [run["warm_seconds"] for run in runs if run["engine"] == name] for name in engines}
    techniques = list(runs[0]["pr_auc"])
    print(f"\n{arguments.sample}, {arguments.techniques} techniques, {arguments.folds}-fold, seeds {arguments.seeds}")
    for name in engines:
        first, again = sum(seconds[name]) / len(seconds[name]), sum(warm[name]) / len(warm[name])
        print(f"  {name:>8}: {first:.1f} s first comparison in a process, {again:.1f} s the next")
    print(f"  speed-up: {sum(seconds[engines[0]]) / sum(seconds[engines[1]]):.2f}x first, ", end="")
    print(f"{sum(warm[engines[0]]) / sum(warm[engines[1]]):.2f}x next")
    print(f"  {'technique':24}{engines[0]:>10}{'HEAD':>10}{'change':>9}   (PR-AUC, mean over seeds)")
    for technique in techniques:
        means = []
        for name in engines:
            values = [run["pr_auc"].get(technique) for run in runs if run["engine"] == name]
            values = [value for value in values if value is not None]
            means.append(sum(values) / len(values) if values else float("nan"))
        print(f"  {technique:24}{means[0]:10.4f}{means[1]:10.4f}{means[1] - means[0]:+9.4f}")
    save(
        f"stacked_{arguments.sample}_{arguments.techniques}",
        {"machine": machine(), "arguments": vars(arguments), "runs": runs},
    )


if __name__ == "__main__":
    sys.exit(main())
