"""Run history: finished comparisons in one SQLite file (standard library), owned by the browser that made them.

Where: `$IMBAL_LAB_HISTORY` if set (`off` turns history off), else `$XDG_DATA_HOME/imbalance-lab/history.sqlite3`,
else `~/.local/share/imbalance-lab/history.sqlite3`.

Who sees what: a run belongs to an owner token (a random token per browser, or "cli"); only a hash of the
token is stored. `load` shows a run to its owner, or to anyone once its owner shared it; `load_shared` opens a
run by its share id, a second random id, so a share link never reveals the run id. Only the owner can rename,
delete, share or unshare. A run that is missing and a run that is not yours raise the same NotFound.

Faults: every operation is one transaction on its own connection (WAL mode and a busy timeout, so sessions
saving at once wait for each other instead of losing runs). A corrupt, read-only, locked or full database
raises HistoryUnavailable with a message a person can act on; the caller carries on without history.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from imbal_core.data.samples import SAMPLES, get_sample, sample_path
from imbal_core.errors import ImbalanceLabError, InputError
from imbal_core.store.serialize import comparison_from_packed, encode, pack_comparison

ENV_VARIABLE = "IMBAL_LAB_HISTORY"
OWNER_VARIABLE = "IMBAL_LAB_OWNER"  # whose history `compare --save` writes to (default CLI_OWNER)
CLI_OWNER = "cli"
DISABLED_VALUES = ("off", "none", "0", "false", "no")
SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 15.0
MAX_NAME_LENGTH = 120
ID_BYTES = 16  # 128 random bits: token_urlsafe gives 22 characters

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    share_id TEXT UNIQUE,
    created TEXT NOT NULL,
    name TEXT NOT NULL,
    dataset_name TEXT NOT NULL,
    digest TEXT NOT NULL,
    sample_id TEXT,
    target TEXT NOT NULL,
    protocol TEXT NOT NULL,
    settings TEXT NOT NULL,
    techniques TEXT NOT NULL,
    costs TEXT,
    metrics TEXT NOT NULL,
    record TEXT NOT NULL,
    arrays BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_owner ON runs (owner, created);
"""
SUMMARY_COLUMNS = (
    "id, share_id, created, name, dataset_name, digest, target, protocol, techniques, costs, metrics, "
    "length(record) + length(arrays), sample_id"
)


class HistoryUnavailable(ImbalanceLabError):
    """The history database cannot be used (damaged, read-only, locked, full, or turned off)."""


class NotFound(ImbalanceLabError):
    """No such run for this person: missing and not-yours read the same, so ids cannot be probed."""


NOT_FOUND_MESSAGE = "Run not found: it does not exist, or it is not shared with you."


@dataclass(frozen=True)
class RunSummary:
    """One stored run as a list shows it (no arrays loaded)."""

    run_id: str
    name: str
    created: datetime
    dataset_name: str
    digest: str
    target: str
    protocol: dict
    techniques: list[str]
    metrics: dict  # technique label -> mean metrics
    costs: dict | None = None
    share_id: str | None = None
    size_bytes: int = 0
    sample_id: str | None = None  # the bundled sample the run was trained on (None: an upload or an import)


@dataclass(frozen=True)
class UnreadableRun:
    """A stored row whose summary cannot be read: its id (so its owner can still delete it) and why, in words."""

    run_id: str
    message: str


@dataclass
class StoredRun:
    """A run as loaded: its summary, the whole comparison, and whether the viewer may change it."""

    summary: RunSummary
    comparison: object  # imbal_core.run.results.Comparison
    read_only: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.summary.run_id


def default_path() -> Path | None:
    """The history file from the environment (None when turned off with IMBAL_LAB_HISTORY=off)."""
    configured = os.environ.get(ENV_VARIABLE, "").strip()
    if configured.lower() in DISABLED_VALUES:
        return None
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(data_home) / "imbalance-lab" / "history.sqlite3"


