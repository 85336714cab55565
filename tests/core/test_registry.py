"""Common checks run over every registered technique (imbalanced-learn's test_common, for us)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from imbal_core.errors import ParameterError
from imbal_core.run.evaluate import run_comparison
from imbal_core.run.protocol import Protocol
from imbal_core.stages.text import needs_free_text
from imbal_core.techniques.catalogue import REGISTRY, TechniqueSpec, get_technique, make_spec, parse_assignments

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
    "image_augment",
    "text_augment",
    "balanced_batches",
    "class_balanced_loss",
    "logit_adjustment",
    "rus_boost",
    "anomaly_autoencoder",
    "logistic_regression",
    "hist_gradient_boosting",
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
    frame, target = binary_frame, "label"
    if "table" not in get_technique(technique_id).modalities:  # image-only entries train on small images
        from imbal_core.data.image_encoder import to_frame
        from imbal_core.data.images import load_image_zip
        from tests.support.images import bars_zip

        frame, target = to_frame(load_image_zip(bars_zip(), "bars.zip")), "class"
    if needs_free_text(get_technique(technique_id).stages.rows):  # text entries train on messages
        from imbal_core.data.samples import load_sample

        frame = load_sample("sms").sample(600, random_state=0)
    result = run_comparison(frame, target, [make_spec(technique_id)], Protocol(), fast_settings).results[0]
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


# --- no technique id or sampler name outside the registry and its stage modules ---------------------

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_MODULES = {"imbal_core/techniques/catalogue.py"} | {
    str(path.relative_to(ROOT)) for path in (ROOT / "imbal_core" / "stages").glob("*.py")
}
# The few places still written by others' issues; each should import techniques.BASELINE_ID instead.
# The test fails when one of them is fixed (so the entry goes) or when a new one appears.
KNOWN_ELSEWHERE: dict[tuple[str, str], int] = {}


def forbidden_names() -> set[str]:
    """Technique ids, stage names that are sampler names, and the imbalanced-learn sampler classes."""
    import imblearn.over_sampling
    import imblearn.under_sampling

    names = set(REGISTRY) | {technique.sampler for technique in REGISTRY.values() if technique.sampler}
    names |= {technique.stages.rows.name for technique in REGISTRY.values()} - {"none"}
    names |= set(imblearn.over_sampling.__all__) | set(imblearn.under_sampling.__all__)
    return names


def string_literals(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.value, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_technique_id_or_sampler_name_is_spelled_outside_the_registry():
    names = forbidden_names()
    found: dict[tuple[str, str], list[int]] = {}
    for folder in ("imbal_core", "ui", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative in REGISTRY_MODULES:
                continue
            for value, line in string_literals(path):
                if value in names:
                    found.setdefault((relative, value), []).append(line)
    for path in ("app.py",):
        for value, line in string_literals(ROOT / path):
            if value in names:
                found.setdefault((path, value), []).append(line)
    unexpected = {key: lines for key, lines in found.items() if len(lines) != KNOWN_ELSEWHERE.get(key, 0)}
    gone = {key for key in KNOWN_ELSEWHERE if key not in found}
    assert not unexpected, (
        f"Use the registry's named constants (imbal_core.techniques.catalogue) instead of: {unexpected}"
    )
    assert not gone, f"Fixed, so drop from KNOWN_ELSEWHERE: {gone}"


def test_the_grep_finds_a_planted_id(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('"""A docstring may say smote."""\nCHOICE = ("baseline", "smote")\n', encoding="utf-8")
    assert [value for value, _ in string_literals(planted) if value in forbidden_names()] == ["baseline", "smote"]
