"""Common checks run over every registered technique (imbalanced-learn's test_common, for us)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from imbal_core.errors import ParameterError
from imbal_core.evaluate import Protocol, run_comparison
from imbal_core.techniques import REGISTRY, TechniqueSpec, get_technique, make_spec, parse_assignments

EXPECTED_IDS = {
    "baseline",
    "class_weight",
    "focal_loss",
    "random_over",
    "smote",
    "adasyn",
    "borderline_smote",
    "random_under",
    "tomek",
    "near_miss",
    "enn",
    "smote_tomek",
    "smote_enn",
    "balanced_bagging",
    "noise_augment",
}


def test_registry_holds_every_design_id():
    assert set(REGISTRY) == EXPECTED_IDS


@pytest.mark.parametrize("technique_id", sorted(EXPECTED_IDS))
def test_schema_is_complete_and_defaults_are_valid(technique_id):
    technique = get_technique(technique_id)
    assert technique.summary and technique.pros and technique.cons
    for param in technique.params:
        assert param.help
        assert param.coerce(param.default, technique_id) == param.default
        if param.kind in ("int", "float"):
            assert param.low <= param.default <= param.high
            with pytest.raises(ParameterError, match="between"):
                param.coerce(param.high + 1, technique_id)


@pytest.mark.parametrize("technique_id", sorted(EXPECTED_IDS))
def test_params_round_trip_through_json(technique_id):
    spec = make_spec(technique_id)
    assert TechniqueSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec


@pytest.mark.slow
@pytest.mark.parametrize("technique_id", sorted(EXPECTED_IDS))
def test_every_technique_trains_and_returns_probabilities(technique_id, binary_frame, fast_settings):
    result = run_comparison(binary_frame, "label", [make_spec(technique_id)], Protocol(), fast_settings).results[0]
    assert result.failed is None
    probabilities = result.probabilities
    assert probabilities.shape == (len(result.labels), 2)
    assert np.isfinite(probabilities).all()
    assert (probabilities >= 0).all() and (probabilities <= 1).all()
    assert set(result.metrics) >= {"pr_auc", "roc_auc", "f1", "recall", "precision", "accuracy"}


def test_unknown_ids_and_bad_values_are_refused():
    with pytest.raises(ParameterError, match="Unknown technique 'smoot'"):
        make_spec("smoot")
    with pytest.raises(ParameterError, match="between 1 and 20"):
        make_spec("smote", {"k_neighbors": 0})
    with pytest.raises(ParameterError, match="whole number"):
        make_spec("smote", {"k_neighbors": "2.5"})
    with pytest.raises(ParameterError, match="one of"):
        make_spec("tomek", {"sampling_strategy": "some"})
    with pytest.raises(ParameterError, match="has no parameter"):
        make_spec("baseline", {"gamma": 2})


def test_cli_assignments_are_parsed_against_chosen_techniques():
    assert parse_assignments(["smote.k_neighbors=3"], ["smote"]) == {"smote": {"k_neighbors": "3"}}
    with pytest.raises(ParameterError, match="not among the chosen"):
        parse_assignments(["smote.k_neighbors=3"], ["baseline"])
    with pytest.raises(ParameterError, match="technique.name=value"):
        parse_assignments(["k_neighbors=3"], ["smote"])
