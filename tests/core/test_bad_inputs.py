"""Bad and awkward inputs through the loader and the CLI; training faults; export and upload safety.

The cases live in tests/support/catalogue.py (also run through the dashboard in tests/app/test_bad_inputs.py).
"""

from __future__ import annotations

import csv
import io
import re
import signal
import time
import tomllib
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imbal_core.cli import main
from imbal_core.present.report import FORMULA_PREFIXES, comparison_json_text, metrics_csv, to_csv_text
from tests.support.catalogue import (
    BY_ID,
    CASES,
    FORMULA_LABEL,
    HTML_LABEL,
    PICKLE_MARKER_NAME,
    UPLOAD_LIMIT_MB,
    Case,
    markdown_table,
    run_through_loader,
)

ROOT = Path(__file__).resolve().parents[2]
MARKER = Path("/tmp") / PICKLE_MARKER_NAME
CASE_SECONDS = 20  # a case slower than this is a hang as far as a person is concerned


@contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging the suite) when the body runs longer than `seconds`."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - started < seconds


@pytest.fixture(autouse=True)
def no_unpickling():
    """The pickle cases would create MARKER if anything ever unpickled an upload."""
    MARKER.unlink(missing_ok=True)
    yield
    assert not MARKER.exists(), "an uploaded file was unpickled and executed"


def ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


# --- the catalogue ------------------------------------------------------------------------------------------


def test_catalogue_covers_the_issue_list():
    assert len(CASES) >= 30
    required = {
        "empty",
        "header_only",
        "binary_garbage",
        "png_renamed",
        "xlsx_renamed",
        "semicolon_decimal_comma",
        "latin1_accents",
        "utf8_bom",
        "quoted_newlines",
        "duplicated_columns",
        "target_one_class",
        "target_missing_rows",
        "continuous_target",
        "target_200_values",
        "one_minority_row",
        "minority_below_smote_k",
        "all_categorical",
        "high_cardinality_id",
        "constant_column",
        "inf_values",
        "numbers_and_text",
        "very_long_strings",
        "date_column",
        "boolean_target",
        "one_row",
        "only_target_column",
        "five_thousand_columns",
        "over_upload_limit",
        "whitespace_padded_labels",
        "mixed_case_labels",
    }
    assert required <= set(BY_ID)
    for case in CASES:
        assert case.outcome in ("ok", "error")
        assert case.outcome == "ok" or case.message, f"{case.id}: an error case must name its message"


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_loader(case: Case):
    with deadline(CASE_SECONDS):
        outcome = run_through_loader(case)
    assert outcome.kind == case.outcome, outcome.messages
    assert outcome.mentions(case.message), (case.message, outcome.messages)
    if case.outcome == "error":
        message = outcome.messages[0]
        assert "Traceback" not in message and len(message) < 600
    elif case.check is not None:
        case.check(outcome.frame, outcome.profile)


def cli_arguments(case: Case, path: Path, out: Path) -> list[list[str]]:
    target = ["--target", case.target] if case.target else []
    commands = [["profile", str(path), *target]]
    if case.technique:
        commands.append(["resample", str(path), *target, "--technique", case.technique, "--out", str(out)])
    return commands


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_cli(case: Case, tmp_path, capsys):
    path = tmp_path / case.file_name
    path.write_bytes(case.payload())
    codes, output = [], ""
    with deadline(CASE_SECONDS):
        for arguments in cli_arguments(case, path, tmp_path / "resampled.csv"):
            codes.append(main(arguments))
            captured = capsys.readouterr()
            output += captured.out + captured.err
            if codes[-1]:
                break
    assert "Traceback" not in output
    if case.outcome == "ok":
        assert set(codes) == {0}, output[-2000:]
        assert case.message in output
    else:
        assert codes[-1] == 2, output[-2000:]
        error_lines = [line for line in output.splitlines() if line.startswith("error:")]
        assert len(error_lines) == 1 and case.message in error_lines[0], output[-2000:]


