"""What a comparison produces: progress events, per-technique results over folds, the comparison."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from imbal_core.nets.model import ModelSettings
from imbal_core.run import metrics as metric_functions
from imbal_core.run.metric_names import THRESHOLD_FREE
from imbal_core.run.protocol import Protocol
from imbal_core.techniques.catalogue import TechniqueSpec


@dataclass
class TechniqueResult:
    """Everything one technique produced over all folds, probabilities included for curves."""

    spec: TechniqueSpec
    fold_metrics: list[dict] = field(default_factory=list)
    fold_metrics_tuned: list[dict] = field(default_factory=list)
    tuned_thresholds: list[float] = field(default_factory=list)
    train_class_counts: dict[str, int] = field(default_factory=dict)
    # Per fold, binary only: the minority share the scores reflect after weights, focal alpha, batch shares
    # and offsets (NetworkPlan.minority_share); what prior correction undoes. Empty in runs saved before it.
    training_priors: list[float | None] = field(default_factory=list)
    test_labels: list[np.ndarray] = field(default_factory=list)
    test_probabilities: list[np.ndarray] = field(default_factory=list)
    test_rows: list[np.ndarray] = field(default_factory=list)  # positions in the dataset, per fold
    fold_repeats: list[int] = field(default_factory=list)  # which repeat of K-fold each fold belongs to
    validation_labels: list[np.ndarray] = field(default_factory=list)
    validation_probabilities: list[np.ndarray] = field(default_factory=list)
    histories: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fit_seconds: float = 0.0  # resampling + training + prediction, summed over folds
    train_seconds: float = 0.0  # Keras fit alone
    failed: str | None = None

    @property
    def reference(self) -> bool:
        """True for scikit-learn reference learners: shown beside the networks, never recommended."""
        return self.spec.technique.is_reference

    def add_note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    @property
    def first_repeat(self) -> list[int]:
        """Folds of the first repeat: together they test every row exactly once."""
        if not self.fold_repeats:
            return list(range(len(self.test_labels)))
        return [index for index, repeat in enumerate(self.fold_repeats) if repeat == 0]

    @property
    def labels(self) -> np.ndarray:
        """Test labels pooled over the first repeat's folds (each row once), in fold order."""
        folds = self.first_repeat
        return np.concatenate([self.test_labels[i] for i in folds]) if folds else np.array([], dtype=np.int64)

    @property
    def probabilities(self) -> np.ndarray:
        """Out-of-fold probabilities pooled like `labels`: what the curves are drawn from."""
        folds = self.first_repeat
        return np.concatenate([self.test_probabilities[i] for i in folds]) if folds else np.empty((0, 2))

    @property
    def fold_index(self) -> np.ndarray:
        return np.concatenate([np.full(len(self.test_labels[i]), i) for i in self.first_repeat])

    @property
    def metrics(self) -> dict:
        """Mean over folds of each fold's test metrics (the table's aggregation)."""
        return metric_functions.summarise(self.fold_metrics)[0] if self.fold_metrics else {}

    @property
    def metrics_std(self) -> dict:
        return metric_functions.summarise(self.fold_metrics)[1] if self.fold_metrics else {}

    @property
    def tuned_threshold(self) -> float | None:
        return float(np.mean(self.tuned_thresholds)) if self.tuned_thresholds else None

    def fold_metrics_at(self, threshold: float) -> list[dict]:
        """Each fold's metrics at another threshold: no retraining, only stored probabilities.

        Threshold metrics come from each fold's confusion matrix; the threshold-free ones (ROC-AUC,
        PR-AUC, Brier) are the fold's stored values.
        """
        per_fold = []
        for labels, probabilities, stored in zip(
            self.test_labels, self.test_probabilities, self.fold_metrics, strict=True
        ):
            matrix = metric_functions.confusion(labels, probabilities, threshold)
            fold = metric_functions.confusion_metrics(matrix)
            fold.update({name: stored[name] for name in THRESHOLD_FREE})
            per_fold.append(fold)
        return per_fold

    def metrics_at(self, threshold: float) -> dict:
        """Mean over folds at `threshold`, the table's aggregation, so at 0.5 both agree exactly.

        Multi-class adds `per_class` (precision, recall, F1 averaged over folds; support of the first repeat).
        """
        per_fold = self.fold_metrics_at(threshold)
        means = metric_functions.summarise(per_fold)[0]
        if "per_class" in per_fold[0]:
            means["per_class"] = {
                name: np.mean([fold["per_class"][name] for fold in per_fold], axis=0).tolist()
                for name in ("precision", "recall", "f1")
            }
            means["per_class"]["support"] = np.bincount(self.labels, minlength=self.n_classes).tolist()
        return means

    def metrics_std_at(self, threshold: float) -> dict:
        return metric_functions.summarise(self.fold_metrics_at(threshold))[1]

    @property
    def n_classes(self) -> int:
        return self.test_probabilities[0].shape[1] if self.test_probabilities else 0

    def confusion_at(self, threshold: float = 0.5) -> np.ndarray:
        """Confusion matrix summed over the first repeat's folds: every row counted exactly once."""
        return sum(
            metric_functions.confusion(self.test_labels[i], self.test_probabilities[i], threshold)
            for i in self.first_repeat
        )

    @property
    def repeats(self) -> int:
        return (max(self.fold_repeats) + 1) if self.fold_repeats else 1

    def confusion_caption(self) -> str:
        """How the confusion matrix counts rows, for every place that shows one."""
        folds = len(self.first_repeat)
        if folds <= 1:
            return f"{len(self.labels):,} test rows of one hold-out split."
        caption = f"{len(self.labels):,} rows, each counted once: the test rows of {folds} folds"
        if self.repeats > 1:
            caption += f" of repeat 1 (of {self.repeats})"
        return caption + "."


@dataclass
class Comparison:
    """A whole run: the dataset summary, the protocol and settings, and one result per technique."""

    dataset: dict
    protocol: Protocol
    settings: ModelSettings
    labels: list[str]
    results: list[TechniqueResult]
    notes: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    costs: object | None = None  # imbal_core.decision.Costs stated for this run, if any
    wait_seconds: float = 0.0  # how long it waited for the trainer before training started

    @property
    def binary(self) -> bool:
        return len(self.labels) == 2
