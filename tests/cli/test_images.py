"""The CLI on a ZIP of image class folders: profile and compare, with the same JSON schema as tables."""

from __future__ import annotations

import json

import pytest

from imbal_core.cli import main
from tests.support.cli import METRIC_KEYS, RESULT_KEYS
from tests.support.images import bars_zip


def check_image_schema(document: dict, techniques: list[str]) -> None:
    """The table comparison's JSON keys (tests/cli/test_cli.check_schema), on images."""
    assert {"dataset", "protocol", "results", "recommendation", "warnings", "costs"} <= set(document)
    assert set(document["dataset"]) >= {"rows", "features", "target", "class_counts", "minority_class"}
    assert set(document["protocol"]) >= {"mode", "folds", "repeats", "test_size", "seed", "epochs"}
    assert [result["technique"] for result in document["results"]] == techniques
    for result in document["results"]:
        assert set(result) >= RESULT_KEYS
        assert set(result["metrics"]) == METRIC_KEYS == set(result["metrics_std"])
        assert all(isinstance(value, float) for value in result["metrics"].values())
        assert {"threshold", "recall", "precision"} <= set(result["decision"])


@pytest.fixture
def images_zip(tmp_path):
    path = tmp_path / "bars.zip"
    path.write_bytes(bars_zip())
    return path


def test_profile_of_a_zip_names_the_modality_size_and_classes(images_zip, capsys):
    assert main(["profile", str(images_zip), "--json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["modality"] == "image" and profile["class_counts"] == {"other": 48, "rare": 16}
    assert profile["image_size"] == {"height": 10, "width": 10, "channels": 1}
    assert main(["profile", str(images_zip)]) == 0
    assert "64 images of 10x10x1" in capsys.readouterr().out


def test_a_zip_needs_no_target_and_a_table_still_does(images_zip, tmp_path, capsys):
    assert main(["compare", str(images_zip), "--target", "label", "--techniques", "baseline"]) == 2
    assert "does not apply to a ZIP of images" in capsys.readouterr().err
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,x\n2,y\n")
    assert main(["compare", str(table), "--techniques", "baseline"]) == 2
    assert "--target is required for a table" in capsys.readouterr().err


@pytest.mark.slow
def test_compare_on_images_writes_the_table_schema(images_zip, tmp_path):
    out = tmp_path / "result.json"
    techniques = ["baseline", "image_augment", "class_weight"]  # the default set for images
    assert main(["compare", str(images_zip), "--folds", "2", "--epochs", "2", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    check_image_schema(document, techniques)
    assert document["dataset"]["target"] == "class" and document["dataset"]["modality"] == "image"
    assert all(result["failed"] is None for result in document["results"])
    augmented = document["results"][1]
    assert any("new minority images" in note for note in augmented["notes"])


@pytest.mark.slow
def test_samplers_that_need_a_feature_space_are_refused_on_images_with_a_note(images_zip, tmp_path):
    out = tmp_path / "result.json"
    arguments = ["compare", str(images_zip), "--techniques", "baseline,smote", "--epochs", "1", "--json", str(out)]
    assert main(arguments) == 0
    smote = json.loads(out.read_text())["results"][1]
    assert "not on image data" in smote["failed"] and smote["metrics"]["pr_auc"] is None
