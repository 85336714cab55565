"""Image ZIPs: class folders load into one array shape; every bad archive gets a message a person can act on."""

from __future__ import annotations

import numpy as np
import pytest

from imbal_core.data.image_encoder import as_images, image_shape_of, to_frame
from imbal_core.data.images import ZipLimits, is_zip, load_image_zip, profile_images, read_and_profile_images
from imbal_core.errors import InputError
from tests.support.images import make_zip, png, two_classes


def test_class_folders_load_into_one_float_array_with_labels_and_profile(tmp_path):
    raw = make_zip(two_classes())
    dataset, profile = read_and_profile_images(raw, "pets.zip")
    assert dataset.images.shape == (8, 8, 8, 1)
    assert dataset.images.dtype == np.float32
    assert dataset.images.min() >= 0.0 and dataset.images.max() <= 1.0
    assert dataset.class_names == ["cat", "dog"]
    assert sorted(dataset.labels.tolist()) == ["cat"] * 6 + ["dog"] * 2
    assert np.allclose(dataset.images[dataset.labels == "dog"], 200 / 255)
    assert profile.class_counts == {"cat": 6, "dog": 2}
    assert (profile.minority_class, profile.majority_class, profile.imbalance_ratio) == ("dog", "cat", 3.0)
    assert profile.to_dict()["image_size"] == {"height": 8, "width": 8, "channels": 1}
    assert profile.to_dict()["modality"] == "image"
    assert any("grayscale" in note for note in dataset.notes)
    path = tmp_path / "pets.zip"
    path.write_bytes(raw)
    from_path = load_image_zip(path)
    assert np.array_equal(from_path.images, dataset.images)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "BMP", "GIF"])
def test_every_accepted_format_decodes(image_format):
    extension = {"PNG": "png", "JPEG": "jpg", "BMP": "bmp", "GIF": "gif"}[image_format]
    files = {f"a/{index}.{extension}": png(image_format=image_format) for index in range(3)}
    files.update({f"b/{index}.{extension}": png(value=10, image_format=image_format) for index in range(2)})
    dataset = load_image_zip(make_zip(files), "formats.zip")
    assert dataset.images.shape == (5, 8, 8, 1)


def test_mixed_sizes_take_the_most_common_and_say_so():
    files = two_classes()
    files["cat/big.png"] = png(size=(16, 12))
    dataset = load_image_zip(make_zip(files), "sizes.zip")
    assert dataset.image_size == (8, 8)
    assert any("most common, 8x8" in note for note in dataset.notes)
    assert any("1 of 9 images were resized" in note for note in dataset.notes)
    assert dataset.original_sizes == {"8x8": 8, "16x12": 1}
    chosen = load_image_zip(make_zip(files), "sizes.zip", image_size=(10, 6))
    assert chosen.image_size == (10, 6)


def test_large_images_default_to_a_size_a_cpu_trains_quickly():
    dataset = load_image_zip(make_zip(two_classes(size=(200, 100))), "photos.zip")
    assert dataset.image_size == (32, 64)
    assert any("Shrunk to 32x64" in note for note in dataset.notes)


def test_mixed_modes_are_converted_with_notes():
    files = {
        "gray/1.png": png(mode="L", value=255),
        "gray/2.png": png(mode="I;16", value=65535),
        "gray/3.png": png(mode="1", value=1),
        "colour/1.png": png(mode="RGB", value=(255, 0, 0)),
        "colour/2.png": png(mode="P", value=255),
        "colour/3.png": png(mode="RGBA", value=(0, 0, 0, 0)),
    }
    dataset = load_image_zip(make_zip(files), "modes.zip")
    assert dataset.channels == 3
    by_path = dict(zip(dataset.paths, dataset.images, strict=True))
    assert np.allclose(by_path["gray/2.png"], 1.0)  # 16-bit white is white, not 65535 / 255
    assert np.allclose(by_path["colour/3.png"], 1.0)  # fully transparent shows the white background
    assert np.allclose(by_path["colour/1.png"][..., 0], 1.0) and np.allclose(by_path["colour/1.png"][..., 1], 0.0)
    text = " ".join(dataset.notes)
    for expected in ("16-bit", "palette", "white background", "repeated into 3 channels"):
        assert expected in text
    grayscale = load_image_zip(make_zip(files), "modes.zip", channels=1)
    assert grayscale.channels == 1
    assert "converted to grayscale" in " ".join(grayscale.notes)


def test_all_grayscale_stays_one_channel_even_when_stored_as_rgb():
    files = {f"{label}/{index}.png": png(mode="RGB", value=(90, 90, 90)) for label in "ab" for index in range(3)}
    assert load_image_zip(make_zip(files), "gray.zip").channels == 1


