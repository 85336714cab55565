"""A small Keras CNN for image data, and minority-class image augmentation from Keras' preprocessing layers.

Keras is imported inside the functions, so importing this module is cheap (as in model.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from imbal_core.errors import ParameterError
from imbal_core.nets.model import (  # importing model.py quietens TensorFlow start-up logging
    ModelSettings,
    compiled_classifier,
    probability_layer,
    seeded_glorot,
)

FLIP_MODES = ("none", "horizontal", "vertical", "horizontal_and_vertical")


@dataclass(frozen=True)
class CNNSettings:
    """The convolutional body; the optimiser, dropout and training loop come from ModelSettings.

    Each block is a 3x3 convolution with ReLU followed by 2x2 max pooling; then one dense layer.
    """

    filters: tuple[int, ...] = (8, 16)
    kernel_size: int = 3
    dense_units: int = 32

    def to_json(self) -> dict:
        data = asdict(self)
        data["filters"] = list(self.filters)
        return data


def create_cnn_model(
    image_shape: tuple[int, int, int],
    n_classes: int,
    settings: ModelSettings,
    bias: np.ndarray,
    loss,
    seed: int,
    steps_per_execution: int = 1,
    cnn_settings: CNNSettings | None = None,
    flat_input: bool = False,
):
    """A fresh compiled CNN with the MLP's output layer and compile settings; the same seed gives the
    same initial weights.

    image_shape is (height, width, channels); bias is model.output_bias of the training labels. With
    flat_input the network takes rows of flattened pixels (as the engine passes every modality) and
    reshapes them to images in its first layer.
    """
    # deferred: TensorFlow loads only when training starts
    import keras

    cnn_settings = cnn_settings or CNNSettings()
    keras.utils.set_random_seed(seed)
    image_shape = tuple(int(size) for size in image_shape)
    if flat_input:
        inputs = keras.Input(shape=(math.prod(image_shape),), name="features")
        hidden = keras.layers.Reshape(image_shape, name="image")(inputs)
    else:
        inputs = keras.Input(shape=image_shape, name="image")
        hidden = inputs
    height, width = image_shape[0], image_shape[1]
    for index, filters in enumerate(cnn_settings.filters):
        hidden = keras.layers.Conv2D(
            filters,
            cnn_settings.kernel_size,
            padding="same",
            activation="relu",
            kernel_initializer=seeded_glorot(seed, index),
            name=f"conv_{index}",
        )(hidden)
        if min(height, width) >= 4:  # keep at least 2x2 positions for the next block
            hidden = keras.layers.MaxPooling2D(2, name=f"pool_{index}")(hidden)
            height, width = height // 2, width // 2
    hidden = keras.layers.Flatten(name="flatten")(hidden)
    if settings.dropout > 0:
        hidden = keras.layers.Dropout(settings.dropout, seed=seed, name="dropout_conv")(hidden)
    hidden = keras.layers.Dense(
        cnn_settings.dense_units, activation="relu", kernel_initializer=seeded_glorot(seed, 100), name="hidden_0"
    )(hidden)
    if settings.dropout > 0:
        hidden = keras.layers.Dropout(settings.dropout, seed=seed + 1, name="dropout_0")(hidden)
    outputs = probability_layer(hidden, n_classes, bias, seed, 101)
    return compiled_classifier(inputs, outputs, "imbalance_lab_cnn", settings, loss, steps_per_execution)


@dataclass(frozen=True)
class AugmentParams:
    """How strongly each new image differs from its original (Keras preprocessing-layer factors).

    Flips are off by default: a flipped digit or letter is no longer the same symbol (a mirrored 9 is no
    digit at all), so turn them on only for data where mirror images mean the same class (cats, cells).
    """

    rotation_degrees: float = 10.0
    translation: float = 0.1  # share of the height and width
    zoom: float = 0.1  # share in and out
    contrast: float = 0.1
    flip: str = "none"

    def __post_init__(self) -> None:
        checks = (
            ("rotation_degrees", self.rotation_degrees, 0.0, 180.0),
            ("translation", self.translation, 0.0, 0.5),
            ("zoom", self.zoom, 0.0, 0.9),
            ("contrast", self.contrast, 0.0, 1.0),
        )
        for name, value, low, high in checks:
            if not low <= float(value) <= high:
                raise ParameterError(f"'{name}' should be in the range [{low:g}, {high:g}]. Got {value!r} instead.")
        if self.flip not in FLIP_MODES:
            raise ParameterError(f"'flip' should be one of {', '.join(FLIP_MODES)}. Got {self.flip!r} instead.")

    def notes(self) -> list[str]:
        if self.flip == "none":
            return ["Flips are off: a mirrored digit or letter is a different symbol. Turn them on for photos."]
        return [f"Flips ({self.flip}) are on: right only when a mirror image belongs to the same class."]


def augment_minority_images(
    images: np.ndarray,
    labels: np.ndarray,
    ratio: float,
    params: AugmentParams | dict | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """New images of each minority class, until it has `ratio` x the majority class's count.

    Pass training rows only. The originals come first, unchanged and in order; then the new images,
    each a random rotation, shift, zoom, contrast change (and flip, when on) of one original of its
    class, the originals used in turn from a seeded shuffle. source_index gives, for every output row,
    the input row it is or was made from. Values stay in [0, 1].
    """
    params = params if isinstance(params, AugmentParams) else AugmentParams(**(params or {}))
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    if images.ndim != 4:
        raise ParameterError(f"images should be N x height x width x channels. Got shape {images.shape} instead.")
    if len(images) != len(labels):
        raise ParameterError(f"images and labels differ in length ({len(images)} and {len(labels)}).")
    if not 0 < float(ratio) <= 1:
        raise ParameterError(f"'ratio' should be in the range (0, 1]. Got {ratio!r} instead.")
    classes, counts = np.unique(labels, return_counts=True)
    target = math.floor(float(ratio) * counts.max())
    rng = np.random.default_rng(seed)
    sources = []
    for label, count in zip(classes, counts, strict=True):
        missing = target - count
        if missing <= 0:
            continue
        rows = rng.permutation(np.flatnonzero(labels == label))
        sources.append(np.resize(rows, missing))  # every original once before any twice
    source_index = np.concatenate([np.arange(len(images)), *sources]).astype(np.int64)
    if len(source_index) == len(images):
        return images.copy(), labels.copy(), source_index
    new_images = _transform(images[source_index[len(images) :]], params, seed)
    return (
        np.concatenate([images, new_images]),
        labels[source_index],
        source_index,
    )


def _transform(images: np.ndarray, params: AugmentParams, seed: int, batch_size: int = 256) -> np.ndarray:
    """Apply the random layers in batches; fresh layers with the same seed give the same images."""
    # deferred: TensorFlow loads only when training starts
    import keras

    layers = []
    if params.rotation_degrees > 0:
        layers.append(keras.layers.RandomRotation(params.rotation_degrees / 360.0, fill_mode="nearest", seed=seed))
    if params.translation > 0:
        layers.append(
            keras.layers.RandomTranslation(params.translation, params.translation, fill_mode="nearest", seed=seed + 1)
        )
    if params.zoom > 0:
        layers.append(keras.layers.RandomZoom(params.zoom, params.zoom, fill_mode="nearest", seed=seed + 2))
    if params.flip != "none":
        layers.append(keras.layers.RandomFlip(params.flip, seed=seed + 3))
    if params.contrast > 0:
        layers.append(keras.layers.RandomContrast(params.contrast, value_range=(0.0, 1.0), seed=seed + 4))
    if not layers:
        return images.copy()
    pipeline = keras.Sequential(layers)
    batches = [
        keras.ops.convert_to_numpy(pipeline(images[start : start + batch_size], training=True))
        for start in range(0, len(images), batch_size)
    ]
    return np.clip(np.concatenate(batches), 0.0, 1.0).astype(np.float32)
