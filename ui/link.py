"""The URL codec: what a person can restore, in one typed object, to and from the URL (and, through the run
history, to the database). Nothing else in the dashboard names a query parameter.

Query parameters (a public contract; values equal to the default stay out of the URL):

    sample      a bundled sample id, or "upload"          ?sample=medical
    target      the target column                         ?target=diagnosis
    techniques  comma-separated technique ids             ?techniques=baseline,smote
    <id>.<name> a technique's parameter (as the CLI)      ?smote.k_neighbors=3
    folds       1: one stratified split (quick); 2 to 10: K-fold with that many folds   ?folds=5
                (absent: the protocol the form suggests for the data, see ui/compare.py)
    costs       cost settings that differ from the sample's defaults   ?costs=miss:250,false_alarm:2
    threshold   the decision threshold, 0 to 1            ?threshold=0.3
    run         a shared run's id (opens it read-only)    ?run=<share id>

`Session.from_query_params` never raises: an unknown, malformed or out-of-range value falls back to its default
and adds a note that says so. This module is the codec only: plain dicts in, plain dicts out, no Streamlit.
ui/links.py connects it to the live session; each form says what it puts in the link there (links.register), and
a feature that owns a parameter of its own says so here (allow_parameter), so the codec imports no form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from imbal_core.data.samples import IMAGE_SAMPLES, SAMPLES, get_sample
from imbal_core.decide.costs import Costs, default_costs
from imbal_core.errors import ImbalanceLabError
from imbal_core.techniques.catalogue import DEFAULT_DASHBOARD_CHOICE, REGISTRY, make_spec

UPLOAD = "upload"
DEFAULT_SAMPLE = "fraud"
DEFAULT_TECHNIQUES = DEFAULT_DASHBOARD_CHOICE  # declared in the registry: no technique id is spelled here
DEFAULT_FOLDS = 5  # imbal_core.run.protocol.Protocol().folds (a test keeps them equal)
FOLDS_RANGE = (2, 10)  # what the Train & compare form offers for K-fold
QUICK = 1  # folds=1: one stratified split
DEFAULT_THRESHOLD = 0.5
MAX_TARGET_LENGTH = 200
MAX_TECHNIQUES = len(REGISTRY)
RUN_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
NAMES = ("sample", "target", "techniques", "folds", "costs", "threshold", "run")
# Parameters other parts of the dashboard own (they are neither read nor dropped here); see allow_parameter.
OTHER_PARAMETERS: set[str] = set()


def allow_parameter(name: str) -> None:
    """Let another feature own query parameter `name`: links keep it and it is never reported as unknown."""
    OTHER_PARAMETERS.add(name)


@dataclass(frozen=True)
class Session:
    """The settings a person can restore: data, techniques with parameters, protocol, costs, threshold, run."""

    sample: str = DEFAULT_SAMPLE  # a bundled sample id, or UPLOAD
    target: str | None = None  # None: the dataset's suggested target
    techniques: tuple[str, ...] = DEFAULT_TECHNIQUES
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # non-default values per technique
    folds: int | None = None  # None: the form's suggestion for the data; 1: quick split; 2 to 10: K-fold
    costs: Mapping[str, Any] = field(default_factory=dict)  # cost settings that differ from the sample's defaults
    threshold: float = DEFAULT_THRESHOLD
    run: str | None = None  # a shared run's share id

    # --- to the URL ---------------------------------------------------------------------------------------------

    def to_query_params(self) -> dict[str, str]:
        """The URL's query parameters for this session: only values that differ from the defaults."""
        params: dict[str, str] = {}
        if self.sample != DEFAULT_SAMPLE:
            params["sample"] = self.sample
        if self.target is not None and self.target != _sample_target(self.sample):
            params["target"] = self.target
        if tuple(self.techniques) != DEFAULT_TECHNIQUES:
            params["techniques"] = ",".join(self.techniques)
        for technique_id in self.techniques:
            defaults = REGISTRY[technique_id].defaults() if technique_id in REGISTRY else {}
            for name, value in (self.params.get(technique_id) or {}).items():
                if name in defaults and value != defaults[name]:
                    params[f"{technique_id}.{name}"] = _format_value(value)
        if self.folds is not None:
            params["folds"] = str(self.folds)
        costs = non_default_costs(self.costs, self.sample)
        if costs:
            params["costs"] = ",".join(f"{name}:{_format_value(value)}" for name, value in costs.items())
        if self.threshold != DEFAULT_THRESHOLD:
            params["threshold"] = _format_value(round(float(self.threshold), 6))
        if self.run:
            params["run"] = self.run
        return params

    # --- from the URL -------------------------------------------------------------------------------------------

    @classmethod
    def from_query_params(cls, query: Mapping[str, Any]) -> tuple[Session, list[str]]:
        """A session from query parameters, and a note for every value that was not used (never raises)."""
        values = {str(key): _last(value) for key, value in dict(query).items()}
        notes: list[str] = []
        sample = _read_sample(values.pop("sample", None), notes)
        target = _read_target(values.pop("target", None), notes)
        techniques = _read_techniques(values.pop("techniques", None), notes)
        folds = _read_folds(values.pop("folds", None), notes)
        threshold = _read_threshold(values.pop("threshold", None), notes)
        run = _read_run(values.pop("run", None), notes)
        costs = _read_costs(values.pop("costs", None), sample, notes)
        params: dict[str, dict[str, Any]] = {}
        for key, raw in values.items():
            technique_id, dot, name = key.partition(".")
            if key in OTHER_PARAMETERS:
                continue
            if not dot:
                notes.append(f"The link's parameter {key!r} is unknown and was ignored.")
                continue
            if technique_id not in techniques:
                notes.append(f"The link sets {key}, but {technique_id!r} is not among its techniques; ignored.")
                continue
            try:
                value = make_spec(technique_id, {name: raw}).params[name]
            except ImbalanceLabError as error:
                notes.append(f"{error} The default is used.")
                continue
            params.setdefault(technique_id, {})[name] = value
        session = cls(sample, target, techniques, params, folds, costs, threshold, run)
        return session, notes


