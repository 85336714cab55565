"""Excel .xlsx uploads: the first sheet is read as a table; damaged workbooks and other ZIPs are refused plainly."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from imbal_core.data.class_profile import profile
from imbal_core.data.tables import load_table
from imbal_core.errors import InputError


def workbook(*sheets: tuple[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets:
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def test_first_sheet_of_a_workbook_is_read_as_a_table(binary_frame):
    raw = workbook(("data", binary_frame), ("notes", pd.DataFrame({"text": ["made by hand"]})))
    table = load_table(raw, "fraud.xlsx")
    pd.testing.assert_frame_equal(table.frame, binary_frame, check_dtype=False)
    assert any("Excel workbook" in note for note in table.notes)
    assert any("2 sheets ('data', 'notes'); only the first, 'data', was read" in note for note in table.notes)
    assert profile(table.frame, "label", table.notes).class_counts["rare"] > 0


def test_a_workbook_renamed_csv_is_still_read_from_its_content(binary_frame):
    assert load_table(workbook(("Sheet1", binary_frame)), "upload.csv").frame.shape == binary_frame.shape


def test_formulas_give_their_saved_values(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "label"])
    for row in range(2, 8):
        sheet.append([row, f"=A{row}*2", "x" if row % 2 else "y"])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    table = load_table(path)  # never opened in Excel, so no saved values: the cells read as missing
    assert list(table.frame.columns) == ["a", "b", "label"]
    assert any("formulas give the values last saved" in note for note in table.notes)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"PK\x03\x04" + bytes(60),
            "looks like a zip archive \\(an Excel .xlsx file is one\\) but could not be opened",
        ),
        (None, "is a ZIP archive, not an Excel workbook or a table.*read as images"),
        (b"", "is empty"),
    ],
)
def test_broken_workbooks_and_other_zips_are_refused_with_what_to_do(raw, message):
    if raw is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("cat/1.png", b"\x89PNG")
        raw = buffer.getvalue()
    with pytest.raises(InputError, match=message):
        load_table(raw, "book.xlsx")


def test_a_workbook_shell_without_sheets_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError, match="could not be read as an Excel workbook.*save it again"):
        load_table(buffer.getvalue(), "shell.xlsx")


def test_a_table_profile_names_its_modality(binary_frame):
    assert profile(binary_frame, "label").to_dict()["modality"] == "table"