def test_zip_bomb_is_refused_with_the_limits_named():
    zeros = {"a/1.png": png(), "a/2.png": png(), "b/big.png": b"\0" * 2_000_000}
    with pytest.raises(InputError, match=r"unpack to 2 MB; the limit is 1 MB.*at most 10 files"):
        load_image_zip(make_zip(zeros), "bomb.zip", limits=ZipLimits(max_files=10, max_uncompressed_bytes=2**20))
    many = {f"a/{index}.png": b"" for index in range(12)}
    with pytest.raises(InputError, match="holds 12 files; the limit is 10"):
        load_image_zip(make_zip(many), "many.zip", limits=ZipLimits(max_files=10))
    with pytest.raises(InputError, match="more than the limit of 50 pixels per image"):
        load_image_zip(make_zip(two_classes()), "huge.zip", limits=ZipLimits(max_pixels_per_image=50))


@pytest.mark.parametrize("bad_name", ["../evil.png", "cat/../../evil.png", "/etc/cat/1.png", "C:\\cat\\1.png"])
def test_paths_that_leave_the_folder_are_refused(bad_name):
    files = two_classes()
    files[bad_name] = png()
    with pytest.raises(InputError, match="points outside the archive's folder"):
        load_image_zip(make_zip(files), "escape.zip")


def test_nested_class_folders_are_refused_but_a_wrapping_folder_is_looked_into():
    files = two_classes()
    files["cat/indoor/004.png"] = png()
    with pytest.raises(InputError, match="nested folders: 'cat/indoor/004.png'.*move the images up"):
        load_image_zip(make_zip(files), "nested.zip")
    wrapped = {f"pets/{name}": data for name, data in two_classes().items()}
    dataset = load_image_zip(make_zip(wrapped), "wrapped.zip")
    assert dataset.class_names == ["cat", "dog"]
    assert any("inside pets/" in note for note in dataset.notes)


def test_a_single_class_folder_is_refused():
    files = {f"cat/{index}.png": png() for index in range(5)}
    with pytest.raises(InputError, match="only one class folder with images \\('cat'\\).*at least two classes"):
        load_image_zip(make_zip(files), "one.zip")


def test_files_that_are_not_images_are_skipped_with_a_note():
    files = two_classes()
    files["cat/readme.txt"] = b"hello"
    files["labels.csv"] = b"a,b\n"
    dataset = load_image_zip(make_zip(files), "extra.zip")
    assert len(dataset.labels) == 8
    text = " ".join(dataset.notes)
    assert "not PNG, JPEG, BMP or GIF images were skipped: cat/readme.txt" in text
    assert "outside any class folder, were skipped: labels.csv" in text
    with pytest.raises(InputError, match="no PNG, JPEG, BMP or GIF images"):
        load_image_zip(make_zip({"a/x.txt": b"1", "b/y.txt": b"2"}), "text.zip")
    with pytest.raises(InputError, match="images at its top level but no class folders"):
        load_image_zip(make_zip({"1.png": png(), "2.png": png()}), "flat.zip")


def test_a_file_named_like_an_image_that_is_not_one_is_refused():
    files = two_classes()
    files["dog/fake.png"] = b"this is text, not a picture"
    with pytest.raises(InputError, match="dog/fake.png is not a PNG, JPEG, BMP or GIF image.*Remove or replace"):
        load_image_zip(make_zip(files), "fake.zip")


@pytest.mark.parametrize("damage", ["truncated", "garbage_after_header"])
def test_corrupt_or_truncated_images_are_refused_naming_the_file(damage):
    good = png(size=(32, 32), mode="RGB", value=(1, 2, 3))
    broken = good[: len(good) // 2] if damage == "truncated" else good[:16] + b"\x00" * 100
    files = two_classes()
    files["cat/broken.png"] = broken
    with pytest.raises(InputError, match="cat/broken.png (is corrupt or truncated|is not a valid image)"):
        load_image_zip(make_zip(files), "broken.zip")


def test_empty_folders_are_left_out_with_a_note():
    raw = make_zip(two_classes(), folders=("bird/", "fish/"))
    dataset = load_image_zip(raw, "empty.zip")
    assert dataset.class_names == ["cat", "dog"]
    assert any("Folders without images were left out: bird/, fish/." in note for note in dataset.notes)
    with pytest.raises(InputError, match="holds no files"):
        load_image_zip(make_zip({}, folders=("a/", "b/")), "folders.zip")


def test_hidden_and_system_files_are_skipped_with_a_note():
    files = two_classes()
    files["__MACOSX/cat/._001.png"] = b"\x00\x05\x16\x07"
    files["cat/.DS_Store"] = b"\x00\x00\x00\x01Bud1"
    files[".hidden/1.png"] = png()
    files["dog/Thumbs.db"] = b"\xd0\xcf\x11\xe0"
    dataset = load_image_zip(make_zip(files), "mac.zip")
    assert dataset.class_names == ["cat", "dog"] and len(dataset.labels) == 8
    assert any("4 hidden or system files" in note for note in dataset.notes)


def _rename_in_archive(raw: bytes, placeholder: bytes, replacement: bytes) -> bytes:
    """Put raw name bytes into an archive (zipfile itself only writes ASCII or flagged UTF-8 names)."""
    assert len(placeholder) == len(replacement)
    return raw.replace(placeholder, replacement)


def test_non_utf8_names_are_refused_and_unflagged_utf8_names_are_read():
    files = two_classes()
    files.update({f"cafXX/{index}.png": png() for index in range(2)})
    raw = make_zip(files)
    latin = _rename_in_archive(raw, b"cafXX", b"caf\xe9\xe9")
    with pytest.raises(InputError, match="legacy encoding, not UTF-8.*Rename"):
        load_image_zip(latin, "latin.zip")
    utf8 = _rename_in_archive(raw, b"cafXX", "café".encode())
    assert "café" in load_image_zip(utf8, "utf8.zip").class_names


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "is empty"),
        (b"a,b\n1,2\n", "is not a ZIP archive.*top-level folders are the classes"),
        (b"PK\x03\x04" + b"\x00" * 40, "could not be opened as a ZIP archive"),
    ],
)
def test_files_that_are_not_zip_archives_are_refused(raw, message):
    with pytest.raises(InputError, match=message):
        load_image_zip(raw, "upload.zip")


