"""Teaching material computed from data: a two-feature toy for SMOTE, loss curves, and the quiz's evidence.

Nothing here trains a network: every number comes from the loaded table's class counts, from
imbalanced-learn's SMOTE on a tiny seeded toy, or from closed-form losses (checked against Keras' own
losses in tests/test_lessons.py), so the Learn and Present pages draw instantly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass
class SmoteToy:
    """A two-feature toy before and after SMOTE, with the segment each synthetic row was drawn on."""

    features: np.ndarray  # original rows, (n, 2)
    labels: np.ndarray  # 0 majority, 1 minority
    synthetic: np.ndarray  # SMOTE's new rows, (m, 2)
    segments: np.ndarray  # (m, 2, 2): the two minority rows each synthetic row lies between


def smote_toy(minority: int = 12, majority: int = 80, k_neighbors: int = 3, seed: int = 0) -> SmoteToy:
    """imbalanced-learn's SMOTE on a small seeded toy, each synthetic row traced back to its segment."""
    from imblearn.over_sampling import SMOTE
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(seed)
    majority_rows = rng.normal([0.0, 0.0], 1.0, size=(majority, 2))
    minority_rows = rng.normal([2.0, 1.5], 0.6, size=(minority, 2))
    features = np.vstack([majority_rows, minority_rows])
    labels = np.concatenate([np.zeros(majority, dtype=int), np.ones(minority, dtype=int)])
    resampled, _ = SMOTE(k_neighbors=k_neighbors, random_state=seed).fit_resample(features, labels)
    synthetic = resampled[len(features) :]
    # SMOTE puts each new row on the segment from a minority row to one of its k minority neighbours;
    # the segment is recovered as the neighbour pair the row lies on (zero distance up to rounding).
    neighbours = NearestNeighbors(n_neighbors=k_neighbors + 1).fit(minority_rows)
    _, indices = neighbours.kneighbors(minority_rows)
    pairs = [(i, j) for i in range(minority) for j in indices[i, 1:]]
    segments = np.array([_segment_of(point, minority_rows, pairs) for point in synthetic])
    return SmoteToy(features, labels, synthetic, segments)


def _segment_of(point: np.ndarray, rows: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    def distance(pair: tuple[int, int]) -> float:
        start, end = rows[pair[0]], rows[pair[1]]
        direction = end - start
        step = float(np.clip(np.dot(point - start, direction) / max(np.dot(direction, direction), 1e-12), 0, 1))
        return float(np.linalg.norm(start + step * direction - point))

    start, end = min(pairs, key=distance)
    return np.array([rows[start], rows[end]])


def focal_loss_curve(probabilities: np.ndarray, gamma: float, alpha: float | None = None) -> np.ndarray:
    """Binary focal loss of a positive row predicted with probability p: -alpha (1 - p)^gamma log(p).

    With alpha None it is not class-balanced (Keras' default without apply_class_balancing); gamma 0 and
    no alpha is plain cross-entropy.
    """
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-7, 1 - 1e-7)
    weight = 1.0 if alpha is None else alpha
    return -weight * (1 - p) ** gamma * np.log(p)


def weighted_cross_entropy(probabilities: np.ndarray, weight: float) -> np.ndarray:
    """Cross-entropy of a row of its class predicted with probability p, times its class weight."""
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-7, 1 - 1e-7)
    return -weight * np.log(p)


def balanced_weights(class_counts: Mapping[str, int]) -> dict[str, float]:
    """scikit-learn's "balanced" class weights: rows / (classes x rows of the class)."""
    total, classes = sum(class_counts.values()), len(class_counts)
    return {label: total / (classes * count) for label, count in class_counts.items()}


def bagging_coverage(majority_rows: int, minority_rows: int, members: int) -> float:
    """Expected share of majority rows that at least one balanced-bagging member trains on."""
    if majority_rows <= 0:
        return 1.0
    kept = min(1.0, minority_rows / majority_rows)
    return 1 - (1 - kept) ** members


@dataclass(frozen=True)
class Question:
    """One self-check question from the seed, its short answer, and evidence from the loaded data."""

    level: str
    question: str
    answer: str
    evidence: str


