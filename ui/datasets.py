"""Turning a bundled sample or an uploaded file into the dataset a session works on, with its target.

Nothing here changes the session: ui/store.py's `switch_to` calls `load` and makes the result the session's
dataset only when it worked. Tables go through ui/cache.py; a ZIP of class folders becomes a frame of pixel
columns that knows its image shape (imbal_core.data.images.to_frame), so the target, the sidebar and the run history
treat images like a table.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import streamlit as st

from imbal_core.data.class_profile import suggest_target
from imbal_core.data.image_encoder import IMAGE_TARGET
from imbal_core.data.image_encoder import to_frame as images_to_frame
from imbal_core.data.images import ImageDataset, ImageProfile, read_and_profile_images
from imbal_core.data.samples import IMAGE_SAMPLES, SAMPLES, get_sample, sample_path
from imbal_core.errors import InputError
from ui import cache

TARGET_CANDIDATE_MAX_CLASSES = 20


@dataclass
class LoadedDataset:
    """The table this session works on, and where it came from."""

    name: str
    source: Literal["sample", "upload"]
    description: str
    digest: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sample_id: str | None = None
    images: ImageDataset | None = None  # when the data is a ZIP of images (ui/images.py shows it)
    raw: bytes | None = None  # the ZIP's bytes, to convert the images again at another size


@dataclass(frozen=True)
class Sample:
    """A bundled sample, by id."""

    sample_id: str


@dataclass(frozen=True)
class Upload:
    """An uploaded file's bytes and name."""

    raw: bytes
    file_name: str


@dataclass(frozen=True)
class Converted:
    """Loaded images read again at another size and channel count."""

    loaded: LoadedDataset
    image_size: tuple[int, int]
    channels: int


Source = Sample | Upload | Converted


@dataclass(frozen=True)
class Loaded:
    """A dataset ready to switch to: the data, the target to start on, and why that target (None: suggested)."""

    dataset: LoadedDataset
    target: str
    notice: str | None = None


def load(source: Source, wanted_target: str | None = None) -> Loaded:
    """Read `source`; raises InputError (a message for a person) when it cannot be used.

    `wanted_target` is an uploaded table's target from a link: used when it profiles, else the suggestion stands."""
    if isinstance(source, Sample):
        return _load_sample(source.sample_id)
    if isinstance(source, Converted):
        loaded = source.loaded
        images = loaded_images(
            loaded.raw,
            loaded.name,
            loaded.source,
            loaded.description,
            loaded.sample_id,
            source.image_size,
            source.channels,
        )
        return Loaded(images, IMAGE_TARGET)
    if is_image_upload(source.file_name):
        return Loaded(loaded_images(source.raw, source.file_name, "upload", "Your uploaded images."), IMAGE_TARGET)
    return _load_table_upload(source.raw, source.file_name, wanted_target)


def _load_sample(sample_id: str) -> Loaded:
    info = get_sample(sample_id)
    if info.modality == "image":
        path = sample_path(info.id)
        return Loaded(loaded_images(path.read_bytes(), info.title, "sample", info.scenario, info.id), IMAGE_TARGET)
    table, digest = cache.read_sample(sample_id)
    loaded = LoadedDataset(info.title, "sample", info.scenario, digest, table.frame, list(table.notes), sample_id)
    cache.dataset_profile(digest, info.target, loaded.frame, tuple(loaded.notes))  # fails loudly before switching
    return Loaded(loaded, info.target)


def _load_table_upload(raw: bytes, file_name: str, wanted_target: str | None) -> Loaded:
    digest = cache.digest_of(raw)
    table = cache.read_upload(digest, file_name, raw, cache.table_limits())
    chosen, notice = usable_target(table.frame, digest, tuple(table.notes))
    loaded = LoadedDataset(file_name, "upload", "Your uploaded file.", digest, table.frame, list(table.notes))
    if wanted_target in [str(column) for column in table.frame.columns]:
        with contextlib.suppress(InputError):
            cache.dataset_profile(digest, wanted_target, table.frame, tuple(table.notes))
            chosen, notice = wanted_target, None
    return Loaded(loaded, chosen, notice)


def usable_target(frame: pd.DataFrame, digest: str, notes: tuple[str, ...]) -> tuple[str, str | None]:
    """The suggested target if it profiles, else the first column that looks like class labels, with a
    notice saying why the suggestion was passed over (a silent switch would surprise people)."""
    suggested = suggest_target(frame)
    # A generator: distinct values are counted column by column only while no target has been found (usually
    # the suggestion works and none is counted; counting every column of a wide table held the server).
    candidates = itertools.chain(
        [suggested],
        (
            str(column)
            for column in reversed(frame.columns)
            if str(column) != suggested and 2 <= frame[column].nunique(dropna=True) <= TARGET_CANDIDATE_MAX_CLASSES
        ),
    )
    first_error = None
    for candidate in candidates:
        try:
            cache.dataset_profile(digest, candidate, frame, notes)
        except InputError as error:
            first_error = first_error or error
            continue
        if candidate == suggested:
            return candidate, None
        return candidate, (
            f"The suggested target column {suggested!r} cannot be used: {first_error} "
            f"{candidate!r} is used instead; if that is not the class to predict, pick another in the Target box."
        )
    raise InputError(
        f"No column of this file can be a class target. For the suggested column: {first_error} "
        "Add a column of class labels (2 to 20 distinct values) and upload the file again."
    )


def sample_choices() -> dict[str, str]:
    return {info.id: info.title for info in SAMPLES + IMAGE_SAMPLES}


# --- images -------------------------------------------------------------------------------------------------------


def is_image_upload(file_name: str) -> bool:
    return file_name.lower().endswith(".zip")


@st.cache_data(show_spinner=False, max_entries=4)
def read_images(
    digest: str, file_name: str, image_size: tuple[int, int] | None, channels: int | None, _raw: bytes
) -> tuple[ImageDataset, ImageProfile]:
    """A ZIP of class folders decoded once per bytes and shape (`digest` keys the cache)."""
    return read_and_profile_images(_raw, file_name, image_size, channels)


def loaded_images(
    raw: bytes,
    file_name: str,
    source: str,
    description: str,
    sample_id: str | None = None,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
) -> LoadedDataset:
    """A LoadedDataset of images (raises InputError when it cannot be read)."""
    shape_key = f":{image_size[0]}x{image_size[1]}" if image_size else ""
    digest = cache.digest_of(raw) + shape_key + (f":c{channels}" if channels else "")
    dataset, profile = read_images(digest, file_name, image_size, channels, raw)
    frame = images_to_frame(dataset)
    return LoadedDataset(
        file_name, source, description, digest, frame, list(profile.notes), sample_id, images=dataset, raw=raw
    )
