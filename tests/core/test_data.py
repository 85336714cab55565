"""Loading, target preparation and profiling."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from imbal_core.data.class_profile import prepare, profile, suggest_target
from imbal_core.data.preprocess import FeatureEncoder, clean_features, plan_columns
from imbal_core.data.tables import load_table
from imbal_core.errors import InputError


def csv_bytes(frame: pd.DataFrame, **options) -> bytes:
    return frame.to_csv(index=False, **options).encode(options.pop("encoding", "utf-8"))


def test_sniffs_semicolons_and_reads_latin1_and_bom():
    semicolon = "a;b;label\n1,5;2;x\n2,5;3;y\n".encode("latin-1")
    table = load_table(semicolon, "data.csv")
    assert list(table.frame.columns) == ["a", "b", "label"]
    latin = "name,label\ncafé,oui\nnaïve,non\n".encode("latin-1")
    assert load_table(latin, "l.csv").frame["name"].tolist() == ["café", "naïve"]
    assert any("not UTF-8" in note for note in load_table(latin, "l.csv").notes)
    bom = "\ufefffeature,label\n1,a\n2,b\n".encode()
    assert list(load_table(bom, "b.csv").frame.columns) == ["feature", "label"]


def test_reads_tsv_and_parquet_from_bytes(binary_frame):
    tsv = binary_frame.to_csv(index=False, sep="\t").encode()
    assert load_table(tsv, "x.tsv").frame.shape == binary_frame.shape
    buffer = io.BytesIO()
    binary_frame.to_parquet(buffer)
    assert load_table(buffer.getvalue(), "x.parquet").frame.shape == binary_frame.shape


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "empty"),
        (b"a,b,label\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        (b"PK\x03\x04rest", "Excel"),
        (b"\x00\x01\x02garbage\x00", "binary"),
    ],
)
def test_unreadable_files_say_what_to_do(raw, expected):
    with pytest.raises(InputError, match=expected):
        load_table(raw, "upload.csv")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="File not found"):
        load_table(tmp_path / "absent.csv")


def test_suggests_target_by_name_then_last_column():
    assert suggest_target(pd.DataFrame({"x": [1], "Class": [0], "z": [1]})) == "Class"
    assert suggest_target(pd.DataFrame({"x": [1], "z": [1]})) == "z"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["a"] * 10, "only one class"),
        ([0.13 * i for i in range(10)], "continuous"),
        ([str(i) for i in range(30)] * 2, "distinct values"),
    ],
)
def test_unusable_targets_are_refused(values, message):
    frame = pd.DataFrame({"feature": range(len(values)), "target": values})
    with pytest.raises(InputError, match=message):
        prepare(frame, "target")


def test_unknown_target_lists_columns(binary_frame):
    with pytest.raises(InputError, match="not in the table.*amount"):
        prepare(binary_frame, "nope")


def test_target_cleaning_drops_missing_merges_case_and_strips():
    frame = pd.DataFrame({"x": range(8), "y": [" Yes", "yes", "No ", "No", None, "No", "No", "No"]})
    prepared = prepare(frame, "y")
    assert sorted(prepared.labels.unique()) == ["No", "Yes"]
    assert len(prepared.labels) == 7
    assert any("1 rows with a missing" in note for note in prepared.notes)
    assert any("letter case" in note for note in prepared.notes)


def test_integral_floats_and_booleans_are_labels():
    frame = pd.DataFrame({"x": range(6), "y": [0.0, 1.0, 0.0, 0.0, 1.0, 0.0], "b": [True, False] * 3})
    assert set(prepare(frame, "y").labels) == {"0", "1"}
    assert set(prepare(frame, "b").labels) == {"True", "False"}


def test_profile_reports_imbalance(binary_frame):
    result = profile(binary_frame, "label")
    counts = binary_frame["label"].value_counts()
    assert result.class_counts == {"common": counts["common"], "rare": counts["rare"]}
    assert result.minority_class == "rare"
    assert result.imbalance_ratio == pytest.approx(counts["common"] / counts["rare"], rel=1e-3)
    assert result.categorical_columns == ["channel"]


def test_plan_drops_constant_id_and_date_columns():
    rows = 50
    frame = pd.DataFrame(
        {
            "customer_id": range(rows),
            "constant": [7] * rows,
            "when": [f"2024-01-{i % 28 + 1:02d}" for i in range(rows)],
            "mixed": [str(i) for i in range(rows - 1)] + ["n/a"],
            "value": [float(i % 7) for i in range(rows)],
        }
    )
    plan = plan_columns(frame)
    assert set(plan.dropped) == {"customer_id", "constant", "when"}
    assert plan.numeric == ["mixed", "value"]


def test_encoder_learns_from_training_rows_only():
    train = pd.DataFrame({"x": [0.0, 2.0, 4.0], "c": ["a", "b", "a"]})
    test = pd.DataFrame({"x": [100.0], "c": ["never seen"]})
    plan = plan_columns(train)
    encoder = FeatureEncoder(plan).fit(clean_features(train, plan))
    encoded = encoder.transform(clean_features(test, plan))
    scaler = encoder.base_transformer.named_transformers_["numeric"].named_steps["scale"]
    assert scaler.mean_[0] == pytest.approx(2.0)  # the test row's 100 did not move the mean
    assert encoded[0, 1:].tolist() == [0.0, 0.0]  # an unseen category encodes as all zeros
