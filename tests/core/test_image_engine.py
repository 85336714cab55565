"""Images through the engine: the CNN body, image augmentation held to the augmenter family's promises,
techniques that need a feature space refused with a note, the rest working on images."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from imbal_core.data.image_encoder import to_frame
from imbal_core.data.images import load_image_zip
from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.folds import encode_dataset, prepare_fold
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.run.resampling import resample
from imbal_core.stages.sampling import oversampling_targets
from imbal_core.techniques.catalogue import REGISTRY, make_spec
from tests.support.images import bars_zip

SETTINGS = ModelSettings(max_epochs=3, patience=2, batch_size=64)


@pytest.fixture(scope="module")
def image_frame():
    return to_frame(load_image_zip(io.BytesIO(bars_zip(common=60, rare=12)).getvalue(), "bars.zip"))


@pytest.fixture(scope="module")
def image_fold(image_frame):
    data = encode_dataset(image_frame, "class")
    train, test = make_splits(data.codes, Protocol(seed=0))[0]
    return prepare_fold(data, train, test, SETTINGS, seed=5)


def test_every_pixel_is_kept_and_the_encoder_keeps_images_flat(image_frame, image_fold):
    data = encode_dataset(image_frame, "class")
    assert data.image_shape == (10, 10, 1) and len(data.plan.numeric) == 100  # constant pixels are not dropped
    assert image_fold.encoder.modality == "image"
    assert image_fold.test.shape[1] == 100 and image_fold.test.max() <= 1.0  # pixels as they are, not scaled


@pytest.mark.parametrize("ratio", [0.5, 1.0])
def test_image_augmentation_only_adds_minority_images_and_keeps_every_original(image_fold, ratio):
    spec = make_spec("image_augment", {"sampling_ratio": ratio})
    result = resample(spec, image_fold.base_fit, image_fold.fit_codes, image_fold.encoder, seed=3)
    n = len(image_fold.fit_codes)
    np.testing.assert_array_equal(result.source_index[:n], np.arange(n))
    np.testing.assert_array_equal(result.features[:n], image_fold.encoder.encode(image_fold.base_fit))
    targets = oversampling_targets(image_fold.fit_codes, ratio)
    assert set(np.unique(result.labels[result.synthetic])) == set(targets) == {1}
    assert np.bincount(result.labels)[1] == targets[1]
    assert result.features.min() >= 0.0 and result.features.max() <= 1.0
    assert any("Flips are off" in note for note in result.notes)
    again = resample(spec, image_fold.base_fit, image_fold.fit_codes, image_fold.encoder, seed=3)
    np.testing.assert_array_equal(again.features, result.features)


def test_image_augmentation_is_refused_on_a_table(binary_frame):
    from imbal_core.run.evaluate import run_comparison as compare

    result = compare(binary_frame, "label", [make_spec("image_augment")], Protocol(seed=0), SETTINGS).results[0]
    assert result.failed and "image" in result.failed


def test_modalities_say_which_techniques_run_on_images():
    on_images = {technique_id for technique_id, technique in REGISTRY.items() if "image" in technique.modalities}
    assert {"baseline", "class_weight", "focal_loss", "random_over", "random_under", "balanced_bagging"} <= on_images
    assert "image_augment" in on_images and "table" not in REGISTRY["image_augment"].modalities
    for needs_features in ("smote", "adasyn", "tomek", "enn", "near_miss", "noise_augment", "logistic_regression"):
        assert needs_features not in on_images
        assert "not on image data" in REGISTRY[needs_features].refusal(2, "image")


@pytest.mark.slow
def test_a_comparison_on_images_trains_a_cnn_and_refuses_feature_space_samplers(image_frame):
    ids = ["baseline", "image_augment", "class_weight", "focal_loss", "random_over", "random_under", "smote"]
    ids += ["balanced_bagging"]
    specs = [make_spec(technique_id) for technique_id in ids]
    comparison = run_comparison(image_frame, "class", specs, Protocol(seed=0), SETTINGS)
    assert comparison.settings.image_shape == (10, 10, 1)
    assert comparison.settings.to_json()["network"] == "cnn"
    assert comparison.dataset["modality"] == "image"
    for result in comparison.results:
        if result.spec.technique_id == "smote":
            assert "not on image data" in result.failed
            continue
        assert result.failed is None, (result.spec.technique_id, result.failed)
        probabilities = result.probabilities
        assert np.isfinite(probabilities).all() and probabilities.min() >= 0 and probabilities.max() <= 1
    again = run_comparison(image_frame, "class", specs[:2], Protocol(seed=0), SETTINGS)
    for first, second in zip(comparison.results[:2], again.results, strict=True):
        np.testing.assert_array_equal(first.probabilities, second.probabilities)
    assert json.loads(json.dumps(comparison.settings.to_json()))["image_shape"] == [10, 10, 1]
    assert ModelSettings.from_json(comparison.settings.to_json()) == comparison.settings
