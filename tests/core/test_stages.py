"""Behaviour checks per stage family, run over every registered technique (imbalanced-learn's
utils/estimator_checks.py, for us). Each check states what a family promises and fails when it breaks.

Most checks need no training: the rows stage is called directly, and the engine runs with a fake
`fit_network` that records what each network would have trained on and answers with fixed scores.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.fold_work import run_technique_on_fold
from imbal_core.run.folds import encode_dataset, prepare_fold
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.run.resampling import resample
from imbal_core.stages.base import Stages, TechniqueRefused
from imbal_core.stages.members import samme_round
from imbal_core.stages.sampling import oversampling_targets, undersampling_targets
from imbal_core.stages.scores import shift_logits
from imbal_core.stages.text import needs_free_text
from imbal_core.stages.training import batch_shares, effective_number_weights
from imbal_core.techniques.catalogue import REGISTRY, make_spec
from tests.support.frames import make_binary_frame, make_multiclass_frame
from tests.support.training import TINY_SETTINGS

FRAMES = {
    "binary": (make_binary_frame(rows=300, minority_share=0.12, seed=11), "label"),
    "numeric": (make_binary_frame(rows=300, minority_share=0.12, seed=12).drop(columns="channel"), "label"),
    "multiclass": (make_multiclass_frame(rows=300, seed=13), "kind"),
}
NETWORK_IDS = sorted(technique_id for technique_id, technique in REGISTRY.items() if not technique.is_reference)


def first_fold(name: str):
    frame, target = FRAMES[name]
    data = encode_dataset(frame, target)
    train, test = make_splits(data.codes, Protocol(seed=0))[0]
    return prepare_fold(data, train, test, TINY_SETTINGS, seed=5), len(data.labels)


FOLDS = {name: first_fold(name) for name in FRAMES}


def on_plain_tables(technique) -> bool:
    """Runs on these frames: image-only entries (tests/core/test_image_engine.py) and entries that need a free-text
    column (tests/core/test_text_augment.py) are checked elsewhere."""
    return "table" in technique.modalities and not needs_free_text(technique.stages.rows)


def ids_of_kind(*kinds: str) -> list[str]:
    """Entries of these rows kinds that run on tables without text."""
    return sorted(
        technique_id for technique_id, t in REGISTRY.items() if t.stages.rows.kind in kinds and on_plain_tables(t)
    )


TABLE_IDS = sorted(technique_id for technique_id, t in REGISTRY.items() if on_plain_tables(t))


def rows_out(technique_id: str, data: str, params: dict | None = None):
    fold, _ = FOLDS[data]
    spec = make_spec(technique_id, params)
    return fold, spec, resample(spec, fold.base_fit, fold.fit_codes, fold.encoder, seed=3)


def kept_originals_are_exact(fold, result) -> None:
    kept = result.source_index >= 0
    encoded = fold.encoder.encode(fold.base_fit)
    np.testing.assert_array_equal(result.features[kept], encoded[result.source_index[kept]])
    np.testing.assert_array_equal(result.labels[kept], fold.fit_codes[result.source_index[kept]])


# --- rows stages, one family at a time ------------------------------------------------------------


def test_every_technique_has_a_rows_kind_the_checks_know():
    kinds = {technique.stages.rows.kind for technique in REGISTRY.values()}
    assert kinds <= {"none", "oversample", "undersample", "clean", "hybrid", "augment"}
    assert {"oversample", "undersample", "clean", "hybrid", "augment", "none"} <= kinds  # each family is checked


@pytest.mark.parametrize("data", sorted(FRAMES))
@pytest.mark.parametrize("ratio", [1.0, 0.5])
@pytest.mark.parametrize("technique_id", ids_of_kind("oversample"))
def test_oversamplers_raise_each_smaller_class_to_the_ratio_and_drop_no_row(technique_id, ratio, data):
    fold, spec, result = rows_out(technique_id, data, {"sampling_ratio": ratio})
    before = np.bincount(fold.fit_codes)
    after = np.bincount(result.labels, minlength=len(before))
    targets = oversampling_targets(fold.fit_codes, ratio)
    assert sorted(result.source_index[result.source_index >= 0]) == list(range(len(fold.fit_codes)))  # none dropped
    kept_originals_are_exact(fold, result)
    assert set(np.unique(result.labels[result.synthetic])) <= set(targets)  # new rows only of smaller classes
    for label, count in enumerate(before):
        if label not in targets:
            assert after[label] == count
        elif any("made no new row" in note or "generated no rows" in note for note in result.notes):
            assert after[label] >= count  # the sampler said why it fell short
        elif "ADASYN" in result.method:  # each row's share of new rows is rounded: at most 1/2 off per row
            assert abs(after[label] - targets[label]) <= count / 2
        else:
            assert after[label] == targets[label], (label, after, targets, result.notes)


@pytest.mark.parametrize("data", sorted(FRAMES))
@pytest.mark.parametrize("technique_id", ids_of_kind("undersample"))
def test_undersamplers_bring_larger_classes_down_and_add_no_row(technique_id, data):
    fold, spec, result = rows_out(technique_id, data, {"sampling_ratio": 0.5})
    before = np.bincount(fold.fit_codes)
    after = np.bincount(result.labels, minlength=len(before))
    targets = undersampling_targets(fold.fit_codes, 0.5)
    assert not result.synthetic.any()
    assert len(np.unique(result.source_index)) == len(result.source_index)  # no row twice
    kept_originals_are_exact(fold, result)
    for label, count in enumerate(before):
        if label in targets:
            assert after[label] <= targets[label]  # NearMiss may keep fewer, and says so
            if after[label] < targets[label]:
                assert any("fewer than" in note for note in result.notes)
        else:
            assert after[label] == count  # smaller classes keep every row


@pytest.mark.parametrize("data", sorted(FRAMES))
@pytest.mark.parametrize("technique_id", ids_of_kind("clean"))
def test_cleaning_samplers_only_remove_rows(technique_id, data):
    fold, spec, result = rows_out(technique_id, data)
    assert not result.synthetic.any()
    assert len(np.unique(result.source_index)) == len(result.source_index)
    assert len(result.labels) <= len(fold.fit_codes)
    kept_originals_are_exact(fold, result)
    before, after = np.bincount(fold.fit_codes), np.bincount(result.labels, minlength=len(np.bincount(fold.fit_codes)))
    assert (after <= before).all()


@pytest.mark.parametrize("data", sorted(FRAMES))
@pytest.mark.parametrize("technique_id", ids_of_kind("hybrid"))
def test_hybrids_add_rows_of_smaller_classes_then_only_remove(technique_id, data):
    fold, spec, result = rows_out(technique_id, data)
    targets = oversampling_targets(fold.fit_codes, spec.params["sampling_ratio"])
    added = sum(target - np.bincount(fold.fit_codes)[label] for label, target in targets.items())
    assert set(np.unique(result.labels[result.synthetic])) <= set(targets)
    assert result.synthetic.sum() <= added
    assert len(np.unique(result.source_index[~result.synthetic])) == (~result.synthetic).sum()
    kept_originals_are_exact(fold, result)
    assert any("removed" in note for note in result.notes)


@pytest.mark.parametrize("data", sorted(FRAMES))
@pytest.mark.parametrize("technique_id", ids_of_kind("augment"))
def test_augmenters_only_add_rows_of_smaller_classes_and_keep_every_original(technique_id, data):
    fold, spec, result = rows_out(technique_id, data)
    n = len(fold.fit_codes)
    np.testing.assert_array_equal(result.source_index[:n], np.arange(n))  # originals first, all of them
    kept_originals_are_exact(fold, result)
    targets = oversampling_targets(fold.fit_codes, spec.params["sampling_ratio"])
    assert result.synthetic.sum() > 0
    assert set(np.unique(result.labels[result.synthetic])) <= set(targets)
    after = np.bincount(result.labels)
    for label, target in targets.items():
        assert after[label] == target


@pytest.mark.parametrize("data", sorted(FRAMES))
@pytest.mark.parametrize("technique_id", ids_of_kind("none"))
def test_techniques_without_a_rows_stage_leave_the_rows_exactly_as_they_are(technique_id, data):
    fold, spec, result = rows_out(technique_id, data)
    np.testing.assert_array_equal(result.features, fold.encoder.encode(fold.base_fit))
    np.testing.assert_array_equal(result.labels, fold.fit_codes)
    np.testing.assert_array_equal(result.source_index, np.arange(len(fold.fit_codes)))


# --- the engine with a fake network: what each network would have trained on -----------------------


class Recorder:
    """Stands in for single_fit.fit_network and autoencoder.fit_autoencoder: records each call, scores by column 0."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.autoencoder_rows: list[np.ndarray] = []

    @staticmethod
    def probabilities(features: np.ndarray, n_classes: int) -> np.ndarray:
        logits = np.column_stack(
            [features[:, column % features.shape[1]] * (column + 1) for column in range(n_classes)]
        )
        logits -= logits.max(axis=1, keepdims=True)
        return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

    def fit_network(self, features, labels, validation, validation_labels, n_classes, settings, seed, **kwargs):
        self.calls.append({"features": features.copy(), "labels": labels.copy(), "seed": seed, **kwargs})
        return SimpleNamespace(
            predict=lambda rows: self.probabilities(rows, n_classes),
            history={"loss": [1.0]},
            cancelled=False,
            diverged=False,
        )

    def fit_autoencoder(self, normal, validation, validation_rare, settings, seed, code_units, **kwargs):
        self.autoencoder_rows.append(normal.copy())
        return SimpleNamespace(errors=lambda rows: np.abs(rows[:, 0]) + 0.01, history={"loss": [1.0]})


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    """Networks are not trained: tables' plans are recorded as the trainer turns them into stack members
    (identical plans of a fold are merged before that, as in training), and the stack answers with fixed
    scores; the autoencoder and the one-network path are replaced the same way."""
    import imbal_core.nets.stacked as stacked
    import imbal_core.run.network_trainer as network_trainer
    import imbal_core.stages.members as member_stages
    from imbal_core.run.network_trainer import NetworkTrainer

    fake = Recorder()
    turn_into_member = NetworkTrainer.member

    def recorded_member(trainer, plan, also_predict=None):
        fake.calls.append(
            {
                "features": plan.features.copy(),
                "labels": plan.labels.copy(),
                "seed": plan.seed,
                "focal": plan.loss.focal,
                "class_weight": plan.class_weight,
                "row_weights": plan.row_weights,
                "output_offset": plan.loss.output_offset,
                "class_shares": plan.batches.class_shares,
            }
        )
        return turn_into_member(trainer, plan, also_predict)

    def fixed_stack(members, n_classes, settings, on_epoch=None, should_stop=None):
        return [
            stacked.MemberResult(
                [fake.probabilities(rows, n_classes) for rows in member.predict],
                fake.probabilities(member.validation, n_classes),
                {"loss": [1.0]},
                1,
            )
            for member in members
        ]

    monkeypatch.setattr(NetworkTrainer, "member", recorded_member)
    monkeypatch.setattr(network_trainer, "train_stack", fixed_stack)
    monkeypatch.setattr(network_trainer, "fit_network", fake.fit_network)
    monkeypatch.setattr(member_stages, "fit_autoencoder", fake.fit_autoencoder)
    return fake


