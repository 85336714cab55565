"""Plain words for people: how imbalanced the classes are (a word and a one-sentence verdict) and how a run
split its rows. The dashboard's pages, the tables and the HTML report all say it the same way."""

from __future__ import annotations

from collections.abc import Mapping

from imbal_core.nets.model import SMALL_TABLE_ROWS


def severity(imbalance_ratio: float) -> str:
    """A plain word for an imbalance ratio (largest class / smallest class)."""
    if imbalance_ratio < 1.5:
        return "balanced"
    if imbalance_ratio < 4:
        return "mildly imbalanced"
    if imbalance_ratio < 20:
        return "imbalanced"
    if imbalance_ratio < 100:
        return "strongly imbalanced"
    return "extremely imbalanced"


def imbalance_verdict(profile: Mapping) -> str:
    """One sentence on what the imbalance means, e.g. "1 in 40 rows is 'fraud': a model that always
    answers 'legit' scores 97.5% accuracy and catches nothing."

    `profile` is DatasetProfile.to_dict() (rows, class_counts, minority_class, majority_class).
    """
    counts = {str(label): int(count) for label, count in profile["class_counts"].items()}
    rows = max(sum(counts.values()), 1)
    minority, majority = str(profile["minority_class"]), str(profile["majority_class"])
    one_in = max(1, round(rows / max(counts[minority], 1)))
    accuracy = counts[majority] / rows
    if len(counts) == 2:
        return (
            f"1 in {one_in:,} rows is '{minority}': a model that always answers '{majority}' scores "
            f"{accuracy:.1%} accuracy and catches none of the '{minority}' rows."
        )
    others = len(counts) - 1
    return (
        f"The rarest class, '{minority}', is 1 in {one_in:,} rows: a model that always answers '{majority}' "
        f"scores {accuracy:.1%} accuracy and never finds any of the other {others} classes."
    )


def protocol_text(comparison) -> str:
    """Short description of how a run split its rows and trained, e.g. "quick split (25% test), seed 0"."""
    protocol = comparison.protocol
    if protocol.mode == "quick":
        split = f"quick split ({protocol.test_size:.0%} test)"
    else:
        split = f"{protocol.folds}-fold" + (f" x {protocol.repeats}" if protocol.repeats > 1 else "")
    return f"{split}, seed {protocol.seed}, max {comparison.settings.max_epochs} epochs{_averaged(comparison)}"


def protocol_words(comparison) -> str:
    """The protocol in words for a reader, e.g. "5-fold stratified CV, 1 repeat, seed 0"."""
    protocol = comparison.protocol
    if protocol.mode == "quick":
        split = f"one stratified hold-out split ({protocol.test_size:.0%} of rows tested), seed {protocol.seed}"
        return split + _averaged(comparison)
    repeats = f"{protocol.repeats} repeat" + ("s" if protocol.repeats != 1 else "")
    return f"{protocol.folds}-fold stratified CV, {repeats}, seed {protocol.seed}{_averaged(comparison)}"


def _averaged(comparison) -> str:
    """ ", each network an average of N seeds (automatic: 397 rows, at most 3,000)" or "... (chosen)" when the
    run averaged seeds; nothing otherwise."""
    averaged = getattr(comparison.settings, "seed_average", 1)
    if averaged <= 1:
        return ""
    if getattr(comparison.settings, "seed_average_automatic", False):
        rows = int((comparison.dataset or {}).get("rows", 0) or 0)
        why = f"automatic: {rows:,} rows, at most {SMALL_TABLE_ROWS:,}"
    else:
        why = "chosen"
    return f", each network an average of {averaged} seeds ({why})"
