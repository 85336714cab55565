"""Imbalance Lab: `streamlit run app.py`. The entry point: session set-up, sidebar, page navigation."""

from __future__ import annotations

import sys

import streamlit as st

from ui import cache, feedback, form_links, history, identity, link, links, navigation, runtime, sidebar
from ui.page_state import BROWSER, COMPARE, HISTORY
from ui.widgets import plain

SWITCH_INTERVAL_SECONDS = 0.0005

# Every session's script shares this process with the web server's thread: a shorter GIL switch interval
# (5 ms by default) lets that thread answer health checks and page traffic between them (bench/RESULTS.md §10).
sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
runtime.leave_engine_state_alone()  # no Keras reset after every rerun (ui/runtime.py says why)
navigation.entered_through_app()  # before anything else: links open cleanly with a pages/ folder (ui/navigation.py)
link.allow_parameter("step")  # the Present page's step: links to a step keep it
for part in form_links.PARTS:  # each form's fields travel in links (ui/form_links.py)
    links.register(part)
# An emoji icon is drawn in the browser; a ":material/..." page icon makes every page fetch its picture from
# fonts.gstatic.com (Streamlit 1.67), which fails offline and tells a third party who uses the dashboard.
st.set_page_config(page_title="Imbalance Lab", page_icon="⚖️", layout="wide")

with feedback.reported("loading the default sample"):
    links.open_session()
with feedback.reported("keeping the address bar in step with the settings"):
    link_notes = BROWSER.take("link_notes")
    if link_notes:
        st.warning(
            "Some settings in this link could not be used:\n" + "\n".join(f"- {plain(note)}" for note in link_notes),
            icon=":material/link_off:",
        )
    links.sync_url()  # the address bar always restores what is on screen (ui/links.py)
    history_problem = history.take_problem()  # once per session: why runs are not being kept
    if history_problem:
        st.warning(plain(history_problem), icon=":material/history_toggle_off:")
    opened = HISTORY.take("opened")
    if opened:
        st.success(plain(opened), icon=":material/history:")

# Each url_path is the page's file name and Data lives at "/": with a pages/ folder next to this script, that is
# what lets a cold link open its page without a "Page not found" dialog (see ui/navigation.py).
pages = navigation.navigate()
sidebar.render()
with st.sidebar:
    identity.remember()  # a new browser's token goes into its cookie, so its runs are its own after a reload

# A run that was stopped (Stop pressed, page left) leaves its marker behind and nothing else.
if COMPARE.take("training", False):
    st.toast("Training was stopped before it finished; nothing from that run was kept.", icon=":material/stop_circle:")

cache.warm_engine()  # once per process, in the background
with feedback.reported("drawing this page"):  # anything a page lets escape (even SystemExit) becomes a sentence
    pages.run()
