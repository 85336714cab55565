"""Word-level text augmentation of minority messages: EDA's four operations (Wei & Zou 2019).

"Easy Data Augmentation" makes a new message from a real one by a few small word edits:
- synonym replacement: a word becomes one of its synonyms from the small list bundled with Imbalance Lab
  (imbal_core.stages.text_synonyms; nothing is downloaded), so words the list does not know stay as they are;
- random insertion: a word of the training rows' own text (drawn by how often the training rows use it)
  is put at a random place, so no word of a validation or test row can appear;
- random swap: two words trade places;
- random deletion: one word goes (a message never loses its last word).

Each new message gets about `change_share` x its length edits (at least one), each an operation drawn at
random among those switched on that can apply. Every edit is recorded, so a preview can mark the words
that changed. Seeded with a NumPy Generator: the same rows, settings and seed give the same messages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from imbal_core.stages.sampling import oversampling_targets
from imbal_core.stages.text_synonyms import synonyms

Operation = Literal["synonym", "insertion", "swap", "deletion"]
OPERATIONS: tuple[Operation, ...] = ("synonym", "insertion", "swap", "deletion")
# How a word of the new message came about ("" = as in the original) and what happened to an original word.
AfterMark = Literal["", "synonym", "inserted", "swapped"]
BeforeMark = Literal["", "replaced", "deleted"]

# A token's leading and trailing punctuation (or emoji) stay put when its word is replaced.
_TOKEN_PARTS = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


@dataclass(frozen=True)
class TextAugmentSettings:
    """What the augmenter may do: the share of words changed and which operations are on."""

    change_share: float = 0.1
    synonym_replacement: bool = True
    random_insertion: bool = True
    random_swap: bool = True
    random_deletion: bool = True

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TextAugmentSettings:
        """The settings among a technique's parameters (defaults for those not given)."""
        return cls(**{field.name: params[field.name] for field in fields(cls) if field.name in params})

    @property
    def operations(self) -> tuple[Operation, ...]:
        switches = (self.synonym_replacement, self.random_insertion, self.random_swap, self.random_deletion)
        return tuple(operation for operation, on in zip(OPERATIONS, switches, strict=True) if on)

    def edits_for(self, word_count: int) -> int:
        """Edits for a message of `word_count` words: change_share of them, rounded, and at least one."""
        return max(1, int(self.change_share * word_count + 0.5))


@dataclass(frozen=True)
class TextEdit:
    """One new message: the training row it was made from, its words before and after, and what changed.

    `origin` is the row's position among the training rows given to the augmenter. `before_marks` says
    for each original word whether it was replaced or deleted; `after_marks` says for each new word
    whether it is a synonym, inserted or swapped. `operations` lists the edits in the order made.
    """

    origin: int
    column: str
    before: tuple[str, ...]
    before_marks: tuple[BeforeMark, ...]
    after: tuple[str, ...]
    after_marks: tuple[AfterMark, ...]
    operations: tuple[Operation, ...]

    @property
    def text(self) -> str:
        return " ".join(self.after)

    @property
    def changed_words(self) -> int:
        """New words that differ from the original in word or place (a deleted word is not counted)."""
        return sum(1 for mark in self.after_marks if mark)


@dataclass(frozen=True)
class TextAugmentation:
    """New minority rows: the rows as read with edited text, their labels, origins and edits."""

    frame: pd.DataFrame
    labels: np.ndarray
    origin: np.ndarray
    edits: tuple[TextEdit, ...]
    notes: tuple[str, ...] = ()


@dataclass
class _Word:
    text: str
    mark: AfterMark
    source: int  # position in the original message, -1 for an inserted word


class Vocabulary:
    """The words of one text column of the training rows, drawn by how often those rows use them."""

    def __init__(self, messages: Sequence[str]) -> None:
        counts = Counter(core for message in messages for core in map(_core, str(message).split()) if core)
        self.words = sorted(counts)
        # Cumulative counts: one draw is a binary search, however large the vocabulary.
        self._cumulative = np.cumsum([counts[word] for word in self.words])
        self._lower = {word.lower() for word in self.words}  # the bag of words lower-cases, so compare so

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._lower

    def __len__(self) -> int:
        return len(self.words)

    def draw(self, rng: np.random.Generator) -> str:
        position = rng.integers(int(self._cumulative[-1]))
        return self.words[int(np.searchsorted(self._cumulative, position, side="right"))]


def _parts(token: str) -> tuple[str, str, str]:
    """(leading punctuation, word, trailing punctuation) of a whitespace-separated token."""
    match = _TOKEN_PARTS.match(token)
    return match.group(1), match.group(2), match.group(3)


def _core(token: str) -> str:
    return _parts(token)[1]


def _synonym_for(token: str, rng: np.random.Generator) -> str | None:
    """The token with its word replaced by a bundled synonym (case and punctuation kept), or None."""
    before, word, after = _parts(token)
    choices = synonyms().get(word.lower())
    if not choices:
        return None
    replacement = choices[int(rng.integers(len(choices)))]
    if word[:1].isupper():
        replacement = replacement[:1].upper() + replacement[1:]
    return before + replacement + after