def run_on_fold(technique_id: str, data: str, params: dict | None = None):
    fold, n_classes = first_fold(data)  # a fresh fold: nothing remembered from another technique
    snapshot = {name: getattr(fold, name).copy() for name in ("validation", "validation_codes", "test", "test_codes")}
    outcome = run_technique_on_fold(make_spec(technique_id, params), fold, n_classes, TINY_SETTINGS, seed=5)
    return fold, n_classes, snapshot, outcome


def row_set(matrix: np.ndarray) -> set[bytes]:
    return {row.tobytes() for row in np.ascontiguousarray(matrix, dtype=np.float32)}


@pytest.mark.parametrize("data", ["binary", "multiclass"])
@pytest.mark.parametrize("technique_id", TABLE_IDS)
def test_every_technique_leaves_validation_and_test_rows_untouched(technique_id, data, recorder):
    technique = REGISTRY[technique_id]
    if technique.refusal(3 if data == "multiclass" else 2):
        with pytest.raises(TechniqueRefused, match="two classes"):
            run_on_fold(technique_id, data)
        return
    fold, n_classes, snapshot, outcome = run_on_fold(technique_id, data)
    for name, before in snapshot.items():
        np.testing.assert_array_equal(getattr(fold, name), before)  # never resampled, never written to
    assert outcome.test_probabilities.shape == (len(fold.test_codes), n_classes)
    assert outcome.validation_probabilities.shape == (len(fold.validation_codes), n_classes)
    assert np.isfinite(outcome.test_probabilities).all()
    held_out = row_set(fold.test) | row_set(fold.validation)
    for call in recorder.calls:
        assert not row_set(call["features"]) & held_out  # no validation or test row reached training
    for rows in recorder.autoencoder_rows:
        assert not row_set(rows) & held_out