# --- reading each parameter ------------------------------------------------------------------------------------


def _last(value: Any) -> str:
    """Streamlit gives the last value of a repeated parameter; a plain mapping may hold a list."""
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


def _read_sample(raw: str | None, notes: list[str]) -> str:
    if raw is None:
        return DEFAULT_SAMPLE
    known = [info.id for info in SAMPLES + IMAGE_SAMPLES]
    if raw in known or raw == UPLOAD:
        return raw
    notes.append(
        f"The link's sample {raw[:40]!r} is not a bundled sample ({', '.join(known)}, or upload); "
        f"the {DEFAULT_SAMPLE} sample is used."
    )
    return DEFAULT_SAMPLE


def _read_target(raw: str | None, notes: list[str]) -> str | None:
    if raw is None:
        return None
    if not raw.strip() or len(raw) > MAX_TARGET_LENGTH:
        notes.append("The link's target is empty or too long; the suggested target is used.")
        return None
    return raw


def _read_techniques(raw: str | None, notes: list[str]) -> tuple[str, ...]:
    if raw is None:
        return DEFAULT_TECHNIQUES
    chosen: list[str] = []
    unknown: list[str] = []
    for item in raw.split(","):
        technique_id = item.strip()
        if not technique_id:
            continue
        if technique_id in REGISTRY:
            if technique_id not in chosen:
                chosen.append(technique_id)
        else:
            unknown.append(technique_id[:40])
    if not chosen:
        named = f"names only unknown techniques ({', '.join(map(repr, unknown))})" if unknown else "chose no technique"
        notes.append(f"The link {named}; the default set ({', '.join(DEFAULT_TECHNIQUES)}) is used.")
        return DEFAULT_TECHNIQUES
    if unknown:
        notes.append(f"The link names unknown techniques ({', '.join(map(repr, unknown))}); they were left out.")
    return tuple(chosen[:MAX_TECHNIQUES])


def _read_folds(raw: str | None, notes: list[str]) -> int | None:
    if raw is None:
        return None
    low, high = FOLDS_RANGE
    try:
        folds = int(raw.strip())
    except ValueError:
        notes.append(f"The link's folds {raw[:20]!r} is not a whole number; the suggested protocol is used.")
        return None
    if folds != QUICK and not low <= folds <= high:
        notes.append(
            f"The link's folds={folds} is neither 1 (one split) nor {low} to {high} (K-fold); "
            "the suggested protocol is used."
        )
        return None
    return folds


def _read_threshold(raw: str | None, notes: list[str]) -> float:
    if raw is None:
        return DEFAULT_THRESHOLD
    try:
        threshold = float(raw.strip())
    except ValueError:
        notes.append(f"The link's threshold {raw[:20]!r} is not a number; {DEFAULT_THRESHOLD:g} is used.")
        return DEFAULT_THRESHOLD
    if not math.isfinite(threshold) or not 0.0 <= threshold <= 1.0:
        notes.append(f"The link's threshold {raw[:20]} is outside 0 to 1; {DEFAULT_THRESHOLD:g} is used.")
        return DEFAULT_THRESHOLD
    return threshold


def _read_run(raw: str | None, notes: list[str]) -> str | None:
    if raw is None:
        return None
    if RUN_ID.fullmatch(raw.strip()):
        return raw.strip()
    notes.append("The link's run id is not a valid share link; no shared run was opened.")
    return None


def _read_costs(raw: str | None, sample: str, notes: list[str]) -> dict[str, Any]:
    """`name:value` pairs, checked together with the sample's defaults (imbal_core.decision.Costs)."""
    if raw is None:
        return {}
    defaults, _ = default_costs(None if sample == UPLOAD else sample)
    known = {name: type(getattr(defaults, name)) for name in defaults.to_json()}
    overrides: dict[str, Any] = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        name, colon, text = pair.partition(":")
        name = name.strip()
        if not colon or name not in known:
            notes.append(
                f"The link's costs entry {pair[:40]!r} is not name:value with a name among "
                f"{', '.join(known)}; it was ignored."
            )
            continue
        try:
            overrides[name] = known[name](text.strip()) if known[name] is not float else float(text.strip())
        except ValueError:
            notes.append(f"The link's cost {name}={text[:20]!r} is not a number; the default is used.")
    if not overrides:
        return {}
    try:
        Costs(**{**defaults.to_json(), **overrides})
    except ImbalanceLabError as error:
        notes.append(f"The link's costs cannot be used ({error}); the sample's default costs are used.")
        return {}
    return overrides


def non_default_costs(costs: Mapping[str, Any], sample: str) -> dict[str, Any]:
    """The cost settings that differ from the sample's defaults (an upload's defaults are the general ones)."""
    if not costs:
        return {}
    defaults = default_costs(None if sample == UPLOAD else sample)[0].to_json()
    return {name: value for name, value in costs.items() if name in defaults and value != defaults[name]}


def _sample_target(sample: str) -> str | None:
    if sample == UPLOAD:
        return None
    try:
        return get_sample(sample).target
    except ImbalanceLabError:
        return None


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)
