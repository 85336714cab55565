"""Load image datasets: a ZIP whose top-level folders are the classes (`cat/001.png`, `dog/002.jpg`).

One public entry, `load_image_zip`, reads the archive defensively (size and file-count caps, no path may
leave the archive's folder), decodes every PNG, JPEG, BMP or GIF with Pillow, and converts all images to
one size and channel count. The defaults come from the data (the most common size, grayscale when every
image is grayscale); the person can choose others. Every conversion is said in `notes`; input that
cannot be used raises `InputError` saying what was wrong, what is accepted and what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from imbal_core.data.class_profile import MAX_CLASSES, class_counts
from imbal_core.errors import InputError

ACCEPTED_FORMATS = ("PNG", "JPEG", "BMP", "GIF")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
# Leading bytes of the accepted formats: a file with one of these that fails to decode is corrupt,
# not "some other file".
_IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"BM", b"GIF8")
# Names operating systems add to folders and archives; never images of a class.
_SYSTEM_NAMES = {"__macosx", ".ds_store", "thumbs.db", "desktop.ini", ".git"}
# A default size is taken from the data but never larger than this on its longer side: a small CNN on
# two CPU cores trains in seconds on 64x64 and in minutes on photos.
MAX_DEFAULT_SIDE = 64
MAX_IMAGE_SIDE = 256
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    """Caps that keep a hostile or accidental ZIP (a "ZIP bomb") from exhausting memory."""

    max_files: int = 20_000
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_pixels_per_image: int = 4096 * 4096
    max_array_bytes: int = 1024 * 1024 * 1024

    def describe(self) -> str:
        return (
            f"at most {self.max_files:,} files and {self.max_uncompressed_bytes // (1024 * 1024):,} MB "
            f"uncompressed, each image at most {self.max_pixels_per_image:,} pixels"
        )


@dataclass
class ImageDataset:
    """Images converted to one shape, with their class labels and what was done to them."""

    images: np.ndarray  # N x height x width x channels, float32 in [0, 1]
    labels: np.ndarray  # N class names (str), the name of each image's top-level folder
    class_names: list[str]
    paths: list[str]  # each image's path inside the archive, for showing examples
    notes: list[str] = field(default_factory=list)
    original_sizes: dict[str, int] = field(default_factory=dict)  # "WxH" before conversion -> images

    @property
    def image_size(self) -> tuple[int, int]:
        """(height, width)."""
        return int(self.images.shape[1]), int(self.images.shape[2])

    @property
    def channels(self) -> int:
        return int(self.images.shape[3])

    def flattened(self) -> pd.DataFrame:
        """One column per pixel value (`pixel_<row>_<column>[_<channel>]`): a representation for
        samplers and models that need a feature table."""
        height, width = self.image_size
        names = [
            f"pixel_{row}_{column}" + (f"_{channel}" if self.channels > 1 else "")
            for row in range(height)
            for column in range(width)
            for channel in range(self.channels)
        ]
        return pd.DataFrame(self.images.reshape(len(self.images), -1), columns=names)


@dataclass
class ImageProfile:
    """The image counterpart of class_profile.DatasetProfile: the same class fields plus the image shape."""

    rows: int
    class_counts: dict[str, int]
    minority_class: str
    majority_class: str
    imbalance_ratio: float
    height: int
    width: int
    channels: int
    original_sizes: dict[str, int]  # "WxH" -> how many images had that size before conversion
    notes: list[str]
    warnings: list[str]
    modality: str = "image"
    target: str = "class"

    @property
    def n_classes(self) -> int:
        return len(self.class_counts)

    @property
    def minority_share(self) -> float:
        return self.class_counts[self.minority_class] / sum(self.class_counts.values())

    def to_dict(self) -> dict:
        return {
            "modality": self.modality,
            "rows": self.rows,
            "target": self.target,
            "class_counts": self.class_counts,
            "minority_class": self.minority_class,
            "majority_class": self.majority_class,
            "imbalance_ratio": self.imbalance_ratio,
            "minority_share": self.minority_share,
            "image_size": {"height": self.height, "width": self.width, "channels": self.channels},
            "original_sizes": self.original_sizes,
            "notes": self.notes,
            "warnings": self.warnings,
        }


@dataclass
class _Decoded:
    path: str
    label: str
    pixels: np.ndarray  # height x width x (1 or 3), float32 in [0, 1]
    notes: tuple[str, ...]


def load_image_zip(
    source: str | Path | bytes,
    file_name: str | None = None,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    limits: ZipLimits | None = None,
) -> ImageDataset:
    """Read a ZIP of class folders from a path or from bytes (an upload).

    image_size is (height, width); channels is 1 (grayscale) or 3 (RGB). Left as None, both are
    chosen from the data and the choice is said in the notes.
    """
    limits = limits or ZipLimits()
    raw, file_name = _read_source(source, file_name)
    _check_requested_shape(image_size, channels)
    archive = _open_archive(raw, file_name)
    with archive:
        entries, notes = _image_entries(archive, file_name, limits)
        decoded = [_decode(archive, info, path, label, limits) for info, path, label in entries]
    return _assemble(decoded, file_name, image_size, channels, limits, notes)


def profile_images(dataset: ImageDataset) -> ImageProfile:
    """Class counts and imbalance of an image dataset, in the shape of a table's profile."""
    counts = class_counts(pd.Series(dataset.labels))
    minority, majority = list(counts)[-1], list(counts)[0]
    warnings = []
    if counts[minority] < 20:
        warnings.append(
            f"The minority class {minority!r} has only {counts[minority]} images: every metric will be noisy. "
            "Prefer K-fold with repeats."
        )
    height, width = dataset.image_size
    return ImageProfile(
        rows=len(dataset.labels),
        class_counts=counts,
        minority_class=minority,
        majority_class=majority,
        imbalance_ratio=round(counts[majority] / counts[minority], 4),
        height=height,
        width=width,
        channels=dataset.channels,
        original_sizes=dict(dataset.original_sizes),
        notes=list(dataset.notes),
        warnings=warnings,
    )