WEIGHTING_IDS = sorted(t for t, technique in REGISTRY.items() if technique.class_weight)


def test_the_weighting_family_is_the_class_weight_and_class_balanced_entries():
    assert WEIGHTING_IDS == ["class_balanced_loss", "class_weight"]


@pytest.mark.parametrize("data", ["binary", "multiclass"])
@pytest.mark.parametrize(
    ("technique_id", "params"),
    [
        ("class_weight", None),
        ("class_weight", {"mode": "manual", "minority_weight": 7.0}),
        ("class_balanced_loss", None),
        ("class_balanced_loss", {"beta": 0.9}),
    ],
)
def test_weighting_techniques_keep_the_rows_and_weigh_classes_as_stated(technique_id, params, data, recorder):
    fold, n_classes, _, _ = run_on_fold(technique_id, data, params)
    (call,) = recorder.calls
    np.testing.assert_array_equal(call["features"], fold.encoder.encode(fold.base_fit))  # rows unchanged
    np.testing.assert_array_equal(call["labels"], fold.fit_codes)
    counts = np.bincount(fold.fit_codes, minlength=n_classes)
    spec = make_spec(technique_id, params)
    if technique_id == "class_weight" and spec.params["mode"] == "balanced":
        expected = len(fold.fit_codes) / (n_classes * counts)
    elif technique_id == "class_weight":
        expected = np.where(np.arange(n_classes) == counts.argmax(), 1.0, 7.0)
    else:  # Cui et al.: proportional to (1 - beta) / (1 - beta^n), mean row weight 1
        beta = spec.params["beta"]
        raw = (1 - beta) / (1 - beta**counts)
        expected = raw * counts.sum() / (raw * counts).sum()
    got = np.array([call["class_weight"][code] for code in range(n_classes)])
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert call["row_weights"] is None and call["class_shares"] is None and call["output_offset"] is None


