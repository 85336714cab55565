"""Writing the bundled samples to sample_data/ so the same data always gives the same bytes, on every
platform: the CSV tables, the image ZIP, and the `python sample_data/generate.py` command line.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from imbal_core.data.sample_builders import IMAGE_BUILDERS, build_sample
from imbal_core.data.samples import DEFAULT_SEED, IMAGE_SAMPLES, SAMPLE_DIRECTORY, SAMPLES, sample_path

# Ten significant digits write every value the builders round to (e.g. 12345.67) exactly, without
# printing binary float noise such as 0.30000000000000004.
FLOAT_FORMAT = "%.10g"


def write_image_zip(images: dict[str, np.ndarray], path: str | Path) -> Path:
    """Write images as PNG files in a ZIP, the same images always giving the same bytes.

    Entries are stored uncompressed (PNG is compressed already) with a fixed date and attributes.
    """
    # deferred: Pillow loads only when images are read or written
    from PIL import Image

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, image in images.items():
            encoded = io.BytesIO()
            Image.fromarray(image).save(encoded, format="PNG")
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3  # Unix, whatever machine writes it
            info.external_attr = 0o644 << 16
            archive.writestr(info, encoded.getvalue())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV so the same table always gives the same bytes, on every platform."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frame.to_csv(index=False, lineterminator="\n", float_format=FLOAT_FORMAT)
    # Writing bytes avoids the platform's newline translation and default encoding.
    path.write_bytes(text.encode("utf-8"))
    return path


def write_all(directory: str | Path | None = None, seed: int = DEFAULT_SEED) -> list[Path]:
    """Build every sample and write it into directory (default: the repository's sample_data/)."""
    tables = [write_csv(build_sample(info.id, seed), sample_path(info.id, directory)) for info in SAMPLES]
    images = [write_image_zip(IMAGE_BUILDERS[info.id](seed), sample_path(info.id, directory)) for info in IMAGE_SAMPLES]
    return tables + images


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rebuild every sample CSV file, printing each file's rows and size."""
    parser = argparse.ArgumentParser(description="Rebuild the bundled sample datasets byte for byte.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIRECTORY, help="folder to write the CSV files into")
    arguments = parser.parse_args(argv)
    for path in write_all(arguments.out):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                print(f"{path}  {len(archive.namelist())} images  {path.stat().st_size / 1024:.0f} KiB")
            continue
        rows = path.read_bytes().count(b"\n") - 1
        print(f"{path}  {rows} rows  {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
