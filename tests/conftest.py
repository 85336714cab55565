"""Shared fixtures: small seeded tables so training tests stay fast."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from imbal_core.model import ModelSettings


def pytest_configure(config: pytest.Config) -> None:
    """Run history goes to a throw-away file for the whole run (AppTest and the browser's server inherit it),
    so no test ever reads or writes the person's own history."""
    os.environ["IMBAL_LAB_HISTORY"] = os.path.join(tempfile.mkdtemp(prefix="imbal-history-"), "history.sqlite3")


def make_binary_frame(rows: int = 600, minority_share: float = 0.1, signal: float = 2.0, seed: int = 0) -> pd.DataFrame:
    """Numeric and categorical features; the minority class is shifted by `signal` (0 = pure noise)."""
    rng = np.random.default_rng(seed)
    minority = rng.random(rows) < minority_share
    frame = pd.DataFrame(
        {
            "amount": rng.normal(size=rows) + signal * minority,
            "score": rng.normal(size=rows) + 0.5 * signal * minority,
            "noise": rng.normal(size=rows),
            "channel": rng.choice(["web", "shop", "phone"], size=rows),
        }
    )
    frame["label"] = np.where(minority, "rare", "common")
    return frame


def make_multiclass_frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    classes = rng.choice(["a", "b", "c"], size=rows, p=[0.75, 0.18, 0.07])
    centre = pd.Series(classes).map({"a": 0.0, "b": 1.5, "c": 3.0}).to_numpy()
    return pd.DataFrame({"x1": rng.normal(size=rows) + centre, "x2": rng.normal(size=rows) - centre, "kind": classes})


@pytest.fixture
def binary_frame() -> pd.DataFrame:
    return make_binary_frame()


@pytest.fixture
def multiclass_frame() -> pd.DataFrame:
    return make_multiclass_frame()


@pytest.fixture
def fast_settings() -> ModelSettings:
    """Few epochs and a small network: enough to test the protocol, not to win."""
    return ModelSettings(hidden_units=(16,), max_epochs=4, patience=2, batch_size=128)


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