def owner_hash(owner: str) -> str:
    """What the database keeps of an owner token: its SHA-256, so a copied file does not reveal tokens."""
    if not owner:
        raise ValueError("An owner token is needed to store or find runs.")
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A random, unguessable id (run ids, share ids, browser tokens)."""
    return secrets.token_urlsafe(ID_BYTES)


def _explain(error: BaseException, path: Path) -> str:
    """A sqlite3 or OS error as a sentence a person can act on."""
    text = str(error).lower()
    where = f"The run history file {path}"
    fallback = " Runs are kept in this browser session only; set IMBAL_LAB_HISTORY to another file to keep them."
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return f"{where} is damaged (not a readable SQLite database). Move it away to start a new history." + fallback
    if "readonly" in text or "read-only" in text:
        return f"{where} is read-only, so new runs cannot be saved." + fallback
    if "locked" in text or "busy" in text:
        return f"{where} is locked by another program and stayed locked; try again in a moment." + fallback
    if "full" in text or "no space" in text:
        return f"{where} cannot grow: the disk (or the database's size limit) is full." + fallback
    if "unable to open" in text or isinstance(error, OSError):
        return f"{where} cannot be opened or created ({error}); check that its folder exists and is writable." + (
            fallback
        )
    return f"{where} cannot be used ({error})." + fallback


class History:
    """The run repository. Cheap to create; every method opens, uses and closes its own connection."""

    def __init__(self, path: str | os.PathLike | None = None, timeout_seconds: float = BUSY_TIMEOUT_SECONDS) -> None:
        resolved = Path(path) if path is not None else default_path()
        if resolved is None:
            raise HistoryUnavailable(f"Run history is turned off ({ENV_VARIABLE}=off); runs stay in this session.")
        self.path = resolved
        self.timeout_seconds = timeout_seconds
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise HistoryUnavailable(_explain(error, self.path)) from None
        with self._transaction(write=False) as connection:
            existing = connection.execute("SELECT name FROM sqlite_master WHERE name = 'runs'").fetchone()
        if existing is None:
            with self._transaction() as connection:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        connection.execute(statement)
        with self._transaction(write=False) as connection:
            connection.execute("SELECT count(*) FROM runs").fetchone()  # a damaged file fails here, not later

    # --- connections --------------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=self.timeout_seconds, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout = {int(self.timeout_seconds * 1000)}")
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            with suppress(sqlite3.OperationalError):  # a read-only file stays in its mode; reading still works
                connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        self._configure(connection)
        return connection

    def _configure(self, connection: sqlite3.Connection) -> None:
        """A hook for tests (e.g. a page limit that makes the database 'full')."""

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One connection, one transaction: committed when the block ends, rolled back on any error."""
        connection = None
        try:
            connection = self._connect()
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield connection
            if connection.in_transaction:
                connection.execute("COMMIT")
        except (sqlite3.Error, OSError) as error:
            _rollback(connection)
            raise HistoryUnavailable(_explain(error, self.path)) from None
        except BaseException:
            _rollback(connection)
            raise
        finally:
            if connection is not None:
                connection.close()

    # --- the API ------------------------------------------------------------------------------------------------

    def save(
        self, comparison, owner: str, name: str, dataset_name: str, digest: str, sample_id: str | None = None
    ) -> str:
        """Store a finished comparison for `owner`; returns the new run's id. `digest` fingerprints the data
        (empty when unknown, e.g. an imported results file); `sample_id` names a bundled sample."""
        record, blob = pack_comparison(comparison)
        run_id = new_token()
        costs = getattr(comparison, "costs", None)
        row = (
            run_id,
            owner_hash(owner),
            datetime.now(UTC).isoformat(timespec="seconds"),
            _clean_name(name),
            str(dataset_name),
            str(digest),
            sample_id,
            str(comparison.dataset.get("target", "")),
            _json(comparison.protocol.to_json()),
            _json(comparison.settings.to_json()),
            _json([{"technique": r.spec.technique_id, "params": r.spec.params, "label": r.spec.label}
                   for r in comparison.results]),
            None if costs is None else _json(encode(costs)),
            _json({result.spec.label: result.metrics for result in comparison.results}),
            _json(record),
            sqlite3.Binary(blob),
        )  # fmt: skip
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO runs (id, owner, created, name, dataset_name, digest, sample_id, target, protocol, settings, "
                "techniques, costs, metrics, record, arrays) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return run_id

    def list_runs(self, owner: str) -> list[RunSummary]:
        """The owner's runs, newest first (damaged rows left out: `list_runs_checked` says which)."""
        return self.list_runs_checked(owner)[0]

    def list_runs_checked(self, owner: str) -> tuple[list[RunSummary], list[UnreadableRun]]:
        """The owner's readable runs, newest first, and the rows that could not be read, each with a sentence:
        one damaged row never hides the others."""
        with self._transaction(write=False) as connection:
            rows = connection.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM runs WHERE owner = ? ORDER BY created DESC, rowid DESC",
                (owner_hash(owner),),
            ).fetchall()
        summaries, unreadable = [], []
        for row in rows:
            try:
                summaries.append(_summary(row))
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
                unreadable.append(UnreadableRun(str(row[0]), _unreadable_message(row, error)))
        return summaries, unreadable

    def count(self) -> int:
        """Runs stored for everyone (for diagnostics and tests)."""
        with self._transaction(write=False) as connection:
            return int(connection.execute("SELECT count(*) FROM runs").fetchone()[0])

    def load(self, run_id: str, viewer: str) -> StoredRun:
        """The run, for its owner (writable) or, once shared, for anyone (read-only); else NotFound."""
        with self._transaction(write=False) as connection:
            row = connection.execute(
                f"SELECT {SUMMARY_COLUMNS}, owner, record, arrays FROM runs WHERE id = ?", (str(run_id),)
            ).fetchone()
        if row is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        owned = secrets.compare_digest(row[-3], owner_hash(viewer))
        if not owned and row[1] is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        return self._stored(row, read_only=not owned)

    def load_shared(self, share_id: str) -> StoredRun:
        """The run behind a share link, read-only for whoever opens it; NotFound when unknown or unshared."""
        if not share_id:
            raise NotFound(NOT_FOUND_MESSAGE)
        with self._transaction(write=False) as connection:
            row = connection.execute(
                f"SELECT {SUMMARY_COLUMNS}, owner, record, arrays FROM runs WHERE share_id = ?", (str(share_id),)
            ).fetchone()
        if row is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        return self._stored(row, read_only=True, shared_link=True)

    def rename(self, run_id: str, owner: str, name: str) -> None:
        self._change(run_id, owner, "UPDATE runs SET name = ? WHERE id = ? AND owner = ?", (_clean_name(name),))

    def delete(self, run_id: str, owner: str) -> None:
        self._change(run_id, owner, "DELETE FROM runs WHERE id = ? AND owner = ?", ())

    def share(self, run_id: str, owner: str) -> str:
        """The run's share id (created on first share, the same afterwards)."""
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT share_id FROM runs WHERE id = ? AND owner = ?", (str(run_id), owner_hash(owner))
            ).fetchone()
            if row is None:
                raise NotFound(NOT_FOUND_MESSAGE)
            if row[0]:
                return row[0]
            share_id = new_token()
            connection.execute("UPDATE runs SET share_id = ? WHERE id = ?", (share_id, str(run_id)))
        return share_id

    def unshare(self, run_id: str, owner: str) -> None:
        """Stop sharing: the old link says not found from now on (sharing again makes a new link)."""
        self._change(run_id, owner, "UPDATE runs SET share_id = NULL WHERE id = ? AND owner = ?", ())

    # --- helpers ------------------------------------------------------------------------------------------------

    def _change(self, run_id: str, owner: str, statement: str, leading: tuple) -> None:
        with self._transaction() as connection:
            changed = connection.execute(statement, (*leading, str(run_id), owner_hash(owner))).rowcount
        if changed == 0:
            raise NotFound(NOT_FOUND_MESSAGE)

    def _stored(self, row: tuple, read_only: bool, shared_link: bool = False) -> StoredRun:
        summary = _summary(row)
        try:
            comparison = comparison_from_packed(json.loads(row[-2]), bytes(row[-1]))
        except RecursionError:
            raise HistoryUnavailable("This stored run cannot be read: its record is nested far too deep.") from None
        except (InputError, ValueError, TypeError) as error:
            raise HistoryUnavailable(f"This stored run cannot be read: {error}") from None
        if shared_link:  # whoever holds a share link learns neither the run id nor anything beyond the run
            summary = replace(summary, run_id="")
        elif read_only:
            summary = replace(summary, share_id=None)
        return StoredRun(summary, comparison, read_only=read_only)


