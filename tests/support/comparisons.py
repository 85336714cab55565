"""Comparisons built by hand for the engine's readers (decisions, serialisation, history, the app), without
training: every field filled over several folds, scored rows with a chosen signal, the medical sample's shape;
and a deep equality that compares them field by field."""

from __future__ import annotations

import dataclasses

import numpy as np

from imbal_core.decide.costs import Costs
from imbal_core.nets import model
from imbal_core.nets.model import ModelSettings
from imbal_core.run import evaluate, metrics
from imbal_core.run.metrics import compute_metrics
from imbal_core.run.protocol import Protocol
from imbal_core.run.results import Comparison, TechniqueResult
from imbal_core.techniques import catalogue
from imbal_core.techniques.catalogue import make_spec


def hand_built_comparison(
    n_classes: int = 2, folds: int = 3, seed: int = 0, protocol: evaluate.Protocol | None = None
) -> evaluate.Comparison:
    """Every TechniqueResult field filled with something distinctive, over several folds."""
    rng = np.random.default_rng(seed)
    labels = ["legit", "fraud"] if n_classes == 2 else ["a", "b", "c"]
    results = []
    for technique_id, params in (("baseline", None), ("smote", {"k_neighbors": 3}), ("focal_loss", None)):
        result = evaluate.TechniqueResult(spec=catalogue.make_spec(technique_id, params))
        for fold in range(folds):
            size = 40 + fold
            test_labels = rng.integers(0, n_classes, size=size)
            test_probabilities = rng.dirichlet(np.ones(n_classes), size=size)
            validation_labels = rng.integers(0, n_classes, size=17)
            validation_probabilities = rng.dirichlet(np.ones(n_classes), size=17)
            result.test_labels.append(test_labels)
            result.test_probabilities.append(test_probabilities)
            result.test_rows.append(rng.permutation(5000)[:size])
            result.validation_labels.append(validation_labels)
            result.validation_probabilities.append(validation_probabilities)
            result.fold_metrics.append(metrics.compute_metrics(test_labels, test_probabilities))
            if n_classes == 2:
                result.tuned_thresholds.append(float(rng.random()))
                result.fold_metrics_tuned.append(metrics.compute_metrics(test_labels, test_probabilities, 0.3))
            result.histories.append({"loss": rng.random(5).tolist(), "val_loss": rng.random(5).tolist()})
        result.train_class_counts = {"legit": 300, "fraud": 299}
        result.notes = ["k_neighbors clamped to 3 on fold 2.", "Note with 'quotes' and ünïcode."]
        result.fit_seconds, result.train_seconds = 1.234567, 0.987654
        results.append(result)
    results[2].failed = "Training failed: the loss became NaN (try a lower learning rate)."
    dataset = {
        "rows": 5000,
        "target": "is_fraud",
        "class_counts": {"legit": 4500, "fraud": 500},
        "imbalance_ratio": 9.0,
    }
    protocol = protocol or evaluate.Protocol(mode="cv", folds=folds, repeats=1, seed=7)
    settings = model.ModelSettings(hidden_units=(32, 16), max_epochs=3, learning_rate=3e-3)
    return evaluate.Comparison(dataset, protocol, settings, labels, results, ["a note"], 12.5)


def assert_same_value(left, right, path: str = "comparison") -> None:
    """Deep equality: arrays equal in dtype, shape and every value (NaN equal to NaN); dataclasses field by field."""
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        assert isinstance(left, np.ndarray) and isinstance(right, np.ndarray), path
        assert left.dtype == right.dtype, (path, left.dtype, right.dtype)
        assert left.shape == right.shape, path
        assert np.array_equal(left, right, equal_nan=left.dtype.kind == "f"), path
    elif dataclasses.is_dataclass(left):
        assert type(left) is type(right), path
        for item in dataclasses.fields(left):
            assert_same_value(getattr(left, item.name), getattr(right, item.name), f"{path}.{item.name}")
    elif isinstance(left, dict):
        assert isinstance(right, dict) and list(left) == list(right), path
        for key in left:
            assert_same_value(left[key], right[key], f"{path}[{key!r}]")
    elif isinstance(left, (list, tuple)):
        assert type(left) is type(right) and len(left) == len(right), path
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same_value(a, b, f"{path}[{index}]")
    elif isinstance(left, float) and np.isnan(left):
        assert isinstance(right, float) and np.isnan(right), path
    else:
        assert left == right, (path, left, right)


