"""Stacked training (imbal_core.nets.stacked): a member trains as it would alone, whatever trains beside it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score
from sklearn.metrics import log_loss as sklearn_log_loss

from imbal_core.nets.model import ModelSettings, output_bias
from imbal_core.nets.stacked import Member, average_precision, log_loss, train_stack
from imbal_core.nets.stacked_functions import _row_losses

SETTINGS = ModelSettings(hidden_units=(16, 8), dropout=0.2, batch_size=64, max_epochs=12, patience=3)
# A batched matrix product may round differently with a member's place in the stack (oneDNN and Eigen
# pick their blocking by shape), so the last bits of float32 can move: 1e-6 on a probability is far
# below anything a metric shows, and far above the 1e-7 differences measured.
TOLERANCE = 1e-6


def table(rows: int, seed: int, minority: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    random = np.random.default_rng(seed)
    features = random.normal(size=(rows, 6)).astype(np.float32)
    labels = (features[:, 0] + 0.5 * features[:, 1] + random.normal(size=rows) > 2.0 - minority).astype(int)
    return features, labels


def member(rows: int, seed: int, **options) -> Member:
    features, labels = table(rows, seed)
    validation, validation_labels = table(200, seed + 100)
    return Member(
        features,
        labels,
        np.ones(rows, np.float32),
        output_bias(labels, 2),
        seed,
        validation,
        validation_labels,
        [validation],
        **options,
    )


@pytest.mark.slow
def test_a_member_trains_the_same_alone_and_in_a_stack():
    subject = member(600, seed=1)
    (alone,) = train_stack([subject], 2, SETTINGS)
    neighbours = [
        member(2000, seed=2),  # more rows: more steps per epoch than the subject
        member(150, seed=3, gamma=2.0, positive_weight=0.25, negative_weight=0.75),  # focal, fewer steps
        member(600, seed=4, class_shares=np.array([0.5, 0.5])),  # balanced batches
        member(600, seed=5, output_offset=np.array([-1.0])),
    ]
    results = train_stack([neighbours[0], subject, *neighbours[1:]], 2, SETTINGS)
    stacked = results[1]
    assert len({result.epochs_run for result in results}) > 1  # members stopped at different epochs
    assert stacked.epochs_run == alone.epochs_run
    np.testing.assert_allclose(stacked.predictions[0], alone.predictions[0], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(stacked.history["loss"], alone.history["loss"], rtol=1e-5)
    again = train_stack([subject], 2, SETTINGS)[0]  # the same stack: the same numbers, to the bit
    np.testing.assert_array_equal(again.predictions[0], alone.predictions[0])


@pytest.mark.slow
def test_each_member_has_its_own_seed_and_a_stopped_member_keeps_its_best_weights():
    first, second = train_stack([member(600, seed=1), member(600, seed=9)], 2, SETTINGS)
    assert not np.allclose(first.predictions[0], second.predictions[0])
    patient = ModelSettings(**{**SETTINGS.__dict__, "patience": 100})
    (longer,) = train_stack([member(600, seed=1)], 2, patient)
    assert longer.epochs_run == patient.max_epochs >= first.epochs_run
    # The validation scores the member reports are those of its best epoch, not its last.
    best_epoch = int(np.argmax(first.history["val_pr_auc"]))
    assert average_precision(member(600, seed=1).validation_labels, first.validation[:, 1]) == pytest.approx(
        first.history["val_pr_auc"][best_epoch], abs=1e-6
    )


def test_average_precision_and_log_loss_match_scikit_learn():
    random = np.random.default_rng(0)
    for _ in range(20):
        labels = (random.random(300) < 0.15).astype(int)
        scores = np.round(random.random(300), 2)  # many ties
        assert average_precision(labels, scores) == pytest.approx(average_precision_score(labels, scores), abs=1e-12)
        probabilities = np.column_stack([1 - scores, scores]).clip(0, 1)
        assert log_loss(labels, probabilities) == pytest.approx(sklearn_log_loss(labels, probabilities), rel=1e-9)


def test_the_losses_are_keras_focal_losses_and_gamma_zero_is_cross_entropy():
    import keras
    import tensorflow as tf

    random = np.random.default_rng(1)
    logits = random.normal(scale=2.0, size=(3, 40, 1)).astype(np.float32)
    labels = (random.random((3, 40)) < 0.3).astype(np.int64)
    gamma = tf.constant([0.0, 2.0, 2.0])
    positive = tf.constant([1.0, 1.0, 0.25])
    negative = tf.constant([1.0, 1.0, 0.75])
    ours = _row_losses(tf.constant(logits), tf.constant(labels), True, gamma, positive, negative, tf.ones(3)).numpy()
    probabilities = tf.sigmoid(logits)
    keras_losses = [
        keras.losses.BinaryCrossentropy(reduction=None),
        keras.losses.BinaryFocalCrossentropy(gamma=2.0, reduction=None),
        keras.losses.BinaryFocalCrossentropy(gamma=2.0, alpha=0.25, apply_class_balancing=True, reduction=None),
    ]
    for member_index, loss in enumerate(keras_losses):
        expected = loss(labels[member_index][:, None].astype(np.float32), probabilities[member_index]).numpy()
        np.testing.assert_allclose(ours[member_index], expected, rtol=1e-4, atol=1e-5)
    classes = random.normal(size=(2, 30, 4)).astype(np.float32)
    codes = random.integers(0, 4, size=(2, 30)).astype(np.int64)
    multi = _row_losses(
        tf.constant(classes),
        tf.constant(codes),
        False,
        tf.constant([0.0, 2.0]),
        tf.ones(2),
        tf.ones(2),
        tf.constant([1.0, 0.25]),
    ).numpy()
    one_hot = np.eye(4, dtype=np.float32)[codes]
    softmax = tf.nn.softmax(classes).numpy()
    plain = keras.losses.CategoricalCrossentropy(reduction=None)(one_hot[0], softmax[0]).numpy()
    focal = keras.losses.CategoricalFocalCrossentropy(gamma=2.0, alpha=0.25, reduction=None)(one_hot[1], softmax[1])
    np.testing.assert_allclose(multi[0], plain, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(multi[1], focal.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_a_diverging_member_is_reported_and_its_neighbour_is_untouched():
    healthy = member(600, seed=1)
    (alone,) = train_stack([healthy], 2, SETTINGS)
    exploding = member(600, seed=2, learning_rate=1e30)
    broken, beside = train_stack([exploding, healthy], 2, SETTINGS)
    assert broken.diverged and not beside.diverged
    np.testing.assert_allclose(beside.predictions[0], alone.predictions[0], rtol=0, atol=TOLERANCE)


@pytest.mark.slow
def test_large_data_takes_the_compiled_epoch_with_the_same_numbers(monkeypatch):
    """Stacks whose networks all train on many rows run an XLA-compiled epoch (fused kernels); lowered
    here so a small table takes that path. Fusion may round differently, nothing more."""
    import imbal_core.nets.stacked as stacked

    subject, neighbour = member(600, seed=1), member(900, seed=2)
    plain = train_stack([subject, neighbour], 2, SETTINGS)
    monkeypatch.setattr(stacked, "COMPILED_ROWS", 100)
    compiled = train_stack([subject, neighbour], 2, SETTINGS)
    again = train_stack([subject, neighbour], 2, SETTINGS)
    for fused, unfused, repeated in zip(compiled, plain, again, strict=True):
        np.testing.assert_array_equal(fused.predictions[0], repeated.predictions[0])  # deterministic
        assert fused.epochs_run == unfused.epochs_run
        np.testing.assert_allclose(fused.predictions[0], unfused.predictions[0], rtol=0, atol=1e-4)


@pytest.mark.slow
def test_a_seed_average_trains_several_networks_per_plan_and_averages_them():
    from dataclasses import replace

    from imbal_core.run.network_trainer import NetworkTrainer
    from imbal_core.seeds import Role, seed_for
    from imbal_core.stages.base import NetworkPlan

    features, labels = table(600, seed=1)
    validation, validation_labels = table(200, seed=101)
    plan = NetworkPlan(features, labels, seed=3)
    averaged = NetworkTrainer(validation, validation_labels, validation, 2, replace(SETTINGS, seed_average=3)).fit(plan)
    seeds = [3, seed_for(3, Role.SEED_AVERAGE, 1), seed_for(3, Role.SEED_AVERAGE, 2)]
    alone = [
        NetworkTrainer(validation, validation_labels, validation, 2, SETTINGS).fit(replace(plan, seed=seed))
        for seed in seeds
    ]
    assert not np.allclose(alone[0].test, averaged.test)  # two more networks joined the first
    np.testing.assert_allclose(averaged.test, np.mean([network.test for network in alone], axis=0), atol=TOLERANCE)
    assert ModelSettings.from_json(replace(SETTINGS, seed_average=3).to_json()).seed_average == 3
    assert "seed_average" not in SETTINGS.to_json()  # the default leaves saved documents as they were
