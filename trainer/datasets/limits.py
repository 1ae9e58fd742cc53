"""Upload limits and a reader that enforces a byte cap while it reads."""

from __future__ import annotations

import io
from dataclasses import dataclass

from .base import UploadError

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 200 * MB  # the uploaded file itself
    max_rows: int = 1_000_000  # CSV data rows
    max_columns: int = 2000  # CSV columns
    max_images: int = 50_000  # images in a ZIP
    max_image_pixels: int = 4096 * 4096  # one image's width x height
    max_uncompressed: int = 2048 * MB  # bytes read out of a ZIP (or NPZ), all members together
    max_classes: int = 1000  # classes of one target
    max_ratio: int = 200  # a ZIP member's uncompressed/compressed size (zip bombs)
    max_cells: int = 20_000_000  # CSV rows x columns, held in memory while parsing


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} bytes"


class CappedReader(io.RawIOBase):
    """A read-only stream over `raw` that raises UploadError once more than `cap` bytes were read."""

    def __init__(self, raw, cap: int, what: str, field: str | None = "file"):
        self.raw = raw
        self.cap = cap
        self.what = what
        self.field = field
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # Read at most one byte past the cap so an exact-size file still passes.
        want = min(len(buffer), self.cap + 1 - self.count)
        if want <= 0:
            raise UploadError(f"{self.what} is larger than the limit of {_mb(self.cap)}", self.field)
        data = self.raw.read(want)
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self.count > self.cap:
            raise UploadError(f"{self.what} is larger than the limit of {_mb(self.cap)}", self.field)
        return n


def file_size(fileobj) -> int | None:
    """The size of a seekable file object (position kept), or None."""
    try:
        pos = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(pos)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def check_file_size(fileobj, limits: UploadLimits, filename: str) -> None:
    size = file_size(fileobj)
    if size is not None and size > limits.max_bytes:
        raise UploadError(f"{filename} is {_mb(size)}, more than the limit of {_mb(limits.max_bytes)}", "file")
    if size == 0:
        raise UploadError(f"{filename} is empty", "file")


class ReadBudget:
    """Bytes that may still be read out of an archive, shared by all its members."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def take(self, n: int, what: str) -> None:
        self.used += n
        if self.used > self.limit:
            raise UploadError(f"{what}: the archive unpacks to more than the limit of {_mb(self.limit)}", "file")


def read_member(zf, info, budget: ReadBudget, limits: UploadLimits, what: str) -> bytes:
    """A ZIP member's bytes, refused before reading when its declared size or ratio is out of bounds,
    and cut off while reading when it yields more than it declared."""
    check_member_header(info, budget, limits, what)
    chunks = []
    got = 0
    with zf.open(info) as f:
        while True:
            chunk = f.read(min(1 * MB, info.file_size + 1 - got))
            if not chunk:
                break
            got += len(chunk)
            budget.take(len(chunk), what)
            if got > info.file_size:
                raise UploadError(f"{what} holds more data than its header says: the archive is corrupt", "file")
            chunks.append(chunk)
    return b"".join(chunks)


def check_member_header(info, budget: ReadBudget, limits: UploadLimits, what: str) -> None:
    if info.file_size > budget.limit - budget.used:
        raise UploadError(
            f"{what} unpacks to {_mb(info.file_size)}, past the limit of {_mb(limits.max_uncompressed)} "
            "for the whole archive",
            "file",
        )
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > MB and ratio > limits.max_ratio:
        raise UploadError(
            f"{what} is compressed {ratio:.0f} to 1 (more than {limits.max_ratio} to 1): refusing a possible ZIP bomb",
            "file",
        )
