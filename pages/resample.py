"""Resample: what a sampler does to the training rows, before any network is trained."""

from __future__ import annotations

import json

import streamlit as st

from imbal_core.present import charts
from imbal_core.stages.text import needs_free_text, refusal_for_data
from imbal_core.techniques.catalogue import DEFAULT_RESAMPLE_CHOICE, REGISTRY, make_spec
from ui import cache, feedback, images, keys, links, texts
from ui.page_state import LESSONS
from ui.store import store
from ui.widgets import parameter_widgets, plain, technique_name

PREFIX = keys.RESAMPLE_PARAMETERS
ROW_CHOICES = ("training", "all")  # imbal_core.run.resampled_table's choices; the page's own rows first
ROW_LABELS = {"training": "Training rows (as shown above)", "all": "Every row of the table"}

links.open_session()  # normally done by app.py; a deep link on a fresh server can start here

st.title("Resample")
st.caption(
    "The sampler runs on the training rows of the first stratified split only, exactly as in training; "
    "the test rows keep the real class ratio. No network is trained here."
)
loaded, target = store.dataset(), store.target()
modality = "image" if loaded.images is not None else "table"  # only samplers that handle the data are offered
profile = store.dataset_profile()
text_columns = getattr(profile, "text_columns", [])
ROW_IDS = [technique_id for technique_id, technique in REGISTRY.items() if technique.sampler or technique.augment]
SAMPLER_IDS = [
    technique_id
    for technique_id in ROW_IDS
    if refusal_for_data(REGISTRY[technique_id].stages, profile.n_classes, modality, text_columns) is None
]
# Named, not offered: e.g. text augmentation on a table without a free-text column (images have their own note).
NEEDS_TEXT = [
    technique_id
    for technique_id in ROW_IDS
    if modality == "table" and needs_free_text(REGISTRY[technique_id].stages.rows) and not text_columns
]
default_sampler = (
    DEFAULT_RESAMPLE_CHOICE
    if DEFAULT_RESAMPLE_CHOICE in SAMPLER_IDS
    else next(technique_id for technique_id in SAMPLER_IDS if REGISTRY[technique_id].augment)
)
if LESSONS.resample_technique not in (None, *SAMPLER_IDS):  # the data changed kind
    LESSONS.resample_technique = default_sampler

controls, explanation = st.columns([2, 3])
with controls:
    technique_id = st.selectbox(
        "Sampler",
        SAMPLER_IDS,
        index=SAMPLER_IDS.index(default_sampler),
        format_func=technique_name,
        key=keys.RESAMPLE_TECHNIQUE.name,
        persist_state="session",
    )
    if NEEDS_TEXT:
        st.caption(
            f"Not offered: {', '.join(technique_name(i) for i in NEEDS_TEXT)}, which edits the words of a "
            "free-text column; this data has none."
        )
    technique = REGISTRY[technique_id]
    values = parameter_widgets(technique, PREFIX)
    seed = st.number_input(
        "Split seed",
        0,
        1_000_000,
        0,
        key="resample_seed",
        persist_state="session",
        help="Which rows form the training split; the sampler uses the same seed.",
    )
with explanation:
    st.markdown(f"**{technique.name}** ({technique.family})  \n{technique.summary}")
    st.markdown(f"**Pros:** {technique.pros}  \n**Cons:** {technique.cons}")

with feedback.reported(f"resampling with {technique.name}"):
    spec = make_spec(technique_id, values)
    with st.spinner(f"Running {technique.name} on the training rows…"):
        view = cache.resample_view(
            loaded.digest, target, json.dumps(spec.to_json(), sort_keys=True), int(seed), loaded.frame
        )
    total_before, total_after = sum(view.before.values()), sum(view.after.values())
    rows_metric, added_metric, removed_metric, method_metric = st.columns(4)
    rows_metric.metric("Training rows", f"{total_after:,}", delta=f"{total_after - total_before:+,}")
    added_metric.metric("Synthetic or copied rows added", f"{view.synthetic:,}")
    removed_metric.metric("Original rows removed", f"{view.removed:,}")
    method_metric.metric("Method", view.method)
    for note in view.notes:
        st.info(plain(note), icon=":material/info:")

    minority = profile.minority_class
    before_column, after_column = st.columns(2)
    before_column.plotly_chart(
        charts.class_histogram(view.before, "Before: training rows per class", minority),
        width="stretch",
        key="chart_before",
    )
    after_column.plotly_chart(
        charts.class_histogram(view.after, f"After {technique.name}: training rows per class", minority),
        width="stretch",
        key="chart_after",
    )

    if loaded.images is not None and technique.augment:
        images.show_augmentation(loaded, dict(spec.params), int(seed))
    if needs_free_text(technique.stages.rows):
        texts.show_text_edits(view.text_edits, view.synthetic)
    st.plotly_chart(
        charts.resample_scatter(
            view.projection,
            view.totals,
            view.labels,
            f"What {technique.name} changed: training rows in 2-D (PCA of the preprocessed features)",
        ),
        width="stretch",
        key="chart_projection",
    )
    st.caption(
        "PCA is fitted on the original training rows after imputation, scaling and one-hot encoding; every "
        "point is one row. Diamonds are rows the sampler created (or copied), crosses are rows it removed. "
        "Two dimensions hide most of the space, so neighbours here may not be neighbours to the sampler."
    )
    rows_choice = st.radio(
        "Rows in the download",
        ROW_CHOICES,
        format_func=ROW_LABELS.get,
        horizontal=True,
        key="resample_rows",
        help="The page shows the training rows; the whole table is what `python -m imbal_core resample` "
        "writes by default.",
    )
    download = cache.resample_download(
        loaded.digest, target, json.dumps(spec.to_json(), sort_keys=True), int(seed), rows_choice, loaded.frame
    )
    st.download_button(
        f"Download the resampled {'training rows' if rows_choice == 'training' else 'table'} (CSV)",
        download.csv_text,
        file_name=f"{technique_id}_resampled_{rows_choice}_rows.csv",
        mime="text/csv",
        key="download_resampled",
        icon=":material/download:",
        on_click="ignore",
        help=f"Original rows exactly as read (columns, types, values), then synthetic rows; the column "
        f"`synthetic` marks them (True = created). The target is {plain(target)}.",
    )
    st.caption(plain(" ".join([download.statement, *download.notes])))
