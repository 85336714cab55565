"""Imbalance Lab: `streamlit run app.py`. The entry point: session set-up, sidebar, page navigation."""

from __future__ import annotations

import streamlit as st

from ui import feedback, sidebar, state

st.set_page_config(page_title="Imbalance Lab", page_icon=":material/balance:", layout="wide")

with feedback.reported("loading the default sample"):
    state.init_session()

# url_paths differ from the file names on purpose: Streamlit first treats a folder named pages/ as an
# old-style multipage app, and a matching name would run that page without this script (no session set-up).
navigation = st.navigation(
    [
        st.Page("pages/data.py", title="Data", icon=":material/table_chart:", url_path="dataset", default=True),
        st.Page("pages/resample.py", title="Resample", icon=":material/scatter_plot:", url_path="resampling"),
        st.Page("pages/compare.py", title="Train & compare", icon=":material/model_training:", url_path="train"),
        st.Page("pages/learn.py", title="Learn", icon=":material/school:", url_path="learning"),
    ]
)
sidebar.render()

# A run that was stopped (Stop pressed, page left) leaves its marker behind and nothing else.
if st.session_state.pop(state.TRAINING_MARKER, False):
    st.toast("Training was stopped before it finished; nothing from that run was kept.", icon=":material/stop_circle:")

navigation.run()
