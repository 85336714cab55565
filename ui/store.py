"""The session's store: the loaded dataset, its target and this browser's runs, with one way to change each.

`switch_to` is the only way to change data or target (the Data page, History and links all use it), and the
run methods here are the only writers of the session's runs. Nothing is shared between browser sessions:
everything lives in st.session_state (keys in ui/keys.py). With ui/page_state.py, the only module that touches it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import streamlit as st

from imbal_core.data.class_profile import DatasetProfile
from ui import cache, datasets, keys
from ui.datasets import LoadedDataset, Sample, Source, Upload
from ui.page_state import DATA

if TYPE_CHECKING:  # imbal_core.run.results imports scikit-learn, which the Data page's first paint does without
    from imbal_core.run.results import Comparison

# A session keeps its newest runs only: each holds every test row's probabilities, and a long class could
# otherwise grow one session without bound. Older runs stay in History, which saves every run.
MAX_RUNS_PER_SESSION = 20


@dataclass
class RunRecord:
    """One press of Train: its comparison and the dataset and target it was trained on."""

    run_id: int
    dataset_key: str
    dataset_name: str
    comparison: Comparison
    created: datetime
    history_id: str | None = None  # its id in the run history (ui/history.py), when it was saved or reopened
    read_only: bool = False  # someone else's shared run
    title: str | None = None  # its name in the run history


class Store:
    """This session's dataset, target and runs (a view of st.session_state: one per process serves every session)."""

    def start(self) -> None:
        """A session's first run: no runs yet."""
        st.session_state.setdefault(keys.RUNS.name, [])
        st.session_state.setdefault(keys.TRAINING_COUNT.name, 0)
        st.session_state.setdefault(keys.RUN_COUNTER.name, 0)

    # --- dataset and target ------------------------------------------------------------------------------------

    def has_dataset(self) -> bool:
        return keys.DATASET.name in st.session_state and keys.TARGET.name in st.session_state

    def dataset(self) -> LoadedDataset:
        return st.session_state[keys.DATASET.name]

    def target(self) -> str:
        return st.session_state[keys.TARGET.name]

    def dataset_profile(self) -> DatasetProfile:
        """The cached profile of the loaded table for the chosen target."""
        loaded = self.dataset()
        return cache.dataset_profile(loaded.digest, self.target(), loaded.frame, tuple(loaded.notes))

    def dataset_key(self) -> str:
        """Identifies data and target together: results are only comparable when both match."""
        return f"{self.dataset().digest}:{self.target()}"

    def switch_to(self, source: Source | None = None, target: str | None = None) -> None:
        """Work on `source` (a sample, an upload, converted images) and/or on `target`; the pickers follow.

        Raises InputError (with a message for a person) when the data cannot be read, leaving the earlier data in
        place; then, when `target` differs from the working one and cannot be a target, raises InputError with the
        new data loaded and the working target kept."""
        if source is not None:
            link_target = isinstance(source, Upload) and not datasets.is_image_upload(source.file_name)
            loaded = datasets.load(source, st.session_state.get(keys.LINK_TARGET.name) if link_target else None)
            if link_target:
                st.session_state.pop(keys.LINK_TARGET.name, None)  # a link made with an upload names its target
            self._activate(loaded.dataset, loaded.target)
            if loaded.notice:
                DATA.notice = loaded.notice
            if isinstance(source, Sample):
                DATA.sample = source.sample_id
        if target is not None and target != self.target():
            self._choose_target(target)
            DATA.target = target

    def _activate(self, loaded: LoadedDataset, chosen_target: str) -> None:
        st.session_state[keys.DATASET.name] = loaded
        st.session_state[keys.TARGET.name] = chosen_target
        DATA.target = chosen_target
        del DATA.error
        del DATA.notice

    def _choose_target(self, chosen: str) -> None:
        loaded = self.dataset()
        cache.dataset_profile(loaded.digest, chosen, loaded.frame, tuple(loaded.notes))
        st.session_state[keys.TARGET.name] = chosen
        del DATA.error
        del DATA.notice

    def wait_for_upload_target(self, target: str) -> None:
        """A link made with an upload names its target: use it when that upload arrives."""
        st.session_state[keys.LINK_TARGET.name] = target

    # --- runs: the only writers --------------------------------------------------------------------------------

    def runs(self) -> list[RunRecord]:
        return st.session_state.get(keys.RUNS.name, [])

    def add_run(self, comparison: Comparison, max_runs: int = MAX_RUNS_PER_SESSION) -> RunRecord:
        """Keep a finished comparison; an identical earlier result (same label, data and settings) is replaced,
        and beyond `max_runs` the oldest run leaves the session (History keeps it)."""
        key = self.dataset_key()
        st.session_state[keys.RUN_COUNTER.name] += 1
        record = RunRecord(
            st.session_state[keys.RUN_COUNTER.name], key, self.dataset().name, comparison, datetime.now()
        )
        new_signatures = {_signature(result, comparison) for result in comparison.results}
        kept: list[RunRecord] = []
        for earlier in st.session_state[keys.RUNS.name]:
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
        st.session_state[keys.RUNS.name] = [*kept, record][-max_runs:]
        st.session_state[keys.TRAINING_COUNT.name] += 1
        return record

    def saved_as(self, record: RunRecord, history_id: str | None, title: str) -> None:
        """A kept run's id and name in the run history, once it was saved there (None: history unavailable)."""
        record.history_id = history_id
        record.title = title

    def add_opened_run(
        self, comparison: Comparison, dataset_key: str, dataset_name: str, history_id: str, read_only: bool, title: str
    ) -> None:
        """Put a run from the history among the session's runs, unless it is open already."""
        if any(earlier.history_id and earlier.history_id == history_id for earlier in self.runs()):
            return
        st.session_state[keys.RUN_COUNTER.name] += 1
        record = RunRecord(
            st.session_state[keys.RUN_COUNTER.name],
            dataset_key,
            dataset_name,
            comparison,
            datetime.now(),
            history_id=history_id,
            read_only=read_only,
            title=title,
        )
        st.session_state[keys.RUNS.name] = [*st.session_state[keys.RUNS.name], record]

    def forget_run(self, history_id: str) -> None:
        """Take a run deleted from the history out of the session's runs too."""
        st.session_state[keys.RUNS.name] = [record for record in self.runs() if record.history_id != history_id]

    def retitle_run(self, history_id: str, title: str) -> None:
        st.session_state[keys.RUNS.name] = [
            replace(record, title=title) if record.history_id == history_id else record for record in self.runs()
        ]

    def clear_runs(self) -> None:
        st.session_state[keys.RUNS.name] = []

    def runs_for_current_data(self) -> list[RunRecord]:
        key = self.dataset_key()
        return [record for record in st.session_state[keys.RUNS.name] if record.dataset_key == key]

    def other_runs_count(self) -> int:
        key = self.dataset_key()
        return sum(1 for record in st.session_state[keys.RUNS.name] if record.dataset_key != key)

    def has_read_only_run(self) -> bool:
        return any(record.read_only for record in self.runs())


def _signature(result, comparison) -> tuple:
    return (
        result.spec.label,
        tuple(sorted(comparison.protocol.to_json().items())),
        tuple(sorted((name, str(value)) for name, value in comparison.settings.to_json().items())),
    )


store = Store()
