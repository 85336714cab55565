"""The trainer: one per process, owning what every training run shares.

Keras keeps global state (the random seed, compiled functions), so two fits must never interleave in
one process. The trainer owns that state: the compiled-model cache and the turn. Callers (the CLI, the
dashboard's sessions, tests) ask it to run a job and are told, while they wait, their place in the
queue and an estimate; they never hold a lock of their own. The queue is first come, first served.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np

from imbal_core.nets.cnn import create_cnn_model
from imbal_core.nets.model import STEPS_PER_EXECUTION, ModelSettings, build_loss, create_mlp_model, output_bias
from imbal_core.nets.stacked import Member, train_stack

Result = TypeVar("Result")
POLL_SECONDS = 0.5
RECENT_RUNS = 10


@dataclass(frozen=True)
class WaitStatus:
    """What a waiting caller is told: how many runs are ahead of it and roughly how long that takes."""

    ahead: int  # runs before this one, the one training now included
    waited_seconds: float
    estimate_seconds: float | None  # None until a run has finished in this process

    def message(self) -> str:
        """One sentence for a person, e.g. "2 runs ahead of yours (about 40 s); waiting 12 s so far"."""
        runs = "1 run is" if self.ahead == 1 else f"{self.ahead} runs are"
        estimate = f" (about {self.estimate_seconds:.0f} s)" if self.estimate_seconds is not None else ""
        return f"{runs} ahead of yours{estimate}; waiting {self.waited_seconds:.0f} s so far."


class QueueLeft(Exception):
    """Raised in a waiting caller whose stop check asked to leave the queue."""


class CompiledModels:
    """Reuses compiled models across fits: tracing a new model's train function costs about a second,
    often more than the training itself. Before each fit every variable (weights, dropout seed state,
    optimiser moments) is reset to what a fresh model with that seed would hold, so a reused model
    trains exactly like a fresh one. Starting values are kept per seed, so the techniques of one fold
    share them without building a model each."""

    def __init__(self, capacity: int = 6, starts_capacity: int = 64) -> None:
        self.capacity = capacity
        self.starts_capacity = starts_capacity
        self.models: dict[tuple, object] = {}
        self.starts: dict[tuple, list[np.ndarray]] = {}

    def prepared(
        self, n_features: int, n_classes: int, settings: ModelSettings, focal: dict | None, seed: int, bias: np.ndarray
    ):
        def fresh_model():
            loss = _loss(n_classes, focal)
            if settings.image_shape is not None:  # images: the CNN body on the flattened pixels
                return create_cnn_model(
                    settings.image_shape, n_classes, settings, bias, loss, seed, STEPS_PER_EXECUTION, flat_input=True
                )
            return create_mlp_model(n_features, n_classes, settings, bias, loss, seed, STEPS_PER_EXECUTION)

        key = (n_features, n_classes, settings, tuple(sorted((focal or {}).items())))
        start_key = (n_features, n_classes, settings.hidden_units, settings.dropout, settings.image_shape, seed)
        model = self.models.get(key)
        if model is None:
            model = fresh_model()
            self._remember(self.models, key, model, self.capacity)
            self._remember(self.starts, start_key, [v.numpy() for v in model.variables], self.starts_capacity)
            return model
        values = self.starts.get(start_key)
        if values is None:
            values = [v.numpy() for v in fresh_model().variables]
            self._remember(self.starts, start_key, values, self.starts_capacity)
        for variable, value in zip(model.variables, values, strict=True):
            variable.assign(value)
        model.get_layer("probability").bias.assign(np.asarray(bias, dtype=np.float32))
        for variable in model.optimizer.variables:
            if "learning_rate" not in variable.path:
                variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
        return model

    @staticmethod
    def _remember(store: dict, key: tuple, value, capacity: int) -> None:
        if len(store) >= capacity:
            store.pop(next(iter(store)))
        store[key] = value


def _loss(n_classes: int, focal: dict | None):
    return build_loss(n_classes, focal is not None, **(focal or {}))


class Trainer:
    """Runs training jobs one at a time, first come first served, with the compiled-model cache they share."""

    def __init__(self, model_capacity: int = 6) -> None:
        self.models = CompiledModels(capacity=model_capacity)
        self._condition = threading.Condition()
        self._queue: list[object] = []
        self._busy = False
        self._recent: deque[float] = deque(maxlen=RECENT_RUNS)
        self.warming = False  # warm_up_in_background was started in this process

    def run(
        self,
        job: Callable[[CompiledModels], Result],
        on_wait: Callable[[WaitStatus], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Result:
        """Wait for this caller's turn (reporting its place), then run `job(models)`; returns what it returns."""
        with self.turn(on_wait, should_stop):
            return job(self.models)

    @contextmanager
    def turn(
        self,
        on_wait: Callable[[WaitStatus], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Iterator[float]:
        """Hold the trainer for the `with` block; yields the seconds spent waiting."""
        ticket = object()
        started = time.monotonic()
        with self._condition:
            self._queue.append(ticket)
        try:
            while True:
                with self._condition:
                    if not self._busy and self._queue[0] is ticket:
                        self._queue.pop(0)
                        self._busy = True
                        break
                    status = self._status(ticket, started)
                    self._condition.wait(POLL_SECONDS)
                # Callbacks run outside the condition: a caller's callback may raise (a stop, a page left).
                if on_wait is not None:
                    on_wait(status)
                if should_stop is not None and should_stop():
                    raise QueueLeft()
        except BaseException:
            with self._condition:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                self._condition.notify_all()
            raise
        waited = time.monotonic() - started
        running = time.monotonic()
        try:
            yield waited
        finally:
            with self._condition:
                self._busy = False
                self._recent.append(time.monotonic() - running)
                self._condition.notify_all()

    def waiting(self) -> int:
        """How many callers are queued (not counting the one training)."""
        with self._condition:
            return len(self._queue)

    def busy(self) -> bool:
        with self._condition:
            return self._busy

    def _status(self, ticket: object, started: float) -> WaitStatus:
        ahead = self._queue.index(ticket) + (1 if self._busy else 0)
        typical = statistics.median(self._recent) if self._recent else None
        estimate = None if typical is None else ahead * typical
        return WaitStatus(ahead, time.monotonic() - started, estimate)


def warm_up(delay_seconds: float = 0.0) -> None:
    """Import TensorFlow and trace the stacked epoch for the default settings, in the trainer's turn.

    Both hold Python's interpreter lock for seconds (the import, autograph's conversion); a server that
    does this once, soon after start, keeps that pause away from the moment a class presses Train.
    """
    time.sleep(delay_seconds)
    features = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    labels = (features[:, 0] > 1.0).astype(int)
    labels[:2] = 1
    member = Member(features, labels, np.ones(64, np.float32), output_bias(labels, 2), 0, features, labels)
    with trainer().turn():
        train_stack([member], 2, replace(ModelSettings(), max_epochs=1))


def warm_up_in_background(delay_seconds: float) -> bool:
    """Start `warm_up` on a daemon thread, once per process; True if this call started it."""
    owner = trainer()
    with owner._condition:
        if owner.warming:
            return False
        owner.warming = True
    threading.Thread(target=warm_up, args=(delay_seconds,), name="engine-warm-up", daemon=True).start()
    return True


_TRAINER: Trainer | None = None
_CREATE = threading.Lock()


def trainer() -> Trainer:
    """The process's trainer (Keras' global state is per process, so there is exactly one)."""
    global _TRAINER
    with _CREATE:
        if _TRAINER is None:
            _TRAINER = Trainer()
        return _TRAINER