def quiz(class_counts: Mapping[str, int], target: str) -> list[Question]:
    """The seed's interview questions, each answered with numbers from the loaded table."""
    ordered = dict(sorted(class_counts.items(), key=lambda item: -item[1]))
    majority, minority = next(iter(ordered)), list(ordered)[-1]
    total = sum(ordered.values())
    biggest, smallest = ordered[majority], ordered[minority]
    ratio = biggest / smallest
    always_majority = biggest / total
    binary = len(ordered) == 2
    weights = balanced_weights(ordered)
    coverage = bagging_coverage(biggest, smallest, 5)
    hard, easy = focal_loss_curve(np.array([0.3, 0.95]), 2.0), focal_loss_curve(np.array([0.3, 0.95]), 0.0)
    return [
        Question(
            "Basic",
            "What is data imbalance, and why is it a problem for neural networks?",
            "One class has far more rows than another. A network minimises its total loss, which the majority "
            "dominates, so it learns to favour the majority and neglects the rare class.",
            f"Here, {target!r} has {biggest:,} rows of {majority!r} and {smallest:,} of {minority!r}: "
            f"{ratio:,.1f} to 1.",
        ),
        Question(
            "Basic",
            "How can you detect that a dataset is imbalanced?",
            "Count the rows per class (a histogram or value counts) before modelling.",
            "Counts on the loaded data: "
            + ", ".join(f"{label} {count:,} ({count / total:.1%})" for label, count in ordered.items())
            + ".",
        ),
        Question(
            "Intermediate",
            "Why is accuracy not enough on imbalanced data?",
            "A model that always answers the majority class scores high accuracy while catching none of the rare "
            "rows; read recall, precision, F1 and PR-AUC instead.",
            f"Always answering {majority!r} here scores {always_majority:.1%} accuracy and catches 0 of the "
            f"{smallest:,} {minority!r} rows.",
        ),
        Question(
            "Intermediate",
            "How do class weights help?",
            "They multiply each row's loss by its class's weight, so a missed rare row costs more and the network "
            "pays attention to it.",
            "Balanced weights on the loaded data: "
            + ", ".join(f"{label} {weight:.2f}" for label, weight in weights.items())
            + f": a {minority!r} row counts {weights[minority] / weights[majority]:,.1f} times a {majority!r} row.",
        ),
        Question(
            "Advanced",
            "What is SMOTE, and how does it work?",
            "Synthetic Minority Over-sampling: each new row lies on the segment between a rare row and one of its "
            "nearest rare neighbours (the Learn page draws those segments).",
            f"To balance the training rows here, SMOTE would create about {biggest - smallest:,} synthetic "
            f"{minority!r} rows from {smallest:,} real ones ({(biggest - smallest) / smallest:,.1f} per real row).",
        ),
        Question(
            "Advanced",
            "What is focal loss, and how does it help?",
            "Cross-entropy multiplied by (1 - p)^gamma: rows the network already gets right weigh little, so "
            "training focuses on hard rows, which are often rare ones.",
            f"With gamma 2, a hard row (p = 0.30) keeps {hard[0] / easy[0]:.0%} of its cross-entropy loss, an easy "
            f"one (p = 0.95) only {hard[1] / easy[1]:.2%}.",
        ),
        Question(
            "Advanced",
            "When do ensembles (bagging, boosting) help?",
            "When one resampled model is noisy: several members on different balanced subsets average out the "
            "luck of one draw and use more of the majority rows.",
            f"Five balanced-bagging members here each see all {smallest:,} rare rows and {smallest:,} of the "
            f"{biggest:,} majority rows; together they use about {coverage:.0%} of the majority rows.",
        ),
        Question(
            "Advanced",
            "Can data augmentation introduce bias?",
            "Yes: transformations that do not happen in real data (a flipped digit, a synonym that changes the "
            "meaning) teach the model patterns that are not there.",
            f"Augmenting {minority!r} to match {majority!r} here would make "
            f"{(biggest - smallest) / biggest:.0%} of the rare class's training rows invented.",
        ),
        Question(
            "Advanced",
            "How do you handle imbalance with more than two classes?",
            "Per-class weights, oversampling each small class, augmentation, or stratified (balanced) batches; "
            "read macro-averaged and per-class metrics.",
            (
                "This target has two classes: the binary answers above apply."
                if binary
                else f"This target has {len(ordered)} classes; the rarest, {minority!r}, would get weight "
                f"{weights[minority]:.2f} against {weights[majority]:.2f} for {majority!r}."
            ),
        ),
    ]
