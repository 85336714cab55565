"""Helpers shared by the benchmark scripts: seeded data, the machine's matrix-multiply rate, work counts."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def synthetic_frame(rows: int, features: int = 30, minority_share: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """A make_classification table with overlapping classes (not trivially separable)."""
    from sklearn.datasets import make_classification

    features_matrix, labels = make_classification(
        n_samples=rows,
        n_features=features,
        n_informative=10,
        n_redundant=5,
        weights=[1 - minority_share],
        class_sep=0.8,
        flip_y=0.01,
        random_state=seed,
    )
    frame = pd.DataFrame(features_matrix.astype(np.float32), columns=[f"f{i:02d}" for i in range(features)])
    frame["label"] = np.where(labels == 1, "minority", "majority")
    return frame


def dense_weights(n_features: int, hidden_units: tuple[int, ...], outputs: int = 1) -> int:
    sizes = [n_features, *hidden_units, outputs]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def training_flops(rows_seen: int, weights: int) -> float:
    """Forward + backward of a dense network: about 6 floating-point operations per weight per row."""
    return 6.0 * rows_seen * weights


def matmul_gflops(size: int = 1024, repeats: int = 20) -> dict:
    """Measured float32 matrix-multiply rate of NumPy (BLAS) and TensorFlow on this machine."""
    left = np.random.default_rng(0).random((size, size), dtype=np.float32)
    right = np.random.default_rng(1).random((size, size), dtype=np.float32)
    left @ right
    started = time.perf_counter()
    for _ in range(repeats):
        left @ right
    numpy_rate = 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9
    import tensorflow as tf

    tf_left, tf_right = tf.constant(left), tf.constant(right)
    tf.linalg.matmul(tf_left, tf_right).numpy()
    started = time.perf_counter()
    for _ in range(repeats):
        product = tf.linalg.matmul(tf_left, tf_right)
    product.numpy()
    tf_rate = 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9
    return {"numpy_gflops": round(numpy_rate, 1), "tensorflow_gflops": round(tf_rate, 1)}


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return path
