"""The catalogue of bad and awkward uploads: what people really have, and what each must yield.

Every case is run through the loader (load_table + profile, plus a resample preview when a
technique is named), through the CLI (`profile`, plus `resample`), and through the dashboard
(an AppTest upload). An "ok" case must load and show `message` among its notes or warnings; an
"error" case must be refused with an ImbalanceLabError whose text contains `message` (the CLI
exits 2 with that line). Nothing may raise anything else, and nothing may hang.

docs/bad-inputs.md documents the same table; tests/core/test_bad_inputs.py checks the two agree.
"""

from __future__ import annotations

import gzip
import io
import pickle
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

# The file the pickle case would create if anything ever unpickled an upload.
PICKLE_MARKER_NAME = "imbalance-lab-unpickled-marker"
HTML_COLUMN = "<img src=x onerror=alert(1)>"
HTML_LABEL = "<script>alert('label')</script>"
FORMULA_LABEL = '=HYPERLINK("http://evil.example","click")'
BIDI_COLUMN = "\u202egnp.exe"  # shows as "exe.png" where bidirectional controls are obeyed
UPLOAD_LIMIT_MB = 200  # .streamlit/config.toml server.maxUploadSize


@dataclass(frozen=True)
class Case:
    """One upload: how to build its bytes and what it must yield."""

    id: str
    description: str
    build: Callable[[], bytes]
    outcome: Literal["ok", "error"]
    message: str  # a substring of a note/warning ("ok") or of the error ("error"); "" = no note needed
    yields: str  # what a person sees, in words (rendered in docs/bad-inputs.md)
    file_name: str = "upload.csv"
    target: str | None = "label"
    technique: str | None = None  # also preview this technique's resampling (no training)
    check: Callable[[pd.DataFrame, object], None] | None = None  # extra checks on (frame, profile) for "ok"
    fixed: str = ""  # what had to change in imbal_core for this case; empty when it already behaved
    slow_build: bool = False  # big payloads: AppTest uses them only where the size is the point

    def payload(self) -> bytes:
        return _payload(self.id)


@cache
def _payload(case_id: str) -> bytes:
    return BY_ID[case_id].build()


# --- builders -------------------------------------------------------------------------------------------------


def base_frame(rows: int = 80, minority: int = 16, seed: int = 0) -> pd.DataFrame:
    """A small, healthy table: two numbers, one category and a yes/no label (the minority is 'yes')."""
    rng = np.random.default_rng(seed)
    is_minority = np.zeros(rows, dtype=bool)
    is_minority[rng.choice(rows, size=minority, replace=False)] = True
    return pd.DataFrame(
        {
            "amount": np.round(rng.normal(size=rows) + 2.0 * is_minority, 3),
            "visits": rng.integers(0, 9, size=rows),
            "channel": rng.choice(["web", "shop", "phone"], size=rows),
            "label": np.where(is_minority, "yes", "no"),
        }
    )


def csv(frame: pd.DataFrame, **options) -> bytes:
    encoding = options.pop("encoding", "utf-8")
    return frame.to_csv(index=False, **options).encode(encoding)


def _with(**columns) -> Callable[[], bytes]:
    def build() -> bytes:
        frame = base_frame()
        for name, values in columns.items():
            frame.insert(frame.shape[1] - 1, name, values(frame) if callable(values) else values)
        return csv(frame)

    return build


def _labels(values: Callable[[pd.DataFrame], list], rows: int = 80) -> Callable[[], bytes]:
    def build() -> bytes:
        frame = base_frame(rows=rows)
        frame["label"] = values(frame)
        return csv(frame)

    return build


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(64)


def _xlsx() -> bytes:
    """The container of a real .xlsx (a zip of XML parts); enough for anything that sniffs it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    return buffer.getvalue()


class _Exploit:
    """Unpickling this would run `touch` on the marker file."""

    def __reduce__(self):
        import os

        return (os.system, (f"touch /tmp/{PICKLE_MARKER_NAME}",))


def _pickle(protocol: int) -> Callable[[], bytes]:
    return lambda: pickle.dumps(_Exploit(), protocol=protocol)


def _parquet_with_pickled_extension() -> bytes:
    """A Parquet file whose column claims pyarrow's pickle-based extension type, carrying the exploit."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = base_frame()
    metadata = {b"ARROW:extension:name": b"arrow.py_extension_type", b"ARROW:extension:metadata": _pickle(5)()}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [field.with_metadata(metadata) if field.name == "visits" else field for field in table.schema]
    buffer = io.BytesIO()
    pq.write_table(table.cast(pa.schema(fields, metadata=table.schema.metadata)), buffer)
    return buffer.getvalue()


def _semicolon_decimal_comma() -> bytes:
    text = csv(base_frame(), sep=";", decimal=",").decode()
    return text.encode("utf-8")


def _latin1() -> bytes:
    frame = base_frame().rename(columns={"channel": "catégorie"})
    frame["catégorie"] = frame["catégorie"].map({"web": "télé", "shop": "boutique", "phone": "café"})
    return csv(frame, encoding="latin-1")


def _utf16() -> bytes:
    """What Excel's "Unicode Text" export writes: UTF-16 LE with a BOM, tab-separated."""
    return base_frame().to_csv(index=False, sep="\t").encode("utf-16")


def _quoted_newlines() -> bytes:
    frame = base_frame()
    frame.insert(3, "comment", [f"first line {i % 5}\nsecond, with a comma" for i in range(len(frame))])
    return csv(frame)


def _duplicated_columns() -> bytes:
    frame = base_frame()
    text = csv(frame).decode()
    header, rest = text.split("\n", 1)
    return (header.replace("visits", "amount") + "\n" + rest).encode()


def _ragged() -> bytes:
    lines = csv(base_frame()).decode().splitlines()
    lines[5] += ",extra,fields"
    return ("\n".join(lines) + "\n").encode()


