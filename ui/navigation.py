"""Page links that open cleanly, with the top-level pages/ folder kept.

Streamlit decides once per server process whether an app is an old-style multipage app: if a folder named
pages/ sits next to the entry script, the first session's first run lists pages/*.py by file name instead of
running app.py's st.navigation. A cold link such as /compare then either runs that file without app.py, or,
when the URL is not a file name, shows a "Page not found" dialog over the page (and leaves it inert until
closed). st.navigation itself switches that mode off, but only once app.py has run.

Two things together make every link open cleanly, on a cold server as on a warm one:
- every st.Page's url_path is its file name (pages/compare.py -> /compare), so the folder listing finds the
  page a link names, with the same page id (Streamlit derives it from the url_path alone);
- every page starts with state.init_session(), which calls `leave_folder_mode()`: when the run came through the
  folder listing, it switches the mode off and reruns, and the rerun goes through app.py and st.navigation to
  the same page, query parameters kept.

A page added later needs a url_path equal to its file name (tests/browser/test_links.py checks every page).
"""

from __future__ import annotations

import streamlit as st


def leave_folder_mode() -> None:
    """Rerun through app.py's st.navigation if this run came from Streamlit's pages/ folder listing."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation sets; process-wide, so once per server
        st.rerun()
