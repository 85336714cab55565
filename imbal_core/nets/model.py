"""Small Keras MLP builders. Keras is imported inside the functions, so importing this module is cheap."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field

import numpy as np

from imbal_core.seeds import Role, seed_for

# TensorFlow's C++ start-up chatter (CUDA probes, oneDNN notices) is noise on a CPU machine.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Training steps per call into the compiled train function: fewer Python round trips on small batches.
STEPS_PER_EXECUTION = 32

# The largest table whose networks are averaged over seeds unless the person chooses otherwise: the small-table
# bench (bench/RESULTS.md section 15, tables of 150 to 3,000 rows) found a seed average of 3 lifts every default
# technique there (random undersampling -0.027 -> +0.001 against bc988cf), and on such tables it is cheap: the
# three networks train together in one stack, 1.0 to 1.3 times the time of one (section 15c: the 397-row medical
# sample, 52-55 s -> 56-69 s on a loaded machine). Above this size its help is not measured and it costs more.
SMALL_TABLE_ROWS = 3_000
AUTOMATIC_SEED_AVERAGE = 3  # the average the bench measured on small tables


def automatic_seed_average(rows: int, images: bool = False) -> int:
    """Networks per technique when the person leaves the choice to the engine: 3 for a table of at most
    SMALL_TABLE_ROWS rows (the rows the comparison trains and tests on), else 1. Images always get 1: the
    bench measured tables, and a CNN per seed costs far more than a small MLP."""
    return AUTOMATIC_SEED_AVERAGE if rows <= SMALL_TABLE_ROWS and not images else 1


@dataclass(frozen=True)
class ModelSettings:
    """Network and optimiser settings; the defaults are tuned for speed on CPU (see bench/RESULTS.md).

    On CPU a step of a network this small costs about the same whatever the batch size (op dispatch
    dominates), so large batches with a higher learning rate reach the same PR-AUC in far less time.
    """

    hidden_units: tuple[int, ...] = (64, 32)
    dropout: float = 0.1
    learning_rate: float = 1e-2
    batch_size: int = 256
    max_epochs: int = 60
    patience: int = 5
    validation_fraction: float = 0.2
    # (height, width, channels) for image data: the network body is then imbal_core.nets.cnn's CNN, fed the
    # flattened pixels; None for tables (the MLP above). Set by the engine from the data, not by people.
    image_shape: tuple[int, int, int] | None = None
    # Networks per plan, each from its own seed, probabilities averaged (bench/RESULTS.md §12, §15). Always the
    # value used; the CLI and the dashboard resolve "automatic" to it with automatic_seed_average.
    seed_average: int = 1
    # True when seed_average above 1 came from automatic_seed_average rather than from the person (an automatic
    # 1 averages nothing and is recorded as a plain 1). It changes no training, so it stays out of equality and
    # repr (the trainer's digests), and it is written only when true (to_json; imbal_core.store.serialize reads
    # `omit_when_default`): the record of a chosen or unaveraged run keeps its old shape.
    seed_average_automatic: bool = field(default=False, compare=False, repr=False, metadata={"omit_when_default": True})

    def __post_init__(self) -> None:
        if self.seed_average_automatic and self.seed_average == 1:
            object.__setattr__(self, "seed_average_automatic", False)

    def batch_for(self, rows: int) -> int:
        """The batch size used for `rows` training rows: at most a quarter of them, so small data still
        gets several steps per epoch."""
        return max(16, min(self.batch_size, math.ceil(rows / 4)))

    def to_json(self) -> dict:
        data = asdict(self)
        data["hidden_units"] = list(self.hidden_units)
        if self.seed_average == 1:  # the default says nothing: documents from before it stay the same
            del data["seed_average"]
        if not self.seed_average_automatic:  # chosen: documents keep the shape they had before it
            del data["seed_average_automatic"]
        if self.image_shape is None:
            del data["image_shape"]
        else:  # named in every result: a CNN trained on these images
            data.update(network="cnn", image_shape=list(self.image_shape))
        return data

    @classmethod
    def from_json(cls, data: dict) -> ModelSettings:
        values = dict(data)
        values.pop("network", None)
        if "hidden_units" in values:
            values["hidden_units"] = tuple(int(units) for units in values["hidden_units"])
        if values.get("image_shape") is not None:
            values["image_shape"] = tuple(int(size) for size in values["image_shape"])
        return cls(**values)


def output_bias(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Initial output bias from the class priors of the rows the network trains on.

    Binary: log(pos / neg) for the single sigmoid unit; multi-class: log(prior) per softmax unit.
    """
    counts = np.bincount(labels, minlength=n_classes).astype(float) + 1e-3  # a class may be absent after cleaning
    if n_classes == 2:
        return np.array([np.log(counts[1] / counts[0])])
    return np.log(counts / counts.sum())