def _unclosed_quote() -> bytes:
    lines = csv(base_frame()).decode().splitlines()
    lines[3] = lines[3].replace(",web,", ',"web,').replace(",shop,", ',"shop,').replace(",phone,", ',"phone,')
    return ("\n".join(lines) + "\n").encode()


def _one_minority_row() -> bytes:
    frame = base_frame(minority=0)
    frame.loc[7, "label"] = "yes"
    return csv(frame)


def _multiclass_single_row_class() -> bytes:
    frame = base_frame()
    frame.loc[frame.index[:20], "label"] = "maybe"
    frame.loc[30, "label"] = "unknown"
    return csv(frame)


def _below_smote_k() -> bytes:
    return csv(base_frame(minority=4))


def _all_categorical() -> bytes:
    rng = np.random.default_rng(1)
    frame = base_frame()
    frame["amount"] = rng.choice(["low", "mid", "high"], size=len(frame))
    frame["visits"] = rng.choice(["new", "returning"], size=len(frame))
    return csv(frame)


def _very_long_strings() -> bytes:
    frame = base_frame()
    long_name = "a very long column name " * 40
    frame.insert(3, long_name.strip(), [f"{i:03d}" + "x" * 20_000 for i in range(len(frame))])
    frame.insert(3, "essay", [("lorem ipsum " * 2_000) + str(i % 3) for i in range(len(frame))])
    return csv(frame)


def _five_thousand_columns() -> bytes:
    rng = np.random.default_rng(2)
    rows = 60
    values = np.round(rng.normal(size=(rows, 5000)), 2)
    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(5000)])
    frame["label"] = np.where(np.arange(rows) % 5 == 0, "yes", "no")
    return csv(frame)


def _over_upload_limit() -> bytes:
    """Just over the dashboard's upload limit: repeated blocks of a healthy table (fast to build)."""
    block = csv(base_frame(rows=2000)).decode().split("\n", 1)[1].encode()
    header = b"amount,visits,channel,label\n"
    repeats = (UPLOAD_LIMIT_MB * 1024 * 1024) // len(block) + 2
    return header + block * repeats


def _inf() -> bytes:
    frame = base_frame()
    frame["amount"] = frame["amount"].astype(object)
    frame.loc[[3, 9], "amount"] = "inf"
    frame.loc[[4], "amount"] = "-inf"
    return csv(frame)


def _scaled(factor: float, rows: int = 80) -> Callable[[], bytes]:
    """The healthy table with `amount` multiplied by `factor` (1e300: finite in float64, but its variance is not)."""

    def build() -> bytes:
        frame = base_frame(rows=rows)
        frame["amount"] = frame["amount"] * factor
        return csv(frame)

    return build


def _one_huge_value(value: float) -> Callable[[], bytes]:
    """One cell of `amount` set to `value` (an outlier or a sentinel such as 1e308), the rest healthy."""

    def build() -> bytes:
        frame = base_frame()
        frame["amount"] = frame["amount"].astype(float)
        frame.loc[5, "amount"] = value
        return csv(frame)

    return build


def _only_inf_column() -> bytes:
    frame = base_frame()
    frame.insert(2, "ratio", ["inf"] * len(frame))
    return csv(frame)


def _too_many_columns() -> bytes:
    """A 6.7 MB-style wide file: 100,000 columns of small numbers (the issue's stall), built as text quickly."""
    columns = 100_000
    header = ",".join(f"c{index}" for index in range(columns)) + ",label\n"
    rows = "".join(",".join(["1"] * columns) + (",yes\n" if row % 5 == 0 else ",no\n") for row in range(10))
    return (header + rows).encode()


def _huge_cell() -> bytes:
    """One 5 MB cell (the issue's was 50 MB) in an otherwise healthy table."""
    frame = base_frame()
    frame.insert(3, "comment", "short")
    frame.loc[7, "comment"] = "x" * (5 * 1024 * 1024)
    return csv(frame)


def _bidi_column() -> bytes:
    """A column named gnp.exe behind a right-to-left override (U+202E): it displays as exe.png."""
    return csv(base_frame().rename(columns={"channel": BIDI_COLUMN}))


def _garbage() -> bytes:
    return np.random.default_rng(3).integers(0, 256, size=4096, dtype=np.uint8).tobytes()


def _corrupt_parquet() -> bytes:
    return b"PAR1" + bytes(range(256)) * 4 + b"PAR1"


def _parquet_nested(**columns: Callable[[int], list]) -> Callable[[], bytes]:
    """The base table as Parquet with extra columns of nested values (lists, records, maps) built per row."""

    def build() -> bytes:
        frame = base_frame()
        for name, values in columns.items():
            frame.insert(1, name, values(len(frame)))
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        return buffer.getvalue()

    return build


def _html_and_formulas() -> bytes:
    frame = base_frame()
    frame = frame.rename(columns={"channel": HTML_COLUMN})
    frame["label"] = frame["label"].map({"yes": HTML_LABEL, "no": FORMULA_LABEL})
    frame.insert(2, "note", ["@SUM(A1:A9)", "+1+cmd|' /C calc'!A0", "-2+3", "plain"] * 20)
    return csv(frame)


def _check_columns(*names: str) -> Callable[[pd.DataFrame, object], None]:
    def check(frame: pd.DataFrame, profile) -> None:
        assert list(frame.columns)[: len(names)] == list(names), list(frame.columns)

    return check


def _check_classes(*labels: str) -> Callable[[pd.DataFrame, object], None]:
    def check(frame: pd.DataFrame, profile) -> None:
        assert sorted(profile.class_counts) == sorted(labels), profile.class_counts

    return check


def _check_semicolon(frame: pd.DataFrame, profile) -> None:
    assert pd.api.types.is_float_dtype(frame["amount"]), frame["amount"].head()
    assert "amount" in profile.numeric_columns


def _check_quoted_newlines(frame: pd.DataFrame, profile) -> None:
    assert len(frame) == 80
    assert frame["comment"].str.contains("\n").all()


