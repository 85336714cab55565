"""The dashboard's side of the run history (imbal_core/store/history.py): save, reopen, open shared runs, import.

When the database cannot be used, every function here degrades to "no history" and leaves one message (shown
once per session) saying why; the dashboard keeps working with the runs of the session.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from imbal_core.data.samples import SAMPLES, get_sample
from imbal_core.errors import ImbalanceLabError
from imbal_core.store.history import (
    History,
    HistoryUnavailable,
    RunSummary,
    StoredRun,
    default_path,
    new_token,
    open_history,
    run_name,
)
from imbal_core.store.results_document import comparisons_from_json_document
from ui import cache, identity
from ui.datasets import Sample
from ui.page_state import BROWSER, HISTORY
from ui.store import store


def history_store() -> History | None:
    """The history for this server, or None (and the reason, kept for `take_problem`) when it is unavailable."""
    try:
        return open_history()
    except HistoryUnavailable as error:
        _note_problem(str(error))
        return None


def _note_problem(message: str) -> None:
    if not HISTORY.problem_shown:
        HISTORY.problem = message


def take_problem() -> str | None:
    """The unavailability message, once per session (then None)."""
    message = HISTORY.take("problem")
    if message:
        HISTORY.problem_shown = True
    return for_this_session(message) if message else None


def for_this_session(message: str) -> str:
    """A history message as this session may read it: a session that came through a share link is not told
    where the server keeps its files (the messages of imbal_core.store.history name the file for whoever runs it)."""
    where = location()
    if where and opened_a_share_link():
        return message.replace(where, "on the server")
    return message


def location() -> str | None:
    """The server's history file, for the command-line hint only (None when history is turned off)."""
    path = default_path()
    return str(path) if path is not None else None


def opened_a_share_link() -> bool:
    """Whether this session came through a share link (or opened one): it is shown nothing of the server
    beyond the shared run, not even where the history file lives."""
    if HISTORY.share_visitor or BROWSER.shared_run:
        return True
    return store.has_read_only_run()


def default_name(comparison, dataset_name: str) -> str:
    """e.g. "Breast cancer biopsies (real) · diagnosis · 3 techniques · 5-fold" (the CLI's --save names alike)."""
    return run_name(comparison, dataset_name)


def save(comparison) -> str | None:
    """Store a finished comparison for this browser; returns its history id, or None (history unavailable)."""
    history = history_store()
    if history is None:
        return None
    loaded = store.dataset()
    try:
        return history.save(
            comparison,
            identity.browser_token(),
            default_name(comparison, loaded.name),
            loaded.name,
            loaded.digest,
            sample_id=loaded.sample_id if loaded.source == "sample" else None,
        )
    except HistoryUnavailable as error:
        _note_problem(str(error))
        return None


def open_stored(stored: StoredRun) -> list[str]:
    """Put a stored run among the session's runs (no retraining), switching to its bundled sample and target.

    Returns notes for the person (e.g. "upload the file again to see it")."""
    summary = stored.summary
    notes: list[str] = []
    if summary.sample_id and (not store.has_dataset() or store.dataset().sample_id != summary.sample_id):
        try:
            store.switch_to(Sample(summary.sample_id))
        except ImbalanceLabError as error:
            notes.append(f"Its sample {summary.sample_id!r} could not be loaded ({error}).")
    if store.has_dataset() and summary.target and store.target() != summary.target:
        with contextlib.suppress(ImbalanceLabError):  # the data is not the run's: the note below says what to do
            store.switch_to(target=summary.target)
    key = _dataset_key_for(stored)
    if key is None:
        key = f"{summary.digest}:{summary.target}"
        notes.append(
            f"It was trained on {summary.dataset_name!r} (target {summary.target!r}), which is not loaded: "
            "load or upload that data on the Data page to see it on Train & compare."
        )
    store.add_opened_run(
        stored.comparison, key, summary.dataset_name, _identity(stored), stored.read_only, summary.name
    )  # unless it is open already
    return notes


