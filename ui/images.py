"""Image datasets in the dashboard: the Data page's view of loaded images (and converting them to another size),
and the Resample page's originals beside their augmented versions. Reading them is ui/datasets.py's job.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from imbal_core.data.images import ImageDataset, example_indices, profile_images
from imbal_core.nets.cnn import augment_minority_images
from imbal_core.present import charts
from imbal_core.present.verdict_words import imbalance_verdict, severity
from imbal_core.stages.images import augment_params
from ui import feedback, keys
from ui.datasets import Converted, LoadedDataset
from ui.page_state import DATA
from ui.store import store
from ui.widgets import plain

EXAMPLES_PER_CLASS = 8
SIZE_FORM = "image_size_form"


def _resize(loaded: LoadedDataset) -> None:
    """Reload the same ZIP at the size and channels chosen in the form."""
    height, width = DATA.image_height, DATA.image_width
    channels = 1 if DATA.image_channels.startswith("Grayscale") else 3
    _, message = feedback.capture(
        "converting the images", store.switch_to, Converted(loaded, (height, width), channels)
    )
    if message:
        DATA.error = message


def show(loaded: LoadedDataset) -> None:
    """The Data page for images: size and classes, the imbalance, a class histogram, examples per class."""
    dataset: ImageDataset = loaded.images
    profile = profile_images(dataset)
    st.subheader(f"Loaded: {plain(loaded.name)}")
    height, width = dataset.image_size
    images_metric, size_metric, classes_metric, share_metric, ratio_metric = st.columns(5)
    images_metric.metric("Images", f"{profile.rows:,}")
    size_metric.metric("Image size", f"{height}×{width}×{dataset.channels}", help="Height × width × channels.")
    classes_metric.metric("Classes", profile.n_classes)
    share_metric.metric("Minority share", f"{profile.minority_share:.2%}")
    ratio_metric.metric("Imbalance ratio", f"{profile.imbalance_ratio:,.1f} : 1", help="Largest class / smallest.")
    st.info(
        f"**{severity(profile.imbalance_ratio).capitalize()}.** "
        + plain(imbalance_verdict(profile.to_dict()).replace("rows", "images")),
        icon=":material/balance:",
    )
    for warning in profile.warnings:
        st.warning(plain(warning), icon=":material/warning:")
    with st.expander("How the images were read", expanded=False):
        for note in dataset.notes:
            st.markdown(f"- {plain(note)}")
    with st.form(SIZE_FORM):
        st.caption("Every image is converted to one size and channel count before training.")
        left, middle, right = st.columns(3)
        left.number_input("Height (pixels)", 4, 256, height, key=keys.IMAGE_HEIGHT.name)
        middle.number_input("Width (pixels)", 4, 256, width, key=keys.IMAGE_WIDTH.name)
        right.selectbox(
            "Channels",
            ["Grayscale (1)", "Colour (3)"],
            index=0 if dataset.channels == 1 else 1,
            key=keys.IMAGE_CHANNELS.name,
        )
        st.form_submit_button("Convert again", on_click=_resize, args=(loaded,), key="image_convert")
    st.plotly_chart(
        charts.class_histogram(profile.class_counts, "Images per class", profile.minority_class),
        width="stretch",
        key="chart_class_histogram",
    )
    st.subheader("Examples per class")
    for name, rows in example_indices(dataset, EXAMPLES_PER_CLASS).items():
        st.markdown(f"**{plain(name)}** ({profile.class_counts[name]:,} images)")
        st.image([displayable(dataset.images[row]) for row in rows], width=72, caption=[""] * len(rows))


def displayable(image: np.ndarray) -> np.ndarray:
    """An image as Streamlit shows it: 8-bit, 2-D for grayscale."""
    pixels = np.clip(np.asarray(image) * 255.0, 0, 255).astype(np.uint8)
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


@st.cache_data(show_spinner=False, max_entries=8)
def augmentation_pairs(
    digest: str, params_json: str, seed: int, pairs: int, _dataset: ImageDataset
) -> tuple[np.ndarray, np.ndarray, list[str], int]:
    """Originals and augmented versions from the first split's training images, as training makes them.

    Returns (originals, augmented, class of each pair, how many images were added in all).
    """
    # Deferred: imbal_core.run.evaluate imports scikit-learn, which the Data page of images does without.
    from imbal_core.run.folds import ordered_labels
    from imbal_core.run.protocol import Protocol, make_splits

    params = json.loads(params_json)
    names = ordered_labels(pd.Series(_dataset.labels))
    codes = pd.Series(_dataset.labels).map({name: code for code, name in enumerate(names)}).to_numpy()
    train = make_splits(codes, Protocol(seed=seed))[0][0]
    images, labels = _dataset.images[train], _dataset.labels[train]
    augmented, new_labels, source = augment_minority_images(
        images, labels, params["sampling_ratio"], augment_params(params), seed
    )
    shown = np.arange(len(labels), len(augmented))[:pairs]
    return (
        images[source[shown]],
        augmented[shown],
        [str(label) for label in new_labels[shown]],
        len(augmented) - len(labels),
    )


def show_augmentation(loaded, params: dict, seed: int, pairs: int = 8) -> None:
    """The Resample page for image augmentation: originals above, their augmented versions below."""
    originals, augmented, classes, added = augmentation_pairs(
        loaded.digest, json.dumps(params, sort_keys=True), int(seed), pairs, loaded.images
    )
    st.subheader("Originals beside their augmented versions")
    if not added:
        st.info("Nothing to augment: the classes already meet the ratio.", icon=":material/info:")
        return
    st.caption(
        f"{added:,} new images in all, made from training images of the smaller classes only; here the first "
        f"{len(classes)}: each column is one original (top) and the new image made from it (bottom)."
    )
    st.image([displayable(image) for image in originals], width=72, caption=[f"{plain(name)}" for name in classes])
    st.image([displayable(image) for image in augmented], width=72, caption=["augmented"] * len(classes))
