"""Run history through the real browser: a run survives a reload and a server restart with the same database; a
second browser does not see it until given the share link, then sees it read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.browser import (
    LOAD_SECONDS,
    TRAIN_SECONDS,
    error_alerts,
    keyed,
    main_area,
    ms,
    page_heading,
    screenshot,
    settle,
)
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser
COOKIE = "imbalance_lab_browser"
NO_RUNS = "No saved runs in this browser yet"


def open_app(page: Page, url: str, title: str) -> None:
    page.goto(url)
    expect(page_heading(page, title)).to_be_visible(timeout=ms(LOAD_SECONDS))
    settle(page)


def train_one(page: Page, url: str) -> None:
    """Train one technique for a few epochs on the small medical sample."""
    open_app(page, f"{url}/compare?sample=medical&techniques=baseline", "Train & compare")
    keyed(page, "max_epochs").locator("input").fill("3")
    keyed(page, "train_button").get_by_role("button", name="Train").click()
    done = main_area(page).get_by_text("Trained 1 technique(s)")
    problem = error_alerts(page).or_(page.get_by_test_id("stException"))
    expect(done.or_(problem).first).to_be_visible(timeout=ms(TRAIN_SECONDS))
    assert problem.count() == 0, problem.first.inner_text()
    settle(page)


def history_names(page: Page, url: str) -> list[str]:
    open_app(page, f"{url}/history", "History")
    main = main_area(page)
    if main.get_by_text(NO_RUNS).count():
        return []
    boxes = main.locator('[class*="st-key-history_run_"]')
    return [box.locator("strong").first.inner_text() for box in boxes.all()]


def browser_cookie(context: BrowserContext) -> str | None:
    return next((cookie["value"] for cookie in context.cookies() if cookie["name"] == COOKIE), None)


def test_a_run_survives_reload_and_restart_and_is_private_until_shared(
    browser: Browser, tmp_path: Path, screenshots_dir: Path
):
    database = tmp_path / "history.sqlite3"
    environment = {"IMBAL_LAB_HISTORY": str(database)}
    alice, bob = browser.new_context(), browser.new_context()
    try:
        alice_page, bob_page = alice.new_page(), bob.new_page()
        with streamlit_server(tmp_path / "first.log", environment) as url:
            train_one(alice_page, url)
            assert browser_cookie(alice) is not None  # the browser's token went into its cookie
            [name] = history_names(alice_page, url)
            assert name.startswith("Breast cancer biopsies (real) · diagnosis · 1 technique")

            alice_page.reload()  # a new session in the same browser: the run is still there
            expect(page_heading(alice_page, "History")).to_be_visible(timeout=ms(LOAD_SECONDS))
            assert history_names(alice_page, url) == [name]

            assert history_names(bob_page, url) == []  # another browser sees nothing
            assert browser_cookie(bob) != browser_cookie(alice)

            box = main_area(alice_page).locator('[class*="st-key-history_run_"]').first
            box.get_by_role("button", name="Share").click()
            settle(alice_page)
            code = main_area(alice_page).get_by_test_id("stCode").filter(has_text="/compare?run=")
            expect(code).to_have_count(1, timeout=ms(LOAD_SECONDS))  # drawn after the Share click's rerun
            link = code.inner_text().strip()
            assert "/compare?run=" in link
            screenshot(alice_page, screenshots_dir, "history")

            open_app(bob_page, link, "Train & compare")
            main = main_area(bob_page)
            expect(main).to_contain_text("Shared with you, read-only")
            expect(main).not_to_contain_text("No results yet")
            bob_page.locator(".st-key-app_navigation").get_by_role("link", name="History").click()  # same session
            expect(page_heading(bob_page, "History")).to_be_visible(timeout=ms(LOAD_SECONDS))
            main = main_area(bob_page)
            expect(main).to_contain_text(NO_RUNS)  # still not Bob's: it stays out of his history
            expect(main).to_contain_text("Shared with you")
            expect(main.get_by_role("button", name="Share")).to_have_count(0)
            expect(main.get_by_role("button", name="Delete")).to_have_count(0)

        with streamlit_server(tmp_path / "second.log", environment) as url:  # a restart on the same database
            assert history_names(alice_page, url) == [name]
            box = main_area(alice_page).locator('[class*="st-key-history_run_"]').first
            box.get_by_role("button", name="Open", exact=True).click()
            expect(page_heading(alice_page, "Train & compare")).to_be_visible(timeout=ms(LOAD_SECONDS))
            settle(alice_page)
            main = main_area(alice_page)
            expect(main).to_contain_text("from your history")
            expect(main).not_to_contain_text("No results yet")  # redrawn from the database, no training
            assert history_names(bob_page, url) == []
            open_app(bob_page, url + link[link.index("/compare") :], "Train & compare")  # the new server's port
            expect(main_area(bob_page)).to_contain_text("Shared with you, read-only")
    finally:
        alice.close()
        bob.close()