def test_class_balanced_weights_lie_between_none_and_balanced():
    counts = np.array([900, 90, 9])
    balanced = counts.sum() / (3 * counts)
    for beta in (0.9, 0.99, 0.999, 0.9999):
        weights = effective_number_weights(counts, beta)
        assert (np.diff(weights) > 0).all()  # rarer classes still weigh more
        assert weights[-1] / weights[0] <= balanced[-1] / balanced[0] + 1e-9  # but never more than 'balanced'
    np.testing.assert_allclose(effective_number_weights(counts, 1 - 1e-9), balanced, rtol=1e-4)
    np.testing.assert_allclose(effective_number_weights(counts, 1e-9), np.ones(3), rtol=1e-6)


@pytest.mark.parametrize("data", ["binary", "multiclass"])
@pytest.mark.parametrize("balance", [1.0, 0.5, 0.0])
def test_batch_techniques_keep_the_rows_and_ask_for_the_stated_class_shares(balance, data, recorder):
    fold, n_classes, _, _ = run_on_fold("balanced_batches", data, {"balance": balance})
    (call,) = recorder.calls
    np.testing.assert_array_equal(call["features"], fold.encoder.encode(fold.base_fit))  # the data is unchanged
    np.testing.assert_array_equal(call["labels"], fold.fit_codes)
    counts = np.bincount(fold.fit_codes, minlength=n_classes)
    expected = counts ** (1 - balance) / (counts ** (1 - balance)).sum()
    np.testing.assert_allclose(call["class_shares"], expected)
    if balance == 1.0:
        np.testing.assert_allclose(call["class_shares"], np.full(n_classes, 1 / n_classes))
    if balance == 0.0:
        np.testing.assert_allclose(call["class_shares"], counts / counts.sum())


def test_balanced_batches_really_draw_the_shares_from_tf_data():
    """One epoch of the tf.data pipeline (no training): every batch has the asked composition."""
    from imbal_core.nets.batches import training_batches
    from imbal_core.nets.stacked import rows_per_batch

    labels = np.array([0] * 270 + [1] * 30)
    features = np.arange(len(labels), dtype=np.float32)[:, None]
    settings = ModelSettings(batch_size=32)
    plain = np.concatenate(training_batches(features, labels, settings, 0, None))
    assert sorted(plain) == sorted(labels)  # plain shuffling: each row once per epoch
    for balance, expected in ((1.0, [16, 16]), (0.5, [24, 8]), (0.0, [29, 3])):
        batches = training_batches(features, labels, settings, 0, batch_shares(np.bincount(labels), balance))
        assert len(batches) == int(np.ceil(len(labels) / 32))  # an epoch is as many batches as a pass
        assert all(np.bincount(batch, minlength=2).tolist() == expected for batch in batches), balance
    shares = batch_shares(np.bincount(labels), 1.0)
    first, again = (np.concatenate(training_batches(features, labels, settings, 0, shares)) for _ in range(2))
    np.testing.assert_array_equal(first, again)  # same seed, same batches
    assert rows_per_batch(np.array([0.98, 0.015, 0.005]), 64).tolist() == [62, 1, 1]  # a rare class is never left out