def test_a_truncated_archive_is_refused():
    raw = make_zip(two_classes())
    with pytest.raises(InputError, match="could not be opened as a ZIP archive"):
        load_image_zip(raw[: len(raw) // 2], "half.zip")


def test_a_class_with_one_image_is_left_out_with_a_note():
    files = two_classes()
    files["bird/1.png"] = png()
    dataset = load_image_zip(make_zip(files), "bird.zip")
    assert dataset.class_names == ["cat", "dog"]
    assert any("single image were left out (a split needs 2 per class): 'bird'" in note for note in dataset.notes)
    with pytest.raises(InputError, match="has only 1 image"):
        load_image_zip(make_zip({"a/1.png": png(), "b/1.png": png()}), "tiny.zip")


def test_requested_shape_is_validated():
    raw = make_zip(two_classes())
    with pytest.raises(InputError, match="channels must be 1 \\(grayscale\\) or 3 \\(RGB\\). Got 4"):
        load_image_zip(raw, "x.zip", channels=4)
    with pytest.raises(InputError, match="image_size must be between 4 and 256"):
        load_image_zip(raw, "x.zip", image_size=(1000, 10))


def test_profile_warns_about_a_tiny_minority_and_flattening_names_pixels():
    dataset = load_image_zip(make_zip(two_classes()), "pets.zip")
    assert "only 2 images" in profile_images(dataset).warnings[0]
    table = dataset.flattened()
    assert table.shape == (8, 64) and table.columns[0] == "pixel_0_0"
    assert is_zip(make_zip(two_classes())) and not is_zip(b"a,b\n")


def test_images_travel_as_a_frame_of_pixels_that_knows_its_shape():
    files = {
        f"{label}/{index}.png": png(mode="RGB", value=(10, 20, 30)) for label in ("cat", "dog") for index in range(4)
    }
    dataset = load_image_zip(make_zip(files), "rgb.zip")
    frame = to_frame(dataset)
    assert frame.shape == (8, 8 * 8 * 3 + 1) and frame.columns[-1] == "class"
    assert image_shape_of(frame) == (8, 8, 3)
    assert image_shape_of(frame.loc[frame["class"] == "dog"].drop(columns=["class"])) == (8, 8, 3)
    assert np.array_equal(as_images(frame.drop(columns=["class"]).to_numpy(), (8, 8, 3)), dataset.images)
    assert image_shape_of(frame.drop(columns=["class"]).iloc[:0].copy()) == (8, 8, 3)


def test_the_image_encoder_keeps_pixels_as_they_are_and_flattened():
    from imbal_core.data.image_encoder import ImageEncoder, image_plan

    dataset = load_image_zip(make_zip(two_classes()), "pets.zip")
    features = to_frame(dataset).drop(columns=["class"])
    encoder = ImageEncoder(image_plan(features), (8, 8, 1)).fit(features)
    encoded = encoder.transform(features)
    assert encoded.dtype == np.float32 and encoded.shape == (8, 64)
    assert np.array_equal(as_images(encoded, encoder.image_shape), dataset.images)
    assert encoder.n_numeric == 64 and encoder.modality == "image"
    assert encoder.decode(encoded).shape == (8, 64)


def test_an_image_declaring_a_huge_size_is_refused_before_decoding():
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)  # 400 million pixels, a few bytes of data
    bomb = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")
    )
    files = two_classes()
    files["dog/bomb.png"] = bomb
    with pytest.raises(InputError, match="dog/bomb.png .*(decompression bomb|more than the limit)"):
        load_image_zip(make_zip(files), "bomb.zip")