def scored_rows(rng, rows: int, prevalence: float, signal: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels with about `prevalence` minority rows and scores that separate them by `signal` (0 = noise)."""
    labels = (rng.random(rows) < prevalence).astype(np.int64)
    labels[:2] = (1, 0)  # both classes always present
    positive = 1 / (1 + np.exp(-(rng.normal(size=rows) + signal * labels - 2.5)))
    return labels, positive


def as_probabilities(positive: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - positive, positive])


def make_result(technique_id: str, folds: list[dict], failed: str | None = None, **params) -> TechniqueResult:
    """A TechniqueResult as the engine leaves it, from per-fold validation and test labels and scores."""
    result = TechniqueResult(spec=make_spec(technique_id, params or None), failed=failed)
    for fold in folds:
        test_probabilities = as_probabilities(fold["test_positive"])
        result.test_labels.append(fold["test_labels"])
        result.test_probabilities.append(test_probabilities)
        result.test_rows.append(np.arange(len(fold["test_labels"])))
        result.validation_labels.append(fold["validation_labels"])
        result.validation_probabilities.append(as_probabilities(fold["validation_positive"]))
        result.fold_metrics.append(compute_metrics(fold["test_labels"], test_probabilities))
    return result


def make_folds(seed: int, count: int, rows: int = 600, prevalence: float = 0.1, signal: float = 3.0) -> list[dict]:
    rng = np.random.default_rng(seed)
    folds = []
    for _ in range(count):
        validation_labels, validation_positive = scored_rows(rng, rows // 3, prevalence, signal)
        test_labels, test_positive = scored_rows(rng, rows, prevalence, signal)
        folds.append(
            {
                "validation_labels": validation_labels,
                "validation_positive": validation_positive,
                "test_labels": test_labels,
                "test_positive": test_positive,
            }
        )
    return folds


def make_comparison(results: list[TechniqueResult], mode: str = "quick", folds: int = 5, labels=None) -> Comparison:
    protocol = Protocol(mode=mode, folds=folds)
    dataset = {"rows": 1000, "target": "label", "minority_class": "rare"}
    return Comparison(dataset, protocol, ModelSettings(), list(labels or ["common", "rare"]), results)


def total_cost(labels: np.ndarray, positive: np.ndarray, threshold: float, costs: Costs) -> float:
    """Expected cost written the slow, obvious way, to check the vectorised code against."""
    flagged = positive >= threshold
    false_alarms = np.sum(flagged & (labels == 0))
    missed = np.sum(~flagged & (labels == 1))
    caught = np.sum(flagged & (labels == 1))
    return costs.false_alarm * false_alarms + costs.miss * missed - costs.catch_value * caught


def medical_comparison(seed: int = 0, techniques_ids=("baseline", "smote")) -> evaluate.Comparison:
    """A comparison on the medical sample (397 rows, 40 malignant) as run_comparison leaves it, without training."""
    rng = np.random.default_rng(seed)
    codes = np.array([0] * 357 + [1] * 40)
    test = rng.permutation(397)[:100]
    validation = rng.permutation(397)[:60]
    results = []
    for technique_id in techniques_ids:
        result = evaluate.TechniqueResult(spec=catalogue.make_spec(technique_id))
        positive = np.clip(codes[test] * 0.6 + rng.random(100) * 0.5, 0, 1)
        checked = np.clip(codes[validation] * 0.6 + rng.random(60) * 0.5, 0, 1)
        probabilities = np.column_stack([1 - positive, positive])
        result.test_labels.append(codes[test])
        result.test_probabilities.append(probabilities)
        result.test_rows.append(test)
        result.validation_labels.append(codes[validation])
        result.validation_probabilities.append(np.column_stack([1 - checked, checked]))
        result.fold_metrics.append(metrics.compute_metrics(codes[test], probabilities))
        result.tuned_thresholds.append(metrics.best_f1_threshold(codes[validation], checked))
        result.fold_metrics_tuned.append(metrics.compute_metrics(codes[test], probabilities, 0.4))
        result.histories.append({"loss": [0.6, 0.4, 0.3], "val_loss": [0.65, 0.5, 0.45]})
        result.train_class_counts = {"benign": 214, "malignant": 24}
        results.append(result)
    dataset = {
        "rows": 397,
        "features": 30,
        "target": "diagnosis",
        "class_counts": {"benign": 357, "malignant": 40},
        "minority_class": "malignant",
        "imbalance_ratio": 8.925,
    }
    return evaluate.Comparison(
        dataset, evaluate.Protocol(), model.ModelSettings(max_epochs=3), ["benign", "malignant"], results
    )
