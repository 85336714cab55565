"""Data: pick a sample or upload a table, choose the target, see how imbalanced it is."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from imbal_core.data.samples import get_sample
from imbal_core.present import charts
from imbal_core.present.verdict_words import imbalance_verdict, severity
from ui import cache, datasets, feedback, images, keys, links
from ui.datasets import Sample, Upload
from ui.link import DEFAULT_SAMPLE
from ui.page_state import DATA
from ui.store import store
from ui.widgets import plain, visible, visible_frame

PREVIEW_ROWS = 200
SAMPLE_TAB, UPLOAD_TAB = "Bundled sample", "Upload your own"


def _load_chosen_sample() -> None:
    DATA.last_action = "sample"
    _, message = feedback.capture("loading the sample", store.switch_to, Sample(DATA.sample))
    if message:
        DATA.error = message


def _accept_upload() -> None:
    uploaded = DATA.upload
    DATA.last_action = "upload"
    if uploaded is None:  # the file was removed from the widget: keep the data already loaded
        return
    _, message = feedback.capture(
        f"reading {uploaded.name}", store.switch_to, Upload(uploaded.getvalue(), uploaded.name)
    )
    if message:
        DATA.error = message


def _choose_target() -> None:
    chosen = DATA.target
    _, message = feedback.capture(f"using {chosen!r} as the target", lambda: store.switch_to(target=chosen))
    if message:
        DATA.error = message
        DATA.target = store.target()  # put the picker back on the working target


links.open_session()  # normally done by app.py; a deep link on a fresh server can start here

st.title("Data")
error = DATA.error
if error and DATA.last_action != "upload":  # an upload's refusal shows by the uploader
    st.error(plain(error), icon=":material/error:")
notice = DATA.notice
if notice:
    st.warning(plain(notice), icon=":material/swap_horiz:")

# Open on the tab the person last used, so an upload error appears next to the uploader.
sample_tab, upload_tab = st.tabs(
    [SAMPLE_TAB, UPLOAD_TAB], default=UPLOAD_TAB if DATA.last_action == "upload" else SAMPLE_TAB
)
with sample_tab:
    choices = datasets.sample_choices()
    if not DATA.is_set("sample"):  # widget state is dropped while other pages are shown
        current = store.dataset().sample_id if store.has_dataset() else None
        DATA.sample = current or DEFAULT_SAMPLE
    chosen_sample = st.selectbox(
        "Sample dataset",
        list(choices),
        format_func=choices.get,
        key=keys.SAMPLE_WIDGET.name,
        on_change=_load_chosen_sample,
    )
    st.caption(get_sample(chosen_sample).scenario)
    loaded = store.dataset() if store.has_dataset() else None
    if loaded is None or loaded.sample_id != chosen_sample:
        st.button("Load this sample", key="load_sample", on_click=_load_chosen_sample, icon=":material/upload:")
with upload_tab:
    limit = st.get_option("server.maxUploadSize")
    st.file_uploader(
        f"A table (CSV, TSV, Parquet, Excel .xlsx) or images (a ZIP of class folders), up to {limit} MB",
        type=None,  # any file reaches the loader, so a refusal is a sentence on the page, not a hover hint
        key=keys.UPLOAD_WIDGET.name,
        on_change=_accept_upload,
        help="Read as data only: nothing in the file is executed. The file stays in this browser session.",
    )
    st.caption(
        "The target column is suggested from its name (class, label, target, is_…) or is the last column. "
        "In a ZIP of images each top-level folder is a class (cat/001.png, dog/002.jpg). "
        f"A file over {limit} MB is stopped by the browser before it reaches the app (a red mark on the file): "
        "save the table as Parquet, often several times smaller, or upload a sample of its rows."
    )
    if error and DATA.last_action == "upload":
        st.error(plain(error), icon=":material/block:")  # the refusal, next to the uploader

if not store.has_dataset():
    st.stop()

loaded = store.dataset()
if loaded.images is not None:
    with feedback.reported("showing the images"):
        images.show(loaded)
    st.stop()
with feedback.reported("profiling the dataset"):
    profile = store.dataset_profile()
    st.subheader(f"Loaded: {plain(loaded.name)}")
    if loaded.source == "upload":
        st.caption("Your uploaded file. It stays in this browser session and is never shared with other sessions.")

    columns = [str(column) for column in loaded.frame.columns]
    DATA.target = store.target()  # the picker always shows the working target
    st.selectbox(
        "Target column (the class to predict)",
        columns,
        format_func=visible,  # a column name with a right-to-left override shows as stored
        key=keys.TARGET_WIDGET.name,
        on_change=_choose_target,
        help="Pre-filled with the suggestion. Any column with 2 to 20 distinct values can be the target.",
    )

    rows_metric, features_metric, classes_metric, share_metric, ratio_metric = st.columns(5)
    rows_metric.metric("Rows", f"{profile.rows:,}")
    features_metric.metric("Features used", f"{profile.features:,}")
    classes_metric.metric("Classes", profile.n_classes)
    share_metric.metric("Minority share", f"{profile.minority_share:.2%}")
    ratio_metric.metric("Imbalance ratio", f"{profile.imbalance_ratio:,.1f} : 1", help="Largest class / smallest.")
    st.info(
        f"**{severity(profile.imbalance_ratio).capitalize()}.** {plain(imbalance_verdict(profile.to_dict()))}",
        icon=":material/balance:",
    )
    for warning in profile.warnings:
        st.warning(plain(warning), icon=":material/warning:")
    if profile.notes:
        with st.expander("How the file was read"):
            for note in profile.notes:
                st.markdown(f"- {plain(note)}")

    st.plotly_chart(
        charts.class_histogram(profile.class_counts, f"Rows per class of {profile.target}", profile.minority_class),
        width="stretch",
        key="chart_class_histogram",
    )

    with st.expander("Columns and how they are used"):
        column_types = pd.DataFrame(profile.column_types(), columns=["Column", "Type", "How it is used"])
        st.dataframe(visible_frame(column_types.set_index("Column")), width="stretch")

    st.subheader("Preview")
    st.caption(f"The first {min(PREVIEW_ROWS, len(loaded.frame))} of {len(loaded.frame):,} rows as read.")
    st.dataframe(visible_frame(loaded.frame.head(PREVIEW_ROWS)), width="stretch", height=280)

    st.subheader("A feature by class")
    features = profile.numeric_columns + profile.categorical_columns
    if features:
        feature = st.selectbox("Feature", features, format_func=visible, key="feature")
        st.plotly_chart(
            cache.feature_figure(loaded.digest, profile.target, feature, loaded.frame),
            width="stretch",
            key="chart_feature",
        )
        st.caption("Each class is scaled to 100%, so the rare class's shape is visible next to the common one.")
    else:
        st.caption("No usable feature columns.")