def test_logit_adjustment_offsets_the_logit_by_tau_log_prior_while_training(recorder):
    fold, n_classes, _, outcome = run_on_fold("logit_adjustment", "binary", {"tau": 1.5})
    (call,) = recorder.calls
    counts = np.bincount(fold.fit_codes) + 1e-3
    np.testing.assert_allclose(call["output_offset"], [1.5 * np.log(counts[1] / counts[0])])
    assert call["output_offset"][0] < 0  # the rare class's logit is pushed down while training, so f learns more
    np.testing.assert_array_equal(call["features"], fold.encoder.encode(fold.base_fit))


def test_post_hoc_logit_adjustment_reuses_the_plain_network_and_is_threshold_moving(recorder):
    fold, n_classes = first_fold("binary")
    baseline = run_technique_on_fold(make_spec("baseline"), fold, n_classes, TINY_SETTINGS, seed=5)
    adjusted = run_technique_on_fold(
        make_spec("logit_adjustment", {"mode": "post_hoc", "tau": 1.0}), fold, n_classes, TINY_SETTINGS, seed=5
    )
    assert len(recorder.calls) == 1  # the same plan as the baseline: not trained again
    assert recorder.calls[0]["output_offset"] is None
    plain, moved = baseline.test_probabilities[:, 1], adjusted.test_probabilities[:, 1]
    assert (np.argsort(plain, kind="stable") == np.argsort(moved, kind="stable")).all()  # same ranking
    prior = (np.bincount(fold.fit_codes) + 1e-3) / (len(fold.fit_codes) + 2e-3)
    np.testing.assert_array_equal(moved > 0.5, plain > prior[1])  # threshold moved to the minority share
    np.testing.assert_allclose(adjusted.test_probabilities.sum(axis=1), 1.0)


def test_multiclass_post_hoc_shift_is_a_softmax_of_shifted_logits():
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    offset = np.array([-0.2, 0.3, 1.1])
    expected = np.exp(logits + offset) / np.exp(logits + offset).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(shift_logits(probabilities, offset), expected, rtol=1e-10)


def test_bagging_members_each_train_on_a_balanced_subset(recorder):
    run_on_fold("balanced_bagging", "binary", {"members": 3})
    assert len(recorder.calls) == 3 and len({call["seed"] for call in recorder.calls}) == 3
    for call in recorder.calls:
        counts = np.bincount(call["labels"])
        assert counts[0] == counts[1]


def test_boosting_rounds_undersample_and_weigh_up_the_rows_earlier_rounds_got_wrong(recorder):
    fold, n_classes, _, outcome = run_on_fold("rus_boost", "binary", {"rounds": 3})
    assert 1 <= len(recorder.calls) <= 3
    first = recorder.calls[0]
    assert np.bincount(first["labels"])[0] == np.bincount(first["labels"])[1]  # each round is undersampled
    np.testing.assert_allclose(first["row_weights"], 1.0)  # round 1: every row weighs the same
    assert len(recorder.calls) >= 2, outcome.notes
    encoded = fold.encoder.encode(fold.base_fit)
    wrong = Recorder.probabilities(encoded, n_classes).argmax(axis=1) != fold.fit_codes
    assert 0 < wrong.sum() < len(wrong)
    second = recorder.calls[1]
    positions = {row.tobytes(): index for index, row in enumerate(encoded)}
    index = np.array([positions[row.tobytes()] for row in second["features"]])
    weights = second["row_weights"]
    assert weights[wrong[index]].min() > weights[~wrong[index]].max()  # hard rows weigh more


