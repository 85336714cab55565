"""Teaching material computed from data: a two-feature toy for SMOTE, loss curves, and the quiz's evidence.

Nothing here trains a network: every number comes from the loaded table's class counts, from
imbalanced-learn's SMOTE on a tiny seeded toy, or from closed-form losses (checked against Keras' own
losses in tests/core/test_lessons.py), so the Learn and Present pages draw instantly.
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
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
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


# --- the leakage lesson's reading ------------------------------------------------------------------

LEAKAGE_DRAWS = 200  # bootstrap draws of the test rows: enough for a 95% interval's ends to two decimals


@dataclass(frozen=True)
class LeakageGain:
    """One metric of the leakage lesson: the honest and the leaky score on the same test rows, and the
    95% interval of their difference over the test rows drawn again with replacement (paired bootstrap)."""

    metric: str
    honest: float
    leaky: float
    low: float
    high: float

    @property
    def gain(self) -> float:
        return self.leaky - self.honest

    @property
    def reading(self) -> str:
        """ "higher" or "lower" when the interval leaves out 0, else "within noise"."""
        if self.low > 0:
            return "higher"
        if self.high < 0:
            return "lower"
        return "within noise"


def leakage_gains(
    labels: np.ndarray,
    honest_probabilities: np.ndarray,
    leaky_probabilities: np.ndarray,
    metric_names: tuple[str, ...],
    draws: int = LEAKAGE_DRAWS,
    seed: int = 0,
) -> list[LeakageGain]:
    """Each metric's leakage gain with its noise: both runs scored on the same test rows, redrawn together.

    Each draw keeps every class's row count (a stratified bootstrap), so every draw has the rare class.
    The interval covers the noise of which rows were tested, not the luck of one training run.
    """
    labels = np.asarray(labels)
    honest_values = _lesson_metrics(labels, honest_probabilities)
    leaky_values = _lesson_metrics(labels, leaky_probabilities)
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(labels == code) for code in np.unique(labels)]
    differences = {name: [] for name in metric_names}
    for _ in range(draws):
        rows = np.concatenate([rng.choice(members, size=len(members)) for members in by_class])
        honest = _lesson_metrics(labels[rows], honest_probabilities[rows])
        leaky = _lesson_metrics(labels[rows], leaky_probabilities[rows])
        for name in metric_names:
            differences[name].append(leaky[name] - honest[name])
    gains = []
    for name in metric_names:
        low, high = np.nanpercentile(differences[name], [2.5, 97.5])
        gains.append(LeakageGain(name, honest_values[name], leaky_values[name], float(low), float(high)))
    return gains


def _lesson_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """The lesson's metrics at threshold 0.5 with imbal_core.run.metrics' definitions, in plain numpy: the
    bootstrap calls this hundreds of times (tests/core/test_lessons.py checks it against imbal_core.run.metrics)."""
    # deferred: metrics imports scikit-learn; the Data page paints without it
    from imbal_core.run.metrics import confusion_metrics, predict_labels

    n_classes = probabilities.shape[1]
    predicted = predict_labels(probabilities)
    matrix = np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(n_classes, -1)
    values = confusion_metrics(matrix)
    classes = [1] if n_classes == 2 else [code for code in range(n_classes) if (labels == code).any()]
    ranking = [_ranking(labels == code, probabilities[:, code]) for code in classes]
    values["roc_auc"] = float(np.mean([roc for roc, _ in ranking]))
    values["pr_auc"] = float(np.mean([average for _, average in ranking]))
    return values


def _ranking(positive: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """ROC-AUC (mean rank of the positives, ties averaged) and average precision (scikit-learn's step sum)."""
    # deferred: SciPy loads only when this runs
    from scipy.stats import rankdata

    positives, negatives = int(positive.sum()), int((~positive).sum())
    if positives == 0 or negatives == 0:
        return float("nan"), float("nan")
    ranks = rankdata(scores)
    roc = (ranks[positive].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    order = np.argsort(-scores, kind="mergesort")
    ordered, hits = scores[order], positive[order]
    last_of_each_score = np.r_[np.flatnonzero(np.diff(ordered)), len(ordered) - 1]
    true_positives = np.cumsum(hits)[last_of_each_score]
    precision = true_positives / (last_of_each_score + 1)
    recall = true_positives / positives
    average = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    return float(roc), average


def leakage_verdict(
    gains: list[LeakageGain], headline: str, names: Mapping[str, str], test_rows: int
) -> tuple[str, str]:
    """What this run shows, in words that match its numbers: ("shows", "noise" or "lower", sentence).

    Judged on the headline metric (PR-AUC): a gain whose interval leaves out 0 is called leakage; one
    within noise or below 0 is said to be so, and the lesson says this data does not show the effect.
    """
    main = next(gain for gain in gains if gain.metric == headline)
    label = names.get(headline, headline)
    interval = f"95% interval {main.low:+.3f} to {main.high:+.3f} over the {test_rows:,} test rows drawn again"
    fell = [gain for gain in gains if gain.reading == "lower"]
    if main.reading == "higher":
        words = (
            f"The leaky run scores higher: {label} {main.honest:.3f} -> {main.leaky:.3f} ({main.gain:+.3f}; "
            f"{interval}). Same technique, network, seed, split and test rows, so this gain is leakage: the "
            "network has seen copies or neighbours of rows it is tested on."
        )
        if fell:
            words += " Not every score rose: " + ", ".join(_signed(gain, names) for gain in fell) + " fell."
        return "shows", words
    others = [gain for gain in fell if gain.metric != headline]
    lower_too = (
        " Beyond noise, the leaky run scored lower on " + ", ".join(_signed(gain, names) for gain in others) + "."
        if others
        else ""
    )
    if main.reading == "within noise":
        return "noise", (
            f"On this data the leak does not show beyond noise: the {label} gain, {main.gain:+.3f}, is within the "
            f"noise of which rows were tested ({interval}). A leak does not always inflate one run's scores; it "
            "still makes them untrustworthy, since training saw rows it is tested on. The effect shows most with "
            "random oversampling, whose copies of test rows are exact, and on data the network can memorise."
        ) + lower_too
    return "lower", (
        f"On this data the leaky run scores lower: {label} {main.gain:+.3f} ({interval}), so this run does not show "
        "the leak inflating scores. A leak does not always inflate one run's scores; it still makes them "
        "untrustworthy, since training saw rows it is tested on. The effect shows most with random "
        "oversampling, whose copies of test rows are exact, and on data the network can memorise."
    ) + lower_too


def _signed(gain: LeakageGain, names: Mapping[str, str]) -> str:
    return f"{names.get(gain.metric, gain.metric)} {gain.gain:+.3f}"
