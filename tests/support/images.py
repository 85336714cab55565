"""Image ZIPs built in memory: single-colour PNGs in class folders, and a learnable bars data set."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image


def png(size=(8, 8), mode="L", value=128, image_format="PNG", **save_options) -> bytes:
    """A small image of one colour; size is (width, height) as Pillow has it."""
    if mode == "I;16":
        image = Image.fromarray(np.full(size[::-1], value, dtype=np.uint16))
    elif mode == "P":
        image = Image.new("RGB", size, (value, 0, 0)).convert("P")
    else:
        image = Image.new(mode, size, value)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def make_zip(files: dict[str, bytes], folders: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            archive.writestr(folder, b"")
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def two_classes(common: int = 6, rare: int = 2, **image_options) -> dict[str, bytes]:
    files = {f"cat/{index:03d}.png": png(value=40, **image_options) for index in range(common)}
    files.update({f"dog/{index:03d}.png": png(value=200, **image_options) for index in range(rare)})
    return files


def bars_zip(common: int = 48, rare: int = 16, size: int = 10, seed: int = 0) -> bytes:
    """'other' images hold a horizontal bar, 'rare' images a vertical one, at random positions."""
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for label, rows in (("other", common), ("rare", rare)):
            for index in range(rows):
                pixels = np.zeros((size, size), dtype=np.uint8)
                position = rng.integers(2, size - 2)
                if label == "rare":
                    pixels[:, position] = 255
                else:
                    pixels[position, :] = 255
                encoded = io.BytesIO()
                Image.fromarray(pixels).save(encoded, format="PNG")
                archive.writestr(f"{label}/{index:03d}.png", encoded.getvalue())
    return buffer.getvalue()
