"""Shared AppTest helpers: open the app on a sample and a page, read what a person reads."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DEFAULT_SAMPLE = "fraud"  # what the app loads on first open


def open_page(page: str | None, sample: str = DEFAULT_SAMPLE, timeout: float = 90) -> AppTest:
    """A new session on `sample`, switched to `page` (e.g. "pages/learn.py"; None stays on Data)."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    app.run()
    if sample != DEFAULT_SAMPLE:
        app.selectbox(key="sample_choice").set_value(sample).run()
    if page is not None:
        app.switch_page(page).run()
    return app


def no_failures(app: AppTest) -> None:
    assert not app.exception, [element.value for element in app.exception]
    assert not app.error, [element.value for element in app.error]


def metric_text(app: AppTest, label: str) -> str:
    """The value of the first metric in the main area with this label."""
    return next(element.value for element in app.main.metric if element.label == label)
