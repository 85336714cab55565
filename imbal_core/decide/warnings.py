"""Warnings shown beside the numbers they qualify: few minority rows to test or to choose thresholds on,
scores at chance level, no technique better than the baseline beyond the uncertainty."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from imbal_core.decide.operating_points import baseline_of, display_name, is_reference
from imbal_core.decide.uncertainty import MetricGap, Z, metric_estimate, metric_gap

if TYPE_CHECKING:
    from imbal_core.run.results import Comparison, TechniqueResult

FEW_TEST_MINORITY = 30
FEW_VALIDATION_MINORITY = 10

WARNING_CODES: dict[str, str] = {
    "few_minority_test_rows": (
        "A quick split's test rows hold fewer than 30 rows of the rarest class, so a few rows swing recall; use K-fold."
    ),
    "chance_level": (
        "A technique's ROC-AUC (or PR-AUC) is not above no skill (0.5, or the minority share) beyond 2 standard errors."
    ),
    "few_validation_minority": (
        "Thresholds were chosen from fewer than 10 validation minority rows (all folds together), so they are noisy."
    ),
    "no_better_than_baseline": (
        "No technique's PR-AUC beats the baseline's beyond 2 standard errors: the threshold matters more "
        "than the technique."
    ),
}


@dataclass(frozen=True)
class Warning:  # shadows the built-in on purpose: the name the JSON and the report use; unused here
    """A caveat shown beside the numbers it qualifies; `code` is a key of WARNING_CODES."""

    code: str
    message: str
    technique: str | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "technique": self.technique}


def comparison_warnings(comparison: Comparison) -> list[Warning]:
    """Every warning that applies to this comparison, in the order of WARNING_CODES."""
    usable = [result for result in comparison.results if not result.failed and result.fold_metrics]
    if not usable:
        return []
    found = list(_few_minority_test_rows(comparison, usable))
    for result in usable:
        found.extend(_chance_level(comparison, result))
    found.extend(_few_validation_minority(comparison, usable))
    found.extend(_no_better_than_baseline(comparison, usable))
    return found


def _few_minority_test_rows(comparison: Comparison, usable: list) -> list[Warning]:
    if comparison.protocol.mode != "quick" or not usable[0].test_labels:
        return []
    test_labels = np.asarray(usable[0].test_labels[0])
    counts = np.bincount(test_labels, minlength=len(comparison.labels))
    rarest = int(np.argmin(counts))
    count = int(counts[rarest])
    if count >= FEW_TEST_MINORITY:
        return []
    swing = 100.0 / count if count else math.inf
    return [
        Warning(
            "few_minority_test_rows",
            f"The test split holds only {count} '{comparison.labels[rarest]}' rows out of {len(test_labels)}: "
            f"one row more or fewer moves that class's recall by {swing:.1f} points, so small differences "
            f"are noise. Use K-fold (every row is tested once) before trusting a ranking.",
        )
    ]


def _chance_level(comparison: Comparison, result: TechniqueResult) -> list[Warning]:
    reasons = []
    roc = metric_estimate(comparison, result, "roc_auc")
    if roc is not None and roc.mean - 0.5 < Z * roc.standard_error:
        reasons.append(f"ROC-AUC {roc.mean:.3f} vs 0.5 (±{Z * roc.standard_error:.3f}, {roc.basis})")
    if comparison.binary:
        prevalence = _test_prevalence(result)
        pr = metric_estimate(comparison, result, "pr_auc")
        if pr is not None and pr.mean - prevalence < Z * pr.standard_error:
            reasons.append(
                f"PR-AUC {pr.mean:.3f} vs the minority share {prevalence:.3f} "
                f"(±{Z * pr.standard_error:.3f}, {pr.basis})"
            )
    if not reasons:
        return []
    name = display_name(result)
    return [
        Warning(
            "chance_level",
            f"{name} is not above no skill beyond 2 standard errors: {'; '.join(reasons)}. "
            "Its scores carry little usable signal on this data; better features matter more than the technique.",
            result.spec.label,
        )
    ]


def _few_validation_minority(comparison: Comparison, usable: list) -> list[Warning]:
    """Thresholds rest on every fold's validation minority rows together (operating_point pools them)."""
    if not comparison.binary:
        return []
    counts = [
        sum(int(np.sum(np.asarray(labels) == 1)) for labels in result.validation_labels)
        for result in usable
        if not is_reference(result)
    ]
    if not counts or min(counts) >= FEW_VALIDATION_MINORITY:
        return []
    folds = len(usable[0].validation_labels)
    where = "the validation rows" if folds == 1 else f"the validation rows of all {folds} folds together"
    advice = (
        "Use more data or a larger validation fraction, and read the spread of the figures over folds."
        if folds > 1
        else "Use more data, a larger validation fraction, or K-fold (which chooses the threshold on every "
        "fold's validation rows together)."
    )
    return [
        Warning(
            "few_validation_minority",
            f"Thresholds are chosen from only {min(counts)} minority rows in {where} (fewer than "
            f"{FEW_VALIDATION_MINORITY}), so a tuned threshold can move a lot with one row. {advice}",
        )
    ]


def _no_better_than_baseline(comparison: Comparison, usable: list) -> list[Warning]:
    baseline = baseline_of(usable)
    others = [result for result in usable if result is not baseline and not is_reference(result)]
    if baseline is None or not others:
        return []
    gaps = [(result, metric_gap(comparison, result, baseline, "pr_auc")) for result in others]
    gaps = [(result, gap) for result, gap in gaps if gap is not None]
    if not gaps or any(gap.beats for _, gap in gaps):
        return []
    best, gap = max(gaps, key=lambda pair: pair[1].difference)
    return [Warning("no_better_than_baseline", _no_better_words(display_name(best), gap))]


def _no_better_words(name: str, gap: MetricGap) -> str:
    """The warning's sentence: the closest technique is called what it is (below, level with, or within
    the uncertainty above the baseline), and a margin that rounds to 0 is never quoted as "0.000"."""
    opening = "No technique's PR-AUC beats the baseline's beyond 2 standard errors: "
    scores = f"{gap.mean:.3f} against the baseline's {gap.baseline_mean:.3f}"
    if gap.difference < 0:
        detail = (
            f"every technique scores below it; the closest, {name}, scores {scores} "
            f"(difference {gap.difference:+.3f}; {gap.basis})."
        )
    elif gap.difference == 0:
        detail = f"the best, {name}, scores the same as the baseline ({gap.mean:.3f}; {gap.basis})."
    else:
        detail = (
            f"the highest, {name}, scores {scores}, a lead of {_small(gap.difference)} within the uncertainty "
            f"(2 standard errors: {_small(gap.margin)}; {gap.basis})."
        )
    return (
        opening
        + detail
        + " The techniques mostly moved the threshold: the threshold matters more than the technique here."
    )


def _small(value: float) -> str:
    """A metric difference: 3 decimals, or 2 significant digits when 3 decimals would read 0.000."""
    return f"{value:.3f}" if abs(value) >= 0.0005 or value == 0 else f"{value:.2g}"


def _test_prevalence(result: TechniqueResult) -> float:
    labels = np.concatenate([np.asarray(labels) for labels in result.test_labels])
    return float(np.mean(labels == 1)) if len(labels) else math.nan
