"""How rows are split: stratified hold-out or repeated stratified K-fold, and the validation slice.

Split first, always stratified; the validation slice for early stopping comes from the training rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedShuffleSplit, train_test_split

from imbal_core.errors import InputError

CHEAP_KFOLD_ROWS = 5_000  # below this, 5-fold CV of the default techniques takes well under a minute here
MIN_MINORITY_TEST_ROWS = 30


def suggested_mode(rows: int, minority_rows: int, test_size: float) -> Literal["quick", "cv"]:
    """K-fold when it is cheap (small data) or when one hold-out split would test too few minority rows."""
    if rows <= CHEAP_KFOLD_ROWS or minority_rows * test_size < MIN_MINORITY_TEST_ROWS:
        return "cv"
    return "quick"


@dataclass(frozen=True)
class Protocol:
    """How rows are split: one stratified hold-out ('quick') or repeated stratified K-fold ('cv')."""

    mode: Literal["quick", "cv"] = "quick"
    folds: int = 5
    repeats: int = 1
    test_size: float = 0.25
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("quick", "cv"):
            raise InputError(f"Protocol mode must be 'quick' or 'cv'; got {self.mode!r}.")
        if self.mode == "cv" and not (2 <= self.folds <= 20):
            raise InputError(f"Folds must be between 2 and 20; got {self.folds}.")
        if not (1 <= self.repeats <= 10):
            raise InputError(f"Repeats must be between 1 and 10; got {self.repeats}.")
        if not (0.05 <= self.test_size <= 0.5):
            raise InputError(f"Test size must be between 0.05 and 0.5; got {self.test_size}.")

    @property
    def n_splits(self) -> int:
        return 1 if self.mode == "quick" else self.folds * self.repeats

    def to_json(self) -> dict:
        quick = self.mode == "quick"
        return {
            "mode": self.mode,
            "folds": 1 if quick else self.folds,
            "repeats": 1 if quick else self.repeats,
            "test_size": self.test_size if quick else None,
            "seed": self.seed,
        }


def make_splits(codes: np.ndarray, protocol: Protocol) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified train/test index pairs; raises InputError when a class is too small for the protocol."""
    smallest = int(np.bincount(codes).min())
    if protocol.mode == "quick":
        if smallest < 2:
            raise InputError("A class has fewer than 2 rows; a stratified split needs at least 2 of every class.")
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=protocol.test_size, random_state=protocol.seed)
    else:
        if smallest < protocol.folds:
            raise InputError(
                f"The smallest class has {smallest} rows, fewer than the {protocol.folds} folds asked for. "
                f"Use at most {smallest} folds, or the quick hold-out split."
            )
        splitter = RepeatedStratifiedKFold(
            n_splits=protocol.folds, n_repeats=protocol.repeats, random_state=protocol.seed
        )
    try:
        splits = [(train, test) for train, test in splitter.split(np.zeros(len(codes)), codes)]
    except ValueError as error:  # e.g. fewer test rows than classes
        raise InputError(
            f"The rows cannot be split with test size {protocol.test_size:g} ({error}). "
            "Use a larger test size, or upload more rows."
        ) from None
    for _, test in splits:
        if len(np.unique(codes[test])) < len(np.bincount(codes)):
            advice = min(0.5, np.ceil(20 / smallest) / 20)
            raise InputError(
                f"With test size {protocol.test_size:g} the test rows would hold no row of a class that has only "
                f"{smallest} rows, so its recall could not be measured. Use a test size of at least {advice:g}, "
                "or K-fold."
            )
    return splits


MIN_VALIDATION_MINORITY = 5


def validation_slice(codes: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Carve the early-stopping slice from training rows (stratified when every class allows it).

    Every class with at least 2 training rows gets at least one validation row: a stratified split
    can round a tiny class down to none, and PR-AUC on a slice without minority rows is undefined,
    which would stop training after `patience` epochs with the first epoch's weights.
    """
    positions = np.arange(len(codes))
    counts = np.bincount(codes)
    stratify = codes if counts[counts > 0].min() >= 2 else None
    fit, validation = train_test_split(positions, test_size=fraction, random_state=seed, stratify=stratify)
    notes = [] if stratify is not None else ["A class had 1 training row: the validation slice is not stratified."]
    for code in np.flatnonzero(counts >= 2):
        if not (codes[validation] == code).any():
            moved = fit[codes[fit] == code][0]
            fit, validation = fit[fit != moved], np.append(validation, moved)
    return np.sort(fit), np.sort(validation), notes


def validation_notes(validation_codes: np.ndarray, n_classes: int) -> list[str]:
    """Say when early stopping and the tuned threshold rest on very few minority validation rows."""
    if n_classes != 2:
        return []
    minority = int((validation_codes == 1).sum())
    if minority == 0:
        return [
            "The validation slice held no minority row: early stopping watched the validation loss instead "
            "of PR-AUC, and the tuned threshold is 0.5. Use more rows or K-fold for a trustworthy threshold."
        ]
    if minority < MIN_VALIDATION_MINORITY:
        return [
            f"The validation slice held only {minority} minority row(s): early stopping and the tuned threshold "
            "rest on them and may be noisy."
        ]
    return []
