"""Imbalance Lab: `streamlit run app.py`. The entry point: session set-up, sidebar, page navigation."""

from __future__ import annotations

import streamlit as st

from ui import feedback, sidebar, state

st.set_page_config(page_title="Imbalance Lab", page_icon=":material/balance:", layout="wide")

with feedback.reported("loading the default sample"):
    state.init_session()

navigation = st.navigation(
    [
        st.Page("pages/data.py", title="Data", icon=":material/table_chart:", default=True),
        st.Page("pages/resample.py", title="Resample", icon=":material/scatter_plot:"),
        st.Page("pages/compare.py", title="Train & compare", icon=":material/model_training:"),
        st.Page("pages/learn.py", title="Learn", icon=":material/school:"),
    ]
)
sidebar.render()

# A run that was stopped (Stop pressed, page left) leaves its marker behind and nothing else.
if st.session_state.pop(state.TRAINING_MARKER, False):
    st.toast("Training was stopped before it finished; nothing from that run was kept.", icon=":material/stop_circle:")

navigation.run()
