"""Per-session state: the loaded dataset, its target, the accumulated runs. Nothing here is shared
between browser sessions; everything lives in st.session_state."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

import pandas as pd
import streamlit as st

from imbal_core.class_profile import DatasetProfile, suggest_target
from imbal_core.errors import InputError
from imbal_core.samples import IMAGE_SAMPLES, SAMPLES, get_sample
from ui import cache, navigation, session

DEFAULT_SAMPLE = session.DEFAULT_SAMPLE
DEFAULT_THRESHOLD = session.DEFAULT_THRESHOLD

# Session-state keys. Widget keys are the ones tests and browser tests look up.
DATASET = "dataset"
TARGET = "active_target"
TARGET_WIDGET = "target"
SAMPLE_WIDGET = "sample_choice"
UPLOAD_WIDGET = "upload"
THRESHOLD_WIDGET = "threshold"
RUNS = "runs"
TRAINING_COUNT = "training_count"
DATA_ERROR = "data_error"
DATA_NOTICE = "data_notice"
COMPARE_ERROR = "compare_error"
TRAINING_REQUEST = "training_request"
TRAINING_MARKER = "training_in_progress"
FLASH = "flash"
LEAKAGE = "leakage_results"
RUN_COUNTER = "run_counter"

TARGET_CANDIDATE_MAX_CLASSES = 20


@dataclass
class LoadedDataset:
    """The table this session works on, and where it came from."""

    name: str
    source: Literal["sample", "upload"]
    description: str
    digest: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sample_id: str | None = None
    images: object | None = None  # imbal_core.images.ImageDataset when the data is a ZIP of images (ui/images.py)
    raw: bytes | None = None  # the ZIP's bytes, to convert the images again at another size


@dataclass
class RunRecord:
    """One press of Train: its comparison and the dataset and target it was trained on."""

    run_id: int
    dataset_key: str
    dataset_name: str
    comparison: object  # imbal_core.results.Comparison; typed loosely so this module never imports TensorFlow
    created: datetime
    history_id: str | None = None  # its id in the run history (ui/history.py), when it was saved or reopened
    read_only: bool = False  # someone else's shared run
    title: str | None = None  # its name in the run history


def init_session() -> None:
    """First run of a session: load the default sample so every page works with no upload."""
    navigation.leave_folder_mode()  # a cold link that came through Streamlit's pages/ listing reruns via app.py
    defaults = {RUNS: [], TRAINING_COUNT: 0, THRESHOLD_WIDGET: DEFAULT_THRESHOLD, LEAKAGE: {}, RUN_COUNTER: 0}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    if DATASET not in st.session_state:  # the settings in the link this session was opened with (ui/session.py)
        link, notes = session.Session.from_query_params(st.query_params.to_dict())
        notes += session.apply(link)
        if link.run:
            from ui import history

            notes += history.open_shared_link(link.run)
        if notes:
            st.session_state[session.LINK_NOTES] = notes


# --- dataset and target ----------------------------------------------------------------------------


def has_dataset() -> bool:
    return DATASET in st.session_state and TARGET in st.session_state


def dataset() -> LoadedDataset:
    return st.session_state[DATASET]


def target() -> str:
    return st.session_state[TARGET]


def dataset_profile() -> DatasetProfile:
    """The cached profile of the loaded table for the chosen target."""
    loaded = dataset()
    return cache.dataset_profile(loaded.digest, target(), loaded.frame, tuple(loaded.notes))


def dataset_key() -> str:
    """Identifies data and target together: results are only comparable when both match."""
    return f"{dataset().digest}:{target()}"


def _activate(loaded: LoadedDataset, chosen_target: str) -> None:
    st.session_state[DATASET] = loaded
    st.session_state[TARGET] = chosen_target
    st.session_state[TARGET_WIDGET] = chosen_target
    st.session_state.pop(DATA_ERROR, None)
    st.session_state.pop(DATA_NOTICE, None)


def load_sample(sample_id: str) -> LoadedDataset:
    """Load a bundled sample and make it the session's dataset."""
    info = get_sample(sample_id)
    if info.modality == "image":
        from ui import images

        return images.load_sample(info)
    table, digest = cache.read_sample(sample_id)
    loaded = LoadedDataset(info.title, "sample", info.scenario, digest, table.frame, list(table.notes), sample_id)
    cache.dataset_profile(digest, info.target, loaded.frame, tuple(loaded.notes))  # fails loudly before switching
    _activate(loaded, info.target)
    return loaded