def _check_utf16(frame: pd.DataFrame, profile) -> None:
    assert list(frame.columns) == ["amount", "visits", "channel", "label"]
    assert profile.class_counts == {"no": 64, "yes": 16}


def _check_latin1(frame: pd.DataFrame, profile) -> None:
    assert "catégorie" in frame.columns
    assert set(frame["catégorie"]) == {"télé", "boutique", "café"}


def _check_five_thousand(frame: pd.DataFrame, profile) -> None:
    assert profile.features == 5000


def _check_big(frame: pd.DataFrame, profile) -> None:
    assert len(frame) > 1_000_000


def _check_long_strings(frame: pd.DataFrame, profile) -> None:
    assert max(len(column) for column in frame.columns) > 900


def _check_html(frame: pd.DataFrame, profile) -> None:
    assert HTML_COLUMN in frame.columns
    assert set(profile.class_counts) == {HTML_LABEL, FORMULA_LABEL}


CASES: list[Case] = [
    # --- files that are not tables ---
    Case(
        "empty",
        "An empty file (0 bytes)",
        lambda: b"",
        "error",
        "is empty",
        "Refused: the file is empty; upload a CSV, TSV or Parquet file with a header row and data rows.",
    ),
    Case(
        "whitespace_only",
        "Only blank lines and spaces",
        lambda: b"  \n\n \r\n\t\n",
        "error",
        "is empty",
        "Refused as empty.",
    ),
    Case(
        "header_only",
        "A header row and no data rows",
        lambda: b"amount,channel,label\n",
        "error",
        "no data rows",
        "Refused: a header but no data rows.",
    ),
    Case("binary_garbage", "4 KB of random bytes", _garbage, "error", "binary data", "Refused: binary data, not text."),
    Case(
        "png_renamed",
        "A PNG image renamed .csv",
        _png,
        "error",
        "PNG image",
        "Refused: looks like a PNG image; save the table as CSV or Parquet.",
    ),
    Case(
        "jpeg_renamed",
        "A JPEG photo renamed .csv",
        lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100),
        "error",
        "JPEG image",
        "Refused: looks like a JPEG image.",
    ),
    Case(
        "xlsx_renamed",
        "An Excel .xlsx workbook renamed .csv",
        _xlsx,
        "error",
        "Excel",
        "Read as Excel by its content; this workbook has no sheets, so refused: save it again as .xlsx or CSV.",
    ),
    Case(
        "xls_renamed",
        "An old Excel .xls workbook renamed .csv",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "error",
        "old Excel",
        "Refused: looks like an old Excel/Office file.",
    ),
    Case(
        "pdf_renamed",
        "A PDF renamed .csv",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        "error",
        "PDF",
        "Refused: looks like a PDF document.",
    ),
    Case(
        "gzip_renamed",
        "A gzipped CSV renamed .csv",
        lambda: gzip.compress(csv(base_frame()), mtime=0),
        "error",
        "gzip",
        "Refused: looks like a gzip archive; unpack it first.",
    ),
    Case(
        "pickle_binary",
        "A malicious pickle (protocol 5) uploaded as model.pkl",
        _pickle(5),
        "error",
        "binary data",
        "Refused as binary data; never unpickled (the payload would create a marker file).",
        file_name="model.pkl",
    ),
    Case(
        "pickle_text",
        "A malicious text pickle (protocol 0) renamed .csv",
        _pickle(0),
        "error",
        "only one column",
        "Read as text (one column), so refused: a table needs a target and a feature column. Never unpickled.",
    ),
    Case(
        "parquet_pickled_extension",
        "Parquet whose column metadata carries a pickle (pyarrow extension type)",
        _parquet_with_pickled_extension,
        "ok",
        "",
        "Loaded as plain numbers; the pickle is never loaded.",
        file_name="data.parquet",
        check=_check_columns("amount", "visits"),
    ),
    Case(
        "corrupt_parquet",
        "A truncated/corrupt Parquet file",
        _corrupt_parquet,
        "error",
        "could not be read as Parquet",
        "Refused: could not be read as Parquet; check the file is complete or upload CSV.",
        file_name="x.parquet",
    ),
    # --- text encodings and CSV dialects ---
    Case(
        "semicolon_decimal_comma",
        "European CSV: ';' delimiter and decimal commas (1,5)",
        _semicolon_decimal_comma,
        "ok",
        "Decimal commas",
        "Loaded; notes that ';' was detected and that decimal commas were read as numbers.",
        check=_check_semicolon,
        fixed="Decimal commas were read as text, so numeric columns became categories or were dropped as "
        "ID-like; ';'-separated files whose fields look like 1,5 are now read with decimal=','.",
    ),
    Case(
        "tab_named_csv",
        "Tab-separated values in a file named .csv",
        lambda: csv(base_frame(), sep="\t"),
        "ok",
        "",
        "Loaded; the tab delimiter is detected.",
        check=_check_columns("amount", "visits", "channel", "label"),
    ),
    Case(
        "latin1_accents",
        "Windows-1252/Latin-1 accents in a column name and values",
        _latin1,
        "ok",
        "not UTF-8",
        "Loaded; notes that the file was read as Windows-1252 (Latin-1).",
        check=_check_latin1,
    ),
    Case(
        "utf8_bom",
        "A UTF-8 byte-order mark (Excel's 'CSV UTF-8')",
        lambda: b"\xef\xbb\xbf" + csv(base_frame()),
        "ok",
        "",
        "Loaded; the BOM is removed silently (the first column name is clean).",
        check=_check_columns("amount", "visits"),
    ),
    Case(
        "utf16_excel_unicode_text",
        "Excel 'Unicode Text': UTF-16 with a BOM, tab-separated",
        _utf16,
        "ok",
        "UTF-16",
        "Loaded; notes that the file was read as UTF-16.",
        check=_check_utf16,
        fixed="Was refused as 'binary data' (UTF-16 has zero bytes); a UTF-16 byte-order mark is now decoded.",
    ),
    Case(
        "cr_line_endings",
        "Old Mac line endings (a lone \\r between rows)",
        lambda: csv(base_frame()).replace(b"\n", b"\r"),
        "ok",
        "",
        "Loaded; the rows are split correctly.",
        check=_check_classes("yes", "no"),
        fixed="Crashed with the csv module's 'new-line character seen in unquoted field' (found by the "
        "property tests); the header is now read in universal-newline mode.",
    ),
    Case(
        "quoted_newlines",
        "Quoted cells containing newlines and commas",
        _quoted_newlines,
        "ok",
        "",
        "Loaded; multi-line cells stay one cell, the row count is right.",
        check=_check_quoted_newlines,
    ),
    Case(
        "duplicated_columns",
        "Two columns with the same name",
        _duplicated_columns,
        "ok",
        "Duplicated column names",
        "Loaded; the second is renamed 'amount.1' with a note.",
    ),
    Case(
        "ragged_rows",
        "A row with more fields than the header",
        _ragged,
        "error",
        "could not be parsed",
        "Refused: says which line has too many fields and to check fields and quotes.",
    ),
    Case(
        "unclosed_quote",
        "A quote that is never closed",
        _unclosed_quote,
        "error",
        "could not be parsed",
        "Refused: could not be parsed; check that quotes are closed.",
    ),
    # --- the target column ---
    Case(
        "target_one_class",
        "The target has a single class",
        _labels(lambda f: ["no"] * len(f)),
        "error",
        "only one class",
        "Refused: only one class; pick another column.",
    ),
    Case(
        "target_missing_rows",
        "The target is missing in 5 rows",
        _labels(lambda f: [None if i in (1, 2, 3, 40, 41) else v for i, v in enumerate(f["label"])]),
        "ok",
        "5 rows with a missing 'label' were dropped",
        "Loaded; those rows are dropped and the note says how many.",
    ),
    Case(
        "target_all_missing",
        "The target column is empty in every row",
        _labels(lambda f: [None] * len(f)),
        "error",
        "empty in every row",
        "Refused: the target is empty in every row.",
    ),
    Case(
        "continuous_target",
        "A continuous float target (a regression problem)",
        _labels(lambda f: np.round(np.linspace(0, 1, len(f)) ** 2, 4)),
        "error",
        "continuous numbers",
        "Refused: continuous numbers; pick class labels or bin the values first.",
        fixed="The example value in the message was the first value (here 0, a whole number); it is now the "
        "first value with a fractional part.",
    ),
    Case(
        "target_200_values",
        "A target with 200 distinct values",
        _labels(lambda f: [f"c{i % 200}" for i in range(len(f))], rows=400),
        "error",
        "200 distinct values",
        "Refused: at most 20 classes; group the values.",
    ),
    Case(
        "one_minority_row",
        "Binary target whose minority has one row",
        _one_minority_row,
        "error",
        "has only 1 row",
        "Refused: a stratified split needs at least 2 rows of every class.",
    ),
    Case(
        "multiclass_single_row_class",
        "Three classes plus a class with one row",
        _multiclass_single_row_class,
        "ok",
        "Classes with a single row were dropped",
        "Loaded; the one-row class is dropped with a note.",
    ),
    Case(
        "minority_below_smote_k",
        "4 minority rows: fewer than SMOTE's k + 1 = 6",
        _below_smote_k,
        "ok",
        "k_neighbors lowered",
        "Loaded with a warning; SMOTE's k is lowered to what the fold allows, with a note.",
        technique="smote",
    ),
    Case(
        "boolean_target",
        "A True/False target",
        _labels(lambda f: (f["label"] == "yes").tolist()),
        "ok",
        "",
        "Loaded; classes are 'True' and 'False'.",
        check=_check_classes("True", "False"),
    ),
    Case(
        "numeric_target_minus_one",
        "A -1/1 target",
        _labels(lambda f: np.where(f["label"] == "yes", -1, 1)),
        "ok",
        "",
        "Loaded; classes are '-1' and '1' (and stay numbers in exported CSVs).",
        check=_check_classes("-1", "1"),
        fixed="Exported CSVs (resampled rows) wrote the label -1 as '-1 with a quote: formula neutralising now "
        "leaves plain signed numbers alone.",
    ),
    Case(
        "whitespace_padded_labels",
        "Labels with spaces around them (' yes', 'no ')",
        _labels(lambda f: [f" {v}" if i % 2 else f"{v}  " for i, v in enumerate(f["label"])]),
        "ok",
        "Spaces around",
        "Loaded; labels are stripped to 'yes'/'no' with a note.",
        check=_check_classes("yes", "no"),
        fixed="Stripping was silent; it now adds a note saying how many labels had spaces removed.",
    ),
    Case(
        "mixed_case_labels",
        "Labels 'Yes' and 'yes' (mixed-case duplicates)",
        _labels(lambda f: ["Yes" if v == "yes" and i % 3 == 0 else v for i, v in enumerate(f["label"])]),
        "ok",
        "letter case",
        "Loaded; case variants are merged into the commonest spelling with a note.",
        check=_check_classes("yes", "no"),
    ),
    # --- feature columns ---
    Case(
        "all_categorical",
        "Every feature is text (categorical)",
        _all_categorical,
        "ok",
        "SMOTEN",
        "Loaded; SMOTE uses SMOTEN for all-categorical data, with a note.",
        technique="smote",
    ),
    Case(
        "high_cardinality_id",
        "A text ID column (a different value per row)",
        _with(customer=lambda f: [f"C{i:05d}" for i in range(len(f))]),
        "ok",
        "ID-like",
        "Loaded; the column is not used as a feature ('ID-like'), shown as a warning.",
    ),
    Case(
        "integer_id",
        "An integer row-number column named id",
        _with(id=lambda f: list(range(len(f)))),
        "ok",
        "ID-like: a unique integer per row",
        "Loaded; the column is not used as a feature, with the reason.",
    ),
    Case(
        "constant_column",
        "A column with the same value in every row",
        _with(country=lambda f: ["NL"] * len(f)),
        "ok",
        "constant",
        "Loaded; the constant column is not used, with the reason.",
    ),
    Case(
        "all_missing_column",
        "A feature column that is empty in every row",
        _with(empty=lambda f: [None] * len(f)),
        "ok",
        "every value is missing",
        "Loaded; the empty column is not used, with the reason.",
    ),
    Case(
        "trailing_delimiter",
        "Every line ends with an extra comma",
        lambda: b"\n".join(line + b"," for line in csv(base_frame()).splitlines()) + b"\n",
        "ok",
        "every value is missing",
        "Loaded; the unnamed empty last column is not used, with the reason.",
    ),
    Case(
        "inf_values",
        "inf and -inf in a numeric column",
        _inf,
        "ok",
        "3 infinite values",
        "Loaded; infinities become missing values (imputed from training rows) with a note.",
    ),
    Case(
        "only_inf_column",
        "A numeric column holding only inf",
        _only_inf_column,
        "ok",
        "every value is missing",
        "Loaded; the infinities become missing values (with a note), so the column is not used, with the reason.",
    ),
    Case(
        "huge_numbers_1e300",
        "A numeric column multiplied by 1e300 (finite, but its variance overflows)",
        _scaled(1e300),
        "error",
        "too large to compute with",
        "Refused at load time, naming the column, its largest value and the limit (3.4e+38); rescale or remove it.",
        technique="smote",
        fixed="compare with SMOTE exited 1 with scikit-learn's 'Input X contains NaN' traceback (scaling overflowed "
        "to inf); numbers beyond float32's range are now refused when the file is read.",
    ),
    Case(
        "huge_numbers_1e308",
        "One cell of 1e308 (near float64's largest number) in a numeric column",
        _one_huge_value(1e308),
        "error",
        "too large to compute with",
        "Refused at load time, naming the column: a sentinel like 1e308 should be made empty (missing) instead.",
        fixed="Was accepted, and scaling the column overflowed to inf/NaN in training.",
    ),
    Case(
        "huge_negative_1e308",
        "One cell of -1e308 in a numeric column",
        _one_huge_value(-1e308),
        "error",
        "too large to compute with",
        "Refused at load time, naming the column and the limit.",
        fixed="Was accepted, and scaling the column overflowed to inf/NaN in training.",
    ),
    Case(
        "beyond_float32",
        "A column near 1e39: finite in float64, beyond float32 (the networks' precision)",
        _scaled(1e39),
        "error",
        "too large to compute with",
        "Refused at load time: the limit is float32's largest number, about 3.4e+38.",
        fixed="Was accepted although the networks compute in float32.",
    ),
    Case(
        "large_but_within_float32",
        "A column near 1e37 (large, but within float32's range)",
        _scaled(1e37),
        "ok",
        "",
        "Loaded; scaling keeps every value finite, and resampling runs.",
        technique="smote",
    ),
    Case(
        "numbers_and_text",
        "A numeric column with a few text values ('n/a', 'unknown')",
        _with(weight=lambda f: ["n/a" if i == 5 else "unknown" if i == 50 else str(i % 13) for i in range(len(f))]),
        "ok",
        "Mostly numeric columns",
        "Loaded; read as numbers, the text becomes missing, with a note.",
    ),
    Case(
        "date_column",
        "A date column",
        _with(signup=lambda f: [f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}" for i in range(len(f))]),
        "ok",
        "dates are not used",
        "Loaded; the date column is not used as a feature, with the reason.",
    ),
    Case(
        "very_long_strings",
        "20,000-character cells and a 1,000-character column name",
        _very_long_strings,
        "ok",
        "ID-like",
        "Loaded; the unique long-text column is not used ('ID-like'); nothing hangs.",
        check=_check_long_strings,
    ),
    Case(
        "html_and_formulas",
        "HTML in a column name and a label; formula-like cells (=, +, -, @)",
        _html_and_formulas,
        "ok",
        "",
        "Loaded as plain text; shown escaped, never as HTML; exported CSV cells are neutralised with a leading quote.",
        check=_check_html,
    ),
    Case(
        "no_usable_features",
        "The only feature is constant",
        lambda: csv(base_frame()[["label"]].assign(k=1)),
        "error",
        "No usable feature columns",
        "Profiles, but a comparison or resampling is refused: no usable feature columns, with the reasons.",
        technique="random_over",
    ),
    # --- sizes ---
    Case(
        "one_row",
        "A single data row",
        lambda: csv(base_frame().head(1)),
        "error",
        "only 1 data row",
        "Refused: only 1 data row; at least 2 rows of each class are needed.",
        fixed="Said 'only one class; pick another column', which sends a person to the wrong fix.",
    ),
    Case(
        "only_target_column",
        "Only the target column",
        lambda: csv(base_frame()[["label"]]),
        "error",
        "only one column",
        "Refused: a table needs a target and at least one feature column; check the delimiter.",
    ),
    Case(
        "five_thousand_columns",
        "60 rows x 5,000 numeric columns",
        _five_thousand_columns,
        "ok",
        "",
        "Loaded in about a second; all 5,000 columns are features.",
        check=_check_five_thousand,
        fixed="The duplicated-name check was quadratic (25 million string operations here; a 50,000-column "
        "header would hang); it is now linear.",
    ),
    Case(
        "too_many_columns",
        "100,000 columns (a 6.7 MB file that stalled the server)",
        _too_many_columns,
        "error",
        "more than the 10,000 columns",
        "Refused from the header line, before the table is parsed: names the count and the limit; keep the columns "
        "that matter or upload fewer.",
        fixed="Was parsed and profiled column by column: the health check stayed over 1 s for minutes and the "
        "uploader's browser froze; the column count is now checked from the header first.",
    ),
    Case(
        "huge_cell",
        "One 5 MB cell in a text column",
        _huge_cell,
        "error",
        "more than the 100,000 characters",
        "Refused before the table is parsed: says how long the cell is, and the limit per cell.",
        fixed="Was parsed and profiled (a 50 MB cell took the server from 1.8 to 5.15 GB); cell lengths are now "
        "measured on the raw bytes first.",
    ),
    Case(
        "bidi_column_name",
        "A column named gnp.exe behind a right-to-left override (U+202E), shown as exe.png",
        _bidi_column,
        "ok",
        "",
        "Loaded; on the pages the control is written out as [U+202E], so the name reads as it is stored.",
        fixed="The override was obeyed on the page, so the column appeared as exe.png.",
    ),
    Case(
        "over_upload_limit",
        f"A {UPLOAD_LIMIT_MB + 1} MB CSV (over the dashboard's upload limit)",
        _over_upload_limit,
        "ok",
        "",
        f"Dashboard: Streamlit refuses it in the browser (maxUploadSize = "
        f"{UPLOAD_LIMIT_MB} MB in .streamlit/config.toml). Loader and CLI (no limit): loaded.",
        check=_check_big,
        slow_build=True,
    ),
    Case(
        "parquet_list_column",
        "Parquet with a column of lists (tags per row)",
        _parquet_nested(tags=lambda rows: [[index % 3, index % 5] for index in range(rows)]),
        "error",
        "column 'tags' holds lists; expected plain values",
        "Refused: the column holds lists; flatten it or drop it (was a TypeError 'unhashable type').",
        file_name="nested.parquet",
        fixed="Loaded, then the profile failed with 'TypeError: unhashable type'; Parquet's nested types are now "
        "refused from the schema, naming the column.",
    ),
    Case(
        "parquet_struct_column",
        "Parquet with a column of records ({'city': ..., 'zip': ...} per row)",
        _parquet_nested(address=lambda rows: [{"city": f"c{index % 4}", "zip": index} for index in range(rows)]),
        "error",
        "column 'address' holds records",
        "Refused: the column holds records (groups of named fields); flatten it into columns.",
        file_name="nested.parquet",
        fixed="As the list column: 'unhashable type', now refused with a sentence.",
    ),
]


