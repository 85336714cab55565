"""Fit one network on one fold's training rows: early stopping, best weights restored, progress hooks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from imbal_core.model import ModelSettings, build_loss, create_mlp_model, output_bias

EpochHook = Callable[[int, dict], None]
StopCheck = Callable[[], bool]
PREDICT_CHUNK = 65536
STEPS_PER_EXECUTION = 32


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


def _configure_tensorflow() -> None:
    import tensorflow as tf

    # Same seed, same numbers: forbid nondeterministic kernels (the cost on CPU is negligible here).
    tf.config.experimental.enable_op_determinism()


def _callbacks(
    settings: ModelSettings,
    validation: tuple,
    n_classes: int,
    on_epoch: EpochHook | None,
    should_stop: StopCheck | None,
):
    import keras
    from sklearn.metrics import average_precision_score

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

    # PR-AUC needs both classes in the validation slice; without a minority row, watch the loss instead.
    monitor, mode = ("val_pr_auc", "max") if has_both_classes else ("val_loss", "min")
    early_stopping = keras.callbacks.EarlyStopping(
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
) -> TrainedNetwork:
    """Train a fresh MLP; `focal` holds gamma/alpha/balance_classes when focal loss is used."""
    import keras

    _configure_tensorflow()
    # TensorFlow combines each op seed (the shuffle's) with the global seed; a reused compiled model
    # keeps whatever global seed the last build left, so set it here for every fit.
    keras.utils.set_random_seed(seed)
    targets = _targets(labels, n_classes, one_hot=n_classes > 2 and focal is not None)
    model = _MODELS.prepared(features.shape[1], n_classes, settings, focal, seed, output_bias(labels, n_classes))
    validation = (validation_features.astype(np.float32), validation_labels)
    hooks, callbacks = _callbacks(settings, validation, n_classes, on_epoch, should_stop)
    history = model.fit(
        _training_dataset(features, targets, _row_weights(labels, class_weight), settings, seed),
        epochs=settings.max_epochs,
        callbacks=[hooks, *callbacks],
        shuffle=False,  # the dataset shuffles itself, seeded
        verbose=0,
    )
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
    from sklearn.metrics import log_loss

    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape[1] == 1:
        probabilities = np.column_stack([1.0 - probabilities[:, 0], probabilities[:, 0]])
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)  # float32 softmax rounding
    return float(log_loss(labels, probabilities, labels=list(range(probabilities.shape[1]))))


def _row_weights(labels: np.ndarray, class_weight: dict[int, float] | None) -> np.ndarray:
    """Per-row loss weights from class weights (all ones without them).

    Every technique feeds (features, target, weight), so one compiled train function serves them all:
    Keras' class_weight argument would change the function's signature and cost a second retrace.
    Keras turns class_weight into these same per-row weights, and with all-ones weights its mean loss
    is the unweighted loss.
    """
    if class_weight is None:
        return np.ones(len(labels), dtype=np.float32)
    lookup = np.array([class_weight.get(code, 1.0) for code in range(int(labels.max()) + 1)], dtype=np.float32)
    return lookup[labels]


def _training_dataset(
    features: np.ndarray, targets: np.ndarray, weights: np.ndarray, settings: ModelSettings, seed: int
):
    """An in-memory tf.data pipeline: about 3x less per-epoch overhead than passing NumPy arrays to fit."""
    import tensorflow as tf

    return (
        tf.data.Dataset.from_tensor_slices((features.astype(np.float32), targets, weights))
        .cache()
        .shuffle(len(targets), seed=seed, reshuffle_each_iteration=True)
        .batch(settings.batch_for(len(targets)))
        .prefetch(2)
    )


class CompiledModels:
    """Reuses compiled models across fits: tracing a new model's train function costs about a second,
    often more than the training itself. Before each fit every variable (weights, dropout seed state,
    optimiser moments) is reset to what a fresh model with that seed would hold, so a reused model
    trains exactly like a fresh one. Starting values are kept per seed, so the techniques of one fold
    share them without building a model each."""

    def __init__(self, capacity: int = 6, starts_capacity: int = 64) -> None:
        self.capacity = capacity
        self.starts_capacity = starts_capacity
        self.models: dict[tuple, object] = {}
        self.starts: dict[tuple, list[np.ndarray]] = {}

    def prepared(
        self, n_features: int, n_classes: int, settings: ModelSettings, focal: dict | None, seed: int, bias: np.ndarray
    ):
        def fresh_model():
            loss = _loss(n_classes, focal)
            return create_mlp_model(n_features, n_classes, settings, bias, loss, seed, STEPS_PER_EXECUTION)

        key = (n_features, n_classes, settings, tuple(sorted((focal or {}).items())))
        start_key = (n_features, n_classes, settings.hidden_units, settings.dropout, seed)
        model = self.models.get(key)
        if model is None:
            model = fresh_model()
            self._remember(self.models, key, model, self.capacity)
            self._remember(self.starts, start_key, [v.numpy() for v in model.variables], self.starts_capacity)
            return model
        values = self.starts.get(start_key)
        if values is None:
            values = [v.numpy() for v in fresh_model().variables]
            self._remember(self.starts, start_key, values, self.starts_capacity)
        for variable, value in zip(model.variables, values, strict=True):
            variable.assign(value)
        model.get_layer("probability").bias.assign(np.asarray(bias, dtype=np.float32))
        for variable in model.optimizer.variables:
            if "learning_rate" not in variable.path:
                variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
        return model

    @staticmethod
    def _remember(store: dict, key: tuple, value, capacity: int) -> None:
        if len(store) >= capacity:
            store.pop(next(iter(store)))
        store[key] = value


def _loss(n_classes: int, focal: dict | None):
    return build_loss(n_classes, focal is not None, **(focal or {}))


_MODELS = CompiledModels()


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