def run_name(comparison, dataset_name: str) -> str:
    """A run's default name, e.g. "Breast cancer biopsies (real) · diagnosis · 3 techniques · 5-fold"."""
    protocol = comparison.protocol
    split = "quick split" if protocol.mode == "quick" else f"{protocol.folds}-fold"
    if protocol.mode != "quick" and protocol.repeats > 1:
        split += f" ×{protocol.repeats}"
    count = len(comparison.results)
    target = comparison.dataset.get("target", "")
    return f"{dataset_name} · {target} · {count} technique{'s' if count != 1 else ''} · {split}"


def save_from_cli(comparison, data_path: Path, name: str = "") -> str:
    """`python -m imbal_core compare ... --save [NAME]`: store the run as the dashboard would, for the owner
    named by IMBAL_LAB_OWNER (a browser's token, to see it in that browser's History page) or "cli".

    The data's fingerprint is the SHA-256 of the file's bytes, as in the dashboard, so reopening the run
    there finds the same sample or upload. Returns the line to print."""
    raw = Path(data_path).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    sample_id = next(
        (info.id for info in SAMPLES if sample_path(info.id).is_file() and sample_path(info.id).read_bytes() == raw),
        None,
    )
    dataset_name = get_sample(sample_id).title if sample_id else Path(data_path).name
    owner = os.environ.get(OWNER_VARIABLE, "").strip() or CLI_OWNER
    history = History()
    chosen = name.strip() or run_name(comparison, dataset_name)
    history.save(comparison, owner, chosen, dataset_name, digest, sample_id=sample_id)
    whose = "the browser named by IMBAL_LAB_OWNER" if owner != CLI_OWNER else f"owner {CLI_OWNER!r}"
    return f"Saved the run {chosen!r} to the run history {history.path} ({whose})."