# --- free text: a column of messages (issue 14) -------------------------------------------------------------

WORDS = ("free", "prize", "call", "now", "meeting", "lunch", "tomorrow", "thanks", "winner", "claim", "see", "later")
LONG_MESSAGE_CHARACTERS = 20_000
FAMILY_EMOJI = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl joined by zero-width joiners
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
MIXED_SCRIPT_MESSAGES = (
    "Hello друг, مرحبا بك في المدينة",
    f"Привет {FAMILY_EMOJI} family dinner",
    "免费领取奖品 \U0001f389 free prize",
    "東京で会いましょう \U0001f600 see you",
    f"Win приз now {RAINBOW_FLAG} كلام جميل \U0001f44d\U0001f3fd",
)
EMOJI = (
    "\U0001f44d",
    "\U0001f389",
    "\U0001f600",
    "\u2764\ufe0f",
    FAMILY_EMOJI,
    RAINBOW_FLAG,
    "\U0001f4b0",
    "\U0001f525",
)
CJK_MESSAGES = ("明天一起吃午饭吧", "恭喜您中奖了请回电", "会議は三時からです", "免费领取大奖")


def _with_text(messages: Callable[[pd.DataFrame, np.random.Generator], list], name: str = "message"):
    """The healthy table with a text column (built from the frame and a seeded generator) before the label."""

    def build() -> bytes:
        frame = base_frame()
        frame.insert(3, name, messages(frame, np.random.default_rng(7)))
        return csv(frame)

    return build


