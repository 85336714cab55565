"""Links: every page's address opens that page, on a cold server and a warm one, with no "Page not found" dialog.

A cold server is the hard case: Streamlit treats the first session of a process with a pages/ folder as an
old-style multipage app (see ui/navigation.py), so each page is opened on a server of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import LOAD_SECONDS, STEP_SECONDS, choose, keyed, main_area, ms, page_heading, settle
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser


def url_query(page: Page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(page.url).query).items()}


def app_navigation(page: Page):
    """The app's own page navigation in the sidebar (ui/navigation.py draws it)."""
    return page.locator(".st-key-app_navigation")


def page_links(page: Page, url: str) -> dict[str, str]:
    """{title: path} of every page in the sidebar navigation, as the app itself links them."""
    page.goto(url)
    navigation = app_navigation(page)
    expect(navigation.get_by_role("link", name="Data", exact=True)).to_be_visible(timeout=ms(LOAD_SECONDS))
    settle(page)
    links = {}
    for link in navigation.get_by_role("link").all():
        href = link.get_attribute("href") or ""
        path = "/" + href.split("://", 1)[-1].split("/", 1)[-1] if "://" in href else href
        title = link.inner_text().strip().splitlines()[-1].strip()  # the icon's ligature name comes first
        links[title] = path if path.startswith("/") else "/" + path
    return links


def open_cleanly(page: Page, url: str, title: str, path: str) -> None:
    """The page at `url` shows `title`, answers clicks (no dialog over it) and keeps its address."""
    page.goto(url)
    expect(page_heading(page, title)).to_be_visible(timeout=ms(LOAD_SECONDS))
    settle(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.url.split("?")[0].rstrip("/").endswith(path.rstrip("/")), page.url
    # A dialog's overlay would take this click. The wait is a step's, not 5 s: on a warm server a second session's
    # rerun can land here while the warm-up thread imports TensorFlow, and the heading is redrawn after it.
    page_heading(page, title).click(trial=True, timeout=ms(STEP_SECONDS))


@pytest.fixture(scope="module")
def every_page(app_url: str, browser: Browser) -> dict[str, str]:
    context = browser.new_context()
    try:
        links = page_links(context.new_page(), app_url)
    finally:
        context.close()
    assert {"Data", "Resample", "Train & compare", "Learn"} <= set(links), links
    assert links["Data"] in ("/", "")
    return links


def test_every_page_link_opens_on_a_warm_server_without_a_dialog(app_url: str, browser: Browser, every_page):
    for title, path in every_page.items():
        context = browser.new_context()  # a new browser session each time, on the same server
        try:
            open_cleanly(context.new_page(), f"{app_url}{path}", title, path)
        finally:
            context.close()


def test_every_page_link_opens_on_a_cold_server_without_a_dialog(browser: Browser, every_page, tmp_path: Path):
    for title, path in every_page.items():
        with streamlit_server(tmp_path / "cold.log") as url:
            context = browser.new_context()
            try:
                open_cleanly(context.new_page(), f"{url}{path}?folds=3", title, path)
                assert "folds=3" in context.pages[0].url  # the query string survives the first-run rerun
            finally:
                context.close()


def test_a_link_with_settings_restores_them_and_the_address_bar_follows_changes(app_url: str, page: Page):
    page.goto(f"{app_url}/compare?sample=medical&techniques=baseline,smote&smote.k_neighbors=3&folds=3")
    expect(page_heading(page, "Train & compare")).to_be_visible(timeout=ms(LOAD_SECONDS))
    settle(page)
    picker = keyed(page, "techniques")
    expect(picker).to_contain_text("Baseline")
    expect(picker).to_contain_text("SMOTE")
    expect(picker).not_to_contain_text("Class weights")
    expect(keyed(page, "folds").locator("input")).to_have_value("3")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Breast cancer")
    assert url_query(page) == {
        "sample": "medical",
        "techniques": "baseline,smote",
        "smote.k_neighbors": "3",
        "folds": "3",
    }

    app_navigation(page).get_by_role("link", name="Data").click()
    expect(page_heading(page, "Data")).to_be_visible(timeout=ms(LOAD_SECONDS))
    settle(page)
    assert url_query(page)["sample"] == "medical" and url_query(page)["folds"] == "3"  # settings travel between pages
    choose(page, "sample_choice", "Card fraud (synthetic)")
    settle(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Card fraud")
    expect(page).not_to_have_url(re.compile("sample="))
    assert url_query(page) == {"techniques": "baseline,smote", "smote.k_neighbors": "3", "folds": "3"}

    page.goto(f"{app_url}/?folds=banana")
    expect(page_heading(page, "Data")).to_be_visible(timeout=ms(LOAD_SECONDS))
    expect(main_area(page)).to_contain_text("is not a whole number")
    settle(page)
    expect(page).not_to_have_url(re.compile("folds"))


# Records, from the first paint on, the text of every page link Streamlit's own navigation ever shows.
RECORD_NAVIGATION = """
window.__navigationSeen = [];
new MutationObserver(() => {
  document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stTopNav"] a').forEach((link) => {
    const text = link.innerText.trim().split("\\n").pop().trim();
    if (!window.__navigationSeen.includes(text)) { window.__navigationSeen.push(text); }
  });
}).observe(document, {childList: true, subtree: true, characterData: true});
"""
FILE_NAMES = {"app", "compare", "data", "history", "learn", "present", "resample"}


def test_a_cold_deep_link_never_shows_the_raw_pages_list(browser: Browser, tmp_path: Path):
    """A cold server's first session goes through Streamlit's pages/ folder listing (ui/navigation.py); its
    raw list of file names must never be drawn, not even for the moment before app.py takes over."""
    with streamlit_server(tmp_path / "cold.log") as url:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.add_init_script(RECORD_NAVIGATION)
            open_cleanly(page, f"{url}/compare?folds=3", "Train & compare", "/compare")
            seen = set(page.evaluate("window.__navigationSeen"))
            assert not seen & FILE_NAMES, seen
            expect(app_navigation(page).get_by_role("link", name="Data", exact=True)).to_be_visible()
        finally:
            context.close()


OLD_ADDRESSES = {"/train": ("Train & compare", "/compare"), "/dataset": ("Data", "/"), "/learning": ("Learn", "/learn")}


def test_old_page_addresses_open_their_new_pages(app_url: str, browser: Browser):
    """Addresses of earlier versions (bookmarks, shared links) open the page that replaced them, settings kept."""
    for old, (title, path) in OLD_ADDRESSES.items():
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{app_url}{old}?folds=3")
            expect(page_heading(page, title)).to_be_visible(timeout=ms(LOAD_SECONDS))
            settle(page)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            expect(page.get_by_role("dialog")).to_have_count(0)
            assert urlsplit(page.url).path.rstrip("/") == path.rstrip("/"), page.url
            assert url_query(page).get("folds") == "3", page.url
        finally:
            context.close()
