"""Images as rows of pixels, so the engine handles them like a table: the table form (one row of pixel
columns per image, the image shape kept in the frame's attrs), back to images for the CNN, and the
fold encoder that uses pixels as they are. Reading image ZIPs is in imbal_core.data.images."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from imbal_core.data.preprocess import ColumnPlan

if TYPE_CHECKING:
    from imbal_core.data.images import ImageDataset


# A table of flattened pixels carries its image shape here, so the engine and the dashboard can hand
# images around as a DataFrame (pandas keeps attrs through copies, row selection and pickling).
IMAGE_SHAPE_ATTR = "image_shape"
IMAGE_TARGET = "class"


def to_frame(dataset: ImageDataset) -> pd.DataFrame:
    """The images as one row of pixel columns each, plus the class in `class`; the shape is in attrs."""
    frame = dataset.flattened()
    frame[IMAGE_TARGET] = dataset.labels
    frame.attrs[IMAGE_SHAPE_ATTR] = (*dataset.image_size, dataset.channels)
    return frame


def image_shape_of(frame: pd.DataFrame) -> tuple[int, int, int] | None:
    """(height, width, channels) when the frame holds flattened images (see to_frame), else None."""
    shape = frame.attrs.get(IMAGE_SHAPE_ATTR)
    return tuple(int(value) for value in shape) if shape is not None else None


def as_images(pixels: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Rows of flattened pixels back to N x height x width x channels float32."""
    return np.asarray(pixels, dtype=np.float32).reshape(-1, *shape)


def image_plan(features: pd.DataFrame):
    """Every pixel column is a numeric feature: none is dropped as constant (the image keeps its shape)."""
    return ColumnPlan(numeric=[str(column) for column in features.columns])


class ImageEncoder:
    """The table encoder's interface for images: pixels are used as they are (0 to 1), nothing is fitted.

    `base` and `encode` give flattened pixels (one row per image), so samplers, bagging subsets and the
    trainer handle images like table rows; the CNN reshapes them to `image_shape` in its first layer.
    """

    modality = "image"
    categorical_indices: list[int] = []
    one_hot = None

    def __init__(self, plan, image_shape: tuple[int, int, int]) -> None:
        self.plan = plan
        self.image_shape = tuple(image_shape)

    @property
    def n_numeric(self) -> int:
        return len(self.plan.numeric)

    def fit(self, training_features: pd.DataFrame) -> ImageEncoder:
        return self

    def base(self, features: pd.DataFrame) -> np.ndarray:
        return features[self.plan.numeric].to_numpy(dtype=np.float64)

    def encode(self, base_matrix: np.ndarray) -> np.ndarray:
        return np.asarray(base_matrix, dtype=np.float32)

    def transform(self, features: pd.DataFrame) -> np.ndarray:
        return self.encode(self.base(features))

    def decode(self, encoded: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.asarray(encoded, dtype=np.float64), columns=self.plan.numeric)