def accept_upload(raw: bytes, file_name: str) -> LoadedDataset:
    """Parse uploaded bytes and, if a usable target exists, make the table the session's dataset.

    Raises InputError (with a message for a person) and leaves the earlier dataset in place otherwise.
    """
    from ui import images

    if images.is_image_upload(file_name):
        return images.accept_upload(raw, file_name)
    digest = cache.digest_of(raw)
    table = cache.read_upload(digest, file_name, raw, cache.table_limits())
    chosen, notice = _usable_target(table.frame, digest, tuple(table.notes))
    loaded = LoadedDataset(file_name, "upload", "Your uploaded file.", digest, table.frame, list(table.notes))
    wanted = st.session_state.pop(session.LINK_TARGET, None)  # a link made with an upload names its target
    if wanted in [str(column) for column in table.frame.columns]:
        with contextlib.suppress(InputError):
            cache.dataset_profile(digest, wanted, table.frame, tuple(table.notes))
            chosen, notice = wanted, None
    _activate(loaded, chosen)
    if notice:
        st.session_state[DATA_NOTICE] = notice
    return loaded


def _usable_target(frame: pd.DataFrame, digest: str, notes: tuple[str, ...]) -> tuple[str, str | None]:
    """The suggested target if it profiles, else the first column that looks like class labels, with a
    notice saying why the suggestion was passed over (a silent switch would surprise people)."""
    suggested = suggest_target(frame)
    # A generator: distinct values are counted column by column only while no target has been found (usually
    # the suggestion works and none is counted; counting every column of a wide table held the server).
    candidates = itertools.chain(
        [suggested],
        (
            str(column)
            for column in reversed(frame.columns)
            if str(column) != suggested and 2 <= frame[column].nunique(dropna=True) <= TARGET_CANDIDATE_MAX_CLASSES
        ),
    )
    first_error = None
    for candidate in candidates:
        try:
            cache.dataset_profile(digest, candidate, frame, notes)
        except InputError as error:
            first_error = first_error or error
            continue
        if candidate == suggested:
            return candidate, None
        return candidate, (
            f"The suggested target column {suggested!r} cannot be used: {first_error} "
            f"{candidate!r} is used instead; if that is not the class to predict, pick another in the Target box."
        )
    raise InputError(
        f"No column of this file can be a class target. For the suggested column: {first_error} "
        "Add a column of class labels (2 to 20 distinct values) and upload the file again."
    )


def choose_target(chosen: str) -> None:
    """Switch the target column; raises InputError (the earlier target stays) when it cannot be one."""
    loaded = dataset()
    cache.dataset_profile(loaded.digest, chosen, loaded.frame, tuple(loaded.notes))
    st.session_state[TARGET] = chosen
    st.session_state.pop(DATA_ERROR, None)
    st.session_state.pop(DATA_NOTICE, None)


# --- runs --------------------------------------------------------------------------------------------


# A session keeps its newest runs only: each holds every test row's probabilities, and a long class could
# otherwise grow one session without bound. Older runs stay in History, which saves every run.
MAX_RUNS_PER_SESSION = 20


def add_run(comparison, max_runs: int = MAX_RUNS_PER_SESSION) -> RunRecord:
    """Keep a finished comparison; an identical earlier result (same label, data and settings) is replaced,
    and beyond `max_runs` the oldest run leaves the session (History keeps it)."""
    key = dataset_key()
    st.session_state[RUN_COUNTER] += 1
    record = RunRecord(st.session_state[RUN_COUNTER], key, dataset().name, comparison, datetime.now())
    new_signatures = {_signature(result, comparison) for result in comparison.results}
    kept: list[RunRecord] = []
    for earlier in st.session_state[RUNS]:
        if earlier.dataset_key == key:
            remaining = [
                result
                for result in earlier.comparison.results
                if _signature(result, earlier.comparison) not in new_signatures
            ]
            if not remaining:
                continue
            if len(remaining) != len(earlier.comparison.results):
                earlier = replace(earlier, comparison=replace(earlier.comparison, results=remaining))
        kept.append(earlier)
    st.session_state[RUNS] = [*kept, record][-max_runs:]
    st.session_state[TRAINING_COUNT] += 1
    from ui import history  # every finished comparison is saved; without history the session still has it

    record.history_id = history.save(comparison)
    record.title = history.default_name(comparison, record.dataset_name)
    return record


def _signature(result, comparison) -> tuple:
    return (
        result.spec.label,
        tuple(sorted(comparison.protocol.to_json().items())),
        tuple(sorted((name, str(value)) for name, value in comparison.settings.to_json().items())),
    )


def runs_for_current_data() -> list[RunRecord]:
    key = dataset_key()
    return [record for record in st.session_state[RUNS] if record.dataset_key == key]


def other_runs_count() -> int:
    key = dataset_key()
    return sum(1 for record in st.session_state[RUNS] if record.dataset_key != key)


def clear_runs() -> None:
    st.session_state[RUNS] = []


def sample_choices() -> dict[str, str]:
    return {info.id: info.title for info in SAMPLES + IMAGE_SAMPLES}