def test_cli_error_is_the_only_stderr_line_of_a_real_process(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "picture.csv"
    path.write_bytes(BY_ID["png_renamed"].payload())
    completed = subprocess.run(
        [sys.executable, "-m", "imbal_core", "profile", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [completed.stderr.strip()]
    assert "PNG image" in completed.stderr and completed.stdout == ""


def test_docs_table_matches_the_catalogue():
    docs = (ROOT / "docs" / "bad-inputs.md").read_text()
    assert markdown_table() in docs, "regenerate the table: python -m tests.support.catalogue"
    assert f"{len(CASES)} cases" in docs
    fixed = sum(1 for case in CASES if case.fixed)
    assert f"{fixed} needed a fix" in docs


# --- specific behaviours the table only summarises ----------------------------------------------------------


def test_whitespace_variants_of_a_column_name_stay_distinct_columns():
    from imbal_core.data.tables import load_table

    table = load_table(b"a, a,label\n1,2,x\n3,4,y\n5,6,x\n", "w.csv")
    assert list(table.frame.columns) == ["a", "a.1", "label"]
    assert table.frame["a.1"].tolist() == [2, 4, 6]
    assert any("Duplicated column names" in note for note in table.notes)


def test_a_header_of_50000_columns_is_read_in_linear_time():
    """With the column limit raised (it is an argument), a 50,000-column header is still read in linear time."""
    from imbal_core.data.tables import TableLimits, load_table

    header = ",".join(f"c{i}" for i in range(50_000)) + ",label\n"
    row = ",".join("1" for _ in range(50_000)) + ",x\n"
    with deadline(15):
        table = load_table((header + row + row.replace(",x", ",y")).encode(), "wide.csv", TableLimits(60_000))
    assert table.frame.shape == (2, 50_001)


# --- limits checked before the expensive work (issue 19, item 16) -----------------------------------------


def test_table_limits_are_arguments_with_defaults_and_settings():
    from imbal_core.data.tables import TableLimits, load_table
    from imbal_core.errors import InputError

    raw = csv_bytes(columns=30, cell="y" * 500)
    load_table(raw, "t.csv")  # within the defaults
    with pytest.raises(InputError, match="31 columns, more than the 20 columns"):
        load_table(raw, "t.csv", TableLimits(max_columns=20))
    with pytest.raises(InputError, match="about 500 characters, more than the 400 characters"):
        load_table(raw, "t.csv", TableLimits(max_cell_characters=400))
    limits = TableLimits.from_environment({"IMBAL_LAB_MAX_COLUMNS": "20", "IMBAL_LAB_MAX_CELL_CHARACTERS": " "})
    assert limits == TableLimits(max_columns=20)
    with pytest.raises(InputError, match="IMBAL_LAB_MAX_COLUMNS must be a whole number"):
        TableLimits.from_environment({"IMBAL_LAB_MAX_COLUMNS": "lots"})


def csv_bytes(columns: int, cell: str) -> bytes:
    """A small table of `columns` numeric columns, a label, and one cell holding `cell`."""
    header = ",".join(f"c{index}" for index in range(columns)) + ",label\n"
    rows = [
        ",".join(str(row % 7) for _ in range(columns)) + (",yes\n" if row % 4 == 0 else ",no\n") for row in range(12)
    ]
    rows[3] = cell + rows[3][1:]
    return (header + "".join(rows)).encode()


@pytest.mark.parametrize(
    ("file_name", "writer"),
    [("long.parquet", "to_parquet"), ("long.xlsx", "to_excel")],
)
def test_long_cells_and_wide_tables_are_refused_in_every_format(file_name, writer, tmp_path):
    """Parquet and Excel are checked too: the column count from the footer or sheet dimension, cells after reading."""
    from imbal_core.data.tables import TableLimits, load_table
    from imbal_core.errors import InputError

    frame = pd.DataFrame({"note": ["x" * 300, "short", "short", "short"], "label": ["a", "b", "a", "b"]})
    path = tmp_path / file_name
    getattr(frame, writer)(path, index=False)
    with pytest.raises(InputError, match="about 300 characters"):
        load_table(path, limits=TableLimits(max_cell_characters=200))
    with pytest.raises(InputError, match="2 columns, more than the 1 columns"):
        load_table(path, limits=TableLimits(max_columns=1))
    assert load_table(path).frame.shape == (4, 2)


def test_a_long_quoted_cell_holding_delimiters_is_refused_after_parsing():
    """The raw scan sees runs between commas; a quoted cell full of commas is caught once parsed."""
    from imbal_core.data.tables import TableLimits, load_table, longest_field
    from imbal_core.errors import InputError

    cell = '"' + ",".join(["word"] * 100) + '"'
    raw = f"note,label\n{cell},a\nshort,b\nshort,a\nshort,b\n".encode()
    assert longest_field(raw, ",") < 200 < len(cell)
    with pytest.raises(InputError, match="about 499 characters"):
        load_table(raw, "q.csv", TableLimits(max_cell_characters=200))


def test_longest_field_across_scan_chunks(monkeypatch):
    import imbal_core.data.tables as data

    monkeypatch.setattr(data, "_SCAN_CHUNK_BYTES", 7)
    assert data.longest_field(b"ab,cdefghijklmnop,q\nrstu", ",") == 14
    assert data.longest_field(b"abcdefghijklmnopqrstuvwxyz", ",") == 26
    assert data.longest_field(b"a,b\r\nc", ",") == 1


def test_semicolon_file_without_decimal_commas_keeps_text_intact():
    from imbal_core.data.tables import load_table

    table = load_table(b"city;size;label\nParis;1;a\nLyon;2;b\nNice;3;a\n", "s.csv")
    assert table.frame["size"].tolist() == [1, 2, 3]
    assert not any("Decimal commas" in note for note in table.notes)


def test_over_limit_payload_is_really_over_the_configured_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB
    assert len(BY_ID["over_upload_limit"].payload()) > UPLOAD_LIMIT_MB * 1024 * 1024


# --- safety -------------------------------------------------------------------------------------------------


def test_engine_never_unpickles_evaluates_or_executes():
    """Uploads are parsed as CSV/TSV/Parquet text and numbers only: no pickle, eval, exec or shell anywhere."""
    # np.load(..., allow_pickle=False) is the safe form and allowed; any other mention of pickles is not.
    forbidden = re.compile(r"\b(pickle|read_pickle|joblib|eval\(|exec\(|subprocess|os\.system|allow_pickle=True)")
    offenders = []
    for path in sorted((ROOT / "imbal_core").glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if forbidden.search(line.split("#")[0]):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def unsafe_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula: starting with = + - @ and not a plain number."""
    number = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell.startswith(FORMULA_PREFIXES) and not number.fullmatch(cell)
    ]


def test_exported_csv_neutralises_formula_cells_but_keeps_numbers():
    frame = pd.DataFrame(
        {
            "=bad name": ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=x", "plain"],
            "label": ["-1", "1", "-1", "+1", "-0.5", "1e3"],
            "value": [-1.5, 2.0, -3.0, 4.0, 5.0, -6.0],
        }
    )
    text = to_csv_text(frame)
    assert unsafe_cells(text) == []
    back = pd.read_csv(io.StringIO(text), dtype=str)
    assert back.columns[0] == "'=bad name"
    assert back.iloc[:, 0].tolist() == ["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\t=x", "plain"]
    assert back["label"].tolist() == ["-1", "1", "-1", "+1", "-0.5", "1e3"]  # numbers are not formulas
    assert back["value"].tolist() == ["-1.5", "2.0", "-3.0", "4.0", "5.0", "-6.0"]


def test_cli_resample_export_of_a_hostile_upload_is_neutralised(tmp_path, capsys):
    path = tmp_path / "hostile.csv"
    path.write_bytes(BY_ID["html_and_formulas"].payload())
    out = tmp_path / "rows.csv"
    assert main(["resample", str(path), "--target", "label", "--technique", "random_over", "--out", str(out)]) == 0
    text = out.read_text()
    assert unsafe_cells(text) == []
    labels = set(pd.read_csv(out)["label"])
    assert labels == {"'" + FORMULA_LABEL, HTML_LABEL}


# --- training faults ----------------------------------------------------------------------------------------


def small_frame() -> pd.DataFrame:
    from tests.support.frames import make_binary_frame

    return make_binary_frame(rows=240, minority_share=0.2, seed=4)


@pytest.mark.slow
def test_a_nan_loss_stops_only_that_technique(monkeypatch, tiny_settings):
    """Fault injection: focal loss trains with an absurd learning rate (a real NaN); the others are untouched."""
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.network_trainer import NetworkTrainer
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec

    real_member = NetworkTrainer.member

    def exploding_for_focal(trainer, plan, also_predict=None):
        member = real_member(trainer, plan, also_predict)
        if plan.loss.focal is not None:
            member.learning_rate = 1e30
        return member

    specs = [make_spec("baseline"), make_spec("focal_loss"), make_spec("smote")]
    untouched = run_comparison(small_frame(), "label", [specs[0], specs[2]], Protocol(seed=1), tiny_settings)
    monkeypatch.setattr(NetworkTrainer, "member", exploding_for_focal)
    comparison = run_comparison(small_frame(), "label", specs, Protocol(seed=1), tiny_settings)
    baseline, focal, smote = comparison.results
    assert focal.failed is not None and "NaN" in focal.failed and focal.failed in focal.notes
    assert focal.metrics == {}
    for healthy, reference in ((baseline, untouched.results[0]), (smote, untouched.results[1])):
        assert healthy.failed is None
        probabilities = healthy.probabilities
        assert np.isfinite(probabilities).all() and ((probabilities >= 0) & (probabilities <= 1)).all()
        # The failure did not disturb its neighbours (in one stack with them: equal to float32 rounding).
        np.testing.assert_allclose(probabilities, reference.probabilities, rtol=0, atol=1e-6)
    document = comparison_json_text(comparison)  # exports cope with a failed technique (no NaN in JSON)
    assert '"failed": "Training failed' in document and "NaN," not in document
    assert metrics_csv(comparison).count("\n") == 4


@pytest.mark.slow
def test_stopping_a_run_leaves_the_engine_usable(tiny_settings):
    from imbal_core.errors import Cancelled
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec

    specs = [make_spec("baseline"), make_spec("class_weight")]
    before = run_comparison(small_frame(), "label", specs, Protocol(seed=2), tiny_settings)
    epochs = []

    def stop_after_first_epoch() -> bool:
        epochs.append(1)
        return len(epochs) >= 1

    with pytest.raises(Cancelled):
        run_comparison(
            small_frame(), "label", specs, Protocol(seed=2), tiny_settings, should_stop=stop_after_first_epoch
        )
    assert len(epochs) == 1  # stopped at the first check, not at the end
    after = run_comparison(small_frame(), "label", specs, Protocol(seed=2), tiny_settings)
    for first, second in zip(before.results, after.results, strict=True):
        assert first.failed is None and second.failed is None
        np.testing.assert_array_equal(first.probabilities, second.probabilities)


def test_nearmiss_3_says_when_it_keeps_fewer_rows_than_asked():
    """Found by the property tests: NearMiss-3's pre-selection can come up short; that was only a log warning."""
    import warnings

    from imbal_core.run.evaluate import resample_preview
    from imbal_core.techniques.catalogue import make_spec
    from tests.support.frames import make_binary_frame

    frame = make_binary_frame(rows=200, minority_share=0.15, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        short = resample_preview(frame, "label", make_spec("near_miss", {"version": 3, "n_neighbors": 1}))["result"]
        enough = resample_preview(frame, "label", make_spec("near_miss", {"version": 1, "n_neighbors": 1}))["result"]
    counts = np.bincount(short.labels)
    assert counts[0] < counts[1]  # fewer majority rows than minority rows were kept
    assert any("fewer than the" in note and "Raise n_neighbors" in note for note in short.notes), short.notes
    assert not any("fewer than the" in note for note in enough.notes)
    assert np.bincount(enough.labels)[0] == np.bincount(enough.labels)[1]


# --- free text (issue 14): typed as text, read as words, trained ------------------------------------------------


def cleaned_text_case(case_id: str):
    """(cleaned features, column plan) of a catalogue case, as a comparison sees them before the split."""
    from imbal_core.data.class_profile import prepare
    from imbal_core.data.preprocess import clean_features, plan_columns
    from imbal_core.data.tables import load_table

    frame = load_table(BY_ID[case_id].payload(), "text.csv").frame
    features = prepare(frame, "label").features
    plan = plan_columns(features)
    return clean_features(features, plan), plan


def text_vocabulary(case_id: str) -> dict:
    from imbal_core.data.preprocess import FeatureEncoder

    cleaned, plan = cleaned_text_case(case_id)
    encoder = FeatureEncoder(plan).fit(cleaned)
    return encoder.base_transformer.named_transformers_["text message"].vocabulary_


def test_emoji_and_every_script_are_words():
    """Joined emoji stay one word; Cyrillic and Arabic words are words; Chinese/Japanese are read per character."""
    from tests.support.catalogue import FAMILY_EMOJI, RAINBOW_FLAG

    vocabulary = text_vocabulary("text_mixed_scripts")
    for word in (FAMILY_EMOJI, RAINBOW_FLAG, "\U0001f44d\U0001f3fd", "друг", "مرحبا", "免", "免 费", "東 京", "hello"):
        assert word in vocabulary, (word, sorted(vocabulary)[:40])
    assert {"明 天", "会 議", "中 奖"} <= set(text_vocabulary("text_without_spaces"))


def test_a_fold_whose_training_rows_hold_no_words_gets_zero_text_features():
    """Mostly-empty text: a fold can draw only empty rows; that is no words, not scikit-learn's 'empty vocabulary'."""
    from imbal_core.data.preprocess import FeatureEncoder

    cleaned, plan = cleaned_text_case("text_mostly_empty")
    empty_rows = cleaned[cleaned["note"] == ""]
    assert len(empty_rows) == 70
    encoder = FeatureEncoder(plan).fit(empty_rows)
    text_features = encoder.base(cleaned)[:, encoder.text_start :]
    assert text_features.shape == (80, 1) and not text_features.any()
    assert np.isfinite(encoder.transform(cleaned)).all()


def test_a_fitted_text_encoder_pickles_for_workers_in_other_processes():
    """Dask sends work between processes with pickle: the text encoder must survive it, words and all."""
    import pickle  # the test's own object: uploads are never unpickled (test_engine_never_unpickles...)

    from imbal_core.data.preprocess import FeatureEncoder

    cleaned, plan = cleaned_text_case("text_mixed_scripts")
    encoder = FeatureEncoder(plan).fit(cleaned)
    copy = pickle.loads(pickle.dumps(encoder))
    np.testing.assert_array_equal(copy.transform(cleaned), encoder.transform(cleaned))


TEXT_CASE_IDS = [case.id for case in CASES if case.id.startswith("text_")]


@pytest.mark.slow
@pytest.mark.parametrize("case_id", TEXT_CASE_IDS)
def test_text_cases_train_through_the_cli(case_id: str, tmp_path, capsys):
    """Each text case trains (a resampler and class weights beside the baseline) and every metric is a number."""
    import json

    path = tmp_path / "text.csv"
    path.write_bytes(BY_ID[case_id].payload())
    out = tmp_path / "result.json"
    arguments = ["compare", str(path), "--target", "label", "--techniques", "baseline,class_weight,random_over"]
    with deadline(120):
        code = main([*arguments, "--epochs", "3", "--seed-average", "1", "--json", str(out)])
    assert code == 0, capsys.readouterr().err[-2000:]
    document = json.loads(out.read_text())
    assert document["dataset"]["features"] >= 4  # the three table columns and the text column
    for result in document["results"]:
        assert result["failed"] is None, result["failed"]
        assert all(np.isfinite(value) for value in result["metrics"].values()), result["metrics"]


# --- numbers too large to compute with, and failures inside one technique (issue 19, item 1) --------------


def _scaled_csv(tmp_path: Path, factor: float) -> Path:
    frame = small_frame()
    frame["amount"] = frame["amount"] * factor
    path = tmp_path / "scaled.csv"
    frame.to_csv(path, index=False)
    return path


def test_compare_on_a_1e300_column_is_refused_with_a_sentence_not_a_traceback(tmp_path, capsys):
    """The issue's reproduction: any float column times 1e300, `compare --techniques baseline,smote`."""
    path = _scaled_csv(tmp_path, 1e300)
    code = main(["compare", str(path), "--target", "label", "--techniques", "baseline,smote", "--epochs", "1"])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err + captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("error: scaled.csv has numbers too large to compute with in 'amount' (up to ")
    assert "3.4e+38" in line and "Rescale" in line


def test_a_frame_given_to_the_engine_directly_is_checked_too():
    """Not only files: a frame handed to the engine (the API, a mostly-numeric text column) is checked in
    clean_features, before the scaler could overflow."""
    from imbal_core.errors import InputError
    from imbal_core.run.folds import encode_dataset

    frame = small_frame()
    frame["amount"] = [str(value * 1e300) if index else "n/a" for index, value in enumerate(frame["amount"])]
    with pytest.raises(InputError, match="too large to compute with in 'amount'"):
        encode_dataset(frame, "label")


def test_numbers_at_the_limit_scale_to_finite_values():
    """Up to float32's largest number, the scaler's mean and variance (float64) stay finite: the limit is enough."""
    from imbal_core.data.preprocess import MAX_MAGNITUDE, FeatureEncoder, clean_features, plan_columns

    frame = pd.DataFrame({"big": np.resize([MAX_MAGNITUDE, -MAX_MAGNITUDE, 0.5 * MAX_MAGNITUDE], 5000)})
    plan = plan_columns(frame)
    cleaned = clean_features(frame, plan)
    encoded = FeatureEncoder(plan).fit(cleaned).transform(cleaned)
    assert np.isfinite(encoded).all() and encoded.dtype == np.float32


def _failing_for(technique_id: str, monkeypatch) -> None:
    """Fault injection: the rows stage of `technique_id` raises what scikit-learn raised in the issue."""
    import imbal_core.run.fold_work as fold_work

    real_resample = fold_work.resample

    def resample(spec, *arguments, **options):
        if technique_id in ("*", spec.technique_id):
            raise ValueError("Input X contains NaN.\nSMOTE does not accept missing values encoded as NaN natively.")
        return real_resample(spec, *arguments, **options)

    monkeypatch.setattr(fold_work, "resample", resample)


def test_an_unexpected_error_in_one_technique_becomes_its_failure(monkeypatch, tiny_settings):
    from imbal_core.run.evaluate import run_comparison
    from imbal_core.run.protocol import Protocol
    from imbal_core.techniques.catalogue import make_spec

    _failing_for("smote", monkeypatch)
    specs = [make_spec("baseline"), make_spec("smote")]
    comparison = run_comparison(small_frame(), "label", specs, Protocol(mode="cv", folds=2, seed=1), tiny_settings)
    baseline, smote = comparison.results
    assert baseline.failed is None and baseline.metrics
    assert smote.failed == (
        "Training failed: this technique raised ValueError (Input X contains NaN. SMOTE does not accept missing "
        "values encoded as NaN natively.). The other techniques are not affected. Check the feature columns for "
        "extreme or unusual values, or try other parameters."
    )
    assert smote.notes == [smote.failed]  # said once, not once per fold
    assert '"failed": "Training failed: this technique raised ValueError' in comparison_json_text(comparison)


def test_a_stop_request_is_not_turned_into_a_failure():
    from imbal_core.errors import Cancelled
    from imbal_core.run.fold_work import failure_sentence

    with pytest.raises(Cancelled):
        failure_sentence(Cancelled())
    assert failure_sentence(FloatingPointError("the loss became NaN")) == "Training failed: the loss became NaN."


def test_cli_exits_2_with_one_sentence_when_no_technique_could_run(monkeypatch, tmp_path, capsys):
    _failing_for("*", monkeypatch)
    path = tmp_path / "small.csv"
    small_frame().to_csv(path, index=False)
    output = tmp_path / "result.json"
    code = main(["compare", str(path), "--target", "label", "--techniques", "smote,random_over", "--json", str(output)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: No technique could run on this data. smote: Training")
    assert "random_over: Training failed" in errors[0]
    assert output.exists()  # the JSON still records why each failed


# --- the CLI in a pipeline, and wide tables (issue 19, item 13) -------------------------------------------


def test_profile_json_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    """`profile --json | head`: the reader closes the pipe after a few bytes; no BrokenPipeError traceback."""
    import subprocess
    import sys

    path = tmp_path / "wide.csv"
    columns = {f"feature_{index:04d}": np.arange(40) % (index + 2) for index in range(1500)}
    pd.DataFrame(columns).assign(label=["yes", "no", "no", "no"] * 10).to_csv(path, index=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "imbal_core", "profile", str(path), "--target", "label", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.read(100).startswith(b"{")  # far more than a pipe's 64 KB is still to come
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert stderr == "", stderr


def test_cleaning_a_wide_table_does_not_fragment_the_frame():
    from imbal_core.data.preprocess import clean_features, plan_columns

    frame = pd.DataFrame({f"f{index}": np.arange(30.0) * index for index in range(1, 400)})
    frame["colour"] = ["red", "blue", "green"] * 10
    plan = plan_columns(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        cleaned = clean_features(frame, plan)
    assert list(cleaned.columns) == plan.numeric + plan.categorical
    assert cleaned["colour"].tolist() == frame["colour"].tolist()


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 6, 9, 10])
def test_the_cheap_screen_never_misses_a_field_longer_than_the_limit(limit: int):
    """may_hold_a_longer_field may say "maybe" wrongly (the exact scan decides) but never "no" wrongly."""
    from imbal_core.data.tables import longest_field, may_hold_a_longer_field

    rng = np.random.default_rng(limit)
    for _ in range(300):
        raw = bytes(rng.choice(list(b"ab,\n"), p=[0.4, 0.4, 0.1, 0.1], size=int(rng.integers(0, 40))))
        if longest_field(raw, ",") > limit:
            assert may_hold_a_longer_field(raw, ",", limit), (raw, limit)
