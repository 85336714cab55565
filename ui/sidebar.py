"""The sidebar: which dataset is loaded, so every page says what it is working on."""

from __future__ import annotations

import streamlit as st

from imbal_core.present.verdict_words import severity
from ui import feedback
from ui.store import store
from ui.widgets import code, plain


def render() -> None:
    """Dataset name, rows, target and minority share; plus how many runs this session holds."""
    with st.sidebar:
        st.markdown("### Loaded dataset")
        if not store.has_dataset():
            st.caption("No dataset loaded. Open the Data page to pick a sample or upload a file.")
            return
        loaded = store.dataset()
        st.markdown(f"**{plain(loaded.name)}**")
        st.caption(plain(loaded.description))
        with feedback.reported("profiling the dataset"):
            profile = store.dataset_profile()
            rows_column, share_column = st.columns(2)
            rows_column.metric("Rows", f"{profile.rows:,}")
            share_column.metric("Minority share", f"{profile.minority_share:.1%}")
            st.markdown(
                f"Target: {code(profile.target)}  \nMinority class: {code(profile.minority_class)}  \n"
                f"Imbalance {profile.imbalance_ratio:,.1f} : 1 ({severity(profile.imbalance_ratio)})"
            )
        runs = len(store.runs())
        if runs:
            st.caption(f"{runs} training run(s) kept in this session.")