def read_and_profile_images(
    source: str | Path | bytes,
    file_name: str | None = None,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    limits: ZipLimits | None = None,
) -> tuple[ImageDataset, ImageProfile]:
    """Load a ZIP of class folders and profile it in one call."""
    dataset = load_image_zip(source, file_name, image_size, channels, limits)
    return dataset, profile_images(dataset)


def example_indices(dataset: ImageDataset, per_class: int = 8) -> dict[str, list[int]]:
    """Row numbers of `per_class` images of each class, spread evenly over the class (files are in name order,
    so the first few are often alike), for a grid of examples."""
    examples = {}
    for name in dataset.class_names:
        rows = np.flatnonzero(dataset.labels == name)
        picks = np.unique(np.linspace(0, len(rows) - 1, min(per_class, len(rows))).round().astype(int))
        examples[name] = rows[picks].tolist()
    return examples


def is_zip(raw: bytes) -> bool:
    """True when the bytes start like a ZIP archive (an .xlsx file is one too)."""
    return raw[:4] in (b"PK\x03\x04", b"PK\x05\x06")


# --- reading the archive -------------------------------------------------------------------------


def _read_source(source: str | Path | bytes, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"File not found: {path}. Check the path and try again.")
        if path.is_dir():
            raise InputError(
                f"{path} is a folder. Zip the class folders (one folder per class, images inside) and give "
                "the path of the ZIP file."
            )
        return path.read_bytes(), file_name or path.name
    return bytes(source), file_name or "upload.zip"


