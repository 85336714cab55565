"""The bundled image sample: reproducible byte for byte, loaded by the same loader as an upload, imbalanced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from imbal_core.data import samples
from imbal_core.data.images import read_and_profile_images
from imbal_core.data.sample_builders import IMAGE_BUILDERS, build_nines_images
from imbal_core.data.sample_writer import write_image_zip

IMAGE_SAMPLE_IDS = [info.id for info in samples.IMAGE_SAMPLES]


@pytest.fixture(scope="module")
def nines():
    return read_and_profile_images(samples.sample_path("nines"))


@pytest.mark.parametrize("sample_id", IMAGE_SAMPLE_IDS)
def test_regenerated_image_zip_is_byte_identical_to_committed(sample_id: str, tmp_path: Path) -> None:
    info = samples.get_sample(sample_id)
    assert info.modality == "image"
    regenerated = write_image_zip(IMAGE_BUILDERS[sample_id](), tmp_path / info.file_name)
    assert regenerated.read_bytes() == samples.sample_path(sample_id).read_bytes(), (
        f"{sample_id}: the generator no longer reproduces the committed file; "
        "run `python sample_data/generate.py` and review the change"
    )


def test_nines_loads_as_uploads_do_with_the_documented_counts(nines) -> None:
    dataset, profile = nines
    assert samples.sample_path("nines").stat().st_size < 2 * 1024 * 1024
    assert dataset.images.shape == (2300, 28, 28, 1)
    assert profile.class_counts == {"other": 2250, "nine": 50}
    assert profile.minority_class == samples.get_sample("nines").minority_label
    assert profile.imbalance_ratio == 45.0
    assert dataset.images.max() == 1.0 and dataset.images.min() == 0.0


def test_nines_are_learnable_but_not_trivially(nines) -> None:
    """Logistic regression on the pixels ranks nines well above chance but not perfectly."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import train_test_split

    dataset, profile = nines
    features = dataset.images.reshape(len(dataset.images), -1)
    is_nine = dataset.labels == "nine"
    scores = []
    for split_seed in range(3):  # about 12 nines per test split: one split is noisy
        train_x, test_x, train_y, test_y = train_test_split(
            features, is_nine, test_size=0.25, stratify=is_nine, random_state=split_seed
        )
        model = LogisticRegression(max_iter=500, C=0.1).fit(train_x, train_y)
        scores.append(average_precision_score(test_y, model.predict_proba(test_x)[:, 1]))
    assert profile.minority_share + 0.2 < np.mean(scores) < 0.95, scores


def test_nines_draw_is_seeded() -> None:
    first = build_nines_images()
    other_seed = build_nines_images(seed=samples.DEFAULT_SEED + 1)
    assert list(first) == list(build_nines_images())
    assert list(first) != list(other_seed)
    assert all(np.array_equal(first[name], image) for name, image in list(first.items())[:5])
