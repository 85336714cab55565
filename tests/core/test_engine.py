"""The engine's trainer: one job at a time, first come first served, each waiter told its place."""

from __future__ import annotations

import threading
import time

import pytest

from imbal_core.nets.engine import QueueLeft, Trainer


def test_jobs_run_one_at_a_time_in_arrival_order_and_waiters_hear_their_place():
    trainer = Trainer()
    order, statuses, running = [], {}, []
    release = threading.Event()

    def job(name: str, hold: bool = False):
        def run(models) -> str:
            running.append(name)
            assert len(running) == 1, running  # never two at once
            if hold:
                release.wait(5)
            order.append(name)
            running.remove(name)
            return name

        return run

    first = threading.Thread(target=trainer.run, args=(job("first", hold=True),))
    first.start()
    while not trainer.busy():
        time.sleep(0.01)
    waiters = []
    for name in ("second", "third"):
        statuses[name] = []
        thread = threading.Thread(target=trainer.run, args=(job(name), statuses[name].append))
        thread.start()
        waiters.append(thread)
        while trainer.waiting() < len(waiters):
            time.sleep(0.01)
    time.sleep(1.2)  # a few queue reports each
    release.set()
    for thread in (first, *waiters):
        thread.join(10)
    assert order == ["first", "second", "third"]
    assert statuses["second"][0].ahead == 1 and statuses["third"][0].ahead == 2
    assert "ahead of yours" in statuses["third"][0].message()
    assert not trainer.busy() and trainer.waiting() == 0


def test_a_waiter_that_leaves_gives_up_its_place_and_a_failing_job_gives_the_trainer_back():
    trainer = Trainer()
    with trainer.turn():
        leaving = []

        def leave() -> None:
            try:
                trainer.run(lambda models: "never", should_stop=lambda: True)
            except QueueLeft:
                leaving.append(True)

        thread = threading.Thread(target=leave)
        thread.start()
        thread.join(5)
        assert leaving == [True] and trainer.waiting() == 0
    with pytest.raises(ZeroDivisionError):
        trainer.run(lambda models: 1 / 0)
    assert trainer.run(lambda models: "next") == "next"  # not left busy by the failure


def test_the_estimate_follows_the_runs_that_finished():
    trainer = Trainer()
    trainer.run(lambda models: time.sleep(0.3))
    statuses = []
    with trainer.turn():
        thread = threading.Thread(target=trainer.run, args=(lambda models: None, statuses.append))
        thread.start()
        time.sleep(0.8)
    thread.join(5)
    assert statuses and statuses[0].estimate_seconds == pytest.approx(0.3, abs=0.15)


def test_the_engine_warms_up_once_per_process_and_gives_its_turn_back():
    import threading
    import time

    from imbal_core.nets.engine import trainer, warm_up_in_background

    started = warm_up_in_background(0.0)
    assert warm_up_in_background(0.0) is False  # a second page (or session) starts nothing more
    if started:
        thread = next(thread for thread in threading.enumerate() if thread.name == "engine-warm-up")
        thread.join(timeout=120)
        assert not thread.is_alive()
    deadline = time.monotonic() + 60
    while trainer().busy() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not trainer().busy() and trainer().waiting() == 0
