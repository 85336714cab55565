"""The dashboard's change to Streamlit's script runner: no Keras reset after every script run."""

from __future__ import annotations

import keras
from streamlit.runtime.scriptrunner import script_runner

from ui.runtime import STREAMLIT_CLEAN_UP, leave_engine_state_alone


def test_the_runner_no_longer_resets_keras_after_a_script_run(monkeypatch):
    resets = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: resets.append(1))
    monkeypatch.setattr(script_runner, "_clean_problem_modules", STREAMLIT_CLEAN_UP)  # as shipped
    script_runner._clean_problem_modules()
    assert resets == [1]  # what Streamlit does on its own after every run of every session
    leave_engine_state_alone()
    script_runner._clean_problem_modules()
    assert resets == [1]


def test_the_app_applies_it_and_turns_off_the_collection_after_every_run():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "runtime.leave_engine_state_alone()" in (root / "app.py").read_text()
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
