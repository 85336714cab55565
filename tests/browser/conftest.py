"""Browser tests: the real dashboard under `streamlit run`, driven through Debian's Chromium by pytest-playwright.

Playwright cannot download its own browser here, so the `browser` fixture launches /usr/bin/chromium (or
$CHROMIUM_PATH). Without it the tests skip with an install hint on a developer machine and fail under CI.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 90
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the whole process group (streamlit and anything it started), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


@contextmanager
def streamlit_server(log_path: Path, environment: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, healthy before it is yielded (its URL); stopped after.

    `environment` adds to (or overrides) the test process's environment, e.g. IMBAL_LAB_HISTORY."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **(environment or {})}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                reason = f"exited with code {process.returncode}" if process.poll() is not None else "timed out"
                tail = log_path.read_text(errors="replace")[-3000:]
                pytest.fail(f"streamlit run app.py {reason} before /_stcore/health answered:\n{tail}", pytrace=False)
            time.sleep(0.3)
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def app_url(
    chromium_executable: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, healthy before the first test; stopped after the module,
    so the rest of the suite does not share the machine with an idle server holding TensorFlow."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    pytestconfig.stash[SERVER_LOG] = log_path
    with streamlit_server(log_path) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
