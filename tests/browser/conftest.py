"""Browser tests: the real dashboard under `streamlit run`, driven through Debian's Chromium by pytest-playwright.

Playwright cannot download its own browser here, so the `browser` fixture launches /usr/bin/chromium (or
$CHROMIUM_PATH). Without it the tests skip with an install hint on a developer machine and fail under CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import REPO, streamlit_server

SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


SERVER_LOG = pytest.StashKey[Path]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """A failed browser test carries the end of the server's log: errors that never reached the page are there."""
    report = yield
    log_path = item.config.stash.get(SERVER_LOG, None)
    if report.failed and log_path is not None and log_path.exists():
        report.sections.append(("streamlit server log (tail)", log_path.read_text(errors="replace")[-4000:]))
    return report


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, or a skip (developer machine) / failure (CI) saying how to get it."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium`"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message} (the CI variable is set, so a missing browser fails the run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium_executable: str) -> dict:
    """pytest-playwright's launch options (--headed, --slowmo still work) with Debian's Chromium."""
    return {**browser_type_launch_args, "executable_path": chromium_executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": VIEWPORT, "device_scale_factor": 1, "accept_downloads": True}


@pytest.fixture(scope="session")
def app_url(
    chromium_executable: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, healthy before the first test, shared by every browser test
    (each opens its own browser context, so its own session); stopped at the end of the run. Tests that need a
    cold server or a restart start their own with `streamlit_server`. The browser tests run first (conftest.py),
    so the idle server holds memory, not the processors, while the rest of the suite runs."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    pytestconfig.stash[SERVER_LOG] = log_path
    with streamlit_server(log_path) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
