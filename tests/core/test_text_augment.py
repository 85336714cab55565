"""Text augmentation (`text_augment`): the word edits, the rows stage on a real fold, the engine and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from imbal_core.data.samples import load_sample, sample_path
from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.folds import encode_dataset, prepare_fold
from imbal_core.run.protocol import Protocol, make_splits
from imbal_core.run.resampling import resample
from imbal_core.stages.base import TechniqueRefused
from imbal_core.stages.text import NO_TEXT_REFUSAL, refusal_for_data
from imbal_core.stages.text_augment import (
    TextAugmentSettings,
    Vocabulary,
    augment_message,
    augment_minority_texts,
)
from imbal_core.stages.text_synonyms import synonyms
from imbal_core.techniques.catalogue import REGISTRY, make_spec
from tests.support.frames import make_binary_frame

TEXT_AUGMENT = "text_augment"
SETTINGS = ModelSettings(hidden_units=(16,), max_epochs=3, patience=2, batch_size=128)
ONLY_INSERTION = {"synonym_replacement": False, "random_swap": False, "random_deletion": False}


def small_messages() -> tuple[pd.DataFrame, np.ndarray]:
    """Eight ham and three spam messages, with another column the augmenter must copy as it is."""
    messages = [
        "see you at lunch",
        "running late for dinner sorry",
        "ok call me later",
        "pick up bread and milk",
        "movie tonight at home",
        "thanks for the coffee",
        "kids at school now",
        "game on the weekend",
        "free prize claim now",
        "urgent verify your account",
        "you won cash click link",
    ]
    frame = pd.DataFrame({"hour_sent": np.arange(11.0), "message": messages})
    return frame, np.array([0] * 8 + [1] * 3)


def augmented(settings: TextAugmentSettings, seed: int = 0, ratio: float = 1.0):
    frame, labels = small_messages()
    return augment_minority_texts(frame, labels, ["message"], ratio, settings, seed)


# --- the word edits -----------------------------------------------------------------------------------


def test_only_minority_rows_are_used_and_other_columns_are_copied_from_them():
    frame, labels = small_messages()
    result = augmented(TextAugmentSettings())
    assert len(result.origin) == 5  # three spam grown to eight, the ham count
    assert (labels[result.origin] == 1).all() and (result.labels == 1).all()
    np.testing.assert_array_equal(result.frame["hour_sent"], frame["hour_sent"].iloc[result.origin])
    for edit, row in zip(result.edits, result.origin, strict=True):
        assert edit.origin == row and " ".join(edit.before) == frame["message"].iloc[row]


def test_the_training_rows_given_are_not_changed():
    frame, labels = small_messages()
    before = frame.copy()
    augment_minority_texts(frame, labels, ["message"], 1.0, TextAugmentSettings(change_share=0.5), seed=3)
    pd.testing.assert_frame_equal(frame, before)


def test_same_seed_same_messages_and_another_seed_other_messages():
    settings = TextAugmentSettings(change_share=0.3)
    first, again, other = augmented(settings, 4), augmented(settings, 4), augmented(settings, 5)
    assert first.edits == again.edits
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert first.edits != other.edits


def test_inserted_words_come_from_the_rows_given_only():
    frame, labels = small_messages()
    vocabulary = {word for message in frame["message"] for word in message.split()}
    result = augment_minority_texts(
        frame, labels, ["message"], 1.0, TextAugmentSettings(change_share=0.5, **ONLY_INSERTION), seed=0
    )
    inserted = {word for edit in result.edits for word, mark in zip(edit.after, edit.after_marks, strict=True) if mark}
    assert inserted and inserted <= vocabulary
    assert all(set(edit.operations) == {"insertion"} for edit in result.edits)


def test_change_share_sets_the_number_of_edits():
    rng = np.random.default_rng(0)
    vocabulary = Vocabulary(["alpha beta gamma delta"])
    message = " ".join(f"word{position}" for position in range(20))  # no synonyms: insertion, swap, deletion
    for share, edits in ((0.05, 1), (0.1, 2), (0.25, 5), (0.5, 10)):
        settings = TextAugmentSettings(change_share=share)
        assert settings.edits_for(20) == edits
        edit = augment_message(message, vocabulary, settings, rng)
        assert len(edit.operations) == edits
        assert edit.changed_words <= 2 * edits  # a swap moves two words, every other edit touches one
        assert sum(1 for mark in edit.before_marks if mark) <= edits


def test_empty_and_one_word_messages_are_handled():
    rng = np.random.default_rng(0)
    vocabulary = Vocabulary(["hello there"])
    no_insertion = TextAugmentSettings(random_insertion=False)
    empty = augment_message("", vocabulary, no_insertion, rng)
    assert empty.after == () and empty.operations == ()  # nothing applies to no words: an exact copy
    filled = augment_message("", vocabulary, TextAugmentSettings(**ONLY_INSERTION), rng)
    assert len(filled.after) == 1 and filled.after[0] in ("hello", "there")
    only_deletion = TextAugmentSettings(synonym_replacement=False, random_insertion=False, random_swap=False)
    single = augment_message("zzz", vocabulary, only_deletion, rng)
    assert single.after == ("zzz",)  # the last word is never deleted


def test_an_exact_copy_is_said_in_a_note():
    frame = pd.DataFrame({"message": ["a b", "c d", "e f", "", ""]})
    settings = TextAugmentSettings(random_insertion=False, random_swap=False)
    result = augment_minority_texts(frame, np.array([0, 0, 0, 1, 1]), ["message"], 1.0, settings, seed=0)
    assert len(result.origin) == 1 and any("exact copies" in note for note in result.notes)


def test_non_ascii_and_emoji_survive_and_synonyms_keep_case_and_punctuation():
    rng = np.random.default_rng(1)
    vocabulary = Vocabulary(["café ☕ naïve"])
    only_synonyms = TextAugmentSettings(
        change_share=0.5, random_insertion=False, random_swap=False, random_deletion=False
    )
    edit = augment_message("Free! 🎉 Café ☕ ça va", vocabulary, only_synonyms, rng)
    assert edit.after[0][-1] == "!" and edit.after[0][0].isupper() and edit.after[0] != "Free!"
    assert edit.after[0][:-1].lower() in synonyms()["free"]
    assert edit.after[1:] == ("🎉", "Café", "☕", "ça", "va")
    only_swaps = TextAugmentSettings(
        change_share=0.5, synonym_replacement=False, random_insertion=False, random_deletion=False
    )
    swapped = augment_message("🎉 ☕ ça naïve", vocabulary, only_swaps, rng)
    assert sorted(swapped.after) == sorted(("🎉", "☕", "ça", "naïve")) and swapped.after != swapped.before
    anything = augment_message("naïve ☕ ça", vocabulary, TextAugmentSettings(change_share=0.5), rng)
    assert set(anything.after) <= {"naïve", "☕", "ça", "café"}  # its own words or the vocabulary's


def test_every_operation_off_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="switch at least one on"):
        augmented(TextAugmentSettings(0.1, False, False, False, False))


# --- the rows stage on a real fold -------------------------------------------------------------------


def sms_fold_with_a_word_planted_outside_training(word: str = "xylophone"):
    """The first fold of the sms sample, with `word` added to every validation and test message only."""
    data = encode_dataset(load_sample("sms"), "label")
    train, test = make_splits(data.codes, Protocol(seed=0))[0]
    first = prepare_fold(data, train, test, SETTINGS, seed=7)
    held_out = np.concatenate([test, np.setdiff1d(train, first.fit_rows)])
    data.features.loc[data.features.index[held_out], "message"] += " " + word
    fold = prepare_fold(data, train, test, SETTINGS, seed=7)
    np.testing.assert_array_equal(fold.fit_rows, first.fit_rows)  # the same split and validation slice
    return data, fold


def test_on_a_fold_minority_rows_are_added_and_originals_stay_exactly_as_they_are():
    data, fold = sms_fold_with_a_word_planted_outside_training()
    spec = make_spec(TEXT_AUGMENT, {"sampling_ratio": 1.0, "change_share": 0.5, **ONLY_INSERTION})
    frame_before = fold.fit_frame.copy()
    result = resample(spec, fold.base_fit, fold.fit_codes, fold.encoder, 11, fold.fit_frame)
    n = len(fold.fit_codes)
    np.testing.assert_array_equal(result.features[:n], fold.encoder.encode(fold.base_fit))
    np.testing.assert_array_equal(result.source_index[:n], np.arange(n))
    pd.testing.assert_frame_equal(fold.fit_frame, frame_before)
    minority = int(np.argmin(np.bincount(fold.fit_codes)))
    assert (result.labels[n:] == minority).all() and np.bincount(result.labels)[minority] == n - (
        fold.fit_codes == minority
    ).sum()
    assert (result.origin[n:] >= 0).all() and (fold.fit_codes[result.origin[n:]] == minority).all()
    # The new rows are the edited messages, encoded by the fold's encoder: encode them again and compare.
    new_frame = fold.fit_frame.iloc[result.origin[n:]].reset_index(drop=True).copy()
    new_frame["message"] = [edit.text for edit in result.text_edits]
    np.testing.assert_allclose(result.features[n:], fold.encoder.transform(new_frame), rtol=1e-6)
    # A word of validation and test rows only is never inserted (the plant is real: test rows have it).
    assert all("xylophone" not in edit.after for edit in result.text_edits)
    assert data.features["message"].iloc[fold.test_rows].str.contains("xylophone").all()


def test_a_table_without_text_is_refused_with_a_sentence_and_images_by_modality():
    data = encode_dataset(make_binary_frame(rows=200, minority_share=0.15), "label")
    train, test = make_splits(data.codes, Protocol(seed=0))[0]
    fold = prepare_fold(data, train, test, SETTINGS, seed=1)
    with pytest.raises(TechniqueRefused, match="free-text column"):
        resample(make_spec(TEXT_AUGMENT), fold.base_fit, fold.fit_codes, fold.encoder, 1, fold.fit_frame)
    stages = REGISTRY[TEXT_AUGMENT].stages
    assert refusal_for_data(stages, 2, "table", []) == NO_TEXT_REFUSAL
    assert refusal_for_data(stages, 2, "table", ["message"]) is None
    assert "not on image data" in refusal_for_data(stages, 2, "image", [])
    assert REGISTRY[TEXT_AUGMENT].refusal(2, "image") and "image" not in REGISTRY[TEXT_AUGMENT].modalities


# --- the engine and the CLI on the sms sample ----------------------------------------------------------


@pytest.mark.slow
def test_a_comparison_on_sms_trains_on_more_spam_and_scores_every_test_row():
    frame = load_sample("sms")
    specs = [make_spec("baseline"), make_spec(TEXT_AUGMENT)]
    baseline, augmented_run = run_comparison(frame, "label", specs, Protocol(seed=0), SETTINGS).results
    assert baseline.failed is None and augmented_run.failed is None
    assert augmented_run.probabilities.shape == baseline.probabilities.shape
    assert augmented_run.train_class_counts["spam"] > baseline.train_class_counts["spam"]
    assert augmented_run.train_class_counts["ham"] == baseline.train_class_counts["ham"]
    assert any("new minority messages" in note for note in augmented_run.notes)
    assert 0 <= augmented_run.metrics["pr_auc"] <= 1


@pytest.mark.slow
def test_the_cli_compares_text_augment_on_sms(tmp_path, capsys):
    from imbal_core.cli import main

    out = tmp_path / "sms.json"
    arguments = ["compare", str(sample_path("sms")), "--target", "label", "--techniques", f"baseline,{TEXT_AUGMENT}"]
    arguments += ["--param", f"{TEXT_AUGMENT}.change_share=0.2", "--epochs", "3", "--seed-average", "1"]
    arguments += ["--json", str(out)]
    assert main(arguments) == 0
    document = json.loads(out.read_text())
    baseline, augmented_run = document["results"]
    assert augmented_run["technique"] == TEXT_AUGMENT and augmented_run["params"]["change_share"] == 0.2
    assert augmented_run["failed"] is None and isinstance(augmented_run["metrics"]["pr_auc"], float)
    assert any("new minority messages" in note for note in augmented_run["notes"])
