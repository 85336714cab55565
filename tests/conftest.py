"""Shared fixtures (small seeded tables, small network settings, recorded downloads) and how the suite runs.

`make test` runs the suite on two pytest-xdist workers with `--dist loadgroup`: each test module is one unit of
work (its module fixtures are built once, its tests run in order), and every browser test is in one unit, so
they run one after another on one worker while the other worker runs the rest."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from imbal_core.nets.model import ModelSettings
from tests.support.frames import make_binary_frame, make_multiclass_frame
from tests.support.training import FAST_SETTINGS, TINY_SETTINGS


def pytest_configure(config: pytest.Config) -> None:
    """Run history goes to a throw-away file for the whole run (AppTest and the browser's server inherit it),
    so no test ever reads or writes the person's own history."""
    os.environ["IMBAL_LAB_HISTORY"] = os.path.join(tempfile.mkdtemp(prefix="imbal-history-"), "history.sqlite3")


BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
# Browser tests that open a static HTML file, no Streamlit server: they need not wait for the server's turn.
WITHOUT_SERVER = {BROWSER_TESTS / "test_report_layout.py"}
SMALL_FIRST_UNIT = Path(__file__).resolve().parent / "test_layout.py"


def xdist_group(item: pytest.Item) -> str:
    """The unit of work `item` belongs to: its module, or "browser" for every test that drives a Streamlit server."""
    if item.path.is_relative_to(BROWSER_TESTS) and item.path not in WITHOUT_SERVER:
        return "browser"
    return item.nodeid.split("::", 1)[0]


def pytest_itemcollected(item: pytest.Item) -> None:
    """Each module one xdist group, the browser tests that drive a server together one group (two real browsers
    against two servers on two cores time out)."""
    item.add_marker(pytest.mark.xdist_group(xdist_group(item)))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser group first, so the longest unit of work starts first, then a small module (a worker takes two
    units at the start, and its second waits for the first); after pytest's own reordering by fixture scope."""
    items.sort(key=lambda item: (xdist_group(item) != "browser", item.path != SMALL_FIRST_UNIT))  # stable sort


@pytest.fixture
def binary_frame() -> pd.DataFrame:
    return make_binary_frame()


@pytest.fixture
def multiclass_frame() -> pd.DataFrame:
    return make_multiclass_frame()


@pytest.fixture
def fast_settings() -> ModelSettings:
    return FAST_SETTINGS


@pytest.fixture
def tiny_settings() -> ModelSettings:
    return TINY_SETTINGS


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """What each download button would serve, by file name (callables for deferred downloads)."""
    served: dict = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording_add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name:
            served[file_name] = path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def recording_add_deferred(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        if file_name:
            served[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)
    return served