def _applicable(operation: Operation, words: list[_Word], vocabulary: Vocabulary) -> bool:
    if operation == "synonym":
        return any(word.mark in ("", "swapped") and synonyms().get(_core(word.text).lower()) for word in words)
    if operation == "insertion":
        return len(vocabulary) > 0
    return len(words) >= 2  # a swap needs two words; a deletion never removes the last word


def _apply(
    operation: Operation,
    words: list[_Word],
    before_marks: list[BeforeMark],
    vocabulary: Vocabulary,
    rng: np.random.Generator,
) -> None:
    """One edit, in place: `words` is the new message so far, `before_marks` the original's marks."""
    if operation == "synonym":
        candidates = [
            index
            for index, word in enumerate(words)
            if word.mark in ("", "swapped") and synonyms().get(_core(word.text).lower())
        ]
        index = candidates[int(rng.integers(len(candidates)))]
        word = words[index]
        words[index] = _Word(_synonym_for(word.text, rng), "synonym", word.source)
        if word.source >= 0:
            before_marks[word.source] = "replaced"
    elif operation == "insertion":
        position = int(rng.integers(len(words) + 1))
        words.insert(position, _Word(vocabulary.draw(rng), "inserted", -1))
    elif operation == "swap":
        first, second = (int(index) for index in rng.choice(len(words), size=2, replace=False))
        words[first], words[second] = words[second], words[first]
        for index in (first, second):
            if not words[index].mark:
                words[index].mark = "swapped"
    else:
        word = words.pop(int(rng.integers(len(words))))
        if word.source >= 0:
            before_marks[word.source] = "deleted"


def augment_message(
    message: str,
    vocabulary: Vocabulary,
    settings: TextAugmentSettings,
    rng: np.random.Generator,
    origin: int = -1,
    column: str = "",
) -> TextEdit:
    """A new message made from `message` by the settings' operations; the original string is not changed."""
    original = tuple(str(message).split())
    words = [_Word(token, "", position) for position, token in enumerate(original)]
    before_marks: list[BeforeMark] = [""] * len(original)
    done: list[Operation] = []
    for _ in range(settings.edits_for(len(original))):
        possible = [operation for operation in settings.operations if _applicable(operation, words, vocabulary)]
        if not possible:
            break
        operation = possible[int(rng.integers(len(possible)))]
        _apply(operation, words, before_marks, vocabulary, rng)
        done.append(operation)
    return TextEdit(
        origin,
        column,
        original,
        tuple(before_marks),
        tuple(word.text for word in words),
        tuple(word.mark for word in words),
        tuple(done),
    )


def augment_minority_texts(
    frame: pd.DataFrame,
    labels: np.ndarray,
    text_columns: Sequence[str],
    sampling_ratio: float,
    settings: TextAugmentSettings,
    seed: int,
) -> TextAugmentation:
    """New rows for each class below `sampling_ratio` x the largest, made from random rows of that class.

    `frame` holds the training rows as read (only those: insertion draws from their words). Each new row
    copies its origin row's other columns and gets edited text in every column of `text_columns`.
    """
    if not settings.operations:
        raise ValueError(
            "Text augmentation has every operation switched off (synonym replacement, random insertion, swap "
            "and deletion); switch at least one on."
        )
    labels = np.asarray(labels)
    if len(frame) != len(labels):
        raise ValueError(f"Got {len(frame)} training rows but {len(labels)} labels; each row needs one label.")
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels) if len(labels) else np.array([], dtype=int)
    targets = oversampling_targets(labels, sampling_ratio) if len(labels) else {}
    origin = np.array(
        [
            int(row)
            for label, target in targets.items()
            for row in rng.choice(np.flatnonzero(labels == label), size=target - counts[label])
        ],
        dtype=np.int64,
    )
    vocabularies = {column: Vocabulary(frame[column].tolist()) for column in text_columns}
    new_frame = frame.iloc[origin].reset_index(drop=True).copy()
    edits: list[TextEdit] = []
    for column in text_columns:
        column_edits = [
            augment_message(frame[column].iloc[row], vocabularies[column], settings, rng, int(row), column)
            for row in origin
        ]
        new_frame[column] = [edit.text for edit in column_edits]
        edits.extend(column_edits)
    return TextAugmentation(new_frame, labels[origin], origin, tuple(edits), _notes(edits, vocabularies))


def _notes(edits: list[TextEdit], vocabularies: Mapping[str, Vocabulary]) -> tuple[str, ...]:
    """What a person should know about these edits: copies left unchanged, synonyms the model cannot see."""
    notes = []
    unchanged = sum(1 for edit in edits if not edit.operations)
    if unchanged:
        notes.append(
            f"{unchanged} new messages are exact copies: no switched-on operation applied to their words (e.g. "
            "an empty message with insertion off)."
        )
    unseen = {
        word
        for edit in edits
        for word, mark in zip(edit.after, edit.after_marks, strict=True)
        if mark == "synonym" and _core(word) not in vocabularies[edit.column]
    }
    if unseen:
        notes.append(
            f"{len(unseen)} of the synonyms used never occur in the training rows (e.g. "
            f"{', '.join(sorted(unseen)[:3])}); a bag of words fitted on those rows has no column for them, so "
            "for the model such a replacement is a deletion."
        )
    return tuple(notes)
