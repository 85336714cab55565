"""Shared AppTest helpers: open the app (on a sample, a page, with link parameters), read what a person reads,
and save a run into a browser's history."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from imbal_core.store.history import History
from tests.support.comparisons import medical_comparison

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DEFAULT_SAMPLE = "fraud"  # what the app loads on first open
MEDICAL_TITLE = "Breast cancer biopsies (real)"


def open_app(
    page: str | None = None, sample: str = DEFAULT_SAMPLE, query: dict[str, str] | None = None, timeout: float = 90
) -> AppTest:
    """A new session opened with these link (query) parameters, switched to `sample` and then to `page`
    (e.g. "pages/learn.py"; None stays on Data)."""
    app = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
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


def texts(elements) -> str:
    return " ".join(str(element.value) for element in elements)


def medical_digest() -> str:
    app = open_app(query={"sample": "medical"})
    return app.session_state["dataset"].digest


def save_for(app: AppTest, path, name: str = "Before class", seed: int = 0) -> str:
    """Save a hand-built medical comparison into the history at `path`, owned by `app`'s browser."""
    return History(path).save(
        medical_comparison(seed), app.session_state["browser_token"], name, MEDICAL_TITLE, medical_digest(), "medical"
    )
