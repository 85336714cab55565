"""Cached wrappers around imbal_core: keyed by a digest of the file's bytes, so sessions share work
but never data they did not load themselves (a cache hit needs the same bytes)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from imbal_core.data.class_profile import DatasetProfile, prepare, profile
from imbal_core.data.samples import sample_path
from imbal_core.data.tables import LoadedTable, TableLimits, load_table
from imbal_core.nets.engine import warm_up_in_background
from imbal_core.present import charts
from imbal_core.techniques.catalogue import TechniqueSpec

PROJECTION_POINTS_PER_GROUP = 2000


def digest_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@st.cache_data(show_spinner=False, max_entries=16)
def read_sample(sample_id: str) -> tuple[LoadedTable, str]:
    """A bundled sample read exactly as the CLI reads a path, and the digest of its bytes."""
    path = sample_path(sample_id)
    raw = path.read_bytes()
    return load_table(raw, file_name=path.name), digest_of(raw)


# What the server keeps for everyone. A parsed upload also lives in its session (ui/datasets.LoadedDataset) while
# that session is open; the cache only spares a re-read of the same bytes, so it is small and forgets soon,
# and memory comes back after the windows close. .streamlit/config.toml caps all cached data together
# (server.maxCacheDataSize).
UPLOAD_CACHE = {"max_entries": 4, "max_size": "400MB", "ttl": "10m"}
DERIVED_CACHE_TTL = "1h"  # profiles, figures, resampling views: small, but one per table and target


def table_limits() -> TableLimits:
    """The limits an upload must fit (columns, cell length): the engine's defaults, or the environment's."""
    return TableLimits.from_environment()


@st.cache_data(show_spinner=False, **UPLOAD_CACHE)
def read_upload(digest: str, file_name: str, _raw: bytes, limits: TableLimits) -> LoadedTable:
    """An uploaded file parsed as data (never unpickled or executed); `digest` keys the cache. A file past
    `limits` is refused (InputError) before it is parsed."""
    return load_table(_raw, file_name=file_name, limits=limits)


@st.cache_data(show_spinner=False, max_entries=64, max_size="64MB", ttl=DERIVED_CACHE_TTL)
def dataset_profile(digest: str, target: str, _frame: pd.DataFrame, _notes: tuple[str, ...] = ()) -> DatasetProfile:
    """The profile of one table for one target column."""
    return profile(_frame, target, notes=list(_notes))


@st.cache_data(show_spinner=False, max_entries=64, max_size="128MB", ttl=DERIVED_CACHE_TTL)
def feature_figure(digest: str, target: str, feature: str, _frame: pd.DataFrame):
    """A feature's distribution by class, on the cleaned labels the engine trains on."""
    prepared = prepare(_frame, target)
    return charts.feature_distribution(prepared.features[feature], prepared.labels, feature)


@dataclass
class ResampleView:
    """What the Resample page shows for one sampler setting: counts, a 2-D projection, rows to download."""

    method: str
    notes: list[str]
    labels: list[str]
    before: dict[str, int]
    after: dict[str, int]
    projection: pd.DataFrame
    totals: dict
    synthetic: int
    removed: int
    text_edits: tuple = ()  # text augmentation's word edits (imbal_core.stages.text_augment.TextEdit), for the side by side


@st.cache_data(show_spinner=False, max_entries=24, max_size="256MB", ttl=DERIVED_CACHE_TTL)
def resample_view(digest: str, target: str, spec_json: str, seed: int, _frame: pd.DataFrame) -> ResampleView:
    """Run the sampler on the first split's training rows (no training) and project them for the 2-D view."""
    # Deferred: imbal_core.run.evaluate imports scikit-learn, which the Data page's first paint does without.
    from imbal_core.run.evaluate import resample_preview
    from imbal_core.run.protocol import Protocol

    spec = TechniqueSpec.from_json(json.loads(spec_json))
    preview = resample_preview(_frame, target, spec, Protocol(seed=seed))
    before, after = charts.preview_counts(preview)
    projection, totals = charts.projection_frame(preview, PROJECTION_POINTS_PER_GROUP, seed=seed)
    result = preview["result"]
    return ResampleView(
        method=result.method,
        notes=list(result.notes),
        labels=list(preview["labels"]),
        before=before,
        after=after,
        projection=projection,
        totals=totals,
        synthetic=int(result.synthetic.sum()),
        removed=int(len(result.removed_index)),
        text_edits=tuple(result.text_edits),
    )


@dataclass(frozen=True)
class ResampleDownload:
    """The Resample page's CSV and the sentence saying which rows it holds (imbal_core.run.resampled_table)."""

    csv_text: str
    statement: str
    notes: tuple[str, ...]


@st.cache_data(show_spinner=False, max_entries=8)
def resample_download(
    digest: str, target: str, spec_json: str, seed: int, rows: str, _frame: pd.DataFrame
) -> ResampleDownload:
    """The table `resample --rows ROWS` would write for this sampler setting, as CSV text."""
    # Deferred: both import scikit-learn, which the Data page's first paint does without.
    from imbal_core.present.report import to_csv_text
    from imbal_core.run.resampled_table import resample_table

    spec = TechniqueSpec.from_json(json.loads(spec_json))
    table = resample_table(_frame, target, spec, seed, rows)
    return ResampleDownload(to_csv_text(table.frame), table.statement(), tuple(table.notes))


WARM_UP_DELAY_SECONDS = 5.0


def warm_up_delay(environment: dict[str, str]) -> float | None:
    """Seconds before the engine warms up, from `IMBAL_LAB_WARM_UP_SECONDS` (default 5); None when set to "off"."""
    setting = environment.get("IMBAL_LAB_WARM_UP_SECONDS", "").strip().lower()
    if setting == "off":
        return None
    try:
        return max(0.0, float(setting)) if setting else WARM_UP_DELAY_SECONDS
    except ValueError:
        return WARM_UP_DELAY_SECONDS  # a typo in a setting must not stop the server; the default is safe


def warm_engine() -> None:
    """Once per server process, a few seconds after the first page: TensorFlow's import and the first
    trace (seconds of held interpreter lock) happen before anyone trains, not while a class waits."""
    delay = warm_up_delay(dict(os.environ))
    if delay is not None:
        warm_up_in_background(delay)