def _some_words(rng: np.random.Generator, count: int) -> str:
    return " ".join(rng.choice(WORDS, size=count))


def _mostly_empty(frame: pd.DataFrame, rng: np.random.Generator) -> list:
    """A note written for one row in eight (10 of 80), the rest left empty."""
    return [f"{_some_words(rng, 5)} {index}" if index % 8 == 0 else None for index in range(len(frame))]


def _long_message(rng: np.random.Generator, index: int) -> str:
    """20,000 characters of words with the punctuation CSV must quote: commas, semicolons, double quotes."""
    pieces = [*WORDS, "offer,", "now;", '"really"', "a\nnew line"]
    text = " ".join(rng.choice(pieces, size=LONG_MESSAGE_CHARACTERS // 4))[:LONG_MESSAGE_CHARACTERS]
    return f"{index} {text}"


def _emoji_only(frame: pd.DataFrame, rng: np.random.Generator) -> list:
    return [" ".join(rng.choice(EMOJI, size=6)) for _ in range(len(frame))]


def _check_text_column(name: str, *more: Callable[[pd.Series], None]) -> Callable[[pd.DataFrame, object], None]:
    """The column is typed as text (the Data page's table says so), plus checks on its values as read."""

    def check(frame: pd.DataFrame, profile) -> None:
        assert profile.text_columns == [name], profile.column_types()
        assert (name, "text") in [(column, kind) for column, kind, _ in profile.column_types()]
        for extra in more:
            extra(frame[name])

    return check


def _ten_of_eighty(values: pd.Series) -> None:
    assert values.notna().sum() == 10 and values.isna().sum() == 70


def _check_mostly_empty(frame: pd.DataFrame, profile) -> None:
    _check_text_column("note", _ten_of_eighty)(frame, profile)
    assert not any("imputed" in warning for warning in profile.warnings), profile.warnings  # empty text is not


def _twenty_thousand_characters(values: pd.Series) -> None:
    assert values.str.len().min() > LONG_MESSAGE_CHARACTERS
    assert values.str.contains('"really"', regex=False).all()  # quotes inside quoted fields survive


def _joined_emoji_intact(values: pd.Series) -> None:
    assert values.str.contains(FAMILY_EMOJI, regex=False).sum() == 16
    assert values.str.contains(RAINBOW_FLAG, regex=False).sum() == 16


TEXT_CASES: list[Case] = [
    Case(
        "text_mostly_empty",
        "A text column empty in 70 of 80 rows",
        _with_text(_mostly_empty, name="note"),
        "ok",
        "Empty text is read as a message with no words",
        "Loaded; the column is text (bag of words), an empty row counts as a message with no words, and a note "
        "says how many rows are empty.",
        check=_check_mostly_empty,
        fixed="The 10 messages were typed as a category each (free text needed more than 30 distinct values), "
        "a warning said the empty rows were imputed, and a training fold whose rows held no words stopped with "
        "scikit-learn's 'empty vocabulary' error.",
    ),
    Case(
        "text_very_long_messages",
        "20,000-character messages (with commas, quotes and newlines) in a text column",
        _with_text(lambda frame, rng: [_long_message(rng, index) for index in range(len(frame))]),
        "ok",
        "Free-text columns become bag-of-words features",
        "Loaded in well under a second; the column is text; nothing hangs.",
        check=_check_text_column("message", _twenty_thousand_characters),
    ),
    Case(
        "text_mixed_scripts",
        "Messages mixing Latin, Cyrillic, Arabic, Chinese, Japanese and emoji (with skin tones, ZWJ families, flags)",
        _with_text(lambda frame, rng: [f"{MIXED_SCRIPT_MESSAGES[i % 5]} {i}" for i in range(len(frame))]),
        "ok",
        "Free-text columns become bag-of-words features",
        "Loaded unchanged (joined emoji intact); the column is text; emoji and each Chinese/Japanese character "
        "count as words.",
        check=_check_text_column("message", _joined_emoji_intact),
        fixed="Emoji were not words (scikit-learn's default token pattern skips them) and a run of Chinese "
        "characters was one word; now each emoji, with its joiners, and each Chinese/Japanese character is one.",
    ),
    Case(
        "text_without_spaces",
        "Chinese and Japanese messages (no spaces between words)",
        _with_text(lambda frame, rng: [f"{CJK_MESSAGES[i % 4]}{i}" for i in range(len(frame))]),
        "ok",
        "Free-text columns become bag-of-words features",
        "Loaded; the column is text, read one character (and character pair) at a time.",
        check=_check_text_column("message"),
        fixed="Dropped as 'ID-like': words were counted by spaces, so each message was one word.",
    ),
    Case(
        "text_emoji_only",
        "Messages made only of emoji",
        _with_text(_emoji_only),
        "ok",
        "",
        "Loaded; the column is text and every emoji is a word; resampling and training work.",
        technique="random_over",
        check=_check_text_column("message"),
        fixed="The resampling preview and training failed with scikit-learn's 'empty vocabulary' error (emoji "
        "were not words).",
    ),
]
CASES += TEXT_CASES


# --- images: ZIPs whose top-level folders are the classes (issue 14) -----------------------------------------


def _image(size: tuple[int, int] = (8, 8), mode: str = "L", value=128) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    if mode == "I;16":
        Image.fromarray(np.full(size[::-1], value, dtype=np.uint16)).save(buffer, format="PNG")
    else:
        Image.new(mode, size, value).save(buffer, format="PNG")
    return buffer.getvalue()


def _image_files(common: int = 12, rare: int = 4) -> dict[str, bytes]:
    files = {f"cat/{index:03d}.png": _image(value=40) for index in range(common)}
    files.update({f"dog/{index:03d}.png": _image(value=200) for index in range(rare)})
    return files


def _zip(files: dict[str, bytes], folders: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            archive.writestr(folder, b"")
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _images_with(**extra: bytes) -> Callable[[], bytes]:
    """The healthy class folders plus entries named by keyword (`__` stands for `/`, `_dot_` for `.`)."""

    def build() -> bytes:
        files = _image_files()
        files.update({name.replace("__", "/").replace("_dot_", "."): data for name, data in extra.items()})
        return _zip(files)

    return build


def _declared_bomb() -> bytes:
    """A ZIP whose central directory says one entry unpacks to 600 MB, as a real bomb's does."""
    raw = bytearray(_zip(_image_files()))
    central = raw.rfind(b"PK\x01\x02")  # the last entry's central-directory header
    raw[central + 24 : central + 28] = (600 * 1024 * 1024).to_bytes(4, "little")
    return bytes(raw)


def _many_files() -> bytes:
    files = _image_files()
    files.update({f"cat/empty_{index:05d}.txt": b"" for index in range(20_001)})
    return _zip(files)


def _renamed_non_utf8() -> bytes:
    files = _image_files()
    files.update({f"cafXX/{index}.png": _image() for index in range(3)})
    return _zip(files).replace(b"cafXX", b"caf\xe9\xe9")  # Latin-1 bytes, no UTF-8 flag


def _truncated_image() -> bytes:
    files = _image_files()
    whole = _image(size=(32, 32), mode="RGB", value=(1, 2, 3))
    files["dog/truncated.png"] = whole[: len(whole) // 2]
    return _zip(files)


def _mixed_images() -> bytes:
    files = _image_files()
    files.update(
        {
            "cat/big.png": _image(size=(16, 12)),
            "cat/deep.png": _image(mode="I;16", value=65535),
            "dog/colour.png": _image(mode="RGB", value=(200, 10, 10)),
            "dog/transparent.png": _image(mode="RGBA", value=(0, 0, 0, 0)),
        }
    )
    return _zip(files)


IMAGE_CASES: list[Case] = [
    Case(
        "zip_bomb",
        "A ZIP of images that says it unpacks to 600 MB (a ZIP bomb)",
        _declared_bomb,
        "error",
        "the limit is 500 MB",
        "Refused before unpacking, naming the limits (20,000 files, 500 MB unpacked).",
    ),
    Case(
        "zip_too_many_files",
        "A ZIP with 20,017 entries",
        _many_files,
        "error",
        "the limit is 20,000",
        "Refused before unpacking: too many files; upload a sample of each class.",
        slow_build=True,
    ),
    Case(
        "zip_path_traversal",
        "A ZIP with an entry ../evil.png",
        _images_with(**{"..__evil_dot_png": b"x"}),
        "error",
        "points outside the archive's folder",
        "Refused for safety: a path leaves the archive's folder.",
    ),
    Case(
        "zip_absolute_path",
        "A ZIP with an entry /etc/cat/1.png",
        lambda: _zip({**_image_files(), "/etc/cat/1.png": _image()}),
        "error",
        "points outside the archive's folder",
        "Refused for safety: an absolute path.",
    ),
    Case(
        "zip_nested_folders",
        "Class folders with sub-folders (cat/indoor/1.png)",
        _images_with(cat__indoor__001_dot_png=_image()),
        "error",
        "nested folders",
        "Refused: says which file is nested and to move images up or make each sub-folder a class.",
    ),
    Case(
        "zip_single_class",
        "A ZIP with one class folder",
        lambda: _zip({f"cat/{index}.png": _image() for index in range(6)}),
        "error",
        "only one class folder",
        "Refused: imbalance needs at least two classes.",
    ),
    Case(
        "zip_no_images",
        "A ZIP of class folders holding only text files",
        lambda: _zip({"cat/a.txt": b"1", "dog/b.txt": b"2"}),
        "error",
        "no PNG, JPEG, BMP or GIF images",
        "Refused: no images inside class folders.",
    ),
    Case(
        "zip_not_an_image",
        "A text file named dog/fake.png",
        _images_with(dog__fake_dot_png=b"this is text"),
        "error",
        "dog/fake.png is not a PNG, JPEG, BMP or GIF image",
        "Refused, naming the file: remove or replace it.",
    ),
    Case(
        "zip_truncated_image",
        "A PNG cut in half",
        _truncated_image,
        "error",
        "dog/truncated.png is corrupt or truncated",
        "Refused, naming the file: remove or replace it.",
    ),
    Case(
        "zip_non_utf8_names",
        "A folder name stored in Latin-1 without the UTF-8 flag",
        _renamed_non_utf8,
        "error",
        "legacy encoding, not UTF-8",
        "Refused: the class name cannot be read reliably; rename with plain letters or re-zip with UTF-8 names.",
    ),
    Case(
        "zip_mixed_sizes_and_modes",
        "Images of two sizes, 16-bit, RGB and transparent RGBA",
        _mixed_images,
        "ok",
        "images were resized to 8x8",
        "Loaded: all resized to the most common size, colour kept (3 channels), 16-bit scaled, transparency on "
        "white; each said in a note.",
    ),
    Case(
        "zip_hidden_files",
        "__MACOSX/, .DS_Store and Thumbs.db beside the images",
        lambda: _zip(
            {
                **_image_files(),
                "__MACOSX/cat/._001.png": b"\x00\x05\x16\x07",
                "cat/.DS_Store": b"Bud1",
                "dog/Thumbs.db": b"\xd0\xcf",
            }
        ),
        "ok",
        "hidden or system files",
        "Loaded; the system files are skipped with a note.",
    ),
    Case(
        "zip_empty_folder",
        "An empty class folder bird/ beside two full ones",
        lambda: _zip(_image_files(), folders=("bird/",)),
        "ok",
        "Folders without images were left out: bird/",
        "Loaded with the two classes that have images; the empty folder is named in a note.",
    ),
    Case(
        "zip_wrapped_in_a_folder",
        "Class folders inside one top folder (pets/cat/1.png)",
        lambda: _zip({f"pets/{name}": data for name, data in _image_files().items()}),
        "ok",
        "its sub-folders were used as the classes",
        "Loaded: the wrapping folder is looked into.",
    ),
]
for _case in IMAGE_CASES:  # every image case is an upload named like a ZIP with the folder as the class
    object.__setattr__(_case, "file_name", "images.zip")
    object.__setattr__(_case, "target", "class")
CASES += IMAGE_CASES

BY_ID: dict[str, Case] = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


# --- running a case through the engine ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What the engine did with a case: "ok" with the notes a person sees, or "error" with the message."""

    kind: Literal["ok", "error"]
    messages: list[str]
    frame: pd.DataFrame | None = None
    profile: object = None

    def mentions(self, text: str) -> bool:
        """True when a message contains `text`; an empty `text` (no note expected) is always mentioned."""
        return not text or any(text in message for message in self.messages)


def run_through_loader(case: Case) -> Outcome:
    """load_table + profile (+ a resample preview): the path the dashboard and the CLI share.

    Only ImbalanceLabError is caught: anything else propagates and fails the calling test.
    """
    from imbal_core.data.class_profile import profile
    from imbal_core.data.tables import load_table
    from imbal_core.errors import ImbalanceLabError
    from imbal_core.run.evaluate import resample_preview
    from imbal_core.techniques.catalogue import make_spec

    try:
        if case.file_name.lower().endswith(".zip"):  # images: the loader people use for a ZIP upload
            from imbal_core.data.image_encoder import to_frame
            from imbal_core.data.images import read_and_profile_images

            dataset, result = read_and_profile_images(case.payload(), case.file_name)
            return Outcome("ok", result.notes + result.warnings, to_frame(dataset), result)
        table = load_table(case.payload(), case.file_name)
        result = profile(table.frame, case.target, notes=table.notes)
        messages = result.notes + result.warnings
        if case.technique:
            messages += resample_preview(table.frame, result.target, make_spec(case.technique))["result"].notes
    except ImbalanceLabError as error:
        return Outcome("error", [str(error)])
    return Outcome("ok", messages, table.frame, result)


def markdown_table() -> str:
    """The case table of docs/bad-inputs.md, generated from CASES (the docs test checks they agree)."""
    lines = ["| # | Case | Input | Result | What a person sees | Fixed in this issue |", "|---|---|---|---|---|---|"]
    for number, case in enumerate(CASES, 1):
        expected = f'error: "{case.message}"' if case.outcome == "error" else "loaded"
        if case.outcome == "ok" and case.message:
            expected += f' + note "{case.message}"'
        cells = [str(number), f"`{case.id}`", case.description, expected, case.yields, case.fixed or "-"]
        lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
