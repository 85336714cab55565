"""Page links that open cleanly, with the top-level pages/ folder kept.

Streamlit decides once per server process whether an app is an old-style multipage app: if a folder named
pages/ sits next to the entry script, the first session's first run lists pages/*.py by file name instead of
running app.py's st.navigation. A cold link such as /compare then either runs that file without app.py, or,
when the URL is not a file name, shows a "Page not found" dialog over the page (and leaves it inert until
closed). st.navigation itself switches that mode off, but only once app.py has run.

Two things together make every link open cleanly, on a cold server as on a warm one:
- every st.Page's url_path is its file name (pages/compare.py -> /compare), so the folder listing finds the
  page a link names, with the same page id (Streamlit derives it from the url_path alone);
- app.py switches that mode off as its first step (`entered_through_app`), and every page starts with
  state.init_session(), which calls `leave_folder_mode()`: when the folder listing ran the page file directly,
  it switches the mode off and runs app.py in its place, within the same run (so a button press or a query
  parameter is not lost to a rerun); app.py's st.navigation then runs the same page, and the direct run stops.

Streamlit's AppTest resets the mode before every run, so app tests take this path on every run too.
A page added later needs a url_path equal to its file name (tests/browser/test_links.py checks every page).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st


def entered_through_app() -> None:
    """app.py's first step: this run is app.py's, and its st.navigation is coming (which ends the folder mode)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def leave_folder_mode() -> None:
    """If Streamlit's pages/ folder listing ran this page file directly, run app.py instead, then stop."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False  # what st.navigation sets; process-wide, so once per server
    context = get_script_run_ctx()
    if context is None:
        return
    entry = Path(context.pages_manager.main_script_path)
    code = compile(entry.read_text(encoding="utf-8"), str(entry), "exec")
    exec(code, {"__name__": "__main__", "__file__": str(entry)})  # noqa: S102 - our own entry script
    st.stop()  # app.py ran the page; the direct run of the page file ends here
