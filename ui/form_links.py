"""What each form puts in a link: the Train & compare form (techniques, their parameters, the protocol), the
decision view's costs and the threshold slider. app.py registers each with ui/links.py.

These live apart from the forms themselves (ui/compare.py, ui/decision.py, ui/results.py) so that opening the
dashboard on the Data page does not import what drawing those forms needs (the engine, scikit-learn).
"""

from __future__ import annotations

from typing import Any

from imbal_core.decide.costs import default_costs
from imbal_core.techniques.catalogue import REGISTRY
from ui import keys
from ui.link import DEFAULT_FOLDS, DEFAULT_TECHNIQUES, DEFAULT_THRESHOLD, QUICK, Session, non_default_costs
from ui.links import LinkPart
from ui.page_state import COMPARE, RESULTS
from ui.store import store

# --- Train & compare: techniques, parameters, protocol ----------------------------------------------------------


def _read_compare_form(sample: str) -> dict[str, Any]:
    chosen = COMPARE.techniques
    techniques = tuple(chosen) if chosen is not None else DEFAULT_TECHNIQUES
    params = {technique_id: _changed_parameters(technique_id) for technique_id in techniques}
    return {
        "techniques": techniques,
        "params": {technique_id: values for technique_id, values in params.items() if values},
        "folds": _form_folds(),
    }


def _changed_parameters(technique_id: str) -> dict[str, Any]:
    params = REGISTRY[technique_id].params if technique_id in REGISTRY else ()
    values = COMPARE.parameters(keys.COMPARE_PARAMETERS, technique_id, [param.name for param in params])
    return {
        param.name: values[param.name]
        for param in params
        if param.name in values and values[param.name] != param.default
    }


def _form_folds() -> int | None:
    """The form's protocol as `folds`, None while it is what the form suggests for the loaded data."""
    mode = COMPARE.protocol_mode
    if mode is None or not store.has_dataset():
        return None  # the form was never shown nor seeded: the suggestion stands
    folds = int(COMPARE.form_value("folds", DEFAULT_FOLDS))
    if mode == suggested_protocol_mode(store.dataset_profile()) and (mode == "quick" or folds == DEFAULT_FOLDS):
        return None
    return QUICK if mode == "quick" else folds


def suggested_protocol_mode(profile) -> str:
    """'cv' when a quick split would hold fewer than 30 minority test rows or the data is small (cheap K-fold)."""
    # Deferred: imbal_core.run.evaluate imports scikit-learn, which the Data page's first paint does without; this runs
    # only once the form's protocol was set or a link seeded it.
    from imbal_core.run.protocol import Protocol, suggested_mode

    return suggested_mode(profile.rows, min(profile.class_counts.values()), Protocol().test_size)


def _seed_compare_form(session: Session) -> None:
    if session.techniques != DEFAULT_TECHNIQUES:
        COMPARE.techniques = list(session.techniques)
    for technique_id, values in session.params.items():
        for name, value in values.items():
            COMPARE.set_parameter(keys.COMPARE_PARAMETERS, technique_id, name, value)
    if session.folds == QUICK:
        COMPARE.protocol_mode = "quick"
    elif session.folds is not None:
        COMPARE.protocol_mode = "cv"
        COMPARE.folds = session.folds


COMPARE_FORM = LinkPart("compare form", _read_compare_form, _seed_compare_form)

# --- the decision view's costs ----------------------------------------------------------------------------------


def _read_costs(sample: str) -> dict[str, Any]:
    """Cost settings as the decision view holds them, for the data they were set on."""
    if not store.has_dataset() or RESULTS.costs_for != store.dataset_key():
        return {"costs": {}}
    return {"costs": non_default_costs(RESULTS.costs(), sample)}


def _seed_costs(session: Session) -> None:
    if not session.costs:
        return
    defaults = default_costs(store.dataset().sample_id)[0].to_json()
    for name in keys.COST_WIDGETS:
        RESULTS.set_cost(name, session.costs.get(name, defaults[name]))
    RESULTS.costs_for = store.dataset_key()


COSTS = LinkPart("costs", _read_costs, _seed_costs)

# --- the threshold slider ---------------------------------------------------------------------------------------


def _read_threshold(sample: str) -> dict[str, Any]:
    return {"threshold": float(RESULTS.threshold)}


def _seed_threshold(session: Session) -> None:
    if session.threshold != DEFAULT_THRESHOLD:
        RESULTS.threshold = session.threshold


THRESHOLD = LinkPart("threshold", _read_threshold, _seed_threshold)

PARTS = (COMPARE_FORM, COSTS, THRESHOLD)