def test_samme_round_weighs_up_wrong_rows_by_exp_alpha():
    weights = np.full(10, 0.1)
    wrong = np.array([True, True] + [False] * 8)
    alpha, updated, error = samme_round(weights, wrong, 2)
    assert error == pytest.approx(0.2) and alpha == pytest.approx(np.log(4.0))
    assert updated.sum() == pytest.approx(1.0)
    assert updated[0] / updated[5] == pytest.approx(4.0)
    assert updated[wrong].sum() == pytest.approx(0.5)  # AdaBoost: the last member is at chance on new weights


def test_anomaly_autoencoder_trains_on_majority_training_rows_only(recorder):
    fold, n_classes, _, outcome = run_on_fold("anomaly_autoencoder", "binary")
    (rows,) = recorder.autoencoder_rows
    encoded = fold.encoder.encode(fold.base_fit)
    np.testing.assert_array_equal(rows, encoded[fold.fit_codes == 0])
    assert recorder.calls == []  # no classifier network at all
    probabilities = outcome.test_probabilities[:, 1]
    errors = np.abs(fold.test[:, 0]) + 0.01
    assert (np.diff(probabilities[np.argsort(errors)]) >= -1e-12).all()  # the map keeps the error's order
    assert probabilities.min() >= 0 and probabilities.max() <= 1


def test_anomaly_autoencoder_refuses_multiclass_through_the_result_not_a_crash(recorder):
    frame, target = FRAMES["multiclass"]
    specs = [make_spec("anomaly_autoencoder"), make_spec("baseline")]
    comparison = run_comparison(frame, target, specs, Protocol(mode="cv", folds=2), TINY_SETTINGS)
    refused, baseline = comparison.results
    assert refused.failed and "two classes" in refused.failed and refused.failed in refused.notes
    assert refused.fold_metrics == [] and baseline.failed is None and len(baseline.fold_metrics) == 2


# --- contract -----------------------------------------------------------------------------------------


def test_stage_names_are_json_and_pairings_are_checked_once_at_registration():
    from imbal_core.stages import members, scores

    for technique in REGISTRY.values():
        described = technique.to_json()["stages"]
        assert set(described) == {"rows", "weights", "loss", "batches", "members", "scores"}
        assert all(isinstance(name, str) and name for name in described.values())
    with pytest.raises(TypeError, match="anomaly_score"):
        Stages(members=members.AUTOENCODER)  # an anomaly score needs a map to probabilities
    with pytest.raises(TypeError):
        Stages(scores=scores.ANOMALY_TO_PROBABILITY)


def test_every_new_entry_is_a_composition_of_existing_stage_kinds():
    for technique_id in ("balanced_batches", "class_balanced_loss", "logit_adjustment", "rus_boost"):
        technique = REGISTRY[technique_id]
        assert technique.reshapes_scores and technique.refusal(2) is None and technique.refusal(5) is None
    assert REGISTRY["anomaly_autoencoder"].refusal(2) is None
    assert "two classes" in REGISTRY["anomaly_autoencoder"].refusal(3)
    assert not REGISTRY["baseline"].reshapes_scores


# --- "could not generate rows" is said; anything else surfaces ---------------------------------------


def separated_frame() -> pd.DataFrame:
    """Rare rows far from every common row: no rare row has a common neighbour, so ADASYN cannot weigh."""
    rng = np.random.default_rng(0)
    common = rng.normal(size=(200, 2))
    rare = rng.normal(size=(40, 2)) * 0.1 + 50.0
    frame = pd.DataFrame(np.vstack([common, rare]), columns=["x1", "x2"])
    frame["label"] = ["common"] * 200 + ["rare"] * 40
    return frame


def test_adasyn_with_nothing_to_weigh_says_why_and_trains_on_the_rows_as_they_are():
    data = encode_dataset(separated_frame(), "label")
    train, test = make_splits(data.codes, Protocol(seed=0))[0]
    fold = prepare_fold(data, train, test, TINY_SETTINGS, seed=0)
    result = resample(make_spec("adasyn"), fold.base_fit, fold.fit_codes, fold.encoder, seed=0)
    assert len(result.labels) == len(fold.fit_codes)
    (note,) = result.notes
    assert note.startswith("ADASYN generated no rows: no minority row has a neighbour of another class")


def test_other_sampler_errors_surface_instead_of_becoming_a_note(monkeypatch):
    import imblearn.over_sampling as over_sampling

    def broken(self, features, labels):
        raise ValueError("Input contains NaN.")

    monkeypatch.setattr(over_sampling.ADASYN, "_fit_resample", broken)
    fold, _ = FOLDS["numeric"]
    with pytest.raises(ValueError, match="Input contains NaN"):
        resample(make_spec("adasyn"), fold.base_fit, fold.fit_codes, fold.encoder, seed=0)


