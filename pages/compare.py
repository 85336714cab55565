"""Train & compare: several techniques on the same split, the same network, the same seed."""

from __future__ import annotations

import streamlit as st

from ui import compare, feedback, links, results
from ui.page_state import COMPARE
from ui.store import store
from ui.widgets import plain

links.open_session()  # normally done by app.py; a deep link on a fresh server can start here

st.title("Train & compare")
# Two slots: progress while training, the page body otherwise. While training, the body slot is an empty
# element, which drops the previous run's widgets at once instead of leaving them stale but clickable.
progress_slot = st.empty()
body = st.empty()

request = COMPARE.take("request")
if request is not None:
    with progress_slot.container():
        compare.execute(request)
    st.rerun()

with body.container():
    flash = COMPARE.take("flash")
    if flash:
        st.success(plain(flash), icon=":material/check_circle:")
    error = COMPARE.take("error")
    if error:
        st.error(plain(error), icon=":material/error:")

    profile = store.dataset_profile()
    st.caption(
        f"Data: {plain(store.dataset().name)}, target {plain(profile.target)} ({profile.n_classes} classes). "
        "Each technique trains the same small network on the same split with the same starting weights."
    )
    compare.technique_picker()
    compare.settings_form()

    records = store.runs_for_current_data()
    hidden = store.other_runs_count()
    if hidden:
        st.caption(f"{hidden} earlier run(s) on other data or another target are kept and show again with that data.")
    shared = [record for record in records if record.read_only]  # issue 15: runs opened from a share link
    if shared:
        titles = ", ".join(plain(record.title or f"run {record.run_id}") for record in shared)
        st.info(
            f"Shared with you, read-only: {titles}. It stays out of your history; moving the threshold changes "
            "only your view.",
            icon=":material/visibility:",
        )
    if records:
        with feedback.reported("drawing the results"):
            results.render(records)
    else:
        st.info("No results yet for this data: pick techniques and press Train.", icon=":material/info:")
