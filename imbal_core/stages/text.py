"""The rows stage for free text: new minority messages made by word edits (imbal_core.stages.text_augment).

It follows the stage contract (imbal_core.stages): training rows in, originals kept first and exactly as
they were, new rows marked with source_index -1. It needs the training rows as read (TrainingRows.frame,
present when the data has a free-text column): it edits their words, then encodes the new rows with the
fold's encoder, fitted on the training rows only, so the new words are weighed as training words are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from imbal_core.stages.base import ResampleResult, RowKind, RowStage, Stages, TechniqueRefused, TrainingRows
from imbal_core.stages.text_augment import TextAugmentSettings, augment_minority_texts

NO_TEXT_REFUSAL = (
    "Text augmentation edits the words of a free-text column (messages, notes, reviews), and this data has "
    "none: the Data page lists each column's type, and a column counts as text when its values have several "
    "words and many distinct values. For a table without text use noise augmentation or an oversampler; for "
    "images use image augmentation."
)


@dataclass(frozen=True, kw_only=True)
class TextAugmentRows(RowStage):
    """Appends minority messages made by synonym replacement, random insertion, swap and deletion of words."""

    kind: ClassVar[RowKind] = "augment"
    # Free text arrives inside table rows (a column of messages beside the other columns).
    modalities: ClassVar[tuple[str, ...]] = ("table",)
    title: ClassVar[str] = "Text augmentation"
    needs_text: ClassVar[bool] = True

    def _fit_resample(self, rows: TrainingRows, params: Mapping[str, Any], seed: int) -> ResampleResult:
        text_columns = list(getattr(getattr(rows.encoder, "plan", None), "text", None) or [])
        if rows.frame is None or not text_columns:
            raise TechniqueRefused(NO_TEXT_REFUSAL)
        settings = TextAugmentSettings.from_params(params)
        if not settings.operations:
            raise TechniqueRefused(
                "Text augmentation has every operation switched off; switch on at least one of synonym "
                "replacement, random insertion, random swap and random deletion."
            )
        encoded, labels, n = rows.encoded(), rows.labels, len(rows.labels)
        augmentation = augment_minority_texts(
            rows.frame, labels, text_columns, params["sampling_ratio"], settings, seed
        )
        added = len(augmentation.origin)
        if not added:
            note = "Nothing to augment: the classes already meet the ratio; trained on the rows as they are."
            return ResampleResult(encoded, labels, np.arange(n), n, "text augmentation", [note])
        new_features = rows.encoder.encode(rows.encoder.base(augmentation.frame))
        notes = [
            f"{added} new minority messages made from {len(np.unique(augmentation.origin))} training rows "
            f"({', '.join(text_columns)}): about {settings.change_share:.0%} of each message's words changed "
            f"(at least one) by {_operation_list(settings)}. Inserted words come from the training rows only; "
            "validation and test rows are untouched.",
            *augmentation.notes,
        ]
        return ResampleResult(
            np.vstack([encoded, new_features]).astype(np.float32),
            np.concatenate([labels, augmentation.labels]),
            np.concatenate([np.arange(n), np.full(added, -1)]),
            n,
            "text augmentation (EDA word edits)",
            notes,
            origin=np.concatenate([np.full(n, -1), augmentation.origin]),
            text_edits=augmentation.edits,
        )


def _operation_list(settings: TextAugmentSettings) -> str:
    names = {
        "synonym": "synonym replacement",
        "insertion": "random insertion",
        "swap": "random swap",
        "deletion": "random deletion",
    }
    return ", ".join(names[operation] for operation in settings.operations)


def needs_free_text(stage: RowStage) -> bool:
    """True when a rows stage only runs on data with a free-text column (refused, with a reason, otherwise)."""
    return bool(getattr(stage, "needs_text", False))


def refusal_for_data(stages: Stages, n_classes: int, modality: str, text_columns: Sequence[str]) -> str | None:
    """Why a technique's stages cannot run on such data (a sentence), or None.

    Stages.refusal knows the classes and the modality; free text is a column of table data, so a stage
    that needs it is refused here too, before anything runs, in the words the engine would use.
    """
    refusal = stages.refusal(n_classes, modality)
    if refusal is None and needs_free_text(stages.rows) and not text_columns:
        return NO_TEXT_REFUSAL
    return refusal


TEXT_AUGMENT = TextAugmentRows(name="text_augment")
