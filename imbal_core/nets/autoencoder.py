"""The anomaly-detection member: an autoencoder fitted on normal rows, scoring rows by reconstruction error."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from imbal_core.nets.model import STEPS_PER_EXECUTION, ModelSettings, create_autoencoder_model
from imbal_core.nets.single_fit import PREDICT_CHUNK, EpochHook, StopCheck, configure_tensorflow, raise_if_stopped
from imbal_core.seeds import Role, seed_for


@dataclass
class TrainedAutoencoder:
    """An autoencoder fitted on normal rows; `errors` scores rows by how badly it reconstructs them."""

    model: object
    history: dict[str, list[float]] = field(default_factory=dict)

    def errors(self, features: np.ndarray) -> np.ndarray:
        return reconstruction_errors(self.model, features)


def reconstruction_errors(model, features: np.ndarray) -> np.ndarray:
    """Mean squared reconstruction error per row, through the compiled predict function in chunks."""
    features = features.astype(np.float32)
    errors = [
        np.mean((model.predict_on_batch(chunk) - chunk) ** 2, axis=1)
        for chunk in (features[start : start + PREDICT_CHUNK] for start in range(0, len(features), PREDICT_CHUNK))
    ]
    return np.concatenate(errors).astype(np.float64) if errors else np.zeros(0)


def fit_autoencoder(
    normal_features: np.ndarray,
    validation_features: np.ndarray,
    validation_rare: np.ndarray,
    settings: ModelSettings,
    seed: int,
    code_units: int,
    on_epoch: EpochHook | None = None,
    should_stop: StopCheck | None = None,
) -> TrainedAutoencoder:
    """Train an autoencoder on `normal_features` (majority-class training rows only).

    Early stopping watches the validation rows: the PR-AUC of the reconstruction error against
    `validation_rare` (1 = rare) when both kinds are there, else the error on the normal validation rows.
    Raises Cancelled on a stop request and FloatingPointError on a NaN loss, like the networks.
    """
    import keras  # deferred: TensorFlow loads only when training starts
    import tensorflow as tf
    from sklearn.metrics import average_precision_score  # deferred: the pages that list techniques stay light

    configure_tensorflow()
    keras.utils.set_random_seed(seed)
    model = create_autoencoder_model(normal_features.shape[1], settings, code_units, seed, STEPS_PER_EXECUTION)
    validation = validation_features.astype(np.float32)
    has_both = 0 < validation_rare.sum() < len(validation_rare)
    state = {"diverged": False, "cancelled": False}

    class Hooks(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs if logs is not None else {}
            errors = np.mean((self.model.predict_on_batch(validation) - validation) ** 2, axis=1)
            finite = np.isfinite(errors).all()
            normal = validation_rare == 0
            logs["val_loss"] = float(errors[normal].mean()) if finite and normal.any() else math.nan
            logs["val_pr_auc"] = float(average_precision_score(validation_rare, errors)) if has_both and finite else 0.0
            if not math.isfinite(float(logs.get("loss", 0.0))) or not finite:
                state["diverged"] = True
                self.model.stop_training = True
            if on_epoch is not None:
                on_epoch(epoch, logs)
            if should_stop is not None and should_stop():
                state["cancelled"] = True
                self.model.stop_training = True

    monitor, mode = ("val_pr_auc", "max") if has_both else ("val_loss", "min")
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=monitor, mode=mode, patience=settings.patience, restore_best_weights=True
    )
    features = normal_features.astype(np.float32)
    dataset = (
        tf.data.Dataset.from_tensor_slices((features, features))
        .cache()
        .shuffle(len(features), seed=seed_for(seed, Role.SHUFFLE), reshuffle_each_iteration=True)
        .batch(settings.batch_for(len(features)))
        .prefetch(2)
    )
    history = model.fit(
        dataset, epochs=settings.max_epochs, callbacks=[Hooks(), early_stopping], shuffle=False, verbose=0
    )
    raise_if_stopped(state["cancelled"], state["diverged"])
    return TrainedAutoencoder(
        model, {name: [float(value) for value in values] for name, values in history.history.items()}
    )
