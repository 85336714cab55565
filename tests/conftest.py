"""Shared fixtures: small seeded tables so training tests stay fast."""

from __future__ import annotations

import os
import tempfile

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from imbal_core.model import ModelSettings
from tests.support.frames import make_binary_frame, make_multiclass_frame
from tests.support.training import FAST_SETTINGS, TINY_SETTINGS


def pytest_configure(config: pytest.Config) -> None:
    """Run history goes to a throw-away file for the whole run (AppTest and the browser's server inherit it),
    so no test ever reads or writes the person's own history."""
    os.environ["IMBAL_LAB_HISTORY"] = os.path.join(tempfile.mkdtemp(prefix="imbal-history-"), "history.sqlite3")


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
