"""Run history: who sees what, what survives, and every database fault as a clear HistoryUnavailable."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from imbal_core.store import history
from imbal_core.store.history import History, HistoryUnavailable, NotFound
from tests.support.comparisons import assert_same_value, hand_built_comparison

ALICE, BOB = "token-of-alice-browser", "token-of-bob-browser"


@pytest.fixture
def store(tmp_path: Path) -> History:
    return History(tmp_path / "history.sqlite3")


def save(store: History, owner: str = ALICE, name: str = "first run", seed: int = 0) -> str:
    return store.save(hand_built_comparison(seed=seed), owner, name, "Card fraud", f"digest{seed}")


# --- the repository ------------------------------------------------------------------------------------------


def test_a_saved_run_lists_for_its_owner_and_loads_back_exactly(store):
    comparison = hand_built_comparison()
    run_id = store.save(comparison, ALICE, "Before class", "Card fraud", "abc123", sample_id="fraud")
    [summary] = store.list_runs(ALICE)
    assert summary.sample_id == "fraud"
    assert (summary.run_id, summary.name, summary.dataset_name, summary.digest) == (
        run_id,
        "Before class",
        "Card fraud",
        "abc123",
    )
    assert summary.target == "is_fraud"
    assert summary.protocol == {"mode": "cv", "folds": 3, "repeats": 1, "test_size": None, "seed": 7}
    assert summary.techniques == ["baseline", "smote(k_neighbors=3)", "focal_loss"]
    assert summary.metrics["baseline"]["pr_auc"] == pytest.approx(comparison.results[0].metrics["pr_auc"])
    assert summary.size_bytes > 0
    stored = store.load(run_id, ALICE)
    assert not stored.read_only
    assert_same_value(comparison, stored.comparison)


def test_runs_list_newest_first_and_only_the_owners(store):
    first, second = save(store, name="one"), save(store, name="two", seed=1)
    save(store, BOB, name="bob's")
    assert [summary.run_id for summary in store.list_runs(ALICE)] == [second, first]
    assert [summary.name for summary in store.list_runs(BOB)] == ["bob's"]
    assert store.list_runs("a browser with no runs") == []


def test_ids_are_random_unguessable_and_the_share_id_differs_from_the_run_id(store):
    run_ids = {save(store, seed=seed) for seed in range(3)}
    assert len(run_ids) == 3 and all(len(run_id) >= 22 for run_id in run_ids)
    share_ids = {store.share(run_id, ALICE) for run_id in run_ids}
    assert len(share_ids) == 3 and not share_ids & run_ids


def test_another_browser_cannot_load_change_or_share_a_run_and_gets_the_same_message_as_for_a_missing_one(store):
    run_id = save(store)
    messages = set()
    for action in (
        lambda: store.load(run_id, BOB),
        lambda: store.load("no-such-run", ALICE),
        lambda: store.rename(run_id, BOB, "mine now"),
        lambda: store.delete(run_id, BOB),
        lambda: store.share(run_id, BOB),
        lambda: store.unshare(run_id, BOB),
        lambda: store.load_shared(run_id),  # a run id is not a share link
        lambda: store.load_shared("no-such-share"),
    ):
        with pytest.raises(NotFound) as caught:
            action()
        messages.add(str(caught.value))
    assert messages == {history.NOT_FOUND_MESSAGE}
    assert [summary.name for summary in store.list_runs(ALICE)] == ["first run"]


def test_a_shared_run_opens_read_only_for_anyone_with_the_link_without_revealing_the_run_id(store):
    run_id = save(store)
    share_id = store.share(run_id, ALICE)
    assert store.share(run_id, ALICE) == share_id  # sharing again gives the same link
    shared = store.load_shared(share_id)
    assert shared.read_only and shared.summary.run_id == "" and shared.summary.share_id == share_id
    assert_same_value(store.load(run_id, ALICE).comparison, shared.comparison)
    by_id = store.load(run_id, BOB)  # a shared run is visible to others, read-only, without its share id
    assert by_id.read_only and by_id.summary.share_id is None
    assert store.list_runs(BOB) == []  # sharing does not put it in Bob's list
    store.unshare(run_id, ALICE)
    with pytest.raises(NotFound):
        store.load_shared(share_id)
    assert store.share(run_id, ALICE) != share_id  # a new link after unsharing


def test_only_the_owner_renames_and_deletes(store):
    run_id = save(store)
    store.rename(run_id, ALICE, "  Fraud,\n5 folds  ")
    assert store.list_runs(ALICE)[0].name == "Fraud, 5 folds"
    with pytest.raises(ValueError, match="needs a name"):
        store.rename(run_id, ALICE, "   ")
    store.delete(run_id, ALICE)
    assert store.list_runs(ALICE) == []
    with pytest.raises(NotFound):
        store.load(run_id, ALICE)


def test_the_database_keeps_a_hash_of_the_owner_token_never_the_token(store):
    save(store)
    raw = store.path.read_bytes() + (
        Path(f"{store.path}-wal").read_bytes() if Path(f"{store.path}-wal").exists() else b""
    )
    assert ALICE.encode() not in raw
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("SELECT owner FROM runs").fetchone()[0] == history.owner_hash(ALICE)


def test_a_run_survives_a_new_history_object_on_the_same_file(store):
    run_id = save(store)
    reopened = History(store.path)
    assert reopened.load(run_id, ALICE).summary.name == "first run"


def test_the_database_size_per_run_is_what_the_arrays_need(store):
    """20,000 rows, 5 folds, 6 techniques (the fraud sample's shape), probabilities as the network gives them
    (float32 values in float64, first column 1 - second): stored exactly in about a quarter of their bytes."""
    from imbal_core.run import evaluate, metrics
    from imbal_core.techniques import catalogue

    rng = np.random.default_rng(0)
    results = []
    for technique_id in ("baseline", "class_weight", "focal_loss", "random_over", "smote", "random_under"):
        result = evaluate.TechniqueResult(spec=catalogue.make_spec(technique_id))
        for fold in range(5):
            rows = np.arange(fold * 4000, (fold + 1) * 4000)
            positive = rng.random(4000).astype(np.float32).astype(np.float64)
            result.test_labels.append((rng.random(4000) < 0.02).astype(np.int64))
            result.test_probabilities.append(np.column_stack([1 - positive, positive]))
            result.test_rows.append(rows)
            validation = rng.random(3200).astype(np.float32).astype(np.float64)
            result.validation_labels.append((rng.random(3200) < 0.02).astype(np.int64))
            result.validation_probabilities.append(np.column_stack([1 - validation, validation]))
            result.fold_metrics.append(metrics.compute_metrics(result.test_labels[-1], result.test_probabilities[-1]))
        results.append(result)
    comparison = hand_built_comparison()
    comparison.results = results
    before = store.path.stat().st_size
    run_id = store.save(comparison, ALICE, "fraud-sized", "Card fraud", "d")
    size = store.list_runs(ALICE)[0].size_bytes
    float64_bytes = 6 * 5 * (4000 + 3200) * 2 * 8  # the probabilities alone, as the engine holds them
    assert size < 0.3 * float64_bytes
    assert store.path.stat().st_size - before < 0.35 * float64_bytes
    assert_same_value(comparison.results, store.load(run_id, ALICE).comparison.results)


# --- the environment -----------------------------------------------------------------------------------------


def test_the_path_comes_from_the_environment_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv(history.ENV_VARIABLE, str(tmp_path / "mine.sqlite3"))
    assert history.default_path() == tmp_path / "mine.sqlite3"
    monkeypatch.delenv(history.ENV_VARIABLE)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert history.default_path() == tmp_path / "data" / "imbalance-lab" / "history.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history.default_path() == tmp_path / "home" / ".local" / "share" / "imbalance-lab" / "history.sqlite3"


def test_history_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(history.ENV_VARIABLE, "off")
    assert history.default_path() is None
    with pytest.raises(HistoryUnavailable, match="turned off"):
        History()


def test_the_test_suite_never_touches_the_real_history():
    assert history.default_path() is not None
    assert ".local/share" not in str(history.default_path())


# --- concurrency ---------------------------------------------------------------------------------------------


def test_ten_threads_saving_at_once_lose_nothing(store):
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def writer(index: int) -> None:
        try:
            barrier.wait()
            store.save(hand_built_comparison(seed=index), f"owner{index % 3}", f"run {index}", "d", "x")
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count() == 10
    assert sorted(summary.name for owner in range(3) for summary in store.list_runs(f"owner{owner}")) == sorted(
        f"run {index}" for index in range(10)
    )


def _process_writer(path: str, index: int, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    History(path).save(hand_built_comparison(seed=index), "shared-owner", f"process {index}", "d", "x")


def test_ten_processes_saving_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "history.sqlite3")
    context = multiprocessing.get_context("fork")  # children inherit the imports: seconds, not twenty
    start = context.Event()
    processes = [context.Process(target=_process_writer, args=(path, index, start)) for index in range(10)]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * 10
    assert sorted(summary.name for summary in History(path).list_runs("shared-owner")) == sorted(
        f"process {index}" for index in range(10)
    )


# --- faults --------------------------------------------------------------------------------------------------


def test_a_corrupt_file_is_reported_as_damaged(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(HistoryUnavailable, match="is damaged") as caught:
        History(path)
    assert "Runs are kept in this browser session only" in str(caught.value)


def test_a_damaged_stored_run_is_reported_not_raised_as_a_traceback(store):
    run_id = save(store)
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE runs SET arrays = ?", (b"garbage",))
    with pytest.raises(HistoryUnavailable, match="cannot be read"):
        store.load(run_id, ALICE)


def test_a_folder_that_cannot_be_created_is_reported(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(HistoryUnavailable, match="cannot be opened or created"):
        History(blocker / "history.sqlite3")


class ReadOnlyHistory(History):
    def _configure(self, connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA query_only = ON")


def test_a_read_only_database_still_lists_but_saving_says_read_only(store):
    save(store)
    read_only = ReadOnlyHistory(store.path)
    assert [summary.name for summary in read_only.list_runs(ALICE)] == ["first run"]
    with pytest.raises(HistoryUnavailable, match="is read-only"):
        save(read_only)
    assert store.count() == 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_file_says_read_only(store):
    save(store)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{store.path}{suffix}").exists():
            os.chmod(f"{store.path}{suffix}", 0o444)
    with pytest.raises(HistoryUnavailable, match="read-only"):
        save(History(store.path))


def test_a_locked_database_says_locked_after_waiting(store):
    save(store)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        impatient = History(store.path, timeout_seconds=0.2)
        with pytest.raises(HistoryUnavailable, match="is locked"):
            save(impatient)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.count() == 1


class FullHistory(History):
    """A database that cannot grow beyond its current pages: what a full disk looks like to SQLite."""

    def _configure(self, connection: sqlite3.Connection) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_database_says_full_and_leaves_no_half_written_run(store):
    save(store)
    full = FullHistory(store.path)
    with pytest.raises(HistoryUnavailable, match="is full"):
        save(full, name="does not fit")
    assert [summary.name for summary in store.list_runs(ALICE)] == ["first run"]
    assert store.count() == 1


def test_one_malformed_row_is_left_out_with_a_sentence_naming_it_and_the_others_still_list(store):
    """Issue 19 item 15: a row whose techniques column was not JSON made list_runs raise, hiding every run."""
    import sqlite3

    store.save(hand_built_comparison(), ALICE, "Good", "d", "x")
    bad_id = store.save(hand_built_comparison(seed=1), ALICE, "Broken", "d", "x")
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE runs SET metrics = '[1, 2' WHERE id = ?", (bad_id,))
    summaries, unreadable = store.list_runs_checked(ALICE)
    assert [summary.name for summary in summaries] == ["Good"]
    [damaged] = unreadable
    assert damaged.run_id == bad_id
    assert "'Broken'" in damaged.message and "the column metrics is not valid JSON" in damaged.message
    assert [summary.name for summary in store.list_runs(ALICE)] == ["Good"]
