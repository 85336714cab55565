"""Apply a technique's sampler to training rows only, and record what it added and removed.

Every sampler is imbalanced-learn's. This module only chooses the representation the
sampler sees, turns the sampling ratio into a per-class target (a float strategy is
binary-only in imbalanced-learn), clamps neighbour counts to what the fold allows, and
keeps track of which output rows are synthetic and which original rows were removed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from imblearn.over_sampling import ADASYN, SMOTE, SMOTEN, SMOTENC, BorderlineSMOTE, RandomOverSampler
from imblearn.under_sampling import EditedNearestNeighbours, NearMiss, RandomUnderSampler, TomekLinks

from imbal_core.preprocess import FeatureEncoder
from imbal_core.techniques import TechniqueSpec

SMOTE_FAMILY = ("smote", "adasyn", "borderline_smote", "smote_tomek", "smote_enn")


@dataclass
class ResampleResult:
    """Encoded training rows after resampling; `source_index` is -1 for synthetic rows."""

    features: np.ndarray
    labels: np.ndarray
    source_index: np.ndarray
    n_original: int
    method: str
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> np.ndarray:
        return self.source_index < 0

    @property
    def removed_index(self) -> np.ndarray:
        """Original rows that are not in the output (removed by undersampling or cleaning)."""
        kept = np.zeros(self.n_original, dtype=bool)
        kept[self.source_index[self.source_index >= 0]] = True
        return np.flatnonzero(~kept)


def oversampling_targets(labels: np.ndarray, ratio: float) -> dict[int, int]:
    """Classes below `ratio` x the largest class, mapped to that target count."""
    counts = np.bincount(labels)
    target = int(ratio * counts.max())
    return {label: target for label, count in enumerate(counts) if 0 < count < target}


def undersampling_targets(labels: np.ndarray, ratio: float) -> dict[int, int]:
    """Classes above smallest / `ratio`, mapped to that target count."""
    counts = np.bincount(labels)
    present = counts[counts > 0]
    target = max(int(present.min() / ratio), int(present.min()))
    return {label: target for label, count in enumerate(counts) if count > target}


def resample(
    spec: TechniqueSpec, base_matrix: np.ndarray, labels: np.ndarray, encoder: FeatureEncoder, seed: int
) -> ResampleResult:
    """Resample stage-one training rows for `spec`; returns encoded rows ready for the network."""
    technique = spec.technique
    identity = np.arange(len(labels))
    if technique.augment:
        return _noise_augment(spec.params, encoder.encode(base_matrix), labels, encoder.n_numeric, seed)
    if technique.sampler is None:
        return ResampleResult(encoder.encode(base_matrix), labels, identity, len(labels), "none")
    if technique.sampler in SMOTE_FAMILY:
        return _smote_family(spec, base_matrix, labels, encoder, seed)
    encoded = encoder.encode(base_matrix)
    if technique.sampler == "random_over":
        targets = oversampling_targets(labels, spec.params["sampling_ratio"])
        if not targets:
            return _unchanged(encoded, labels, "RandomOverSampler", _nothing_to_do("oversample", spec))
        sampler = RandomOverSampler(
            sampling_strategy=targets, shrinkage=spec.params["shrinkage"] or None, random_state=seed
        )
        result = _run_tracked(sampler, encoded, labels, "RandomOverSampler", [], oversampler=True)
        if spec.params["shrinkage"]:
            _restore_categories(result, encoded, np.asarray(sampler.sample_indices_), encoder.n_numeric)
        return result
    return _undersample(spec, encoded, labels, seed)


def _restore_categories(result: ResampleResult, encoded: np.ndarray, drawn: np.ndarray, n_numeric: int) -> None:
    """Shrinkage jitters every column; one-hot columns of the copies go back to their source row's 0/1.

    imbalanced-learn's smoothed bootstrap has no per-column switch, and its `sample_indices_` names the
    row each copy was drawn from.
    """
    copies = result.synthetic
    result.features[copies, n_numeric:] = encoded[drawn[copies], n_numeric:]


def _nothing_to_do(action: str, spec: TechniqueSpec) -> str:
    ratio = spec.params.get("sampling_ratio")
    return f"Nothing to {action}: the classes already meet sampling_ratio={ratio}; trained on the rows as they are."


def _unchanged(encoded: np.ndarray, labels: np.ndarray, method: str, note: str) -> ResampleResult:
    return ResampleResult(encoded, labels, np.arange(len(labels)), len(labels), method, [note])


def _run_tracked(
    sampler: Any, matrix: np.ndarray, labels: np.ndarray, method: str, notes: list[str], oversampler: bool
) -> ResampleResult:
    """Run an imbalanced-learn sampler and map output rows back to input rows."""
    features, new_labels = sampler.fit_resample(matrix, labels)
    if hasattr(sampler, "sample_indices_") and not oversampler:
        source = np.asarray(sampler.sample_indices_)
    else:
        # imbalanced-learn's oversamplers return every input row first, then the new rows.
        source = np.concatenate([np.arange(len(labels)), np.full(len(new_labels) - len(labels), -1)])
    return ResampleResult(
        np.asarray(features, dtype=np.float32), np.asarray(new_labels), source, len(labels), method, notes
    )


def _clamped_neighbours(requested: int, labels: np.ndarray, targets: dict[int, int], name: str) -> tuple[int, list]:
    smallest = int(min(np.bincount(labels)[label] for label in targets))
    allowed = smallest - 1
    if requested <= allowed:
        return requested, []
    return allowed, [
        f"{name} lowered from {requested} to {allowed}: only {smallest} rows of a class to oversample in this fold."
    ]


def _smote_family(
    spec: TechniqueSpec, base_matrix: np.ndarray, labels: np.ndarray, encoder: FeatureEncoder, seed: int
) -> ResampleResult:
    params, kind = spec.params, spec.technique.sampler
    targets = oversampling_targets(labels, params["sampling_ratio"])
    if not targets:
        unchanged = _unchanged(encoder.encode(base_matrix), labels, "none", _nothing_to_do("oversample", spec))
        if kind in ("smote_tomek", "smote_enn"):
            unchanged.notes = [_nothing_to_do("oversample", spec).replace("; trained on the rows as they are", "")]
            unchanged.method = "no oversampling"
            return _clean_after_smote(kind, params, unchanged, seed)
        return unchanged
    neighbour_param = "n_neighbors" if kind == "adasyn" else "k_neighbors"
    neighbours, notes = _clamped_neighbours(params[neighbour_param], labels, targets, neighbour_param)
    if neighbours < 1:
        notes = [
            f"{spec.technique.name} needs at least 2 rows of each class it oversamples; a class has 1 row in "
            "this fold, so random oversampling was used instead."
        ]
        sampler = RandomOverSampler(sampling_strategy=targets, random_state=seed)
        return _run_tracked(sampler, encoder.encode(base_matrix), labels, "RandomOverSampler", notes, True)
    has_categories = bool(encoder.plan.categorical)
    if has_categories:
        sampler, method, category_notes = _categorical_smote(kind, targets, neighbours, encoder, seed)
        notes += category_notes
        result = _run_tracked(sampler, base_matrix, labels, method, notes, oversampler=True)
        result.features = encoder.encode(result.features)
    else:
        sampler, method = _numeric_smote(kind, params, targets, neighbours, seed)
        try:
            result = _run_tracked(sampler, encoder.encode(base_matrix), labels, method, notes, oversampler=True)
        except (ValueError, RuntimeError) as error:
            # ADASYN refuses when no minority row has a majority neighbour, or nothing is to be generated.
            note = f"{method} generated no rows ({str(error).splitlines()[0]}); trained on the rows as they are."
            return _unchanged(encoder.encode(base_matrix), labels, method, note)
    if kind in ("smote_tomek", "smote_enn"):
        return _clean_after_smote(kind, params, result, seed)
    return result


def _numeric_smote(kind: str, params: dict, targets: dict, neighbours: int, seed: int) -> tuple[Any, str]:
    if kind == "adasyn":
        return ADASYN(sampling_strategy=targets, n_neighbors=neighbours, random_state=seed), "ADASYN"
    if kind == "borderline_smote":
        sampler = BorderlineSMOTE(
            sampling_strategy=targets,
            k_neighbors=neighbours,
            m_neighbors=params["m_neighbors"],
            kind=params["kind"],
            random_state=seed,
        )
        return sampler, "BorderlineSMOTE"
    return SMOTE(sampling_strategy=targets, k_neighbors=neighbours, random_state=seed), "SMOTE"


def _categorical_smote(
    kind: str, targets: dict, neighbours: int, encoder: FeatureEncoder, seed: int
) -> tuple[Any, str, list[str]]:
    notes = []
    if kind in ("adasyn", "borderline_smote"):
        notes.append(
            f"{'ADASYN' if kind == 'adasyn' else 'Borderline-SMOTE'} has no variant for categorical columns; "
            "SMOTENC/SMOTEN was used instead."
        )
    if encoder.n_numeric == 0:
        sampler = SMOTEN(sampling_strategy=targets, k_neighbors=neighbours, random_state=seed)
        notes.append("All features are categorical: SMOTEN (value-difference metric) made the synthetic rows.")
        return sampler, "SMOTEN", notes
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
    return sampler, "SMOTENC", notes


def _clean_after_smote(kind: str, params: dict, smoted: ResampleResult, seed: int) -> ResampleResult:
    if kind == "smote_tomek":
        cleaner, name = TomekLinks(sampling_strategy="all"), "Tomek links"
    else:
        cleaner = EditedNearestNeighbours(sampling_strategy="all", n_neighbors=params["enn_neighbors"])
        name = "ENN"
    features, labels = cleaner.fit_resample(smoted.features, smoted.labels)
    kept = np.asarray(cleaner.sample_indices_)
    removed = len(smoted.labels) - len(kept)
    notes = smoted.notes + [f"{name} removed {removed} rows after {smoted.method}."]
    return ResampleResult(
        np.asarray(features, dtype=np.float32),
        np.asarray(labels),
        smoted.source_index[kept],
        smoted.n_original,
        f"{smoted.method} + {name}",
        notes,
    )


def _undersample(spec: TechniqueSpec, encoded: np.ndarray, labels: np.ndarray, seed: int) -> ResampleResult:
    params, kind = spec.params, spec.technique.sampler
    notes: list[str] = []
    if kind == "tomek":
        return _run_tracked(
            TomekLinks(sampling_strategy=params["sampling_strategy"]), encoded, labels, "TomekLinks", notes, False
        )
    if kind == "enn":
        sampler = EditedNearestNeighbours(n_neighbors=params["n_neighbors"], kind_sel=params["kind_sel"])
        return _run_tracked(sampler, encoded, labels, "EditedNearestNeighbours", notes, False)
    targets = undersampling_targets(labels, params["sampling_ratio"])
    if not targets:
        return _unchanged(encoded, labels, kind, _nothing_to_do("undersample", spec))
    if kind == "random_under":
        sampler = RandomUnderSampler(sampling_strategy=targets, random_state=seed)
        return _run_tracked(sampler, encoded, labels, "RandomUnderSampler", notes, False)
    smallest = int(np.bincount(labels)[np.bincount(labels) > 0].min())
    neighbours = min(params["n_neighbors"], smallest)
    if neighbours < params["n_neighbors"]:
        notes.append(
            f"n_neighbors lowered from {params['n_neighbors']} to {neighbours}: the smallest class has "
            f"{smallest} rows in this fold."
        )
    sampler = NearMiss(
        sampling_strategy=targets, version=params["version"], n_neighbors=neighbours, n_neighbors_ver3=neighbours
    )
    with warnings.catch_warnings():  # NearMiss-3 warns when its pre-selection is short: said in a note below
        warnings.filterwarnings("ignore", message="The number of the samples to be selected", category=UserWarning)
        result = _run_tracked(sampler, encoded, labels, f"NearMiss-{params['version']}", notes, False)
    kept = np.bincount(result.labels, minlength=len(np.bincount(labels)))
    asked = sum(targets.values())
    got = int(sum(kept[label] for label in targets))
    if got < asked:
        result.notes.append(
            f"NearMiss-{params['version']} kept {got} rows of the larger classes, fewer than the {asked} asked for: "
            f"it only keeps rows among the {neighbours} nearest neighbours of some minority row. Raise n_neighbors "
            "to keep more."
        )
    return result


def _noise_augment(params: dict, encoded: np.ndarray, labels: np.ndarray, n_numeric: int, seed: int) -> ResampleResult:
    """Append jittered copies of rows of small classes; noise on numeric (standardised) columns only."""
    targets = oversampling_targets(labels, params["sampling_ratio"])
    if not targets:
        return _unchanged(encoded, labels, "noise", "Nothing to augment: the classes already meet the ratio.")
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels)
    picked = np.concatenate(
        [rng.choice(np.flatnonzero(labels == label), size=target - counts[label]) for label, target in targets.items()]
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


def resampled_rows_frame(preview: dict, target: str) -> pd.DataFrame:
    """The resampled training rows in original units, with the label and a `synthetic` marker column.

    Original rows are written exactly as read; only synthetic rows are decoded from the encoded space
    (decoding through the scaler would change every number in its last digits).
    """
    result: ResampleResult = preview["result"]
    frame = preview["encoder"].decode(result.features)
    originals = preview["original_rows"]
    kept = np.flatnonzero(result.source_index >= 0)
    columns = [column for column in frame.columns if column in originals.columns]
    for column in columns:
        values = frame[column].astype(object)
        values.iloc[kept] = originals[column].iloc[result.source_index[kept]].to_numpy()
        frame[column] = values.infer_objects()
    frame[target] = [preview["labels"][code] for code in result.labels]
    frame["synthetic"] = result.synthetic
    return frame
