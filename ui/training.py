"""Training from the dashboard, with progress per technique and epoch and a place in the engine's queue.

The engine's trainer (imbal_core.nets.engine) runs one job at a time for the whole server; this module only
shows progress. A run is interrupted when the person presses Stop or leaves the page: Streamlit then
raises its own stop/rerun signal at the next progress or queue update, which unwinds through Keras,
gives the trainer back (or leaves the queue) and never reaches the line that stores results, so
nothing half-done is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import streamlit as st

from imbal_core.nets.model import ModelSettings
from imbal_core.run.evaluate import leaky_comparison, run_comparison
from ui.page_state import COMPARE
from ui.widgets import technique_name


def run_with_progress(title: str, labels: list[str], train: Callable[[Callable, Callable], object]) -> object:
    """Call `train(on_progress, on_wait)`, drawing one progress bar per label (technique) and, while the
    engine's trainer is busy with other sessions, this run's place in its queue.

    Returns what `train` returns. The caller decides what to keep; this function stores nothing.
    """
    COMPARE.training = True
    with st.status(title, expanded=True) as status:
        st.button(
            "Stop training",
            key="stop_training",
            icon=":material/stop_circle:",
            help="Stops after the current epoch. Nothing from this run is kept; earlier results stay.",
        )
        overall = st.progress(0.0, text="Waiting to start…")
        bars = {index: st.progress(0.0, text=f"{label}: queued") for index, label in enumerate(labels)}
        started = time.perf_counter()

        shown = {"overall": 0.0}

        def on_progress(event) -> None:
            folds = f"fold {event.fold_index + 1}/{event.n_folds}, " if event.n_folds > 1 else ""
            within = 1.0 if event.stage == "done" else (event.epoch / event.max_epochs if event.max_epochs else 0.0)
            technique_fraction = min(1.0, (event.fold_index + within) / max(event.n_folds, 1))
            if event.stage == "stack":  # every technique's networks of this fold train together
                training = event.logs.get("training", 0)
                networks = event.logs.get("networks", 0)
                for index, bar in bars.items():
                    bar.progress(
                        technique_fraction,
                        text=f"{labels[index]}: {folds}epoch {event.epoch}/{event.max_epochs} "
                        f"({training} of {networks} networks of this fold still training)",
                    )
            else:
                label = labels[event.technique_index] if event.technique_index < len(labels) else event.technique
                if event.stage == "done":
                    text = f"{label}: {folds}done"
                elif event.stage == "epoch":
                    text = f"{label}: {folds}epoch {event.epoch}/{event.max_epochs}"
                else:
                    text = f"{label}: {folds}starting"
                bar = bars.get(event.technique_index)
                if bar is not None:
                    bar.progress(technique_fraction, text=text)
            # Techniques of a fold start one by one and then train together, so the raw share can step back.
            shown["overall"] = max(shown["overall"], event.fraction)
            overall.progress(
                shown["overall"],
                text=f"Overall {shown['overall']:.0%} · {time.perf_counter() - started:.0f} s elapsed",
            )

        waiting = st.empty()

        def on_wait(status) -> None:
            # The engine's trainer runs one job at a time, first come first served; say where this one stands.
            waiting.info(f"Waiting for the trainer: {status.message()}", icon=":material/hourglass_top:")
            overall.progress(0.0, text="Queued")

        try:
            overall.progress(0.0, text="Starting TensorFlow (a few seconds the first time)…")
            outcome = train(on_progress, on_wait)
            waiting.empty()
        except Exception:
            # An error is reported by the caller; only a stop (a BaseException) leaves the marker behind.
            del COMPARE.training
            status.update(label=f"{title}: failed", state="error", expanded=False)
            raise
        seconds = time.perf_counter() - started
        status.update(label=f"{title}: done in {seconds:.1f} s", state="complete", expanded=False)
    del COMPARE.training
    return outcome


def compare(frame: pd.DataFrame, target: str, specs: list, protocol, settings: ModelSettings):
    """Train and compare `specs` with progress; returns the Comparison (nothing stored)."""
    names = ", ".join(technique_name(spec.technique_id) for spec in specs)
    return run_with_progress(
        f"Training {len(specs)} technique{'s' if len(specs) != 1 else ''}: {names}",
        [spec.display_name for spec in specs],
        lambda on_progress, on_wait: run_comparison(
            frame, target, specs, protocol, settings, on_progress=on_progress, on_wait=on_wait
        ),
    )


def honest_and_leaky(frame: pd.DataFrame, target: str, spec, protocol, settings: ModelSettings) -> tuple:
    """The same technique trained twice: split first (honest), and resampled before the split (the trap)."""

    def train(on_progress, on_wait) -> tuple:
        def honest_progress(event) -> None:
            on_progress(replace(event, n_techniques=2))  # the honest run is the first of two bars

        def leaky_progress(event) -> None:
            on_progress(replace(event, technique_index=1, n_techniques=2))  # the second of two bars

        honest = run_comparison(frame, target, [spec], protocol, settings, on_progress=honest_progress, on_wait=on_wait)
        leaky = leaky_comparison(frame, target, [spec], protocol, settings, on_progress=leaky_progress, on_wait=on_wait)
        return honest, leaky

    return run_with_progress(
        f"Training {spec.display_name} twice: honest and leaky",
        [f"{spec.display_name}, split first (honest)", f"{spec.display_name}, resampled before the split (leaky)"],
        train,
    )
