"""The technique schema: what a technique is (a named composition of stages with pros, cons and
evidence), its parameters (type, range or choices, default, one-line help) and how a value given for
one is checked and converted. The catalogue of named techniques is in imbal_core.techniques.catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from imbal_core.errors import ParameterError
from imbal_core.stages.base import Stages
from imbal_core.stages.training import FocalLoss

ParamKind = Literal["int", "float", "choice", "bool"]
Family = Literal[
    "reference",
    "cost-sensitive",
    "oversampling",
    "undersampling",
    "hybrid",
    "batch sampling",
    "ensemble",
    "augmentation",
    "anomaly detection",
]
# The order the Learn page lists families in.
FAMILIES: tuple[str, ...] = Family.__args__


@dataclass(frozen=True)
class Param:
    """One tunable setting: its type, range or choices, default and a one-line help."""

    name: str
    kind: ParamKind
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()

    def to_json(self) -> dict:
        data = {"name": self.name, "type": self.kind, "default": self.default, "help": self.help}
        if self.kind in ("int", "float"):
            data.update(min=self.low, max=self.high)
        if self.kind == "choice":
            data["choices"] = list(self.choices)
        return data

    def coerce(self, value: Any, technique_id: str) -> Any:
        """Return `value` converted to this parameter's type, or raise ParameterError."""
        where = f"Parameter {technique_id}.{self.name}"
        if self.kind == "bool":
            return _as_bool(value, where)
        if self.kind == "choice":
            if str(value) not in [str(choice) for choice in self.choices]:
                allowed = ", ".join(str(choice) for choice in self.choices)
                raise ParameterError(f"{where} must be one of {allowed}; got {value!r}.")
            return next(choice for choice in self.choices if str(choice) == str(value))
        number = _as_number(value, self.kind, where)
        if not (self.low <= number <= self.high):
            raise ParameterError(f"{where} must be between {self.low:g} and {self.high:g}; got {number:g}.")
        return number


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ParameterError(f"{where} must be true or false; got {value!r}.")


def _as_number(value: Any, kind: str, where: str) -> float | int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{where} must be a number; got {value!r}.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ParameterError(f"{where} must be a finite number; got {value!r}.")
    if kind == "int":
        if number != int(number):
            raise ParameterError(f"{where} must be a whole number; got {value!r}.")
        return int(number)
    return number


@dataclass(frozen=True)
class Technique:
    """A named recipe for handling imbalance: its stages and the schema of its parameters.

    `evidence` is what the bundled samples showed (sample_data/README.md), for the Learn page.
    """

    id: str
    name: str
    family: Family
    summary: str
    pros: str
    cons: str
    params: tuple[Param, ...] = ()
    stages: Stages = field(default_factory=Stages)
    evidence: str = ""

    # Read-only views of the stages, for code that asks what a technique does in general terms.
    @property
    def sampler(self) -> str | None:
        """The rows stage's name when it resamples (over, under, cleaning, hybrid), else None."""
        rows = self.stages.rows
        return rows.name if rows.kind in ("oversample", "undersample", "clean", "hybrid") else None

    @property
    def augment(self) -> bool:
        return self.stages.rows.kind == "augment"

    @property
    def class_weight(self) -> bool:
        return self.stages.weights is not Stages().weights

    @property
    def focal_loss(self) -> bool:
        return isinstance(self.stages.loss, FocalLoss)

    @property
    def ensemble(self) -> bool:
        members = self.stages.members
        return members.kind == "network" and members is not Stages().members

    @property
    def learner(self) -> str:
        """ "network" for Keras models; otherwise the scikit-learn reference learner's id."""
        members = self.stages.members
        return members.name if members.kind == "reference" else "network"

    @property
    def is_reference(self) -> bool:
        return self.stages.members.kind == "reference"

    @property
    def reshapes_scores(self) -> bool:
        """True when training sees another class balance than the data's (rows, weights, loss, batches,
        balanced members) or scores are moved after training: the probabilities are not risks as they are."""
        neutral = Stages()
        return not self.is_reference and any(
            mine is not plain for mine, plain in zip(self.stages.all(), neutral.all(), strict=True)
        )

    @property
    def modalities(self) -> tuple[str, ...]:
        return self.stages.modalities

    def refusal(self, n_classes: int, modality: str = "table") -> str | None:
        """Why this technique cannot run on such data (a plain sentence), or None."""
        return self.stages.refusal(n_classes, modality)

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(param.name for param in self.params) or "none"
        raise ParameterError(f"Technique {self.id!r} has no parameter {name!r}; its parameters are: {known}.")

    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}

    def resolve(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults updated with `overrides`, each checked against the schema."""
        values = self.defaults()
        for name, value in (overrides or {}).items():
            values[name] = self.param(name).coerce(value, self.id)
        return values

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "summary": self.summary,
            "pros": self.pros,
            "cons": self.cons,
            "params": [param.to_json() for param in self.params],
            "stages": self.stages.to_json(),
            "modalities": list(self.modalities),
        }
