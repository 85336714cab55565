"""A Comparison survives the record, the packed (database) form and the results JSON exactly."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from imbal_core.errors import InputError
from imbal_core.nets import model
from imbal_core.present import report
from imbal_core.run import evaluate
from imbal_core.store import results_document, serialize
from imbal_core.store.results_document import comparison_from_json_document, comparisons_from_json_document
from imbal_core.techniques import catalogue
from tests.support.comparisons import assert_same_value, hand_built_comparison
from tests.support.frames import make_binary_frame, make_multiclass_frame


@pytest.mark.parametrize("n_classes", [2, 3])
def test_a_hand_built_comparison_round_trips_exactly_through_the_record_and_json_text(n_classes):
    original = hand_built_comparison(n_classes)
    text = json.dumps(serialize.comparison_to_record(original))
    restored = serialize.comparison_from_record(json.loads(text))
    assert_same_value(original, restored)
    assert restored.results[1].spec.label == "smote(k_neighbors=3)"
    assert restored.results[0].metrics_at(0.3) == original.results[0].metrics_at(0.3)


def test_the_packed_database_form_round_trips_exactly_and_is_smaller_than_the_text():
    original = hand_built_comparison()
    record, blob = serialize.pack_comparison(original)
    restored = serialize.comparison_from_packed(json.loads(json.dumps(record)), blob)
    assert_same_value(original, restored)
    inline = len(json.dumps(serialize.comparison_to_record(original)))
    assert len(json.dumps(record)) + len(blob) < inline


def test_network_like_probabilities_are_packed_losslessly_in_a_quarter_of_their_bytes():
    """float32 outputs widened to float64, first column 1 - second: stored as one float32 column, read back
    bit for bit; an averaged (ensemble) array that is not float32 stays float64."""
    comparison = hand_built_comparison()
    rng = np.random.default_rng(5)
    for result in comparison.results:
        for fold, labels in enumerate(result.test_labels):
            positive = rng.random(len(labels)).astype(np.float32).astype(np.float64)
            result.test_probabilities[fold] = np.column_stack([1.0 - positive, positive])
    averaged = (rng.random(40) + rng.random(40)) / 3
    comparison.results[0].test_probabilities[0] = np.column_stack([1.0 - averaged, averaged])
    record, blob = serialize.pack_comparison(comparison)
    references = record["comparison"]["results"][1]["test_probabilities"]
    assert [reference["codec"] for reference in references] == ["complement"] * 3
    assert references[0]["ndarray_ref"][0] == "lef4"
    assert record["comparison"]["results"][0]["test_probabilities"][0]["ndarray_ref"][0] == "lef8"
    assert_same_value(comparison, serialize.comparison_from_packed(record, blob))


def test_nan_metrics_survive_the_record():
    original = hand_built_comparison()
    original.results[0].fold_metrics[0]["mcc"] = float("nan")
    restored = serialize.comparison_from_record(json.loads(json.dumps(serialize.comparison_to_record(original))))
    assert np.isnan(restored.results[0].fold_metrics[0]["mcc"])


@dataclasses.dataclass(frozen=True)
class Audience:
    size: int = 30
    level: str = "beginner"


@dataclasses.dataclass
class ExtendedComparison(evaluate.Comparison):
    """A Comparison with fields the engine may gain later: a nested dataclass and more per-fold arrays."""

    audience: Audience | None = None
    per_row_weights: list[np.ndarray] = dataclasses.field(default_factory=list)


def test_a_field_added_later_flows_through_and_unknown_keys_are_ignored():
    base = hand_built_comparison()
    fields = {item.name: getattr(base, item.name) for item in dataclasses.fields(base)}
    extended = ExtendedComparison(**fields, audience=Audience(25, "advanced"), per_row_weights=[np.arange(4.0)])
    record = serialize.encode(extended)
    assert record["audience"] == {"size": 25, "level": "advanced"}
    restored = serialize.decode(record, ExtendedComparison)
    assert restored.audience == Audience(25, "advanced")
    assert_same_value(extended, restored)

    record["a_field_from_the_future"] = {"anything": [1, 2]}
    record["results"][0]["another_new_field"] = 3
    assert_same_value(base, serialize.decode(record, evaluate.Comparison))


def test_costs_in_a_loosely_typed_field_come_back_as_costs_from_the_record_and_the_json():
    from imbal_core.decide.costs import Costs

    original = hand_built_comparison()
    original.costs = Costs(false_alarm=5, miss=500, volume=10_000)
    record = json.loads(json.dumps(serialize.comparison_to_record(original)))
    assert record["comparison"]["costs"][serialize.TYPE_KEY] == "imbal_core.decision.Costs"
    assert serialize.comparison_from_record(record).costs == original.costs
    packed, blob = serialize.pack_comparison(original)
    assert serialize.comparison_from_packed(packed, blob).costs == original.costs
    assert comparison_from_json_document(report.comparison_json_text(original)).costs == original.costs


def test_a_type_tag_outside_the_engine_is_never_imported():
    record = serialize.comparison_to_record(hand_built_comparison())
    record["comparison"]["costs"] = {serialize.TYPE_KEY: "os.system", "command": "echo hi"}
    assert serialize.comparison_from_record(record).costs == {"command": "echo hi", serialize.TYPE_KEY: "os.system"}


@pytest.mark.parametrize(
    "tag",
    ["imbal_core.__main__.X", "imbal_core.cli.Anything", "imbal_core.store.history.RunSummary", "imbal_core.decision"],
)
def test_a_type_tag_naming_an_engine_module_imports_nothing_only_the_allow_list_decodes(tag):
    """Issue 19 item 14: a tag naming imbal_core.__main__ imported it, which ran the CLI and raised SystemExit."""
    module = tag.rpartition(".")[0]
    was_loaded = module in sys.modules
    record = serialize.comparison_to_record(hand_built_comparison())
    record["comparison"]["results"][0]["fold_metrics"][0]["extra"] = {serialize.TYPE_KEY: tag, "size": 1}
    restored = serialize.comparison_from_record(record)
    assert restored.results[0].fold_metrics[0]["extra"] == {serialize.TYPE_KEY: tag, "size": 1}
    assert (module in sys.modules) == was_loaded
    assert set(serialize.TAGGED_CLASSES) == {"imbal_core.decision.Costs"}


def test_importing_the_cli_entry_point_runs_nothing():
    done = subprocess.run(
        [sys.executable, "-c", "import imbal_core.__main__"], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_dataclass_outside_the_allow_list_in_a_loosely_typed_field_is_refused_when_written():
    comparison = hand_built_comparison()
    comparison.costs = Audience()
    with pytest.raises(TypeError, match="TAGGED_CLASSES"):
        serialize.comparison_to_record(comparison)


def test_an_older_record_without_a_field_gets_its_default():
    record = serialize.comparison_to_record(hand_built_comparison())
    for result in record["comparison"]["results"]:
        del result["validation_probabilities"]
    restored = serialize.comparison_from_record(record)
    assert restored.results[0].validation_probabilities == []
    assert len(restored.results[0].test_probabilities) == 3


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"results": []}, "not an Imbalance Lab comparison record"),
        ([1, 2, 3], "not an Imbalance Lab comparison record"),
        ({"kind": serialize.RECORD_KIND, "comparison": {}}, "no valid format_version"),
        (
            {"kind": serialize.RECORD_KIND, "format_version": serialize.FORMAT_VERSION + 1, "comparison": {}},
            "newer than this Imbalance Lab reads",
        ),
        ({"kind": serialize.RECORD_KIND, "format_version": 1, "comparison": {"dataset": {}}}, "damaged"),
    ],
)
def test_records_that_are_not_ours_or_too_new_are_refused_clearly(record, message):
    with pytest.raises(InputError, match=message):
        serialize.comparison_from_record(record)


def test_an_object_array_in_a_record_is_refused_never_unpickled():
    record = serialize.comparison_to_record(hand_built_comparison())
    record["comparison"]["results"][0]["test_rows"][0]["ndarray"]["dtype"] = "|O"
    with pytest.raises(InputError, match="not numeric"):
        serialize.comparison_from_record(record)


# --- the results JSON document ------------------------------------------------------------------------------


def document_text(comparison) -> str:
    return report.comparison_json_text(comparison)


def test_the_results_json_carries_the_folds_and_imports_back_to_the_same_comparison():
    original = hand_built_comparison()
    document = json.loads(document_text(original))
    folds = document["results"][0]["folds"]
    assert folds["format_version"] == serialize.FORMAT_VERSION
    assert len(folds["test_probabilities"]) == 3
    restored = comparison_from_json_document(document_text(original))
    assert_same_value(original.results, restored.results)
    assert restored.protocol == original.protocol
    assert restored.settings == original.settings
    assert restored.labels == original.labels
    assert restored.dataset == original.dataset
    assert restored.notes == original.notes


def test_the_dashboards_export_of_several_runs_imports_as_several_comparisons():
    first, second = hand_built_comparison(seed=1), hand_built_comparison(n_classes=3, seed=2)
    document = {
        "dataset_name": "Card fraud",
        "runs": [
            {"run": index, **report.comparison_to_json(comparison)} for index, comparison in enumerate([first, second])
        ],
    }
    imported = comparisons_from_json_document(json.dumps(document))
    assert [len(comparison.labels) for comparison in imported] == [2, 3]
    assert_same_value(second.results, imported[1].results)
    with pytest.raises(InputError, match="holds 2 runs"):
        comparison_from_json_document(document)


def test_a_quick_split_document_imports_with_its_test_size():
    original = hand_built_comparison(folds=1, protocol=evaluate.Protocol(mode="quick", test_size=0.3, seed=3))
    restored = comparison_from_json_document(document_text(original))
    assert restored.protocol == original.protocol


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("this is not json", "not JSON"),
        ("[1, 2]", "not an Imbalance Lab results file"),
        ('{"name": "something else"}', "not an Imbalance Lab results file"),
        ('{"dataset": {}, "protocol": {}, "results": "x"}', "must be a list"),
        ('{"dataset": {}, "protocol": {}, "results": []}', "holds no techniques"),
        ('{"dataset": {}, "protocol": {}, "results": [{"technique": "baseline"}]}', "older Imbalance Lab"),
    ],
)
def test_documents_that_are_not_ours_get_a_clear_message(document, message):
    with pytest.raises(InputError, match=message):
        comparison_from_json_document(document)


def test_a_document_from_a_newer_version_says_so():
    document = json.loads(document_text(hand_built_comparison()))
    document["results"][1]["folds"]["format_version"] = serialize.FORMAT_VERSION + 1
    with pytest.raises(InputError, match="newer than this Imbalance Lab reads"):
        comparison_from_json_document(json.dumps(document))


def test_a_huge_document_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(results_document, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(InputError, match="results JSON files up to .* MB can be imported"):
        comparison_from_json_document(" " * 2000)


@pytest.mark.slow
@pytest.mark.parametrize("make_frame", [make_binary_frame, make_multiclass_frame], ids=["binary", "multiclass"])
def test_a_real_comparison_round_trips_through_record_packed_form_and_json(make_frame):
    frame = make_frame(rows=300)
    target = "label" if "label" in frame else "kind"
    specs = [catalogue.make_spec("baseline"), catalogue.make_spec("random_over")]
    settings = model.ModelSettings(hidden_units=(8,), max_epochs=3, patience=2, batch_size=64)
    original = evaluate.run_comparison(frame, target, specs, evaluate.Protocol(mode="cv", folds=2), settings)
    assert all(len(result.test_rows) == 2 for result in original.results)

    assert_same_value(original, serialize.comparison_from_record(serialize.comparison_to_record(original)))
    record, blob = serialize.pack_comparison(original)
    assert_same_value(original, serialize.comparison_from_packed(record, blob))
    imported = comparison_from_json_document(report.comparison_json_text(original))
    assert_same_value(original.results, imported.results)
    assert imported.results[0].metrics == original.results[0].metrics


@pytest.mark.parametrize("depth", [70, 900])
def test_deeply_nested_records_and_array_data_are_refused_with_a_sentence(depth):
    """Issue 19 item 15: deep nesting gave "RecursionError"; an array's numbers are left to numpy (64 dimensions)."""
    for where in ("histories", "data"):
        record = serialize.comparison_to_record(hand_built_comparison())
        result = record["comparison"]["results"][0]
        if where == "histories":
            result["histories"][0]["loss"] = "PLACEHOLDER"
        else:
            result["test_rows"][0]["ndarray"]["data"] = "PLACEHOLDER"
        text = json.dumps(record).replace('"PLACEHOLDER"', "[" * depth + "1" + "]" * depth)
        with pytest.raises(InputError, match="nested more than 64 levels|maximum number of dimension"):
            serialize.comparison_from_record(json.loads(text))
