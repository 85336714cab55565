"""The headless CLI: JSON schema, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from imbal_core.cli import main
from imbal_core.stages.text import refusal_for_data
from imbal_core.techniques.catalogue import REGISTRY, applicable_techniques
from tests.support.cli import METRIC_KEYS, RESULT_KEYS
from tests.support.frames import make_binary_frame, make_multiclass_frame

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def binary_csv(tmp_path) -> Path:
    path = tmp_path / "binary.csv"
    make_binary_frame(rows=400).to_csv(path, index=False)
    return path


@pytest.fixture
def multiclass_csv(tmp_path) -> Path:
    path = tmp_path / "multi.csv"
    make_multiclass_frame(rows=500).to_csv(path, index=False)
    return path


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "imbal_core", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def check_schema(document: dict, n_classes: int, techniques: list[str]) -> None:
    assert set(document) >= {"dataset", "protocol", "results"}
    assert set(document["dataset"]) >= {
        "rows",
        "features",
        "target",
        "class_counts",
        "minority_class",
        "imbalance_ratio",
    }
    assert set(document["protocol"]) >= {"mode", "folds", "repeats", "test_size", "seed", "epochs"}
    assert [result["technique"] for result in document["results"]] == techniques
    for result in document["results"]:
        assert set(result) >= RESULT_KEYS
        assert set(result["metrics"]) == METRIC_KEYS == set(result["metrics_std"])
        text_columns = document["dataset"].get("text_columns", [])
        refusal = refusal_for_data(REGISTRY[result["technique"]].stages, n_classes, "table", text_columns)
        if refusal:  # e.g. a binary-only technique on a multi-class target: refused with a note, no numbers
            assert result["failed"] == refusal and refusal in result["notes"]
            assert all(value is None for value in result["metrics"].values())
            continue
        assert all(isinstance(value, float) for value in result["metrics"].values()), result["technique"]
        assert len(result["labels"]) == n_classes
        assert len(result["confusion_matrix"]) == n_classes
        if n_classes == 2:
            _check_thresholds_come_from_validation_rows(result, document["costs"])
        else:
            assert set(result["per_class"]) == set(result["labels"])
            assert "decision" not in result
    assert {"recommendation", "warnings", "costs"} <= set(document)
    assert all(set(warning) >= {"code", "message"} for warning in document["warnings"])
    if n_classes == 2:
        assert document["recommendation"]["technique_id"] in techniques
        assert 0 <= document["recommendation"]["threshold"] <= 1


def _check_thresholds_come_from_validation_rows(result: dict, costs: dict) -> None:
    """Recompute both thresholds from each fold's validation rows in the JSON: they must match exactly,
    which a threshold chosen on test rows (or made up) would not."""
    from imbal_core.decide.costs import Costs
    from imbal_core.decide.thresholds import cost_optimal_threshold
    from imbal_core.run.metrics import best_f1_threshold

    folds = result["folds"]
    tuned, cost_optimal = [], []
    for labels, probabilities in zip(folds["validation_labels"], folds["validation_probabilities"], strict=True):
        labels = np.asarray(labels["ndarray"]["data"])
        positive = np.asarray(probabilities["ndarray"]["data"])[:, 1]
        tuned.append(best_f1_threshold(labels, positive))
        cost_optimal.append(float(cost_optimal_threshold(labels, positive, Costs(**costs))))
    assert result["tuned_threshold"] == pytest.approx(np.mean(tuned))
    assert result["decision"]["fold_thresholds"] == pytest.approx(cost_optimal)
    # The stated threshold: chosen on every fold's validation rows together, and every figure measured at it.
    validation_labels = np.concatenate([np.asarray(item["ndarray"]["data"]) for item in folds["validation_labels"]])
    validation_positive = np.concatenate(
        [np.asarray(item["ndarray"]["data"])[:, 1] for item in folds["validation_probabilities"]]
    )
    stated = result["decision"]["threshold"]
    assert stated == float(cost_optimal_threshold(validation_labels, validation_positive, Costs(**costs)))
    test_labels = np.concatenate([np.asarray(item["ndarray"]["data"]) for item in folds["test_labels"]])
    test_positive = np.concatenate([np.asarray(item["ndarray"]["data"])[:, 1] for item in folds["test_probabilities"]])
    flagged = test_positive >= stated
    assert result["decision"]["recall"] == pytest.approx(np.mean(flagged[test_labels == 1]))
    assert result["decision"]["alerts_per_1000"] == pytest.approx(1000 * np.mean(flagged))
    assert set(result["decision"]) >= {"threshold", "expected_cost_per_1000", "recall", "precision", "alerts_per_1000"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "target", "n_classes"), [("binary_csv", "label", 2), ("multiclass_csv", "kind", 3)]
)
def test_compare_runs_every_technique_and_matches_the_schema(fixture, target, n_classes, request, tmp_path):
    data = request.getfixturevalue(fixture)
    out = tmp_path / "result.json"
    arguments = [
        "compare",
        str(data),
        "--target",
        target,
        "--techniques",
        "all",
        "--epochs",
        "3",
        "--seed-average",
        "1",
    ]
    code = main([*arguments, "--json", str(out)])
    assert code == 0
    document = json.loads(out.read_text())
    applicable, left_out = applicable_techniques(n_classes, "table", document["dataset"].get("text_columns", []))
    check_schema(document, n_classes, applicable)
    assert document["left_out"] == left_out


@pytest.mark.slow
def test_all_runs_only_what_applies_and_names_the_rest_once(binary_csv, tmp_path, capsys):
    """Issue 19 item 12: on a plain table 'all' leaves out image and text augmentation, saying why, once."""
    out = tmp_path / "all.json"
    arguments = ["compare", str(binary_csv), "--target", "label", "--techniques", "all", "--epochs", "1"]
    assert main([*arguments, "--seed-average", "1", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    ran = [result["technique"] for result in document["results"]]
    assert "image_augment" not in ran and "text_augment" not in ran
    assert not [result["technique"] for result in document["results"] if result.get("failed")]
    networks = [technique_id for technique_id, technique in REGISTRY.items() if not technique.is_reference]
    assert sorted(ran + [item["technique"] for item in document["left_out"]]) == sorted(networks)
    reasons = {item["technique"]: item["reason"] for item in document["left_out"]}
    assert reasons == {
        "image_augment": "works on image data only, this is table data",
        "text_augment": "needs a free-text column, this table has none",
    }
    assert all(item["explanation"] for item in document["left_out"])
    lines = [line for line in capsys.readouterr().err.splitlines() if "left out" in line]
    assert lines == [
        "note: 'all' left out 2 techniques that do not apply to this data: image_augment (works on image data "
        "only, this is table data); text_augment (needs a free-text column, this table has none)."
    ]
    assert lines[0].removeprefix("note: ") in document["notes"]


@pytest.mark.slow
def test_compare_json_to_stdout_is_pure_json_and_cv_reports_spread(binary_csv):
    completed = run_cli(
        "compare",
        str(binary_csv),
        "--target",
        "label",
        "--techniques",
        "baseline,smote",
        "--param",
        "smote.k_neighbors=3",
        "--folds",
        "3",
        "--epochs",
        "3",
        "--seed-average",
        "1",
        "--json",
        "-",
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    check_schema(document, 2, ["baseline", "smote"])
    assert document["protocol"] == {"mode": "cv", "folds": 3, "repeats": 1, "test_size": None, "seed": 0, "epochs": 3}
    assert document["results"][1]["params"]["k_neighbors"] == 3
    assert sum(map(sum, document["results"][0]["confusion_matrix"])) == 400  # every row tested once


def test_profile_and_techniques_print_json(binary_csv, capsys):
    assert main(["profile", str(binary_csv), "--json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["target"] == "label" and profile["minority_class"] == "rare"
    assert main(["techniques", "--json"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert {entry["id"] for entry in schemas} == set(REGISTRY)
    assert all("params" in entry for entry in schemas)


@pytest.mark.slow
def test_resample_writes_rows_with_a_synthetic_marker(binary_csv, tmp_path, capsys):
    out = tmp_path / "smote.csv"
    assert main(["resample", str(binary_csv), "--target", "label", "--technique", "smote", "--out", str(out)]) == 0
    import pandas as pd

    rows = pd.read_csv(out)
    assert rows["synthetic"].any()
    assert (rows.loc[rows["synthetic"], "label"] == "rare").all()  # SMOTE only makes minority rows
    assert set(rows["channel"].dropna()) <= {"web", "shop", "phone"}  # categories stay categories (SMOTENC)
    counts = rows["label"].value_counts()
    assert counts["rare"] == counts["common"]


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (lambda tmp: ["profile", str(tmp / "absent.csv")], "File not found"),
        (lambda tmp: ["profile", write(tmp, "pic.csv", b"\x89PNG\r\n\x1a\n\x00\x00")], "PNG image"),
        (lambda tmp: ["profile", write(tmp, "d.csv", b"a,b\n1,2\n"), "--target", "zzz"], "not in the table"),
        (lambda tmp: ["profile", write(tmp, "d.csv", b"a,b\n1,x\n2,x\n"), "--target", "b"], "only one class"),
        (lambda tmp: ["profile", write(tmp, "d.csv", b"a,b\n1,0.11\n2,0.52\n3,0.93\n"), "--target", "b"], "continuous"),
        (
            lambda tmp: ["compare", write(tmp, "d.csv", b"a,b\n1,x\n2,y\n"), "--target", "b", "--techniques", "smoot"],
            "Unknown technique",
        ),
        (
            lambda tmp: [
                "compare",
                write(tmp, "d.csv", b"a,b\n1,x\n2,y\n"),
                "--target",
                "b",
                "--techniques",
                "smote",
                "--param",
                "smote.k_neighbors=99",
            ],
            "between 1 and 20",
        ),
        (lambda tmp: ["compare", "x.csv"], "--target"),
        (
            lambda tmp: ["compare", write(tmp, "d.csv", b"a,b\n1,x\n2,y\n"), "--target", "b", "--seed-average", "0"],
            "--seed-average must be between 1 and 10",
        ),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(arguments, message, tmp_path, capsys):
    assert main(arguments(tmp_path)) == 2
    error = capsys.readouterr().err.strip()
    assert message in error
    assert len(error.splitlines()) == 1 and "Traceback" not in error


def test_bad_input_from_a_real_process_has_no_traceback(tmp_path):
    completed = run_cli("profile", write(tmp_path, "empty.csv", b""))
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("error:") and "Traceback" not in completed.stderr
    assert completed.stdout == ""


def test_unknown_top_level_option_names_the_program_once(capsys):
    assert main(["--frobnicate"]) == 2
    error = capsys.readouterr().err
    assert "`python -m imbal_core --help`" in error and "imbal_core imbal_core" not in error


def test_resample_refuses_a_parameter_of_another_technique(binary_csv, tmp_path, capsys):
    arguments = ["resample", str(binary_csv), "--target", "label", "--technique", "smote", "--out", str(tmp_path / "x")]
    assert main([*arguments, "--param", "adasyn.n_neighbors=3"]) == 2
    assert "not among the chosen techniques" in capsys.readouterr().err


@pytest.mark.slow
def test_costs_move_the_decision_and_references_are_marked(binary_csv, tmp_path):
    def decide(miss: str) -> dict:
        out = tmp_path / f"miss{miss}.json"
        arguments = ["compare", str(binary_csv), "--target", "label", "--techniques", "baseline", "--references"]
        arguments += ["--epochs", "3", "--seed-average", "1"]
        assert main([*arguments, "--cost-fp", "1", "--cost-fn", miss, "--json", str(out)]) == 0
        return json.loads(out.read_text())

    cheap, dear = decide("1"), decide("200")
    assert dear["costs"]["miss"] == 200 and cheap["costs"]["miss"] == 1
    assert dear["results"][0]["decision"]["threshold"] <= cheap["results"][0]["decision"]["threshold"]
    assert dear["results"][0]["decision"]["recall"] >= cheap["results"][0]["decision"]["recall"]
    assert [result["reference"] for result in dear["results"]] == [False, True, True]
    assert dear["recommendation"]["technique"] == "baseline"  # references are never recommended


@pytest.mark.slow
def test_seed_average_trains_several_networks_per_technique_and_says_so(binary_csv, tmp_path):
    common = ["compare", str(binary_csv), "--target", "label", "--techniques", "baseline", "--epochs", "3"]
    single, averaged = tmp_path / "single.json", tmp_path / "averaged.json"
    assert main([*common, "--seed-average", "1", "--json", str(single)]) == 0
    report = tmp_path / "averaged.html"
    assert main([*common, "--seed-average", "3", "--json", str(averaged), "--html", str(report)]) == 0
    one, three = json.loads(single.read_text()), json.loads(averaged.read_text())
    assert three["model"]["seed_average"] == 3 and "seed_average" not in one["model"]
    assert three["results"][0]["metrics"] != one["results"][0]["metrics"]
    assert "each network an average of 3 seeds (chosen)" in report.read_text()  # the report says what it measured


# What `compare --seed-average 1` wrote before the automatic seed average: the model object of the JSON and the
# ModelSettings fields of a stored record (imbal_core.store.serialize). The automatic one must not change either.
MODEL_JSON_KEYS = {"hidden_units", "dropout", "learning_rate", "batch_size", "max_epochs", "patience"}
MODEL_JSON_KEYS |= {"validation_fraction"}
MODEL_RECORD_KEYS = MODEL_JSON_KEYS | {"image_shape", "seed_average"}


def test_the_automatic_seed_average_is_3_up_to_3000_rows_and_1_above():
    from imbal_core.nets.model import SMALL_TABLE_ROWS, automatic_seed_average

    assert SMALL_TABLE_ROWS == 3_000
    assert automatic_seed_average(150) == automatic_seed_average(3_000) == 3
    assert automatic_seed_average(3_001) == automatic_seed_average(20_000) == 1
    assert automatic_seed_average(397, images=True) == 1  # the bench measured tables, not CNNs


@pytest.mark.slow
def test_compare_averages_3_seeds_on_a_small_table_by_default_and_a_given_value_wins(tmp_path):
    from imbal_core.store.results_document import comparison_from_json_document

    path = tmp_path / "small.csv"
    frame = make_binary_frame(rows=240, minority_share=0.15, seed=2)
    frame.loc[[0, 1, 2], "label"] = None  # rows without a target are not counted: 237 rows
    frame.to_csv(path, index=False)
    common = ["compare", str(path), "--target", "label", "--techniques", "baseline", "--epochs", "1"]
    automatic, chosen = tmp_path / "automatic.json", tmp_path / "chosen.json"
    assert main([*common, "--json", str(automatic), "--html", str(tmp_path / "automatic.html")]) == 0
    assert main([*common, "--seed-average", "2", "--json", str(chosen), "--html", str(tmp_path / "chosen.html")]) == 0
    model = json.loads(automatic.read_text())["model"]
    assert model["seed_average"] == 3 and model["seed_average_automatic"] is True
    assert comparison_from_json_document(automatic.read_text()).settings.seed_average_automatic  # read back too
    assert "average of 3 seeds (automatic: 237 rows, at most 3,000)" in (tmp_path / "automatic.html").read_text()
    model = json.loads(chosen.read_text())["model"]
    assert model["seed_average"] == 2 and "seed_average_automatic" not in model
    assert "average of 2 seeds (chosen)" in (tmp_path / "chosen.html").read_text()


@pytest.mark.slow
def test_an_explicit_seed_average_of_1_writes_the_json_and_record_it_wrote_before(binary_csv, tmp_path):
    from imbal_core.store.results_document import comparison_from_json_document
    from imbal_core.store.serialize import comparison_from_packed, pack_comparison

    out = tmp_path / "one.json"
    common = ["compare", str(binary_csv), "--target", "label", "--techniques", "baseline", "--epochs", "1"]
    assert main([*common, "--seed-average", "1", "--json", str(out)]) == 0
    assert set(json.loads(out.read_text())["model"]) == MODEL_JSON_KEYS
    comparison = comparison_from_json_document(out.read_text())
    record, blob = pack_comparison(comparison)
    assert set(record["comparison"]["settings"]) == MODEL_RECORD_KEYS
    automatic = replace(comparison.settings, seed_average=3, seed_average_automatic=True)
    comparison.settings = automatic
    record, blob = pack_comparison(comparison)
    assert record["comparison"]["settings"]["seed_average_automatic"] is True
    assert comparison_from_packed(record, blob).settings.seed_average_automatic  # a saved run remembers why
