"""ZIP uploads of images, one folder per class (`cats/1.jpg`, `dogs/2.png`, ...)."""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from pathlib import PurePath

import numpy as np

from .base import Dataset, UploadError, class_target, field_name, make_info, split_indices
from .limits import MB, ReadBudget, UploadLimits, check_member_header, read_member
from .zip_paths import check_member_name

IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
MAX_SIDE = 1024


def parse_image_zip(fileobj, filename: str, options: dict, limits: UploadLimits) -> Dataset:
    height, width = _image_size(options.get("image_size", [64, 64]))
    color = options.get("color", "rgb")
    if color not in ("rgb", "grayscale"):
        raise UploadError(f"color must be 'rgb' or 'grayscale', got {color!r}", "color")
    channels = 3 if color == "rgb" else 1
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadError(f"{filename} is not a valid ZIP file", "file") from None
    with zf:
        members, classes = _plan(zf, filename, limits)
        need = len(members) * height * width * channels * 4
        if need > limits.max_uncompressed:
            raise UploadError(
                f"{len(members):,} images of {height}x{width}x{channels} need {need / MB:,.0f} MB as float32, "
                f"more than the limit of {limits.max_uncompressed / MB:,.0f} MB: choose a smaller image_size "
                "or grayscale",
                "image_size",
            )
        images = np.empty((len(members), height, width, channels), dtype=np.float32)
        labels = np.empty(len(members), dtype=np.int32)
        budget = ReadBudget(limits.max_uncompressed)
        for i, (info, label) in enumerate(members):
            try:
                data = read_member(zf, info, budget, limits, repr(info.filename))
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise UploadError(
                    f"{info.filename!r} in {filename} is corrupt ({exc}): zip the folder again", "file"
                ) from None
            images[i] = _decode(data, info.filename, height, width, color, limits)
            labels[i] = label
    train, test = split_indices(len(labels), labels)
    info = make_info(
        field_name(PurePath(filename).stem if not options.get("name") else options["name"]),
        options.get("title") or filename,
        "upload",
        f"Uploaded images {filename}: {len(labels)} images in {len(classes)} classes, resized to "
        f"{height}x{width} {color}, float32 pixels in [0, 1]. Fixed stratified 80/20 split, seed 0.",
        inputs=[{"name": "image", "shape": [height, width, channels], "dtype": "float32", "modality": "image"}],
        targets=[class_target("label", labels, classes)],
        train_size=len(train),
        test_size=len(test),
        source={"format": "zip", "filename": filename},
    )
    return Dataset(
        info["name"],
        info,
        {"image": images[train]},
        {"label": labels[train]},
        {"image": images[test]},
        {"label": labels[test]},
    )


def _image_size(value) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIDE for v in value)
    ):
        raise UploadError(f"image_size is [height, width], each 1..{MAX_SIDE}, got {value!r}", "image_size")
    return int(value[0]), int(value[1])


def _ignored(parts: list[str]) -> bool:
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts) or parts[-1].lower() in IGNORED_NAMES


def _plan(zf: zipfile.ZipFile, filename: str, limits: UploadLimits):
    """(members with their class ids, class names) from the archive's table of contents only."""
    entries = []  # (info, parts)
    folders = set()
    for info in zf.infolist():
        parts = check_member_name(info.filename)
        if not parts or _ignored(parts):
            continue
        if info.is_dir():
            folders.add(tuple(parts))
        else:
            entries.append((info, parts))
    if not entries:
        raise UploadError(f"{filename} holds no images: put one folder per class of images in it", "file")
    # A ZIP of one top folder holding the class folders: drop that top folder.
    tops = {parts[0] for _, parts in entries} | {f[0] for f in folders}
    if len(tops) == 1 and all(len(parts) >= 3 for _, parts in entries):
        entries = [(info, parts[1:]) for info, parts in entries]
        folders = {f[1:] for f in folders if len(f) > 1}
    loose = [info.filename for info, parts in entries if len(parts) < 2]
    if loose:
        raise UploadError(
            f"{loose[0]!r} is not inside a class folder: put every image in the folder of its class", "file"
        )
    classes = sorted({parts[0] for _, parts in entries} | {f[0] for f in folders})
    if len(classes) < 2:
        raise UploadError(
            f"{filename} has {len(classes)} class folder ({', '.join(classes)}): a classifier needs at least 2", "file"
        )
    if len(classes) > limits.max_classes:
        raise UploadError(
            f"{filename} has {len(classes)} class folders, more than the limit of {limits.max_classes}", "file"
        )
    per_class = dict.fromkeys(classes, 0)
    for _, parts in entries:
        per_class[parts[0]] += 1
    empty = [c for c, n in per_class.items() if n == 0]
    if empty:
        raise UploadError(f"class folder {empty[0]!r} is empty: add images to it or remove it", empty[0])
    if len(entries) > limits.max_images:
        raise UploadError(
            f"{filename} holds {len(entries):,} files, more than the limit of {limits.max_images:,} images", "file"
        )
    budget = ReadBudget(limits.max_uncompressed)
    for info, _ in entries:  # refuse bombs from the headers before decompressing anything
        check_member_header(info, budget, limits, repr(info.filename))
        budget.used += info.file_size
    index = {c: i for i, c in enumerate(classes)}
    members = sorted(((info, index[parts[0]]) for info, parts in entries), key=lambda m: m[0].filename)
    return members, classes


def _decode(data: bytes, name: str, height: int, width: int, color: str, limits: UploadLimits) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    mode = "RGB" if color == "rgb" else "L"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                w, h = img.size
                if w * h > limits.max_image_pixels:
                    raise UploadError(
                        f"image {name!r} is {w}x{h}, more than the limit of {limits.max_image_pixels:,} pixels", "file"
                    )
                img.draft(mode, (width, height))  # JPEG: decode at a reduced scale when it can
                resized = img.convert(mode).resize((width, height), Image.Resampling.BILINEAR)
                pixels = np.asarray(resized, dtype=np.float32) / np.float32(255)
    except UploadError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ):
        raise UploadError(
            f"{name!r} is not an image that can be read (PNG, JPEG, GIF, BMP, WebP...): remove it or replace it", "file"
        ) from None
    return pixels.reshape(height, width, -1)
