"""Errors a person can act on, never a traceback: ImbalanceLabError messages as they are, anything else
summarised in one line and logged in full for whoever runs the server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from imbal_core.errors import ImbalanceLabError
from ui.widgets import plain

logger = logging.getLogger("imbalance_lab")
Result = TypeVar("Result")
MAX_DETAIL = 160
# What passes through untouched: Streamlit's stop/rerun signals (st.rerun, st.switch_page, st.stop) and the
# interpreter's own shutdown. Everything else, SystemExit included, comes from what a page was doing.
PASS_THROUGH = (ScriptControlException, KeyboardInterrupt, GeneratorExit)


def error_message(action: str, error: BaseException) -> str:
    """What to show for an error raised while doing `action` (e.g. "reading the file")."""
    if isinstance(error, ImbalanceLabError):
        return str(error)
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + "…"
    summary = type(error).__name__ + (f": {detail}" if detail else "")
    return f"Something went wrong while {action}: {summary}. Your data and earlier results are kept."


def _log(action: str, error: BaseException) -> None:
    if not isinstance(error, ImbalanceLabError):
        logger.error("Unexpected error while %s", action, exc_info=(type(error), error, error.__traceback__))


@contextmanager
def reported(action: str) -> Iterator[None]:
    """Run a page action; an error becomes an st.error and the rest of the page still renders.

    Streamlit's own stop/rerun signals pass through untouched. Any other BaseException becomes a message too: a
    SystemExit raised while reading a person's file would otherwise end the script thread and leave the page
    "running".
    """
    try:
        yield
    except PASS_THROUGH:
        raise
    except BaseException as error:  # noqa: BLE001 - every error must become a message, never a traceback
        _log(action, error)
        # Messages quote user text (file and column names): shown inert, never as markdown links.
        st.error(plain(error_message(action, error)), icon=":material/error:")


def capture(action: str, function: Callable[..., Result], *arguments: Any) -> tuple[Result | None, str | None]:
    """Call `function`; return (result, None) or (None, message). For callbacks, which cannot draw."""
    try:
        return function(*arguments), None
    except PASS_THROUGH:
        raise
    except BaseException as error:  # noqa: BLE001 - see reported()
        _log(action, error)
        return None, error_message(action, error)
