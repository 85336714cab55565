"""Results named for display: each technique's result under one unique name, with the run it came from.

Charts, tables, the report and the dashboard all show results under these names, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from imbal_core.run.results import Comparison, TechniqueResult


@dataclass(frozen=True)
class NamedResult:
    """One technique's result with the unique name it is shown under and the run it came from."""

    name: str
    result: TechniqueResult
    comparison: Comparison

    @property
    def usable(self) -> bool:
        return self.result.failed is None and len(self.result.test_labels) > 0


def name_results(comparisons: Sequence[Comparison]) -> list[NamedResult]:
    """Every result of every run, named by its technique label; a repeated label gets the run number.

    Reference learners (not networks) are marked "(reference)", as in the report and the decision table.
    """
    named: list[NamedResult] = []
    seen: dict[str, int] = {}
    for run_number, comparison in enumerate(comparisons, start=1):
        for result in comparison.results:
            label = result.spec.display_name
            if is_reference(result) and "(reference)" not in label:
                label += " (reference)"
            seen[label] = seen.get(label, 0) + 1
            name = label if seen[label] == 1 else f"{label} (run {run_number})"
            named.append(NamedResult(name, result, comparison))
    return named


def is_reference(result) -> bool:
    """True for a reference learner (not a network); an id this registry does not know is not one."""
    try:
        return bool(result.reference)
    except Exception:  # an id this version's registry does not know
        return False
