"""What a decision is worth: the costs of a false alarm and of a miss, the value of a catch, the volume of
cases per period, sensible defaults for each bundled sample, and the figures written for sentences.

Binary targets only: for multi-class results the decision functions return None or an empty list, and
`unsupported_reason` gives the sentence to show (multi-class results show metrics only).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from numbers import Real
from typing import TYPE_CHECKING

from imbal_core.errors import InputError

if TYPE_CHECKING:
    from imbal_core.run.results import Comparison

MULTICLASS_NOT_SUPPORTED = "Not supported: costs apply to binary targets; multi-class results show metrics only."
PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Costs:
    """What one decision is worth, and how many cases arrive per period.

    The expected cost of flagging at a threshold is false_alarm * FP + miss * FN - catch_value * TP.
    """

    false_alarm: float = 1.0
    miss: float = 10.0
    catch_value: float = 0.0  # value of a caught positive, subtracted from the cost
    volume: float = 1000.0  # cases per period
    period: str = "day"

    def __post_init__(self) -> None:
        for name in ("false_alarm", "miss", "catch_value", "volume"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
                raise InputError(f"The {_COST_WORDS[name]} must be a finite number; got {value!r}. Enter a number.")
            if value < 0:
                raise InputError(
                    f"The {_COST_WORDS[name]} must be 0 or more; got {value:g}. Enter 0 or a positive amount."
                )
            object.__setattr__(self, name, float(value))  # numpy and int inputs become plain floats
        if self.false_alarm == self.miss == self.catch_value == 0:
            raise InputError(
                "All costs are 0, so every threshold is equally good. Enter the cost of a false alarm or of a miss."
            )
        if self.volume <= 0:
            raise InputError(f"The volume must be more than 0 cases per period; got {self.volume:g}.")
        if self.period not in PERIODS:
            raise InputError(f"The period must be one of {', '.join(PERIODS)}; got {self.period!r}.")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Costs:
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"Unknown cost settings {unknown}; expected only {sorted(known)}. Remove the others.")
        return cls(**data)


_COST_WORDS = {
    "false_alarm": "cost of a false alarm",
    "miss": "cost of a miss",
    "catch_value": "value of a catch",
    "volume": "volume",
}

_SAMPLE_COSTS: dict[str, tuple[Costs, str]] = {
    "fraud": (
        Costs(false_alarm=5, miss=500, volume=10_000, period="day"),
        "Defaults for a fraud desk: a missed fraud (500) costs 100× a false alarm (5), at 10,000 card payments "
        "a day; change them to yours.",
    ),
    "medical": (
        Costs(false_alarm=1, miss=50, volume=100, period="week"),
        "Defaults for a biopsy clinic: a missed malignancy (50) costs 50× an unneeded follow-up (1), at 100 "
        "biopsies a week; change them to yours.",
    ),
    "spam": (
        Costs(false_alarm=10, miss=1, volume=5_000, period="day"),
        "Defaults for a mail filter: losing a real e-mail to the spam folder (10) costs 10× letting one spam "
        "through (1), at 5,000 e-mails a day; change them to yours.",
    ),
    "sms": (
        Costs(false_alarm=20, miss=1, volume=2_000, period="day"),
        "Defaults for a phone's message filter: hiding a friend's message (20) costs 20× letting one spam "
        "through (1), at 2,000 messages a day; change them to yours.",
    ),
    "maintenance": (
        Costs(false_alarm=50, miss=2_000, volume=1_000, period="week"),
        "Defaults for a machine shop: a failure nobody foresaw (2,000) costs 40× a needless inspection (50), "
        "at 1,000 machine runs a week; change them to yours.",
    ),
    "digits": (Costs(), MULTICLASS_NOT_SUPPORTED),
}
_SAMPLE_ALIASES = {"breast_cancer": "medical"}
_GENERIC_COSTS = (
    Costs(),
    "Generic defaults: a miss (10) costs 10× a false alarm (1), at 1,000 cases a day; change them to yours.",
)


def default_costs(sample_id: str | None) -> tuple[Costs, str]:
    """Sensible costs for a bundled sample, with a one-line reason to show; generic ones otherwise."""
    key = _SAMPLE_ALIASES.get(sample_id or "", sample_id or "")
    return _SAMPLE_COSTS.get(key, _GENERIC_COSTS)


def cost_caption(costs: Costs, sample_id: str | None) -> str:
    """The line under the cost inputs: the sample's reason while its defaults are in use, else the costs
    actually in use, so the caption never describes figures the person has changed."""
    defaults, reason = default_costs(sample_id)
    if costs == defaults:
        return reason
    if costs.false_alarm and costs.miss:
        ratio = costs.miss / costs.false_alarm
        compared = f"a miss ({amount(costs.miss)}) costs {amount(ratio)}× a false alarm ({amount(costs.false_alarm)})"
    else:
        compared = f"a miss costs {amount(costs.miss)} and a false alarm {amount(costs.false_alarm)}"
    catch = f", a catch is worth {amount(costs.catch_value)}" if costs.catch_value else ""
    return (
        f"Costs in use: {compared}{catch}, at {amount(costs.volume)} cases a {costs.period}. "
        "Every figure below follows them."
    )


def unsupported_reason(comparison: Comparison) -> str | None:
    """The sentence to show instead of a decision view, or None when decisions are supported."""
    return None if comparison.binary else MULTICLASS_NOT_SUPPORTED


def alerts_per_1000_for(alerts_per_period: float, costs: Costs) -> float:
    """Turn "we can review K alerts per period" into an alert budget per 1,000 cases at the stated volume."""
    return min(1000.0, 1000.0 * alerts_per_period / costs.volume)


def amount(value: float) -> str:
    """A figure for a sentence: whole numbers from 100, otherwise up to 3 significant digits."""
    if not math.isfinite(value):
        return "an unknown amount"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
