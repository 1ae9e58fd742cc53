"""parse_upload: the uploaded file's extension picks the parser."""

from __future__ import annotations

import contextlib
from pathlib import PurePath

from .base import Dataset, UploadError
from .limits import UploadLimits, check_file_size


def parse_upload(fileobj, filename: str, options: dict | None = None, limits: UploadLimits | None = None) -> Dataset:
    """A Dataset from an uploaded .csv, .npz or .zip of class folders; UploadError says what to fix.

    Reads `fileobj` (a binary file object; seekable for .npz and .zip) and writes nothing."""
    from .csv_upload import parse_csv
    from .image_upload import parse_image_zip
    from .npz_upload import parse_npz

    options = options or {}
    if not isinstance(options, dict):
        raise UploadError("options must be an object", "options")
    limits = limits or UploadLimits()
    parsers = {".csv": parse_csv, ".npz": parse_npz, ".zip": parse_image_zip}
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in parsers:
        raise UploadError(
            f"unsupported file type {suffix or filename!r}: upload a .csv, a .npz or a .zip of "
            "one folder per class of images",
            "file",
        )
    check_file_size(fileobj, limits, filename)
    if hasattr(fileobj, "seek"):
        with contextlib.suppress(OSError, ValueError):
            fileobj.seek(0)
    return parsers[suffix](fileobj, filename, options, limits)