def _check_requested_shape(image_size: tuple[int, int] | None, channels: int | None) -> None:
    if channels is not None and channels not in (1, 3):
        raise InputError(f"channels must be 1 (grayscale) or 3 (RGB). Got {channels!r} instead.")
    if image_size is not None:
        height, width = image_size
        if not (4 <= int(height) <= MAX_IMAGE_SIDE and 4 <= int(width) <= MAX_IMAGE_SIDE):
            raise InputError(
                f"image_size must be between 4 and {MAX_IMAGE_SIDE} pixels on each side. "
                f"Got {height}x{width} (height x width) instead."
            )


def _open_archive(raw: bytes, file_name: str) -> zipfile.ZipFile:
    if not raw:
        raise InputError(f"{file_name} is empty. Upload a ZIP whose top-level folders are the classes.")
    if not is_zip(raw):
        raise InputError(
            f"{file_name} is not a ZIP archive. Images are accepted as a ZIP whose top-level folders are the "
            "classes (cat/001.png, dog/002.jpg); zip your class folders and upload that."
        )
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise InputError(
            f"{file_name} could not be opened as a ZIP archive ({error}). It may be truncated: "
            "zip the class folders again and upload the new file."
        ) from None


def _entry_name(info: zipfile.ZipInfo, file_name: str) -> str:
    """The entry's name as text, refusing names that are not UTF-8 (a class name would be garbled)."""
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        # Without the UTF-8 flag, zipfile decodes names as code page 437; many tools store UTF-8
        # without setting the flag, so try that first.
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise InputError(
                f"{file_name} stores the name {info.filename!r} in a legacy encoding, not UTF-8, so its "
                "class name cannot be read reliably. Rename files and folders with plain letters and digits, "
                "or zip them with a tool that stores UTF-8 names (7-Zip, macOS Finder, `zip` on Linux)."
            ) from None
    return name


def _safe_parts(name: str, file_name: str) -> tuple[str, ...]:
    """The path's parts, refusing absolute paths and `..` that would leave the archive's folder."""
    text = name.replace("\\", "/")
    parts = tuple(part for part in text.split("/") if part not in ("", "."))
    if text.startswith("/") or _WINDOWS_DRIVE.match(text) or ".." in parts:
        raise InputError(
            f"{file_name} contains the path {name!r}, which points outside the archive's folder "
            "(an absolute path or '..'). Such archives are refused for safety: zip the class folders "
            "themselves and upload that."
        )
    return parts


def _is_hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") or part.lower() in _SYSTEM_NAMES for part in parts)


