"""What the dashboard changes in Streamlit's script runner, and why.

After every script run of every session, Streamlit calls `keras.backend.clear_session()` when Keras is
imported (TensorFlow imports it). That resets Keras' global state and runs a full garbage collection. In
this app the engine owns that state (imbal_core/nets/engine.py): a reset from one session's rerun could land in
the middle of another session's fit, and the collections, one per rerun of every session, held the
interpreter lock for most of the time the server's health check waited with 20 sessions (a py-spy profile
in bench/RESULTS.md section 12). So the runner's clean-up leaves Keras alone; what it does for pyplot stays.
"""

from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner

STREAMLIT_CLEAN_UP = script_runner._clean_problem_modules  # as Streamlit ships it, before any replacement


def _clean_problem_modules_but_keras() -> None:
    """Streamlit's per-run clean-up, except the Keras reset: close pyplot figures, if pyplot is loaded."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def leave_engine_state_alone() -> None:
    """Replace the runner's module clean-up (idempotent; the runner looks the function up on every run)."""
    script_runner._clean_problem_modules = _clean_problem_modules_but_keras