def _identity(stored: StoredRun) -> str:
    """How an opened run is known in the session: its run id (owner), or its share id (someone else's)."""
    return stored.summary.run_id or f"shared:{stored.summary.share_id}"


def _dataset_key_for(stored: StoredRun) -> str | None:
    """The loaded data's key when it is the run's data: same fingerprint and target, or, for an imported run
    (no fingerprint), the same target with the same rows per class."""
    if not store.has_dataset():
        return None
    summary, loaded = stored.summary, store.dataset()
    if summary.target != store.target():
        return None
    if summary.digest:
        return store.dataset_key() if summary.digest == loaded.digest else None
    counts = stored.comparison.dataset.get("class_counts") or {}
    profile = store.dataset_profile()
    same = {str(label): int(count) for label, count in profile.class_counts.items()} == {
        str(label): int(count) for label, count in counts.items()
    }
    return store.dataset_key() if same else None


def open_shared_link(share_id: str) -> list[str]:
    """`?run=<share id>`: open that run read-only; a note (never an error) when it cannot be."""
    HISTORY.share_visitor = True
    history = history_store()
    if history is None:
        del BROWSER.shared_run
        return ["The shared run in this link cannot be opened: run history is unavailable on this server."]
    try:
        stored = history.load_shared(share_id)
    except (ImbalanceLabError, HistoryUnavailable) as error:
        del BROWSER.shared_run
        return [f"The shared run in this link cannot be opened. {error}"]
    notes = open_stored(stored)
    HISTORY.opened = f"Opened the shared run {stored.summary.name!r} (read-only)."
    return notes


def import_results(raw: bytes, file_name: str) -> tuple[int, list[str]]:
    """Import a results JSON (CLI or dashboard export): each comparison is stored in this browser's history
    (when available) and opened in the session. Returns (runs imported, notes); InputError when unusable."""
    comparisons = comparisons_from_json_document(raw)
    history = history_store()
    notes: list[str] = []
    for index, comparison in enumerate(comparisons):
        name = f"Imported from {file_name}" + (f" (run {index + 1})" if len(comparisons) > 1 else "")
        sample_id, digest = _matching_sample(comparison)
        dataset_name = _sample_title(sample_id) if sample_id else file_name
        run_id = None
        if history is not None:
            try:
                run_id = history.save(
                    comparison, identity.browser_token(), name, dataset_name, digest, sample_id=sample_id
                )
            except HistoryUnavailable as error:
                _note_problem(str(error))
        if run_id is not None:
            notes += open_stored(history.load(run_id, identity.browser_token()))
        else:
            summary = _unsaved_summary(comparison, name, dataset_name, digest, sample_id)
            notes += open_stored(StoredRun(summary, comparison, read_only=False))
    return len(comparisons), list(dict.fromkeys(notes))


def _matching_sample(comparison) -> tuple[str | None, str]:
    """A bundled sample with the same target and rows per class as the imported run, and its fingerprint."""
    target = comparison.dataset.get("target")
    counts = {str(label): int(count) for label, count in (comparison.dataset.get("class_counts") or {}).items()}
    for info in SAMPLES:
        if info.target != target:
            continue
        table, digest = cache.read_sample(info.id)
        profile = cache.dataset_profile(digest, info.target, table.frame, tuple(table.notes))
        if {str(label): int(count) for label, count in profile.class_counts.items()} == counts:
            return info.id, digest
    return None, ""


def _sample_title(sample_id: str) -> str:
    return get_sample(sample_id).title


def _unsaved_summary(comparison, name, dataset_name, digest, sample_id):
    return RunSummary(
        run_id=f"unsaved-{new_token()}",
        name=name,
        created=datetime.now(),
        dataset_name=dataset_name,
        digest=digest,
        target=str(comparison.dataset.get("target", "")),
        protocol=comparison.protocol.to_json(),
        techniques=[result.spec.label for result in comparison.results],
        metrics={},
        sample_id=sample_id,
    )
