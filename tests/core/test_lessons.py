"""Teaching material: SMOTE's segments, the loss curves (checked against Keras), the quiz's live evidence."""

from __future__ import annotations

import numpy as np
import pytest

from imbal_core.present.lessons import bagging_coverage, balanced_weights, focal_loss_curve, quiz, smote_toy


def test_every_synthetic_row_lies_on_its_segment_between_two_rare_rows():
    toy = smote_toy()
    minority = toy.features[toy.labels == 1]
    assert len(toy.synthetic) == (toy.labels == 0).sum() - (toy.labels == 1).sum()  # SMOTE balanced the toy
    for point, (start, end) in zip(toy.synthetic, toy.segments, strict=True):
        assert any(np.allclose(start, row) for row in minority) and any(np.allclose(end, row) for row in minority)
        direction = end - start
        step = np.dot(point - start, direction) / np.dot(direction, direction)
        assert -1e-9 <= step <= 1 + 1e-9
        np.testing.assert_allclose(start + step * direction, point, atol=1e-9)


def test_focal_loss_curve_matches_keras_binary_focal_crossentropy():
    import keras

    probabilities = np.array([0.05, 0.3, 0.6, 0.95])
    truth = np.ones((len(probabilities), 1))
    for gamma, alpha in ((0.0, None), (2.0, None), (2.0, 0.75)):
        loss = keras.losses.BinaryFocalCrossentropy(
            gamma=gamma, alpha=alpha or 0.25, apply_class_balancing=alpha is not None, reduction=None
        )
        expected = np.asarray(loss(truth, probabilities[:, None]))
        np.testing.assert_allclose(focal_loss_curve(probabilities, gamma, alpha), expected, rtol=1e-4)


def test_quiz_evidence_comes_from_the_loaded_counts():
    questions = quiz({"legit": 975, "fraud": 25}, "is_fraud")
    assert len(questions) == 9
    text = {question.question: question.evidence for question in questions}
    assert (
        "97.5% accuracy and catches 0 of the 25 'fraud' rows" in text["Why is accuracy not enough on imbalanced data?"]
    )
    assert "39.0 to 1" in text["What is data imbalance, and why is it a problem for neural networks?"]
    assert "about 950 synthetic 'fraud' rows" in text["What is SMOTE, and how does it work?"]
    assert "keeps 49% of its cross-entropy loss" in text["What is focal loss, and how does it help?"]


def test_balanced_weights_and_bagging_coverage():
    assert balanced_weights({"a": 90, "b": 10}) == pytest.approx({"a": 100 / 180, "b": 100 / 20})
    assert bagging_coverage(900, 100, 5) == pytest.approx(1 - (1 - 1 / 9) ** 5)


def test_the_leaky_network_takes_the_honest_networks_steps_per_epoch(monkeypatch):
    """The leakage lesson's "only difference" holds for the length of an epoch too: the leaky network's
    epoch is one pass over the honest fold's training rows, not over the larger resampled pool."""
    from imbal_core.nets.model import ModelSettings
    from imbal_core.run.evaluate import leaky_comparison, run_comparison
    from imbal_core.run.network_trainer import NetworkTrainer
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec
    from tests.support.frames import make_binary_frame

    steps: list[int] = []
    original = NetworkTrainer._steps_per_epoch

    def recorded(self, rows):
        steps.append(original(self, rows))
        return steps[-1]

    monkeypatch.setattr(NetworkTrainer, "_steps_per_epoch", recorded)
    frame = make_binary_frame(rows=3000, minority_share=0.1, seed=0)
    settings = ModelSettings(hidden_units=(8,), max_epochs=1, patience=1)
    specs, protocol = [make_spec("random_over")], Protocol(seed=0)
    run_comparison(frame, "label", specs, protocol, settings)
    honest_steps, steps[:] = list(steps), []
    leaky_comparison(frame, "label", specs, protocol, settings)
    assert honest_steps and steps == honest_steps, (honest_steps, steps)


def _scores(rng, labels, signal):
    positive = np.clip(0.3 + signal * labels + rng.normal(0, 0.2, len(labels)), 0.001, 0.999)
    return np.column_stack([1 - positive, positive])


@pytest.mark.parametrize(
    ("leaky_signal", "kind"), [(0.6, "shows"), (0.3, "noise"), (0.05, "lower")], ids=["gain", "same", "loss"]
)
def test_the_leakage_words_follow_the_sign_and_the_noise_of_the_gain(leaky_signal, kind):
    """Under "the gain is leakage" a gain must be there: a negative gain or one within noise says so."""
    from imbal_core.present.lessons import leakage_gains, leakage_verdict

    rng = np.random.default_rng(0)
    labels = np.array([0] * 270 + [1] * 30)
    honest = _scores(rng, labels, 0.3)
    leaky = honest.copy() if kind == "noise" else _scores(rng, labels, leaky_signal)
    metrics = ("pr_auc", "precision", "f1", "mcc")
    gains = leakage_gains(labels, honest, leaky, metrics)
    main = gains[0]
    assert main.low <= main.gain <= main.high
    verdict, words = leakage_verdict(gains, "pr_auc", {"pr_auc": "PR-AUC"}, len(labels))
    assert verdict == kind, (main, words)
    assert ("this gain is leakage" in words) == (kind == "shows")
    if kind != "shows":
        assert "does not show" in words and f"{main.gain:+.3f}" in words


def test_two_equally_good_runs_differ_only_within_noise():
    """Two runs of the same quality on 1,000 test rows: every gain's interval holds 0."""
    from imbal_core.present.lessons import leakage_gains

    rng = np.random.default_rng(1)
    labels = np.array([0] * 900 + [1] * 100)
    gains = leakage_gains(labels, _scores(rng, labels, 0.3), _scores(rng, labels, 0.3), ("pr_auc", "f1"))
    assert all(gain.low < 0 < gain.high for gain in gains)  # two equally good runs: no gain beyond noise


@pytest.mark.parametrize("classes", [2, 3])
def test_the_lessons_quick_metrics_equal_the_engines(classes):
    from imbal_core.present.lessons import _lesson_metrics
    from imbal_core.run.metrics import compute_metrics

    rng = np.random.default_rng(classes)
    labels = rng.integers(0, classes, 200)
    logits = rng.normal(0, 1, (200, classes)).round(1)  # rounded: tied scores too
    logits[np.arange(200), labels] += 1.0
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    quick, engine = _lesson_metrics(labels, probabilities), compute_metrics(labels, probabilities)
    for name in ("pr_auc", "roc_auc", "precision", "recall", "f1", "mcc", "balanced_accuracy"):
        assert quick[name] == pytest.approx(engine[name], abs=1e-12), name


def test_the_medical_samples_leakage_run_is_read_as_no_leak_with_the_falls_named():
    """The issue's run on the medical sample: PR-AUC +0.026 within noise, precision -0.058 beyond it."""
    from imbal_core.present.lessons import LeakageGain, leakage_verdict

    gains = [
        LeakageGain("pr_auc", 0.910, 0.936, 0.0, 0.087),
        LeakageGain("precision", 0.800, 0.742, -0.119, -0.010),
        LeakageGain("f1", 0.800, 0.741, -0.126, -0.012),
    ]
    kind, words = leakage_verdict(gains, "pr_auc", {"pr_auc": "PR-AUC", "precision": "Precision", "f1": "F1"}, 100)
    assert kind == "noise"
    assert "does not show beyond noise" in words and "leakage alone" not in words
    assert "scored lower on Precision -0.058, F1 -0.059" in words
