"""Issue 6.1: the tutorial recipe against imbal_core's defaults, same split, same techniques.

Run: .venv/bin/python bench/tutorial_vs_core.py [--rows 50000]
The tutorial recipe: Sequential Dense(64, relu) -> Dense(1, sigmoid), Adam, binary cross-entropy,
batch 32, 10 epochs, on the same standardised training rows and the same imbalanced-learn samplers.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import dense_weights, machine, matmul_gflops, save, synthetic_frame, training_flops

TECHNIQUES = ("baseline", "class_weight", "random_over", "smote")


def tutorial_run(features, codes, test_features, test_codes, technique: str, seed: int) -> dict:
    """The common tutorial recipe for one technique; returns PR-AUC and timings."""
    import keras
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from sklearn.metrics import average_precision_score
    from sklearn.utils.class_weight import compute_class_weight

    started = time.perf_counter()
    class_weight = None
    if technique == "random_over":
        features, codes = RandomOverSampler(random_state=seed).fit_resample(features, codes)
    elif technique == "smote":
        features, codes = SMOTE(random_state=seed).fit_resample(features, codes)
    elif technique == "class_weight":
        weights = compute_class_weight("balanced", classes=np.array([0, 1]), y=codes)
        class_weight = {0: float(weights[0]), 1: float(weights[1])}
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((features.shape[1],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    fit_started = time.perf_counter()
    model.fit(features, codes, batch_size=32, epochs=10, verbose=0, class_weight=class_weight)
    fit_seconds = time.perf_counter() - fit_started
    positive = model.predict(test_features, verbose=0)[:, 0]
    return {
        "pr_auc": float(average_precision_score(test_codes, positive)),
        "fit_seconds": fit_seconds,
        "total_seconds": time.perf_counter() - started,
        "rows_seen": int(len(codes) * 10),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()

    from imbal_core.data.preprocess import FeatureEncoder
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.folds import encode_dataset
    from imbal_core.run.protocol import Protocol, make_splits
    from imbal_core.techniques.catalogue import make_spec

    frame = synthetic_frame(arguments.rows, seed=arguments.seed)
    rates = matmul_gflops()  # also imports TensorFlow, so neither side pays for the import
    protocol = Protocol(test_size=0.25, seed=arguments.seed)
    settings = ModelSettings()

    started = time.perf_counter()
    comparison = run_comparison(frame, "label", [make_spec(t) for t in TECHNIQUES], protocol, settings)
    core_total = time.perf_counter() - started

    # The tutorial side gets the very same split and the same training-only scaling.
    started = time.perf_counter()
    data = encode_dataset(frame, "label")
    train, test = make_splits(data.codes, protocol)[0]
    encoder = FeatureEncoder(data.plan).fit(data.features.iloc[train])
    train_features, test_features = (
        encoder.transform(data.features.iloc[train]),
        encoder.transform(data.features.iloc[test]),
    )
    tutorial = {
        t: tutorial_run(train_features, data.codes[train], test_features, data.codes[test], t, arguments.seed)
        for t in TECHNIQUES
    }
    tutorial_total = time.perf_counter() - started

    rate = rates["tensorflow_gflops"] * 1e9
    core_weights = dense_weights(30, settings.hidden_units)
    tutorial_weights = dense_weights(30, (64,))
    rows = []
    for result in comparison.results:
        name = result.spec.technique_id
        epochs = len(result.histories[0]["loss"])
        core_rows_seen = sum(result.train_class_counts.values()) * epochs
        core_flops = training_flops(core_rows_seen, core_weights)
        tutorial_flops = training_flops(tutorial[name]["rows_seen"], tutorial_weights)
        rows.append(
            {
                "technique": name,
                "tutorial_pr_auc": round(tutorial[name]["pr_auc"], 4),
                "core_pr_auc": round(result.metrics["pr_auc"], 4),
                "tutorial_fit_s": round(tutorial[name]["fit_seconds"], 2),
                "core_fit_s": round(result.train_seconds, 2),
                "fit_ratio": round(tutorial[name]["fit_seconds"] / result.train_seconds, 1),
                "tutorial_total_s": round(tutorial[name]["total_seconds"], 2),
                "core_total_s": round(result.fit_seconds, 2),
                "core_epochs": epochs,
                "core_gflop": round(core_flops / 1e9, 2),
                "core_seconds_at_matmul_rate": round(core_flops / rate, 3),
                "tutorial_gflop": round(tutorial_flops / 1e9, 2),
                "tutorial_seconds_at_matmul_rate": round(tutorial_flops / rate, 3),
            }
        )
    summary = {
        "machine": machine(),
        "matmul": rates,
        "rows": arguments.rows,
        "core_total_s": round(core_total, 2),
        "tutorial_total_s": round(tutorial_total, 2),
        "total_ratio": round(tutorial_total / core_total, 1),
        "fit_ratio": round(
            sum(t["fit_seconds"] for t in tutorial.values()) / sum(r.train_seconds for r in comparison.results), 1
        ),
        "techniques": rows,
    }
    print(f"{'technique':14}{'PR-AUC tut':>11}{'PR-AUC core':>12}{'fit tut s':>10}{'fit core s':>11}{'ratio':>7}")
    for row in rows:
        print(
            f"{row['technique']:14}{row['tutorial_pr_auc']:>11.4f}{row['core_pr_auc']:>12.4f}"
            f"{row['tutorial_fit_s']:>10.2f}{row['core_fit_s']:>11.2f}{row['fit_ratio']:>7.1f}"
        )
    print(
        f"whole comparison: tutorial {tutorial_total:.1f}s, core {core_total:.1f}s, ratio {summary['total_ratio']}x; "
        f"fit ratio {summary['fit_ratio']}x; matmul {rates}"
    )
    save("tutorial_vs_core", summary)


if __name__ == "__main__":
    main()
