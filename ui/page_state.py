"""Each page's own state, one small typed object per page, kept in st.session_state under the keys of ui/keys.py.

A page's state must outlive a rerun and be writable from a widget's callback, so each object here is a view:
its attributes read and write the session's values (reading an absent one gives the key's default). Together
with ui/store.py, this is the only module that touches st.session_state.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from ui import keys
from ui.keys import Key


class Field:
    """An attribute kept in the session under `key` (absent: a copy of the key's default)."""

    def __init__(self, key: Key) -> None:
        self.key = key

    def __get__(self, view: object, owner: type | None = None) -> Any:
        if view is None:
            return self
        if self.key.name in st.session_state:
            return st.session_state[self.key.name]
        return copy.deepcopy(self.key.default)

    def __set__(self, view: object, value: Any) -> None:
        st.session_state[self.key.name] = value

    def __delete__(self, view: object) -> None:
        st.session_state.pop(self.key.name, None)


class PageState:
    """What every page state can do beyond reading and writing its fields."""

    def _key(self, field_name: str) -> str:
        return type(self).__dict__[field_name].key.name

    def is_set(self, field_name: str) -> bool:
        return self._key(field_name) in st.session_state

    def take(self, field_name: str, default: Any = None) -> Any:
        """The value once: it leaves the session (a message shown once, a request run once)."""
        return st.session_state.pop(self._key(field_name), default)

    def setdefault(self, field_name: str, value: Any) -> Any:
        """The stored value, storing `value` first when there is none (a dict others then update in place)."""
        return st.session_state.setdefault(self._key(field_name), value)


class DataPage(PageState):
    """The Data page: the sample and target pickers, the uploader, the last refusal and where to show it."""

    sample = Field(keys.SAMPLE_WIDGET)
    target = Field(keys.TARGET_WIDGET)
    upload = Field(keys.UPLOAD_WIDGET)
    error = Field(keys.DATA_ERROR)
    notice = Field(keys.DATA_NOTICE)
    last_action = Field(keys.DATA_LAST_ACTION)
    image_height = Field(keys.IMAGE_HEIGHT)
    image_width = Field(keys.IMAGE_WIDTH)
    image_channels = Field(keys.IMAGE_CHANNELS)


class ComparePage(PageState):
    """Train & compare: the technique picker, the settings form, the request Train records and its outcome."""

    techniques = Field(keys.TECHNIQUES)
    protocol_mode = Field(keys.PROTOCOL_MODE)
    folds = Field(keys.FOLDS)
    repeats = Field(keys.REPEATS)
    test_size = Field(keys.TEST_SIZE)
    seed = Field(keys.SEED)
    hidden_units = Field(keys.HIDDEN_UNITS)
    layers = Field(keys.LAYERS)
    dropout = Field(keys.DROPOUT)
    learning_rate = Field(keys.LEARNING_RATE)
    batch_size = Field(keys.BATCH_SIZE)
    max_epochs = Field(keys.MAX_EPOCHS)
    patience = Field(keys.PATIENCE)
    seed_average = Field(keys.SEED_AVERAGE)
    references = Field(keys.REFERENCES)
    request = Field(keys.TRAINING_REQUEST)
    error = Field(keys.COMPARE_ERROR)
    flash = Field(keys.FLASH)
    training = Field(keys.TRAINING_MARKER)

    def form_value(self, field_name: str, default: Any) -> Any:
        """A form widget's submitted value, `default` while the form was never shown nor seeded."""
        return st.session_state.get(self._key(field_name), default)

    @staticmethod
    def parameters(prefix: str, technique_id: str, names: list[str]) -> dict[str, Any]:
        """The values a technique's parameter widgets hold (only those that exist yet)."""
        found = {}
        for name in names:
            key = keys.parameter_key(prefix, technique_id, name)
            if key in st.session_state:
                found[name] = st.session_state[key]
        return found

    @staticmethod
    def set_parameter(prefix: str, technique_id: str, name: str, value: Any) -> None:
        st.session_state[keys.parameter_key(prefix, technique_id, name)] = value


class ResultsView(PageState):
    """The results of Train & compare: the run shown, the threshold, the report's settings, the decision view."""

    threshold = Field(keys.THRESHOLD_WIDGET)
    shown_run = Field(keys.SHOWN_RUN)
    shown_run_latest = Field(keys.SHOWN_RUN_LATEST)
    report_settings = Field(keys.REPORT_SETTINGS)
    recalibration = Field(keys.RECALIBRATION)
    costs_for = Field(keys.COSTS_FOR)
    rule = Field(keys.RULE_WIDGET)
    decision_seconds = Field(keys.DECISION_TIMING)

    @staticmethod
    def costs() -> dict[str, Any]:
        """The cost inputs that exist, by cost name."""
        return {
            name: st.session_state[key.name] for name, key in keys.COST_WIDGETS.items() if key.name in st.session_state
        }

    @staticmethod
    def cost(name: str) -> Any:
        """A cost input's value (KeyError while the input was never set)."""
        return st.session_state[keys.COST_WIDGETS[name].name]

    @staticmethod
    def set_cost(name: str, value: Any) -> None:
        st.session_state[keys.COST_WIDGETS[name].name] = value


class HistoryPage(PageState):
    """History: why it is unavailable (shown once), the notice after opening a run, the import uploader."""

    problem = Field(keys.HISTORY_PROBLEM)
    problem_shown = Field(keys.HISTORY_PROBLEM_SHOWN)
    opened = Field(keys.HISTORY_OPENED)
    share_visitor = Field(keys.SHARE_VISITOR)
    upload = Field(keys.IMPORT_WIDGET)
    import_message = Field(keys.IMPORT_MESSAGE)


class BrowserSession(PageState):
    """What belongs to the session, not a page: the opening link's notes and shared run, the browser token."""

    link_notes = Field(keys.LINK_NOTES)
    shared_run = Field(keys.SHARED_RUN)
    browser_token = Field(keys.BROWSER_TOKEN)
    cookie_written = Field(keys.COOKIE_WRITTEN)


class LessonPages(PageState):
    """Learn, Present and Resample: the leakage demonstrations (Learn trains them, Present reads them), the sampler."""

    leakage = Field(keys.LEAKAGE)
    resample_technique = Field(keys.RESAMPLE_TECHNIQUE)


DATA = DataPage()
COMPARE = ComparePage()
RESULTS = ResultsView()
HISTORY = HistoryPage()
BROWSER = BrowserSession()
LESSONS = LessonPages()


def start() -> None:
    """A session's first run: the page state every page may read before its widgets exist."""
    RESULTS.setdefault("threshold", keys.THRESHOLD_WIDGET.default)
    LESSONS.setdefault("leakage", {})
