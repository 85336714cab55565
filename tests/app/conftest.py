"""Fixtures of the AppTest modules."""

from __future__ import annotations

import pytest


@pytest.fixture
def history_path(tmp_path, monkeypatch):
    """A history database of this test's own, which the app opened by AppTest uses."""
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("IMBAL_LAB_HISTORY", str(path))
    return path