def _image_entries(
    archive: zipfile.ZipFile, file_name: str, limits: ZipLimits
) -> tuple[list[tuple[zipfile.ZipInfo, str, str]], list[str]]:
    """(entry, path, class name) for every image file, and notes on what was skipped."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise InputError(
            f"{file_name} holds {len(infos):,} files; the limit is {limits.max_files:,}. Upload fewer images "
            "(a sample of each class is enough to compare techniques)."
        )
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_uncompressed_bytes:
        raise InputError(
            f"{file_name} would unpack to {declared / 1024**2:,.0f} MB; the limit is "
            f"{limits.max_uncompressed_bytes // 1024**2:,} MB ({limits.describe()}). Upload smaller or fewer "
            "images."
        )
    files: list[tuple[zipfile.ZipInfo, tuple[str, ...]]] = []
    folders: set[tuple[str, ...]] = set()
    hidden = 0
    for info in infos:
        parts = _safe_parts(_entry_name(info, file_name), file_name)
        if not parts:
            continue
        if _is_hidden(parts):
            hidden += 1
            continue
        if info.flag_bits & 0x1:
            raise InputError(
                f"{file_name} is password-protected ({parts[-1]!r} is encrypted). Zip the images without a "
                "password and upload that."
            )
        if info.is_dir():
            folders.add(parts)
        else:
            files.append((info, parts))
            folders.update(parts[:depth] for depth in range(1, len(parts)))
    notes = [f"{hidden} hidden or system files (such as __MACOSX/ or .DS_Store) were skipped."] if hidden else []
    if not files:
        raise InputError(
            f"{file_name} holds no files. Upload a ZIP whose top-level folders are the classes, with images "
            "inside (cat/001.png, dog/002.jpg)."
        )
    files, folders, wrapper_note = _strip_wrapper_folder(files, folders)
    notes.extend(wrapper_note)
    entries, skipped_loose, skipped_other = [], [], []
    for info, parts in files:
        if len(parts) == 1:
            skipped_loose.append(parts[0])
            continue
        if len(parts) > 2:
            raise InputError(
                f"{file_name} has nested folders: {'/'.join(parts)!r} is inside a sub-folder of the class "
                f"folder {parts[0]!r}. Each top-level folder is one class with its images directly inside "
                "(cat/001.png): move the images up, or make each sub-folder its own top-level class folder."
            )
        if not _looks_like_image(parts[-1]):
            skipped_other.append("/".join(parts))
            continue
        entries.append((info, "/".join(parts), parts[0]))
    if skipped_other:
        notes.append(
            f"{len(skipped_other)} files that are not PNG, JPEG, BMP or GIF images were skipped: "
            + ", ".join(skipped_other[:5])
            + (" ..." if len(skipped_other) > 5 else "")
        )
    if skipped_loose:
        if not entries:
            raise InputError(
                f"{file_name} has images at its top level but no class folders. Put each class's images in a "
                "folder named after the class (cat/001.png, dog/002.jpg) and zip those folders."
            )
        notes.append(
            f"{len(skipped_loose)} files at the top level, outside any class folder, were skipped: "
            + ", ".join(skipped_loose[:5])
        )
    class_folders = {parts[0] for parts in folders if len(parts) == 1}
    with_images = {label for _, _, label in entries}
    empty = sorted(class_folders - with_images)
    if empty:
        notes.append("Folders without images were left out: " + ", ".join(f"{name}/" for name in empty) + ".")
    if not with_images:
        raise InputError(
            f"{file_name} holds no PNG, JPEG, BMP or GIF images inside class folders. Put each class's images "
            "in a folder named after the class (cat/001.png) and zip those folders."
        )
    if len(with_images) == 1:
        raise InputError(
            f"{file_name} has only one class folder with images ({next(iter(with_images))!r}). Imbalance needs "
            "at least two classes: add a folder of images for each other class."
        )
    if len(with_images) > MAX_CLASSES:
        raise InputError(
            f"{file_name} has {len(with_images)} class folders; at most {MAX_CLASSES} classes are supported. "
            "Group the images into fewer class folders."
        )
    return entries, notes


def _strip_wrapper_folder(files, folders):
    """Zipping a folder of class folders adds one wrapping folder (`data/cat/001.png`): look inside it."""
    tops = {parts[0] for _, parts in files}
    if len(tops) != 1 or any(len(parts) < 3 for _, parts in files):
        return files, folders, []
    wrapper = next(iter(tops))
    files = [(info, parts[1:]) for info, parts in files]
    folders = {parts[1:] for parts in folders if len(parts) > 1}
    return files, folders, [f"All class folders sit inside {wrapper}/; its sub-folders were used as the classes."]


def _looks_like_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_EXTENSIONS)


def _decode(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, label: str, limits: ZipLimits) -> _Decoded:
    # deferred: Pillow loads only when images are read or written
    from PIL import Image, UnidentifiedImageError

    try:  # the declared size can lie: read at most the cap, plus one byte
        with archive.open(info) as handle:
            raw = handle.read(limits.max_uncompressed_bytes + 1)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, zlib.error) as error:
        raise InputError(
            f"{path} could not be unpacked from the archive ({error}). Zip the class folders again (plain "
            "deflate compression, no password) and upload the new file."
        ) from None
    if len(raw) > limits.max_uncompressed_bytes:
        raise InputError(
            f"{path} unpacks to more than {limits.max_uncompressed_bytes // 1024**2:,} MB, far more than its "
            "header says (a ZIP bomb). The archive was refused; zip the images again and upload that."
        )
    fix = "Remove or replace it and zip the folders again."
    try:
        with Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS) as image:
            width, height = image.size
            if width * height > limits.max_pixels_per_image:
                raise InputError(
                    f"{path} is {width}x{height} pixels, more than the limit of {limits.max_pixels_per_image:,} "
                    "pixels per image. Shrink the images (a few hundred pixels a side is plenty) and zip again."
                )
            frames = getattr(image, "n_frames", 1)
            image.load()
            pixels, notes = _as_float(image)
    except Image.DecompressionBombError:  # Pillow's own guard, for sizes far beyond ours
        raise InputError(
            f"{path} declares an image of more than {limits.max_pixels_per_image:,} pixels (a decompression bomb). "
            "Shrink the images (a few hundred pixels a side is plenty) and zip again."
        ) from None
    except UnidentifiedImageError:
        seems = "is not a valid image" if raw.startswith(_IMAGE_SIGNATURES) else "is not a PNG, JPEG, BMP or GIF image"
        raise InputError(f"{path} {seems} (the name says it is). {fix}") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise InputError(f"{path} is corrupt or truncated ({error}). {fix}") from None
    if frames > 1:
        notes = (*notes, "animated GIF: first frame used")
    return _Decoded(path=path, label=label, pixels=pixels, notes=notes)


def _as_float(image) -> tuple[np.ndarray, tuple[str, ...]]:
    """Height x width x 1 or 3 in [0, 1], with the conversions that were needed."""
    mode = image.mode
    notes: list[str] = []
    if mode.startswith("I;16") or mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float64)
        scale = 65535.0 if mode != "F" else max(1.0, float(values.max()))
        notes.append("16-bit")
        return np.clip(values / scale, 0, 1).astype(np.float32)[..., None], tuple(notes)
    if mode == "P":
        notes.append("palette")
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("1", "CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("L" if mode == "1" else "RGB")
    elif mode not in ("L", "LA", "RGB", "RGBA", "RGBa", "La"):
        image = image.convert("RGBA")
    values = np.asarray(image, dtype=np.float32) / 255.0
    if values.ndim == 2:
        values = values[..., None]
    if values.shape[-1] in (2, 4):  # an alpha channel: composite onto white, as a viewer shows it
        alpha = values[..., -1:]
        values = values[..., :-1] * alpha + (1.0 - alpha)
        if float(alpha.min()) < 1.0:
            notes.append("transparency")
    if (
        values.shape[-1] == 3
        and np.array_equal(values[..., 0], values[..., 1])
        and np.array_equal(values[..., 1], values[..., 2])
    ):
        values = values[..., :1]  # grayscale stored as RGB
    return values, tuple(notes)


# --- one shape for all images --------------------------------------------------------------------


def _assemble(
    decoded: list[_Decoded],
    file_name: str,
    image_size: tuple[int, int] | None,
    channels: int | None,
    limits: ZipLimits,
    notes: list[str],
) -> ImageDataset:
    labels = np.array([item.label for item in decoded])
    counts = Counter(labels.tolist())
    single = sorted(label for label, count in counts.items() if count < 2)
    if single:
        if len(counts) - len(single) < 2:
            raise InputError(
                f"Class {single[0]!r} in {file_name} has only 1 image; a stratified train/test split needs at "
                "least 2 images of every class (10 or more to learn anything). Add images to that folder."
            )
        notes.append(
            "Classes with a single image were left out (a split needs 2 per class): "
            + ", ".join(repr(label) for label in single)
        )
        decoded = [item for item in decoded if item.label not in single]
        labels = np.array([item.label for item in decoded])
    sizes = Counter((item.pixels.shape[0], item.pixels.shape[1]) for item in decoded)
    conversions = Counter(note for item in decoded for note in item.notes)
    height, width = image_size or _default_size(sizes, notes)
    colour = sum(item.pixels.shape[-1] == 3 for item in decoded)
    if channels is None:
        channels = 3 if colour else 1
        notes.append(
            f"Images are {'colour (RGB, 3 channels)' if colour else 'grayscale (1 channel)'}: "
            + (f"{colour} of {len(decoded)} are in colour." if colour else "none has colour.")
        )
    array_bytes = len(decoded) * height * width * channels * 4
    if array_bytes > limits.max_array_bytes:
        raise InputError(
            f"{len(decoded):,} images of {height}x{width}x{channels} need {array_bytes / 1024**2:,.0f} MB; the "
            f"limit is {limits.max_array_bytes // 1024**2:,} MB. Choose a smaller image size or upload fewer images."
        )
    images = np.empty((len(decoded), height, width, channels), dtype=np.float32)
    resized = 0
    for row, item in enumerate(decoded):
        pixels = item.pixels
        if pixels.shape[:2] != (height, width):
            pixels = _resize(pixels, height, width)
            resized += 1
        if channels == 1 and pixels.shape[-1] == 3:
            pixels = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, None]  # ITU-R 601 luma
        elif channels == 3 and pixels.shape[-1] == 1:
            pixels = np.repeat(pixels, 3, axis=-1)
        images[row] = np.clip(pixels, 0.0, 1.0)
    if resized:
        notes.append(f"{resized} of {len(decoded)} images were resized to {height}x{width} (height x width, bilinear).")
    if channels == 1 and colour:
        notes.append(f"{colour} colour images were converted to grayscale.")
    if channels == 3 and colour < len(decoded):
        notes.append(f"{len(decoded) - colour} grayscale images were repeated into 3 channels.")
    notes.extend(_conversion_notes(conversions))
    class_names = sorted(set(labels.tolist()))
    return ImageDataset(
        images=images,
        labels=labels,
        class_names=class_names,
        paths=[item.path for item in decoded],
        notes=notes,
        original_sizes={f"{w}x{h}": count for (h, w), count in sizes.most_common()},
    )


def _default_size(sizes: Counter, notes: list[str]) -> tuple[int, int]:
    (height, width), count = sizes.most_common(1)[0]
    total = sum(sizes.values())
    if len(sizes) == 1:
        notes.append(f"All images are {height}x{width} pixels (height x width).")
    else:
        notes.append(
            f"Images come in {len(sizes)} sizes; the most common, {height}x{width} ({count} of {total}), "
            "was chosen for all. Pick another size if that suits the data better."
        )
    longer = max(height, width)
    if longer > MAX_DEFAULT_SIDE:
        scale = MAX_DEFAULT_SIDE / longer
        height, width = max(4, round(height * scale)), max(4, round(width * scale))
        notes.append(
            f"Shrunk to {height}x{width} so a small network trains quickly on a CPU; choose a larger size if "
            "detail matters."
        )
    return height, width


def _resize(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    # deferred: Pillow loads only when images are read or written
    from PIL import Image

    channels = [
        np.asarray(Image.fromarray(pixels[..., index]).resize((width, height), Image.Resampling.BILINEAR))
        for index in range(pixels.shape[-1])
    ]
    return np.stack(channels, axis=-1).astype(np.float32)


_CONVERSION_TEXT = {
    "16-bit": "16-bit images were scaled to 0-1 like the 8-bit ones",
    "palette": "palette (indexed-colour) images were expanded to their colours",
    "transparency": "transparent pixels were composited onto a white background",
    "animated GIF: first frame used": "animated GIFs contributed their first frame only",
}


def _conversion_notes(conversions: Counter) -> list[str]:
    return [f"{count} images: {_CONVERSION_TEXT[kind]}." for kind, count in sorted(conversions.items())]
