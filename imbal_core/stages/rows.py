"""Rows stages: imbalanced-learn sampler factories and the noise augmenter.

Each stage's `kind` is the family the common checks hold it to (tests/core/test_stages.py):
oversample (raise smaller classes to the ratio, keep every row), undersample (shrink larger classes,
add nothing), clean (only remove rows), hybrid (oversample, then clean), augment (add rows of smaller
classes, keep every original). imbalanced-learn is imported only when a sampler is built.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from imbal_core.stages.base import ResampleResult, RowKind, RowStage, TrainingRows
from imbal_core.stages.sampling import (
    clamped_neighbours,
    nothing_to_do,
    oversampling_targets,
    restore_categories,
    run_tracked,
    shortfall_notes,
    unchanged,
    undersampling_targets,
)

Params = Mapping[str, Any]
TABLE = ("table",)
TABLE_AND_IMAGE = ("table", "image")  # samplers that only pick rows work on flattened images too


@dataclass(frozen=True, kw_only=True)
class RandomOverRows(RowStage):
    """Duplicates random rows of smaller classes (a smoothed bootstrap when shrinkage > 0)."""

    kind: ClassVar[RowKind] = "oversample"
    modalities: ClassVar[tuple[str, ...]] = TABLE_AND_IMAGE

    def _fit_resample(self, rows: TrainingRows, params: Params, seed: int) -> ResampleResult:
        # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
        from imblearn.over_sampling import RandomOverSampler

        encoded, labels = rows.encoded(), rows.labels
        targets = oversampling_targets(labels, params["sampling_ratio"])
        if not targets:
            return unchanged(
                encoded, labels, "RandomOverSampler", nothing_to_do("oversample", params["sampling_ratio"])
            )
        shrinkage = params.get("shrinkage") or None
        sampler = RandomOverSampler(sampling_strategy=targets, shrinkage=shrinkage, random_state=seed)
        result = run_tracked(sampler, encoded, labels, [], adds_rows=True)
        if shrinkage:
            restore_categories(result, encoded, np.asarray(sampler.sample_indices_), rows.encoder.n_numeric)
        return result


def _smote(params: Params, targets: dict, neighbours: int, seed: int):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.over_sampling import SMOTE

    return SMOTE(sampling_strategy=targets, k_neighbors=neighbours, random_state=seed)


def _adasyn(params: Params, targets: dict, neighbours: int, seed: int):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.over_sampling import ADASYN

    return ADASYN(sampling_strategy=targets, n_neighbors=neighbours, random_state=seed)


def _borderline_smote(params: Params, targets: dict, neighbours: int, seed: int):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.over_sampling import BorderlineSMOTE

    return BorderlineSMOTE(
        sampling_strategy=targets,
        k_neighbors=neighbours,
        m_neighbors=params["m_neighbors"],
        kind=params["kind"],
        random_state=seed,
    )


@dataclass(frozen=True, kw_only=True)
class SmoteRows(RowStage):
    """A SMOTE-family oversampler: neighbours clamped to the fold, SMOTENC/SMOTEN for categories.

    `no_rows_reasons` maps the start of an error message the sampler raises when it truly cannot
    generate rows to the reason a person reads; any other error is a bug and surfaces.
    """

    kind: ClassVar[RowKind] = "oversample"
    modalities: ClassVar[tuple[str, ...]] = TABLE
    label: str
    factory: Callable[[Params, dict, int, int], Any]
    neighbour_param: str = "k_neighbors"
    categorical_note: str = ""
    no_rows_reasons: tuple[tuple[type, str, str], ...] = ()

    def _fit_resample(self, rows: TrainingRows, params: Params, seed: int) -> ResampleResult:
        labels, ratio = rows.labels, params["sampling_ratio"]
        targets = oversampling_targets(labels, ratio)
        if not targets:
            result = unchanged(rows.encoded(), labels, "none", nothing_to_do("oversample", ratio))
            return self._after(result, params, seed, oversampled=False)
        neighbours, notes = clamped_neighbours(params[self.neighbour_param], labels, targets, self.neighbour_param)
        if neighbours < 1:
            # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
            from imblearn.over_sampling import RandomOverSampler

            notes = [
                f"{self.label} needs at least 2 rows of each class it oversamples; a class has 1 row in "
                "this fold, so random oversampling was used instead."
            ]
            sampler = RandomOverSampler(sampling_strategy=targets, random_state=seed)
            return self._after(run_tracked(sampler, rows.encoded(), labels, notes, True), params, seed)
        if rows.encoder.plan.categorical:
            sampler, category_notes = self._categorical(targets, neighbours, rows.encoder, seed)
            result = run_tracked(sampler, rows.base, labels, notes + category_notes, adds_rows=True)
            result.features = rows.encoder.encode(result.features)
        else:
            sampler = self.factory(params, targets, neighbours, seed)
            try:
                result = run_tracked(sampler, rows.encoded(), labels, notes, adds_rows=True)
            except Exception as error:
                reason = self._no_rows_reason(error)
                if reason is None:
                    raise
                method = type(sampler).__name__
                note = f"{method} generated no rows: {reason}; trained on the rows as they are."
                return self._after(unchanged(rows.encoded(), labels, method, note), params, seed)
        result.notes += shortfall_notes(result, targets, result.method)
        return self._after(result, params, seed)

    def _no_rows_reason(self, error: Exception) -> str | None:
        message = str(error)
        for kind, start, reason in self.no_rows_reasons:
            if isinstance(error, kind) and message.startswith(start):
                return reason
        return None

    def _after(self, result: ResampleResult, params: Params, seed: int, oversampled: bool = True) -> ResampleResult:
        """Hybrids clean here; a plain oversampler returns its rows."""
        return result

    def _categorical(self, targets: dict, neighbours: int, encoder, seed: int) -> tuple[Any, list[str]]:
        # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
        from imblearn.over_sampling import SMOTEN, SMOTENC

        notes = [self.categorical_note] if self.categorical_note else []
        if encoder.n_numeric == 0:
            notes.append("All features are categorical: SMOTEN (value-difference metric) made the synthetic rows.")
            return SMOTEN(sampling_strategy=targets, k_neighbors=neighbours, random_state=seed), notes
        sampler = SMOTENC(
            categorical_features=encoder.categorical_indices,
            sampling_strategy=targets,
            k_neighbors=neighbours,
            random_state=seed,
        )
        notes.append(
            f"Mixed numeric and categorical columns: SMOTENC made the synthetic rows "
            f"({encoder.n_numeric} numeric, {len(encoder.categorical_indices)} categorical columns)."
        )
        return sampler, notes


def _tomek_all(params: Params):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.under_sampling import TomekLinks

    return TomekLinks(sampling_strategy="all")


def _enn_all(params: Params):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.under_sampling import EditedNearestNeighbours

    return EditedNearestNeighbours(sampling_strategy="all", n_neighbors=params["enn_neighbors"])


@dataclass(frozen=True, kw_only=True)
class SmoteThenClean(SmoteRows):
    """SMOTE, then a cleaner over every class; it cleans even when nothing needed oversampling."""

    kind: ClassVar[RowKind] = "hybrid"
    cleaner: Callable[[Params], Any]
    cleaner_label: str

    def _after(self, result: ResampleResult, params: Params, seed: int, oversampled: bool = True) -> ResampleResult:
        if not oversampled:
            result.notes = [nothing_to_do("oversample", params["sampling_ratio"]).split(";")[0] + "."]
            result.method = "no oversampling"
        cleaner = self.cleaner(params)
        features, labels = cleaner.fit_resample(result.features, result.labels)
        kept = np.asarray(cleaner.sample_indices_)
        removed = len(result.labels) - len(kept)
        return ResampleResult(
            np.asarray(features, dtype=np.float32),
            np.asarray(labels),
            result.source_index[kept],
            result.n_original,
            f"{result.method} + {self.cleaner_label}",
            result.notes + [f"{self.cleaner_label} removed {removed} rows after {result.method}."],
        )


@dataclass(frozen=True, kw_only=True)
class RandomUnderRows(RowStage):
    """Drops random rows of larger classes down to the ratio."""

    kind: ClassVar[RowKind] = "undersample"
    modalities: ClassVar[tuple[str, ...]] = TABLE_AND_IMAGE

    def _fit_resample(self, rows: TrainingRows, params: Params, seed: int) -> ResampleResult:
        # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
        from imblearn.under_sampling import RandomUnderSampler

        encoded, labels = rows.encoded(), rows.labels
        targets = undersampling_targets(labels, params["sampling_ratio"])
        if not targets:
            return unchanged(encoded, labels, self.name, nothing_to_do("undersample", params["sampling_ratio"]))
        sampler = RandomUnderSampler(sampling_strategy=targets, random_state=seed)
        return run_tracked(sampler, encoded, labels, [], adds_rows=False)


@dataclass(frozen=True, kw_only=True)
class NearMissRows(RowStage):
    """Keeps the rows of larger classes nearest to the smaller classes (NearMiss 1, 2 or 3)."""

    kind: ClassVar[RowKind] = "undersample"
    modalities: ClassVar[tuple[str, ...]] = TABLE

    def _fit_resample(self, rows: TrainingRows, params: Params, seed: int) -> ResampleResult:
        # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
        from imblearn.under_sampling import NearMiss

        encoded, labels = rows.encoded(), rows.labels
        targets = undersampling_targets(labels, params["sampling_ratio"])
        if not targets:
            return unchanged(encoded, labels, self.name, nothing_to_do("undersample", params["sampling_ratio"]))
        notes: list[str] = []
        smallest = int(np.bincount(labels)[np.bincount(labels) > 0].min())
        neighbours = min(params["n_neighbors"], smallest)
        if neighbours < params["n_neighbors"]:
            notes.append(
                f"n_neighbors lowered from {params['n_neighbors']} to {neighbours}: the smallest class has "
                f"{smallest} rows in this fold."
            )
        version = params["version"]
        sampler = NearMiss(
            sampling_strategy=targets, version=version, n_neighbors=neighbours, n_neighbors_ver3=neighbours
        )
        with warnings.catch_warnings():  # NearMiss-3 warns when its pre-selection is short: said in a note below
            warnings.filterwarnings("ignore", message="The number of the samples to be selected", category=UserWarning)
            result = run_tracked(sampler, encoded, labels, notes, adds_rows=False)
        result.method = f"NearMiss-{version}"
        kept = np.bincount(result.labels, minlength=len(np.bincount(labels)))
        asked = sum(targets.values())
        got = int(sum(kept[label] for label in targets))
        if got < asked:
            result.notes.append(
                f"NearMiss-{version} kept {got} rows of the larger classes, fewer than the {asked} asked for: it "
                f"only keeps rows among the {neighbours} nearest neighbours of some minority row. Raise n_neighbors "
                "to keep more."
            )
        return result


def _tomek(params: Params):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.under_sampling import TomekLinks

    return TomekLinks(sampling_strategy=params["sampling_strategy"])


def _enn(params: Params):
    # deferred: imbalanced-learn (and scikit-learn) load only when a sampler runs
    from imblearn.under_sampling import EditedNearestNeighbours

    return EditedNearestNeighbours(n_neighbors=params["n_neighbors"], kind_sel=params["kind_sel"])


@dataclass(frozen=True, kw_only=True)
class CleaningRows(RowStage):
    """A cleaning sampler: removes rows (Tomek links, edited nearest neighbours), never adds any."""

    kind: ClassVar[RowKind] = "clean"
    modalities: ClassVar[tuple[str, ...]] = TABLE
    factory: Callable[[Params], Any]

    def _fit_resample(self, rows: TrainingRows, params: Params, seed: int) -> ResampleResult:
        return run_tracked(self.factory(params), rows.encoded(), rows.labels, [], adds_rows=False)


@dataclass(frozen=True, kw_only=True)
class NoiseAugmentRows(RowStage):
    """Appends jittered copies of rows of smaller classes; noise on numeric (standardised) columns only."""

    kind: ClassVar[RowKind] = "augment"
    modalities: ClassVar[tuple[str, ...]] = TABLE

    def _fit_resample(self, rows: TrainingRows, params: Params, seed: int) -> ResampleResult:
        encoded, labels, n_numeric = rows.encoded(), rows.labels, rows.encoder.n_numeric
        targets = oversampling_targets(labels, params["sampling_ratio"])
        if not targets:
            return unchanged(encoded, labels, "noise", "Nothing to augment: the classes already meet the ratio.")
        rng = np.random.default_rng(seed)
        counts = np.bincount(labels)
        picked = np.concatenate(
            [
                rng.choice(np.flatnonzero(labels == label), size=target - counts[label])
                for label, target in targets.items()
            ]
        )
        copies = encoded[picked].copy()
        noise = rng.normal(0.0, params["noise_scale"], size=(len(picked), n_numeric))
        copies[:, :n_numeric] += noise.astype(copies.dtype)
        source = np.concatenate([np.arange(len(labels)), np.full(len(picked), -1)])
        notes = [] if n_numeric else ["No numeric columns: augmented rows are exact copies."]
        return ResampleResult(
            np.vstack([encoded, copies]).astype(np.float32),
            np.concatenate([labels, labels[picked]]),
            source,
            len(labels),
            "Gaussian noise",
            notes,
        )


# The rows stages the registry names. A stage's name is the sampler name in JSON and in old results.
NONE = RowStage()
RANDOM_OVER = RandomOverRows(name="random_over")
SMOTE = SmoteRows(name="smote", label="SMOTE", factory=_smote)
ADASYN = SmoteRows(
    name="adasyn",
    label="ADASYN",
    factory=_adasyn,
    neighbour_param="n_neighbors",
    categorical_note="ADASYN has no variant for categorical columns; SMOTENC/SMOTEN was used instead.",
    # imbalanced-learn 0.14 raises these two when ADASYN has nothing to weigh or nothing to make.
    no_rows_reasons=(
        (
            RuntimeError,
            "Not any neigbours belong to the majority",
            "no minority row has a neighbour of another class among its n_neighbors nearest, so there is no "
            "difficulty to weigh (SMOTE would still work)",
        ),
        (
            ValueError,
            "No samples will be generated",
            "its difficulty weights round every row's share of new rows down to zero",
        ),
    ),
)
BORDERLINE_SMOTE = SmoteRows(
    name="borderline_smote",
    label="Borderline-SMOTE",
    factory=_borderline_smote,
    categorical_note="Borderline-SMOTE has no variant for categorical columns; SMOTENC/SMOTEN was used instead.",
)
SMOTE_TOMEK = SmoteThenClean(
    name="smote_tomek", label="SMOTE", factory=_smote, cleaner=_tomek_all, cleaner_label="Tomek links"
)
SMOTE_ENN = SmoteThenClean(name="smote_enn", label="SMOTE", factory=_smote, cleaner=_enn_all, cleaner_label="ENN")
RANDOM_UNDER = RandomUnderRows(name="random_under")
NEAR_MISS = NearMissRows(name="near_miss")
TOMEK = CleaningRows(name="tomek", factory=_tomek)
ENN = CleaningRows(name="enn", factory=_enn)
NOISE_AUGMENT = NoiseAugmentRows(name="noise_augment")