_lock = threading.Lock()
_instances: dict[str, History] = {}


def open_history(path: str | os.PathLike | None = None) -> History:
    """A History for `path` (default: from the environment), created once per path per process."""
    resolved = Path(path) if path is not None else default_path()
    if resolved is None:
        return History(None)  # raises HistoryUnavailable: turned off
    key = str(resolved.expanduser().resolve())
    with _lock:
        if key not in _instances:
            _instances[key] = History(resolved)
        return _instances[key]


def _rollback(connection: sqlite3.Connection | None) -> None:
    if connection is not None and connection.in_transaction:
        with suppress(sqlite3.Error):
            connection.execute("ROLLBACK")


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name).split())[:MAX_NAME_LENGTH]
    if not cleaned:
        raise InputError("A run needs a name; type at least one character.")
    return cleaned


def _summary(row: tuple) -> RunSummary:
    """A row's summary; ValueError/TypeError/KeyError naming the column when a stored value is not what `save`
    writes (a row changed outside Imbalance Lab, or written by a version with a bug)."""
    run_id, share_id, created, name, dataset_name, digest, target, protocol, techniques, costs, metrics, size = row[:12]
    sample_id = row[12]
    for column, value in (("name", name), ("dataset_name", dataset_name), ("digest", digest), ("target", target)):
        if not isinstance(value, str):
            raise TypeError(f"the column {column} holds {type(value).__name__}, not text")
    protocol, techniques, metrics = (_column_json(row, column) for column in ("protocol", "techniques", "metrics"))
    costs = _column_json(row, "costs") if costs else None
    if not isinstance(protocol, dict) or not (costs is None or isinstance(costs, dict)):
        raise TypeError("the column protocol or costs does not hold an object")
    if not isinstance(techniques, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("label", entry.get("technique")), str) for entry in techniques
    ):
        raise TypeError("the column techniques does not hold a list of techniques")
    if not isinstance(metrics, dict) or not all(
        isinstance(values, dict) and _number_or_none(values.get("pr_auc")) for values in metrics.values()
    ):
        raise TypeError("the column metrics does not hold a table of technique metrics")
    return RunSummary(
        run_id=run_id,
        name=name,
        created=datetime.fromisoformat(created),
        dataset_name=dataset_name,
        digest=digest,
        target=target,
        protocol=protocol,
        techniques=[entry.get("label", entry.get("technique")) for entry in techniques],
        metrics=metrics,
        costs=costs,
        share_id=share_id,
        size_bytes=int(size or 0),
        sample_id=sample_id,
    )


_SUMMARY_INDEX = {"protocol": 7, "techniques": 8, "costs": 9, "metrics": 10}


def _column_json(row: tuple, column: str):
    try:
        return json.loads(row[_SUMMARY_INDEX[column]])
    except (ValueError, TypeError):
        raise ValueError(f"the column {column} is not valid JSON") from None


def _number_or_none(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _unreadable_message(row: tuple, error: BaseException) -> str:
    """e.g. "The saved run 'Fraud demo' (saved 2026-12-02T10:00:00+00:00) could not be read (the column
    techniques is not valid JSON), so it is left out of the list." Names the run as far as the row allows."""
    name = row[3] if isinstance(row[3], str) and row[3].strip() else "without a readable name"
    named = f"{name!r}" if name != "without a readable name" else name
    when = f" (saved {row[2]})" if isinstance(row[2], str) else ""
    reason = "its record is nested far too deep" if isinstance(error, RecursionError) else str(error)
    return (
        f"The saved run {named}{when} could not be read ({reason}), so it is left out of the list. "
        "Your other runs are listed; delete this one to clear this message."
    )
