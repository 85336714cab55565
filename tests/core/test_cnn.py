"""The image CNN and minority image augmentation: shapes, only minority rows added, originals kept, seeded."""

from __future__ import annotations

import numpy as np
import pytest

from imbal_core.errors import ParameterError
from imbal_core.nets.cnn import AugmentParams, CNNSettings, augment_minority_images, create_cnn_model
from imbal_core.nets.model import ModelSettings, build_loss, output_bias


def digit_like(rows_per_class=(20, 4), size=12, seed=0):
    """A bar image per row: majority 'other' horizontal bars, minority 'rare' vertical bars."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, rows in zip(("other", "rare"), rows_per_class, strict=True):
        for _ in range(rows):
            image = np.zeros((size, size, 1), dtype=np.float32)
            position = rng.integers(3, size - 3)
            if label == "rare":
                image[:, position] = 1.0
            else:
                image[position, :] = 1.0
            images.append(image)
            labels.append(label)
    return np.stack(images), np.array(labels)


def test_only_minority_rows_are_added_up_to_the_ratio_and_originals_are_kept():
    images, labels = digit_like((20, 4))
    augmented, new_labels, source_index = augment_minority_images(images, labels, ratio=0.5, seed=1)
    assert augmented.shape == (30, 12, 12, 1) and augmented.dtype == np.float32
    assert np.array_equal(augmented[:24], images) and np.array_equal(new_labels[:24], labels)
    assert np.array_equal(source_index[:24], np.arange(24))
    assert (new_labels[24:] == "rare").all() and (labels[source_index[24:]] == "rare").all()
    assert set(source_index[24:].tolist()) == {20, 21, 22, 23}  # each original used before any is reused
    assert augmented.min() >= 0.0 and augmented.max() <= 1.0
    assert not np.array_equal(augmented[24:], images[source_index[24:]])  # they really were changed
    counts = dict(zip(*np.unique(new_labels, return_counts=True), strict=True))
    assert counts == {"other": 20, "rare": 10}


def test_augmentation_is_seeded():
    images, labels = digit_like((20, 4))
    first = augment_minority_images(images, labels, ratio=1.0, seed=3)
    again = augment_minority_images(images, labels, ratio=1.0, seed=3)
    other = augment_minority_images(images, labels, ratio=1.0, seed=4)
    for left, right in zip(first, again, strict=True):
        assert np.array_equal(left, right)
    assert not np.array_equal(first[0], other[0])


def test_nothing_is_added_when_the_minority_already_reaches_the_ratio():
    images, labels = digit_like((20, 12))
    augmented, new_labels, source_index = augment_minority_images(images, labels, ratio=0.5, seed=0)
    assert len(augmented) == 32 and np.array_equal(source_index, np.arange(32))


def test_flips_are_off_by_default_with_a_note_and_validated():
    params = AugmentParams()
    assert params.flip == "none"
    assert "Flips are off" in params.notes()[0]
    assert "same class" in AugmentParams(flip="horizontal").notes()[0]
    images, labels = digit_like((20, 4))
    only_flip = {"rotation_degrees": 0, "translation": 0, "zoom": 0, "contrast": 0}
    unchanged, _, source_index = augment_minority_images(images, labels, 1.0, only_flip, seed=0)
    assert np.array_equal(unchanged[24:], images[source_index[24:]])  # no flip unless asked
    flipped, _, source_index = augment_minority_images(images, labels, 1.0, {**only_flip, "flip": "vertical"}, seed=0)
    assert np.array_equal(flipped[24:], images[source_index[24:]])  # vertical bars survive vertical flips
    with pytest.raises(ParameterError, match="'flip' should be one of none, horizontal"):
        AugmentParams(flip="sideways")
    with pytest.raises(ParameterError, match=r"'rotation_degrees' should be in the range \[0, 180\]. Got 400"):
        AugmentParams(rotation_degrees=400)
    with pytest.raises(ParameterError, match=r"'ratio' should be in the range \(0, 1\]"):
        augment_minority_images(images, labels, ratio=1.5)


@pytest.mark.slow
def test_cnn_has_the_mlp_output_bias_and_trains_on_images():
    images, labels = digit_like((40, 10))
    codes = (labels == "rare").astype(int)
    settings = ModelSettings()
    model = create_cnn_model(images.shape[1:], 2, settings, output_bias(codes, 2), build_loss(2, False), seed=0)
    assert model.name == "imbalance_lab_cnn"
    assert model.output_shape == (None, 1)
    assert np.allclose(model.get_layer("probability").get_weights()[1], np.log(10 / 40), atol=1e-3)
    same = create_cnn_model(images.shape[1:], 2, settings, output_bias(codes, 2), build_loss(2, False), seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), same.get_weights(), strict=True))
    model.fit(images, codes, epochs=15, batch_size=16, verbose=0)
    probabilities = model.predict(images, verbose=0)[:, 0]
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert probabilities[codes == 1].mean() > probabilities[codes == 0].mean() + 0.3
    multi = create_cnn_model(
        (28, 28, 3), 3, settings, output_bias(np.array([0, 1, 2]), 3), build_loss(3, False), 0, 1, CNNSettings((8,))
    )
    assert multi.output_shape == (None, 3)


def test_cnn_takes_flattened_pixels_when_asked():
    images, labels = digit_like((8, 4))
    codes = (labels == "rare").astype(int)
    model = create_cnn_model(
        images.shape[1:], 2, ModelSettings(), output_bias(codes, 2), build_loss(2, False), 0, flat_input=True
    )
    assert model.input_shape == (None, 144)
    assert model.predict(images.reshape(len(images), -1), verbose=0).shape == (12, 1)


def test_initial_weights_do_not_depend_on_pythons_shared_random_state(monkeypatch):
    """Another thread (a server, a Dask worker's event loop) drawing from `random` between the seeding
    and the layers' creation must not move the starting weights."""
    import random

    import keras

    from imbal_core.nets.model import ModelSettings, create_autoencoder_model

    quiet = [value.numpy() for value in create_autoencoder_model(6, ModelSettings(), 2, 5, 1).weights]
    real_seeding = keras.utils.set_random_seed

    def seeding_then_another_thread_draws(seed):
        real_seeding(seed)
        random.random()

    monkeypatch.setattr(keras.utils, "set_random_seed", seeding_then_another_thread_draws)
    busy = [value.numpy() for value in create_autoencoder_model(6, ModelSettings(), 2, 5, 1).weights]
    for before, after in zip(quiet, busy, strict=True):
        np.testing.assert_array_equal(before, after)
