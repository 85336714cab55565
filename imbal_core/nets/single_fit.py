"""Fit one Keras network on one fold's training rows: early stopping, best weights restored, progress hooks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from imbal_core.errors import Cancelled
from imbal_core.nets.batches import class_row_weights, shares_bias, training_dataset
from imbal_core.nets.engine import trainer
from imbal_core.nets.model import ModelSettings, output_bias
from imbal_core.nets.stacked import improved

EpochHook = Callable[[int, dict], None]
StopCheck = Callable[[], bool]
PREDICT_CHUNK = 65536


@dataclass
class TrainedNetwork:
    """A fitted model with its per-epoch history and why training ended."""

    model: object
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_run: int = 0
    diverged: bool = False
    cancelled: bool = False

    def predict(self, features: np.ndarray) -> np.ndarray:
        return predict_probabilities(self.model, features)


def configure_tensorflow() -> None:
    import tensorflow as tf  # deferred: TensorFlow loads only when training starts

    # Same seed, same numbers: forbid nondeterministic kernels (the cost on CPU is negligible here).
    tf.config.experimental.enable_op_determinism()


def _callbacks(
    settings: ModelSettings,
    validation: tuple,
    n_classes: int,
    on_epoch: EpochHook | None,
    should_stop: StopCheck | None,
):
    import keras  # deferred: TensorFlow loads only when training starts
    from sklearn.metrics import average_precision_score  # deferred: the pages that list techniques stay light

    validation_features = validation[0]
    validation_labels = validation[1]
    has_both_classes = n_classes == 2 and 0 < validation_labels.sum() < len(validation_labels)

    class Hooks(keras.callbacks.Callback):
        """Scores the validation slice, reports each epoch, stops on request or on a NaN loss.

        Scoring here with one forward pass replaces Keras' compiled validation and AUC metric, which
        cost more per epoch than the training steps themselves on small folds (see bench/RESULTS.md).
        """

        def __init__(self) -> None:
            super().__init__()
            self.diverged = False
            self.cancelled = False

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs if logs is not None else {}
            # predict_on_batch runs the model's compiled predict function; an eager call costs 5x more.
            probabilities = self.model.predict_on_batch(validation_features)
            logs["val_loss"] = validation_log_loss(validation_labels, probabilities)
            if n_classes == 2:
                positive = probabilities[:, 0]
                finite = np.isfinite(positive).all()
                score = average_precision_score(validation_labels, positive) if has_both_classes and finite else 0.0
                logs["val_pr_auc"] = float(score)
            if not math.isfinite(float(logs.get("loss", 0.0))):
                self.diverged = True
                self.model.stop_training = True
            if on_epoch is not None:
                on_epoch(epoch, logs)
            if should_stop is not None and should_stop():
                self.cancelled = True
                self.model.stop_training = True

    class TieBreakingStopping(keras.callbacks.EarlyStopping):
        """Keras' EarlyStopping with the stacked trainer's rule (imbal_core.nets.stacked.improved): a PR-AUC tie
        at a lower validation loss is progress, so a saturated small validation slice does not end training."""

        best_loss = math.inf
        epoch_loss = math.inf

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch_loss = float((logs or {}).get("val_loss", math.inf))
            super().on_epoch_end(epoch, logs)

        def _is_improvement(self, monitor_value, reference_value) -> bool:  # Keras 3's comparison hook
            if reference_value is None:  # the first epoch
                better = True
            else:
                better = improved(float(monitor_value), self.epoch_loss, float(reference_value), self.best_loss, mode)
            if better:
                self.best_loss = self.epoch_loss
            return better

    # PR-AUC needs both classes in the validation slice; without a minority row, watch the loss instead.
    monitor, mode = ("val_pr_auc", "max") if has_both_classes else ("val_loss", "min")
    early_stopping = TieBreakingStopping(
        monitor=monitor, mode=mode, patience=settings.patience, restore_best_weights=True
    )
    return Hooks(), [early_stopping]


def fit_network(
    features: np.ndarray,
    labels: np.ndarray,
    validation_features: np.ndarray,
    validation_labels: np.ndarray,
    n_classes: int,
    settings: ModelSettings,
    seed: int,
    focal: dict | None = None,
    class_weight: dict[int, float] | None = None,
    on_epoch: EpochHook | None = None,
    should_stop: StopCheck | None = None,
    *,
    row_weights: np.ndarray | None = None,
    output_offset: np.ndarray | None = None,
    class_shares: np.ndarray | None = None,
) -> TrainedNetwork:
    """Train a fresh MLP; `focal` holds gamma/alpha/balance_classes when focal loss is used.

    row_weights: per-row loss weights, multiplied with `class_weight` (boosting).
    output_offset: the logit-adjusted loss (Menon et al. 2021), cross-entropy on f(x) + offset. The output
        bias is a free parameter, so training f with that loss is exactly training g = f + offset with
        plain cross-entropy from a bias raised by `offset` (the same gradients, step for step, under Adam:
        g's bias is f's bias plus a constant). So the bias starts `offset` higher, the same compiled model
        trains with Keras' own stable cross-entropy, and the offset is taken off the bias before predicting.
        tests/core/test_stages.py checks a training step against the loss written out.
    class_shares: draw every batch with these class shares (tf.data sampling); the rows are unchanged.
        The output bias then starts at the log-odds of the shares, the class ratio the network sees.
    """
    import keras  # deferred: TensorFlow loads only when training starts

    configure_tensorflow()
    # TensorFlow combines each op seed (the shuffle's) with the global seed; a reused compiled model
    # keeps whatever global seed the last build left, so set it here for every fit.
    keras.utils.set_random_seed(seed)
    targets = _targets(labels, n_classes, one_hot=n_classes > 2 and focal is not None)
    bias = output_bias(labels, n_classes) if class_shares is None else shares_bias(class_shares, n_classes)
    if output_offset is not None:
        bias = bias + np.asarray(output_offset, dtype=float)
    # The process's trainer owns the compiled models.
    model = trainer().models.prepared(features.shape[1], n_classes, settings, focal, seed, bias)
    validation = (validation_features.astype(np.float32), validation_labels)
    hooks, callbacks = _callbacks(settings, validation, n_classes, on_epoch, should_stop)
    weights = class_row_weights(labels, class_weight)
    if row_weights is not None:
        weights = weights * np.asarray(row_weights, dtype=np.float32)
    dataset, steps = training_dataset(features, targets, weights, settings, seed, class_shares, labels)
    history = model.fit(
        dataset,
        epochs=settings.max_epochs,
        steps_per_epoch=steps,
        callbacks=[hooks, *callbacks],
        shuffle=False,  # the dataset shuffles itself, seeded
        verbose=0,
    )
    if output_offset is not None:
        output = model.get_layer("probability").bias
        output.assign(output.numpy() - np.asarray(output_offset, dtype=np.float32))
    return TrainedNetwork(
        model=model,
        history={name: [float(value) for value in values] for name, values in history.history.items()},
        epochs_run=len(history.history.get("loss", [])),
        diverged=hooks.diverged,
        cancelled=hooks.cancelled,
    )


def validation_log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Plain cross-entropy on the validation rows (scikit-learn's log_loss), whatever loss the technique
    trains with, so every technique's validation curve is on one scale (a focal or weighted loss is not)."""
    from sklearn.metrics import log_loss  # deferred: the pages that list techniques stay light

    probabilities = np.asarray(probabilities, dtype=np.float64)
    if not np.isfinite(probabilities).all():  # a diverged network: the hooks stop training on the NaN loss
        return math.nan
    if probabilities.shape[1] == 1:
        probabilities = np.column_stack([1.0 - probabilities[:, 0], probabilities[:, 0]])
    if not np.isfinite(probabilities).all():
        return float("nan")  # a diverged network; the NaN check on the training loss reports it
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)  # float32 softmax rounding
    return float(log_loss(labels, probabilities, labels=list(range(probabilities.shape[1]))))


def _targets(labels: np.ndarray, n_classes: int, one_hot: bool) -> np.ndarray:
    if one_hot:
        return np.eye(n_classes, dtype=np.float32)[labels]
    return labels.astype(np.float32 if n_classes == 2 else np.int64)


def predict_probabilities(model, features: np.ndarray) -> np.ndarray:
    """Class probabilities as an (n, n_classes) array, through the compiled predict function in large chunks."""
    features = features.astype(np.float32)
    chunks = [
        model.predict_on_batch(features[start : start + PREDICT_CHUNK])
        for start in range(0, len(features), PREDICT_CHUNK)
    ]
    probabilities = np.concatenate(chunks).astype(np.float64)
    if probabilities.shape[1] == 1:
        positive = probabilities[:, 0]
        probabilities = np.column_stack([1.0 - positive, positive])
    return probabilities


def raise_if_stopped(cancelled: bool, diverged: bool) -> None:
    """Turn how a fit ended into the engine's errors: Cancelled on a stop request, FloatingPointError on NaN."""
    if cancelled:
        raise Cancelled()
    if diverged:
        raise FloatingPointError("the loss became NaN (try a lower learning rate)")
