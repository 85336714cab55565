"""The rows stage for images: new minority images made with Keras' preprocessing layers.

It follows the stage contract (imbal_core.stages): training rows in, originals kept first, new rows
marked with source_index -1. The rows arrive as flattened pixels (imbal_core.data.images.ImageEncoder) and
leave the same way; cnn.augment_minority_images does the work on the images themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from imbal_core.nets.cnn import AugmentParams, augment_minority_images
from imbal_core.stages.base import ResampleResult, RowKind, RowStage, TechniqueRefused, TrainingRows

AUGMENT_PARAM_NAMES = ("rotation_degrees", "translation", "zoom", "contrast", "flip")


def augment_params(params: Mapping[str, Any]) -> AugmentParams:
    """The augmentation settings among a technique's parameters (defaults for those not given)."""
    return AugmentParams(**{name: params[name] for name in AUGMENT_PARAM_NAMES if name in params})


@dataclass(frozen=True, kw_only=True)
class ImageAugmentRows(RowStage):
    """Appends rotated, shifted, zoomed and contrast-changed copies of minority training images."""

    kind: ClassVar[RowKind] = "augment"
    modalities: ClassVar[tuple[str, ...]] = ("image",)
    title: ClassVar[str] = "Image augmentation"

    def _fit_resample(self, rows: TrainingRows, params: Mapping[str, Any], seed: int) -> ResampleResult:
        shape = getattr(rows.encoder, "image_shape", None)
        if shape is None:
            raise TechniqueRefused(
                "Image augmentation works on images (a ZIP of class folders), not on table rows; "
                "for tables use noise augmentation or an oversampler."
            )
        settings = augment_params(params)
        encoded, labels = rows.encoded(), rows.labels
        images = encoded.reshape(len(encoded), *shape)
        augmented, new_labels, source = augment_minority_images(
            images, labels, params["sampling_ratio"], settings, seed
        )
        n = len(labels)
        added = len(augmented) - n
        if not added:
            note = "Nothing to augment: the classes already meet the ratio."
            return ResampleResult(encoded, labels, np.arange(n), n, "image augmentation", [note])
        notes = [
            f"{added} new minority images made from {len(np.unique(source[n:]))} training images (rotation up to "
            f"±{settings.rotation_degrees:g}°, shift up to {settings.translation:.0%}, zoom up to "
            f"{settings.zoom:.0%}, contrast ±{settings.contrast:.0%}); validation and test images are untouched.",
            *settings.notes(),
        ]
        source_index = np.concatenate([np.arange(n), np.full(added, -1)])
        return ResampleResult(
            augmented.reshape(len(augmented), -1).astype(np.float32),
            new_labels,
            source_index,
            n,
            "image augmentation (Keras preprocessing layers)",
            notes,
        )


IMAGE_AUGMENT = ImageAugmentRows(name="image_augment")
