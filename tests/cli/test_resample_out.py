"""Issue 19 item 7: `resample --out` writes the rows it says, original rows exactly as read.

A German-credit-like table (the target in the middle, integer, decimal, true/false and text-category
columns) goes through the CLI for real; the file is read back with the loader the CLI uses.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imbal_core.cli import build_parser, main
from imbal_core.data.tables import load_table


def credit_table(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bad = rng.random(rows) < 0.3
    return pd.DataFrame(
        {
            "checking": rng.choice(["A11", "A12", "A13", "A14"], rows),
            "duration": rng.integers(4, 72, rows) + 6 * bad,
            "purpose": rng.choice(["car", "radio", "education"], rows),
            "class": np.where(bad, 2, 1),
            "amount": rng.integers(250, 18000, rows),
            "rate": np.round(rng.normal(3, 1, rows) + bad, 2),
            "foreign": rng.choice([True, False], rows),
        }
    )


@pytest.fixture
def credit_csv(tmp_path) -> Path:
    path = tmp_path / "credit.csv"
    credit_table().to_csv(path, index=False)
    return path


def resample(credit_csv: Path, tmp_path: Path, capsys, technique: str, *extra: str) -> tuple[pd.DataFrame, str]:
    out = tmp_path / f"{technique}.csv"
    arguments = ["resample", str(credit_csv), "--target", "class", "--technique", technique, "--out", str(out)]
    assert main([*arguments, *extra]) == 0
    return load_table(out).frame, capsys.readouterr().err


def test_original_rows_are_written_exactly_as_read(credit_csv, tmp_path, capsys):
    written, _ = resample(credit_csv, tmp_path, capsys, "smote")
    table = load_table(credit_csv).frame
    assert list(written.columns) == [*table.columns, "synthetic"]
    originals = written.loc[~written["synthetic"]].drop(columns="synthetic").reset_index(drop=True)
    pd.testing.assert_frame_equal(originals, table)  # every row, in order, same dtypes and values
    assert written["synthetic"].sum() > 0


@pytest.mark.parametrize("technique", ["smote", "random_under"])
@pytest.mark.parametrize("rows", ["all", "training"])
def test_the_count_statement_is_true(credit_csv, tmp_path, capsys, technique, rows):
    written, said = resample(credit_csv, tmp_path, capsys, technique, "--rows", rows)
    counts = {
        words: int(number.replace(",", ""))
        for number, words in re.findall(
            r"(\d[\d,]*) (rows to|original rows as read|synthetic rows|original rows removed|validation rows|test rows"
            r"|rows of the table|training rows)",
            said,
        )
    }
    assert counts, said  # the statement has figures
    assert counts["rows to"] == len(written)
    assert counts["original rows as read"] == int((~written["synthetic"]).sum())
    assert counts["synthetic rows"] == int(written["synthetic"].sum())
    used = counts["rows of the table"] if rows == "all" else counts["training rows"]
    assert counts["original rows as read"] + counts["original rows removed"] == used
    left_out = counts.get("validation rows", 0) + counts.get("test rows", 0)
    assert used + left_out == 400
    assert (rows == "training") == (left_out > 0)
    if technique == "random_under":
        assert counts["original rows removed"] > 0 and counts["synthetic rows"] == 0


def test_synthetic_rows_keep_integer_columns_whole_and_categories_known(credit_csv, tmp_path, capsys):
    written, said = resample(credit_csv, tmp_path, capsys, "smote")
    table = load_table(credit_csv).frame
    synthetic = written.loc[written["synthetic"]]
    assert len(synthetic) > 0
    for column in ("duration", "amount", "class"):
        assert pd.api.types.is_integer_dtype(written[column]), column  # read back as integers: no "12.0"
    assert set(synthetic["class"]) == {2}  # SMOTE adds minority rows, spelled as the table spells the class
    for column in ("checking", "purpose", "foreign"):
        assert set(synthetic[column]) <= set(table[column]), column
    assert written["foreign"].dtype == bool
    as_text = pd.read_csv(tmp_path / "smote.csv", dtype=str)
    for column in ("duration", "amount", "class"):
        assert as_text[column].str.fullmatch(r"\d+").all(), column  # "12", never "12.0"
    assert "integer columns are rounded to whole numbers" in said


def test_every_argument_of_every_subcommand_has_a_help_text():
    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    missing = [
        f"{name} {action.dest}"
        for name, command in commands.choices.items()
        for action in command._actions
        if not isinstance(action, argparse._HelpAction) and not (action.help or "").strip()
    ]
    assert not missing, f"arguments without a help text: {missing}"
    assert all((choice.help or "").strip() for choice in commands._choices_actions)


def test_the_cli_offers_the_engines_row_choices():
    from imbal_core import cli
    from imbal_core.run import resampled_table

    assert cli.ROW_CHOICES == resampled_table.ROW_CHOICES


@pytest.mark.parametrize(
    ("technique", "message"),
    [("class_weight", "does not change the rows"), ("image_augment", "works on images"), ("text_augment", "free-text")],
)
def test_a_technique_that_cannot_resample_this_table_is_refused_in_one_line(
    credit_csv, tmp_path, capsys, technique, message
):
    arguments = ["resample", str(credit_csv), "--target", "class", "--technique", technique]
    assert main([*arguments, "--out", str(tmp_path / "x.csv")]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1 and "Traceback" not in error
    assert not (tmp_path / "x.csv").exists()
