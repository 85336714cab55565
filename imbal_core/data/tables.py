"""Load tables (CSV, TSV, Parquet, .xlsx) from paths or uploaded bytes, defensively: size, column and cell
limits, encodings, delimiters, files that are not tables. The target and the class profile are in
imbal_core.data.class_profile."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from imbal_core.data.preprocess import refuse_huge
from imbal_core.errors import InputError

# Magic numbers of files people rename to .csv by mistake, with what to do instead.
_FOREIGN_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file"),
    (b"\x1f\x8b", "a gzip archive"),
)


@dataclass(frozen=True)
class TableLimits:
    """What one table may hold, checked before the expensive work (parsing, profiling).

    Generous for real tables (the 5,000-column case loads in about a second); a file past them would hold
    the server's interpreter lock and memory for everyone (a 100,000-column CSV, one 50 MB cell).
    """

    max_columns: int = 10_000
    max_cell_characters: int = 100_000

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> TableLimits:
        """The limits from IMBAL_LAB_MAX_COLUMNS and IMBAL_LAB_MAX_CELL_CHARACTERS, else the defaults."""
        environ = os.environ if environ is None else environ
        names = {"max_columns": "IMBAL_LAB_MAX_COLUMNS", "max_cell_characters": "IMBAL_LAB_MAX_CELL_CHARACTERS"}
        values = {}
        for field_name, variable in names.items():
            text = environ.get(variable, "").strip()
            if not text:
                continue
            if not text.isdigit() or int(text) < 1:
                raise InputError(f"{variable} must be a whole number of at least 1; got {text!r}.")
            values[field_name] = int(text)
        return cls(**values)


@dataclass
class LoadedTable:
    """A parsed table and the notes a person should read about how it was read."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def load_table(
    source: str | Path | bytes, file_name: str | None = None, limits: TableLimits = TableLimits()
) -> LoadedTable:
    """Read CSV, TSV, Parquet or Excel .xlsx from a path or from raw bytes (an upload), within `limits`."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"File not found: {path}. Check the path and try again.")
        if path.is_dir():
            raise InputError(f"{path} is a folder, not a file. Give the path of a CSV, TSV or Parquet file.")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise InputError(f"Could not read {path}: {error.strerror}. Check the file's permissions.") from None
        file_name = file_name or path.name
    else:
        raw = bytes(source)
    return parse_bytes(raw, file_name or "upload.csv", limits)


def parse_bytes(raw: bytes, file_name: str, limits: TableLimits = TableLimits()) -> LoadedTable:
    """Parse bytes into a table, choosing the format from the content and the file name."""
    if not raw.strip():
        raise InputError(f"{file_name} is empty. Upload a CSV, TSV or Parquet file with a header row and data rows.")
    if raw[:4] == b"PAR1" or file_name.lower().endswith((".parquet", ".pq")):
        return _read_parquet(raw, file_name, limits)
    if raw.startswith(b"PK\x03\x04") or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_excel(raw, file_name, limits)
    for signature, kind in _FOREIGN_SIGNATURES:
        if raw.startswith(signature):
            raise InputError(
                f"{file_name} looks like {kind}, not a table. Save it as CSV (comma- or tab-separated) "
                "or Parquet and upload that."
            )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _read_utf16(raw, file_name, limits)
    if b"\x00" in raw[:4096]:
        raise InputError(f"{file_name} contains binary data, not text. Upload a CSV, TSV or Parquet file.")
    text, encoding_note = _decode(raw)
    return _read_delimited(text, file_name, encoding_note, limits, raw)


def _read_parquet(raw: bytes, file_name: str, limits: TableLimits) -> LoadedTable:
    _refuse_nested_columns(raw, file_name)
    try:
        # deferred: only Parquet files need pyarrow
        import pyarrow.parquet as parquet

        # The schema in the footer gives the column count without reading a single value.
        _check_column_count(len(parquet.ParquetFile(io.BytesIO(raw)).schema_arrow.names), file_name, limits)
        frame = pd.read_parquet(io.BytesIO(raw))
    except InputError:
        raise
    except Exception as error:  # pyarrow raises many types for corrupt files
        raise InputError(
            f"{file_name} could not be read as Parquet ({type(error).__name__}). "
            "Check that the file is complete, or upload it as CSV."
        ) from None
    frame.columns = _unique([str(column).strip() for column in frame.columns])
    return _checked(LoadedTable(frame=frame), file_name, limits)


def _refuse_nested_columns(raw: bytes, file_name: str) -> None:
    """InputError naming the first column whose cells hold lists, records or maps (Parquet's nested types), read
    from the schema before any row is: a model needs one plain value per cell, and pandas' profile of such a
    column fails with "unhashable type"."""
    import pyarrow as pa  # deferred: pandas imports it for Parquet anyway; plain CSV users never need it
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(io.BytesIO(raw))
    except Exception:  # noqa: BLE001 - a damaged file: pd.read_parquet says so in the caller's words
        return
    for column in schema:
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not pa.types.is_nested(kind):
            continue
        if pa.types.is_struct(kind):
            holds = "records (groups of named fields)"
        elif pa.types.is_map(kind):
            holds = "maps (key-value pairs)"
        elif pa.types.is_union(kind):
            holds = "values of mixed nested types"
        else:
            holds = "lists"
        raise InputError(
            f"In {file_name}, column {column.name!r} holds {holds}; expected plain values (one number, text or "
            "date per cell). Flatten it into separate columns, or drop it, and upload the table again."
        )


# An .xlsx file is a ZIP of XML parts; refuse one that would unpack to more than this (a "ZIP bomb").
MAX_EXCEL_UNPACKED_BYTES = 1024 * 1024 * 1024


def _read_excel(raw: bytes, file_name: str, limits: TableLimits) -> LoadedTable:
    """The first sheet of an Excel .xlsx workbook (openpyxl), cells with formulas as their saved values."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InputError(
            f"{file_name} looks like a zip archive (an Excel .xlsx file is one) but could not be opened ({error}). "
            "Save the table again as .xlsx or CSV and upload that."
        ) from None
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        raise InputError(
            f"{file_name} is a ZIP archive, not an Excel workbook or a table. A ZIP whose top-level folders are "
            "image classes (cat/001.png) is read as images when its name ends in .zip; a table must be CSV, TSV, "
            "Parquet or Excel .xlsx."
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_EXCEL_UNPACKED_BYTES:
        raise InputError(
            f"{file_name} would unpack to {unpacked / 1024**2:,.0f} MB, more than the "
            f"{MAX_EXCEL_UNPACKED_BYTES // 1024**2:,} MB limit for a workbook. Save the table as CSV or Parquet."
        )
    try:
        # deferred: only Excel files need openpyxl
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheets = list(workbook.sheetnames)
        width = workbook[sheets[0]].max_column if sheets else 0  # from the sheet's dimension tag: no cells read
        workbook.close()
        _check_column_count(width or 0, file_name, limits)
        frame = pd.read_excel(io.BytesIO(raw), sheet_name=0, engine="openpyxl")
    except InputError:
        raise
    except Exception as error:  # openpyxl raises many types for damaged workbooks
        raise InputError(
            f"{file_name} could not be read as an Excel workbook ({type(error).__name__}: {str(error)[:120]}). "
            "Open it in Excel or LibreOffice, save it again as .xlsx or as CSV, and upload that."
        ) from None
    notes = ["Read as an Excel workbook; cells with formulas give the values last saved in Excel."]
    if len(sheets) > 1:
        shown = ", ".join(repr(name) for name in sheets[:6]) + (" ..." if len(sheets) > 6 else "")
        notes.append(
            f"The workbook has {len(sheets)} sheets ({shown}); only the first, {sheets[0]!r}, was read. "
            "Move the table to the first sheet to use another."
        )
    frame.columns = _unique([str(column).strip() for column in frame.columns])
    unnamed = [column for column in frame.columns if column.startswith("Unnamed: ")]
    if unnamed:
        notes.append(f"{len(unnamed)} columns had no header cell and were named like {unnamed[0]!r}.")
    return _checked(LoadedTable(frame=frame, notes=notes), file_name, limits)


def _unique(names: list[str]) -> list[str]:
    """Suffix names still equal after stripping spaces ('a' and ' a'), as pandas does for exact duplicates."""
    taken: set[str] = set()
    unique = []
    for name in names:
        candidate, suffix = name, 0
        while candidate in taken:
            suffix += 1
            candidate = f"{name}.{suffix}"
        taken.add(candidate)
        unique.append(candidate)
    return unique


def _read_utf16(raw: bytes, file_name: str, limits: TableLimits) -> LoadedTable:
    """Excel's "Unicode Text" export: UTF-16 with a byte-order mark, usually tab-separated."""
    try:
        text = raw.decode("utf-16")
    except UnicodeDecodeError:
        raise InputError(
            f"{file_name} starts like UTF-16 text but is not valid UTF-16. Save it as CSV UTF-8 and upload that."
        ) from None
    note = "The file is UTF-16 text (Excel's 'Unicode Text'); it was read as such."
    return _read_delimited(text, file_name, note, limits, text.encode("utf-8", "surrogatepass"))


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252 (Latin-1)."
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "The file is not UTF-8; it was read as Latin-1."


def _sniff_delimiter(text: str, file_name: str) -> str:
    if file_name.lower().endswith((".tsv", ".tab")):
        return "\t"
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        counts = {delimiter: first_line.count(delimiter) for delimiter in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


# A field such as 1,5 or -0,25 between delimiters: a decimal comma (only looked for when ',' is not the delimiter).
_DECIMAL_COMMA = re.compile(r"(?:^|[;\t|])[ ]*-?\d+,\d+[ ]*(?=[;\t|\r\n]|$)", re.M)


def _read_delimited(
    text: str, file_name: str, encoding_note: str | None, limits: TableLimits, raw: bytes
) -> LoadedTable:
    """`raw` is the text's bytes in an ASCII-compatible encoding, where cell lengths are measured cheaply."""
    delimiter = _sniff_delimiter(text, file_name)
    _check_longest_field(raw, delimiter, file_name, limits)
    notes = [encoding_note] if encoding_note else []
    if delimiter not in ",\t":
        notes.append(f"Columns are separated by {delimiter!r}; detected automatically.")
    decimal = "," if delimiter != "," and _DECIMAL_COMMA.search(text[:65536]) else "."
    if decimal == ",":
        notes.append("Decimal commas (as in 1,5) were read as numbers.")
    try:  # newline="": a lone \r (old Mac line ends, or stray bytes) must not stop the csv module
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as error:
        raise InputError(
            f"{file_name} could not be parsed as a table ({error}). Check that it is a CSV or TSV file."
        ) from None
    _check_column_count(len(header), file_name, limits)  # before pandas parses (and profile types) every column
    counts = Counter(name.strip() for name in header)  # linear: a 50,000-column header must not hang
    duplicates = sorted(name for name, count in counts.items() if count > 1)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, decimal=decimal, low_memory=False)
    except pd.errors.EmptyDataError:
        raise InputError(f"{file_name} has no columns. Upload a table with a header row.") from None
    except (pd.errors.ParserError, ValueError) as error:
        first_line = str(error).splitlines()[0][:200]
        raise InputError(
            f"{file_name} could not be parsed as a table ({first_line}). "
            "Check that every row has the same number of fields and that quotes are closed."
        ) from None
    frame.columns = _unique([str(column).strip() for column in frame.columns])
    if duplicates:
        notes.append("Duplicated column names were renamed with a suffix (.1, .2, ...): " + ", ".join(duplicates[:10]))
    return _checked(LoadedTable(frame=frame, notes=notes), file_name, limits)


def _check_column_count(count: int, file_name: str, limits: TableLimits) -> None:
    if count > limits.max_columns:
        raise InputError(
            f"{file_name} has {count:,} columns, more than the {limits.max_columns:,} columns a table may have "
            "here (wider tables would stall the server for everyone). Keep the columns that matter, or split "
            "the table, and upload it again."
        )


# Bytes scanned at a time when measuring cells: keeps the scan's memory small on a 200 MB upload.
_SCAN_CHUNK_BYTES = 1 << 24


def longest_field(raw: bytes, delimiter: str) -> int:
    """The longest run of bytes with no delimiter or line break: an upper bound for a cell's length that costs
    one vectorised pass (a quoted cell holding delimiters counts as several shorter runs; _checked catches it)."""
    separator = delimiter.encode()[0]
    data = np.frombuffer(raw, dtype=np.uint8)
    longest = run = 0
    for start in range(0, len(data), _SCAN_CHUNK_BYTES):
        part = data[start : start + _SCAN_CHUNK_BYTES]
        positions = np.flatnonzero((part == 10) | (part == 13) | (part == separator))  # \n, \r, the delimiter
        if len(positions) == 0:
            run += len(part)
            longest = max(longest, run)
            continue
        inner = int(np.diff(positions).max()) - 1 if len(positions) > 1 else 0
        longest = max(longest, run + int(positions[0]), inner)
        run = len(part) - int(positions[-1]) - 1
        longest = max(longest, run)
    return longest


def may_hold_a_longer_field(raw: bytes, delimiter: str, limit: int) -> bool:
    """A cheap screen: False means no run between delimiters and line breaks is longer than `limit` bytes.

    Any such run contains a whole aligned block of (limit + 2) // 2 bytes free of stops, so only whether each
    block holds a stop is computed (no positions): a few vectorised passes over the bytes.
    """
    block = max(1, (limit + 2) // 2)
    data = np.frombuffer(raw, dtype=np.uint8)
    usable = len(data) // block * block
    separator = delimiter.encode()[0]
    step = max(block, _SCAN_CHUNK_BYTES // block * block)
    for start in range(0, usable, step):
        part = data[start : min(start + step, usable)]
        stops = (part == 10) | (part == 13) | (part == separator)
        if not stops.reshape(-1, block).any(axis=1).all():
            return True
    return False


def _check_longest_field(raw: bytes, delimiter: str, file_name: str, limits: TableLimits) -> None:
    if not may_hold_a_longer_field(raw, delimiter, limits.max_cell_characters):
        return
    longest = longest_field(raw, delimiter)  # measured exactly only for a file that may be refused
    if longest > limits.max_cell_characters:
        _refuse_long_cell(longest, file_name, limits)


def _refuse_long_cell(length: int, file_name: str, limits: TableLimits) -> None:
    raise InputError(
        f"{file_name} has a cell of about {length:,} characters, more than the {limits.max_cell_characters:,} "
        "characters a cell may hold here (one such cell would take gigabytes of the server's memory). Shorten or "
        "remove that cell (a long document belongs in a separate file) and upload the table again."
    )


def _checked(table: LoadedTable, file_name: str, limits: TableLimits = TableLimits()) -> LoadedTable:
    frame = table.frame
    if frame.shape[1] == 0:
        raise InputError(f"{file_name} has no columns. Upload a table with a header row.")
    if len(frame) == 0:
        raise InputError(f"{file_name} has a header but no data rows. Add rows and upload it again.")
    if frame.shape[1] < 2:
        raise InputError(
            f"{file_name} has only one column ({frame.columns[0]!r}). A table needs a target column and at "
            "least one feature column; if it should have more, check the delimiter."
        )
    _check_column_count(frame.shape[1], file_name, limits)
    _check_cell_lengths(frame, file_name, limits)
    infinite = _replace_infinities(frame, file_name)
    if infinite:
        table.notes.append(f"{infinite} infinite values (inf, -inf) were treated as missing.")
    return table


def _check_cell_lengths(frame: pd.DataFrame, file_name: str, limits: TableLimits) -> None:
    """Text cells after parsing (Parquet, Excel, quoted CSV cells holding delimiters): one pass per column."""
    for column in [column for column, dtype in frame.dtypes.items() if dtype.kind in "OSU"]:  # text columns
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype):  # pandas' own strings: measured in one vectorised call
            longest = int(values.str.len().max(skipna=True) or 0)
        else:  # Python objects (mixed types): only the strings have a length
            longest = max((len(value) for value in values if isinstance(value, str)), default=0)
        if longest > limits.max_cell_characters:
            _refuse_long_cell(longest, file_name, limits)


def _replace_infinities(frame: pd.DataFrame, file_name: str) -> int:
    """Infinite numbers become missing (pandas' replace); returns how many there were. Refuses finite numbers
    beyond float32's range. Only float columns can hold either (int64 stops at 9.2e18): one pass over them."""
    floats = [column for column, dtype in frame.dtypes.items() if dtype.kind == "f"]
    if not floats:
        return 0
    values = frame[floats].to_numpy(dtype=np.float64, na_value=np.nan)
    refuse_huge(floats, values, file_name)
    count = int(np.isinf(values).sum())
    if count:
        frame[floats] = frame[floats].replace([np.inf, -np.inf], np.nan)
    return count