# --- the logit-adjusted loss, written out, against the bias shift single_fit.py uses ----------------------


@pytest.mark.slow
def test_bias_shift_trains_exactly_like_the_logit_adjusted_loss_written_out():
    """Train one step with cross-entropy on f(x) + offset (the loss as Menon et al. write it) and one with
    single_fit.py's shortcut (bias raised by offset, plain cross-entropy, offset removed after): same weights."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    features = rng.normal(size=(64, 3)).astype(np.float32)
    labels = (rng.random(64) < 0.2).astype(np.float32)
    offset = np.float32(-1.3)

    def model_with_bias(bias: float):
        keras.utils.set_random_seed(0)
        inputs = keras.Input(shape=(3,))
        hidden = keras.layers.Dense(4, activation="relu")(inputs)
        logit = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(bias))(hidden)
        return keras.Model(inputs, logit)

    written_out, shortcut = model_with_bias(0.4), model_with_bias(0.4 + offset)
    for model, shift in ((written_out, offset), (shortcut, np.float32(0.0))):
        optimizer = keras.optimizers.Adam(learning_rate=0.05)
        for _ in range(3):
            with tf.GradientTape() as tape:
                logits = model(features)[:, 0] + shift
                loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
            optimizer.apply_gradients(
                zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables, strict=True)
            )
    shortcut.layers[-1].bias.assign(shortcut.layers[-1].bias - offset)
    for mine, theirs in zip(shortcut.get_weights(), written_out.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)


# --- the new techniques really train: progress, stop, same seed same numbers ------------------------

NEW_TECHNIQUES = [
    ("balanced_batches", None),
    ("class_balanced_loss", None),
    ("logit_adjustment", None),
    ("logit_adjustment", {"mode": "post_hoc"}),
    ("rus_boost", {"rounds": 2}),
    ("anomaly_autoencoder", None),
]


@pytest.mark.slow
@pytest.mark.parametrize(("technique_id", "params"), NEW_TECHNIQUES)
def test_new_techniques_train_report_progress_stop_and_repeat_exactly(technique_id, params):
    from imbal_core.errors import Cancelled

    frame, target = FRAMES["binary"]
    spec = make_spec(technique_id, params)
    stages_seen = []
    alone = run_comparison(
        frame, target, [spec], Protocol(seed=2), TINY_SETTINGS, lambda e: stages_seen.append(e.stage)
    )
    result = alone.results[0]
    assert result.failed is None, result.notes
    assert {"epoch", "stack"} & set(stages_seen)  # progress reaches the page epoch by epoch
    probabilities = result.test_probabilities[0]
    assert np.isfinite(probabilities).all() and ((probabilities >= 0) & (probabilities <= 1)).all()
    after_others = run_comparison(frame, target, [make_spec("smote"), spec], Protocol(seed=2), TINY_SETTINGS).results[1]
    # Beside SMOTE the networks may share a stack: equal up to float32 rounding of the batched products.
    np.testing.assert_allclose(after_others.test_probabilities[0], probabilities, rtol=0, atol=1e-6)
    with pytest.raises(Cancelled):
        run_comparison(frame, target, [spec], Protocol(seed=2), TINY_SETTINGS, should_stop=lambda: True)


def test_independent_members_plan_before_training_and_combine_after():
    """What a stacked trainer (issue 13) relies on: plans first, combined in order, no training in between."""
    fold, n_classes = first_fold("binary")
    for technique_id, expected in (("baseline", 1), ("balanced_bagging", 5), ("rus_boost", None)):
        members = REGISTRY[technique_id].stages.members
        if expected is None:
            assert members.sequential and not members.independent_networks
            continue
        spec = make_spec(technique_id)
        rows = resample(spec, fold.base_fit, fold.fit_codes, fold.encoder, seed=5)
        context = SimpleNamespace(
            network_plan=lambda features, labels, seed: SimpleNamespace(features=features, labels=labels, seed=seed),
            seed=5,
        )
        plans = members.plans(rows, spec.params, context)
        assert len(plans) == expected and len({plan.seed for plan in plans}) == expected
    assert not REGISTRY["anomaly_autoencoder"].stages.members.independent_networks
    assert not REGISTRY["logistic_regression"].stages.members.independent_networks
