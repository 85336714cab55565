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

The folder listing still draws before app.py runs: its navigation message goes out first, and Streamlit's own
sidebar would show the raw file names (app, compare, data, ...) for the seconds app.py takes to start. So
.streamlit/config.toml sets `client.showSidebarNavigation = false`, which makes Streamlit draw that listing
hidden; the same setting hides any st.navigation sidebar, so `navigate()` declares the pages hidden and draws
the app's own links in the sidebar (`app_navigation`). Addresses of earlier versions (/train, /dataset,
/resampling, /learning) are hidden pages (small files in pages/) that switch to the page that replaced them,
the query kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


@dataclass(frozen=True)
class PageEntry:
    """One page of the app: its file (its address is the file name, see above), title and icon."""

    path: str
    title: str
    icon: str

    @property
    def url_path(self) -> str:
        return Path(self.path).stem


PAGES = (
    PageEntry("pages/data.py", "Data", ":material/table_chart:"),  # the default page, at "/"
    PageEntry("pages/resample.py", "Resample", ":material/scatter_plot:"),
    PageEntry("pages/compare.py", "Train & compare", ":material/model_training:"),
    PageEntry("pages/learn.py", "Learn", ":material/school:"),
    PageEntry("pages/present.py", "Present", ":material/co_present:"),
    PageEntry("pages/history.py", "History", ":material/history:"),
)
# Page addresses of earlier versions (app.py's url_paths before they became the file names), so old
# bookmarks and shared links still open their page. Each is a two-line file in pages/, since on a cold
# server only a file there is found by the folder listing (without one: a "Page not found" dialog).
OLD_ADDRESSES = {
    "pages/dataset.py": "pages/data.py",
    "pages/resampling.py": "pages/resample.py",
    "pages/train.py": "pages/compare.py",
    "pages/learning.py": "pages/learn.py",
}
NAVIGATION_KEY = "app_navigation"


def navigate():
    """app.py's st.navigation: every page, each old address sent on to its page, and the sidebar's links.

    Returns the page to run (StreamlitPage.run()).
    """
    pages = [
        st.Page(entry.path, title=entry.title, icon=entry.icon, url_path=entry.url_path, default=index == 0)
        for index, entry in enumerate(PAGES)
    ]
    pages += [st.Page(old, title=Path(old).stem, url_path=Path(old).stem, visibility="hidden") for old in OLD_ADDRESSES]
    chosen = st.navigation(pages, position="hidden")  # drawn below: Streamlit's own sidebar is switched off
    with st.sidebar.container(key=NAVIGATION_KEY):
        for page in pages[: len(PAGES)]:
            st.page_link(page, width="stretch")
    return chosen


def forward(old: str) -> None:
    """An old address's page file: open the page that replaced it, with the link's settings."""
    leave_folder_mode()  # on a cold server: app.py runs this file again through st.navigation, then we get here
    st.switch_page(OLD_ADDRESSES[old], query_params=st.query_params.to_dict())


def entered_through_app() -> None:
    """app.py's first step: this run is app.py's, and its st.navigation is coming (which ends the folder mode)."""
    PagesManager.uses_pages_directory = False


def leave_folder_mode() -> None:
    """If Streamlit's pages/ folder listing ran this page file directly, run app.py instead, then stop."""
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
