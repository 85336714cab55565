"""Issue 6.2: scikit-learn's MLPClassifier with the same hidden layers on the same folds, baseline technique.

Run: .venv/bin/python bench/sklearn_mlp.py [--rows 50000] [--folds 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import machine, save, synthetic_frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--folds", type=int, default=3)
    arguments = parser.parse_args()

    import keras  # noqa: F401  (import cost kept out of both timings)
    from sklearn.metrics import average_precision_score
    from sklearn.neural_network import MLPClassifier

    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.folds import encode_dataset, prepare_fold
    from imbal_core.run.protocol import Protocol, make_splits
    from imbal_core.techniques.catalogue import make_spec

    frame = synthetic_frame(arguments.rows)
    protocol = Protocol(mode="cv", folds=arguments.folds, seed=0)
    settings = ModelSettings()
    started = time.perf_counter()
    core = run_comparison(frame, "label", [make_spec("baseline")], protocol, settings).results[0]
    core_seconds = time.perf_counter() - started

    data = encode_dataset(frame, "label")
    started = time.perf_counter()
    scores, fit_seconds = [], 0.0
    for index, (train, test) in enumerate(make_splits(data.codes, protocol)):
        fold = prepare_fold(data, train, test, settings, protocol.seed + index)
        features = fold.encoder.encode(fold.base_fit)
        model = MLPClassifier(
            hidden_layer_sizes=settings.hidden_units,
            batch_size=settings.batch_size,
            learning_rate_init=1e-3,
            early_stopping=True,
            n_iter_no_change=settings.patience,
            max_iter=settings.max_epochs,
            random_state=index,
        )
        fit_started = time.perf_counter()
        model.fit(features, fold.fit_codes)
        fit_seconds += time.perf_counter() - fit_started
        scores.append(average_precision_score(fold.test_codes, model.predict_proba(fold.test)[:, 1]))
    sklearn_seconds = time.perf_counter() - started
    summary = {
        "machine": machine(),
        "rows": arguments.rows,
        "folds": arguments.folds,
        "core": {
            "pr_auc": round(core.metrics["pr_auc"], 4),
            "pr_auc_std": round(core.metrics_std["pr_auc"], 4),
            "fit_s": round(core.train_seconds, 2),
            "total_s": round(core_seconds, 2),
        },
        "sklearn_mlp": {
            "pr_auc": round(float(np.mean(scores)), 4),
            "pr_auc_std": round(float(np.std(scores)), 4),
            "fit_s": round(fit_seconds, 2),
            "total_s": round(sklearn_seconds, 2),
        },
    }
    summary["fit_ratio_sklearn_over_core"] = round(fit_seconds / core.train_seconds, 2)
    summary["total_ratio_sklearn_over_core"] = round(sklearn_seconds / core_seconds, 2)
    print(summary)
    save("sklearn_mlp", summary)


if __name__ == "__main__":
    main()
