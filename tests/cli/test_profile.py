"""`python -m imbal_core profile`: the modality and every column's type and use, as the Data page lists them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from imbal_core.cli import main
from imbal_core.data.class_profile import read_and_profile
from tests.support.images import bars_zip

ROOT = Path(__file__).resolve().parents[2]
SMS = ROOT / "sample_data" / "sms.csv"


@pytest.fixture
def mixed_csv(tmp_path) -> Path:
    """One column of every type: numeric, categorical, text, and three dropped for different reasons."""
    rows = 60
    frame = pd.DataFrame(
        {
            "amount": [index * 0.5 for index in range(rows)],
            "channel": ["web", "shop", "phone"] * (rows // 3),
            "comment": [f"called about the late parcel number {index}" for index in range(rows)],
            "signup": [f"2024-01-{index % 28 + 1:02d}" for index in range(rows)],
            "customer_id": list(range(rows)),
            "country": ["NL"] * rows,
            "label": ["yes" if index % 5 == 0 else "no" for index in range(rows)],
        }
    )
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    return path


def column_lines(text: str) -> dict[str, str]:
    """The lines under "Columns", by column name."""
    lines = text.split("Columns (type, how it is used):\n", 1)[1].splitlines()
    rows = [line for line in lines if line.startswith("  ") and not line.startswith("   ")]
    return {line.split()[0]: line for line in rows}


def test_text_profile_of_the_sms_sample_names_the_modality_and_each_column(capsys):
    assert main(["profile", str(SMS), "--target", "label"]) == 0
    text = capsys.readouterr().out
    assert "Modality: table" in text
    lines = column_lines(text)
    assert set(lines) == {"message", "hour_sent", "sender_in_contacts"}
    assert lines["message"].split()[1] == "text" and "bag of words" in lines["message"]
    assert lines["hour_sent"].split()[1] == "numeric"
    assert lines["sender_in_contacts"].split()[1] == "categorical"
    assert "Minority class 'spam'" in text  # the class counts are still there


def test_json_profile_lists_the_column_types_the_data_page_shows(capsys):
    assert main(["profile", str(SMS), "--target", "label", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["modality"] == "table"
    _, profile = read_and_profile(SMS, "label")
    expected = [{"column": name, "type": kind, "use": use} for name, kind, use in profile.column_types()]
    assert document["column_types"] == expected
    assert ("message", "text") in [(row["column"], row["type"]) for row in document["column_types"]]


def test_dropped_columns_are_listed_with_their_reasons(mixed_csv, capsys):
    assert main(["profile", str(mixed_csv), "--target", "label"]) == 0
    lines = column_lines(capsys.readouterr().out)
    types = {name: line.split()[1] for name, line in lines.items()}
    assert types == {
        "amount": "numeric",
        "channel": "categorical",
        "comment": "text",
        "signup": "dropped",
        "customer_id": "dropped",
        "country": "dropped",
    }
    assert "dates are not used" in lines["signup"]
    assert "ID-like" in lines["customer_id"]
    assert "constant" in lines["country"]
    assert main(["profile", str(mixed_csv), "--target", "label", "--json"]) == 0
    by_name = {row["column"]: row for row in json.loads(capsys.readouterr().out)["column_types"]}
    assert by_name["signup"] == {"column": "signup", "type": "dropped", "use": "dates are not used as features"}
    assert by_name["comment"]["type"] == "text"


def test_a_long_column_name_does_not_break_the_column_lines(tmp_path, capsys):
    name = "a very long column name " * 10
    path = tmp_path / "long.csv"
    pd.DataFrame({name.strip(): [index % 7 for index in range(40)], "label": ["a", "b", "b", "b"] * 10}).to_csv(
        path, index=False
    )
    assert main(["profile", str(path), "--target", "label"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  a very"))
    assert line.split()[-3:] == ["the", "median;", "standardised"] and "numeric" in line


def test_an_image_zip_says_its_modality_in_text_and_json(tmp_path, capsys):
    path = tmp_path / "bars.zip"
    path.write_bytes(bars_zip())
    assert main(["profile", str(path)]) == 0
    assert "Modality: image" in capsys.readouterr().out
    assert main(["profile", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["modality"] == "image"