def seeded_glorot(seed: int, layer: int):
    """Keras' default kernel initializer with its own seed: without one, Keras draws a seed from Python's
    shared `random` state, which any other thread (a server, a Dask worker's event loop) also moves."""
    # deferred: TensorFlow loads only when training starts
    import keras

    return keras.initializers.GlorotUniform(seed=seed_for(seed, Role.KERNEL, layer))


def dropout_seed(seed: int, layer: int) -> int:
    """A Keras Dropout layer's own seed (`seed + layer` would be the next network's seed plus one)."""
    return seed_for(seed, Role.DROPOUT_LAYER, layer)


def build_loss(n_classes: int, focal: bool, gamma: float = 2.0, alpha: float = 0.25, balance_classes: bool = False):
    """Cross-entropy, or Keras' built-in focal cross-entropy (binary or categorical)."""
    # deferred: TensorFlow loads only when training starts
    import keras

    if n_classes == 2:
        if focal:
            return keras.losses.BinaryFocalCrossentropy(gamma=gamma, alpha=alpha, apply_class_balancing=balance_classes)
        return keras.losses.BinaryCrossentropy()
    if focal:
        # Categorical focal loss takes one-hot labels; single_fit.py one-hot encodes when it is used.
        return keras.losses.CategoricalFocalCrossentropy(gamma=gamma, alpha=alpha)
    return keras.losses.SparseCategoricalCrossentropy()


def create_mlp_model(
    n_features: int,
    n_classes: int,
    settings: ModelSettings,
    bias: np.ndarray,
    loss,
    seed: int,
    steps_per_execution: int,
):
    """A fresh compiled MLP; the same seed gives the same initial weights."""
    # deferred: TensorFlow loads only when training starts
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(n_features,), name="features")
    hidden = inputs
    for index, units in enumerate(settings.hidden_units):
        hidden = keras.layers.Dense(
            units, activation="relu", kernel_initializer=seeded_glorot(seed, index), name=f"hidden_{index}"
        )(hidden)
        if settings.dropout > 0:
            hidden = keras.layers.Dropout(settings.dropout, seed=dropout_seed(seed, index), name=f"dropout_{index}")(
                hidden
            )
    outputs = probability_layer(hidden, n_classes, bias, seed, len(settings.hidden_units))
    return compiled_classifier(inputs, outputs, "imbalance_lab_mlp", settings, loss, steps_per_execution)


def probability_layer(hidden, n_classes: int, bias: np.ndarray, seed: int, layer: int):
    """The head every classifier (MLP, CNN) ends with: one sigmoid unit (binary) or a softmax unit per class,
    its bias starting at `bias` (output_bias), named "probability" (the trainer resets that bias by name)."""
    # deferred: TensorFlow loads only when training starts
    import keras

    units, activation = (1, "sigmoid") if n_classes == 2 else (n_classes, "softmax")
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=seeded_glorot(seed, layer),
        bias_initializer=keras.initializers.Constant(bias),
        name="probability",
    )(hidden)


def compiled_classifier(inputs, outputs, name: str, settings: ModelSettings, loss, steps_per_execution: int):
    """The classifier from `inputs` to `outputs`, compiled as every classifier here is: Adam, `loss`, no XLA."""
    # deferred: TensorFlow loads only when training starts
    import keras

    model = keras.Model(inputs, outputs, name=name)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss=loss,
        steps_per_execution=steps_per_execution,
        # XLA compilation costs seconds per model on CPU and buys nothing for a network this small.
        jit_compile=False,
    )
    return model


def create_autoencoder_model(
    n_features: int, settings: ModelSettings, code_units: int, seed: int, steps_per_execution: int
):
    """A fresh compiled autoencoder: the first hidden width, a narrow code, the same width back, then the
    input again (linear). Mean squared error; same seed, same initial weights."""
    # deferred: TensorFlow loads only when training starts
    import keras

    keras.utils.set_random_seed(seed)
    width = settings.hidden_units[0] if settings.hidden_units else 32
    inputs = keras.Input(shape=(n_features,), name="features")
    hidden = keras.layers.Dense(width, activation="relu", kernel_initializer=seeded_glorot(seed, 0), name="encoder")(
        inputs
    )
    code = keras.layers.Dense(code_units, kernel_initializer=seeded_glorot(seed, 1), name="code")(hidden)
    hidden = keras.layers.Dense(width, activation="relu", kernel_initializer=seeded_glorot(seed, 2), name="decoder")(
        code
    )
    outputs = keras.layers.Dense(n_features, kernel_initializer=seeded_glorot(seed, 3), name="reconstruction")(hidden)
    model = keras.Model(inputs, outputs, name="imbalance_lab_autoencoder")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss="mse",
        steps_per_execution=steps_per_execution,
        jit_compile=False,
    )
    return model
