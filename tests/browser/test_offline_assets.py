"""Every asset comes from the dashboard's own server: a classroom without internet sees the same pages, and no
third party learns who is using it. Chromium records every request of every page; none may leave localhost."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.support.browser import LOAD_SECONDS, ms, page_heading, settle

pytestmark = pytest.mark.browser
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
PAGES = {
    "": "Data",
    "/resample": "Resample",
    "/compare": "Train & compare",
    "/learn": "Learn",
    "/present": "Present",
    "/history": "History",
}


def leaves_localhost(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


def test_no_page_asks_anything_of_another_host(page: Page, app_url: str):
    outside: list[str] = []

    def record(request: Request) -> None:
        if leaves_localhost(request.url):
            outside.append(request.url)

    page.context.on("request", record)
    # Nothing may reach the internet even when a test machine has it: every outside request is refused.
    page.context.route(lambda url: leaves_localhost(url), lambda route: route.abort())
    for path, title in PAGES.items():
        page.goto(f"{app_url}{path}")
        expect(page_heading(page, title)).to_be_visible(timeout=ms(LOAD_SECONDS))
        settle(page)
        page.wait_for_timeout(500)  # the favicon and fonts load after the first paint
        # Chromium does not report favicon requests to Playwright: read the icon the page asks for instead.
        for icon in page.locator("link[rel~='icon']").all():
            href = icon.evaluate("element => element.href")
            if leaves_localhost(href):
                outside.append(href)
    assert outside == [], sorted(set(outside))
