"""Member names of uploaded archives: refuse anything that could point outside the archive."""

from __future__ import annotations

import re

from .base import UploadError

DRIVE = re.compile(r"^[A-Za-z]:")


def check_member_name(name: str) -> list[str]:
    """The member's path parts; UploadError for absolute paths, drive letters and `..`."""
    normal = name.replace("\\", "/")
    parts = [p for p in normal.split("/") if p not in ("", ".")]
    if normal.startswith("/") or DRIVE.match(normal) or ".." in parts or "\x00" in normal:
        raise UploadError(
            f"the archive holds an unsafe path {name!r} (absolute or with '..'): "
            "make the archive from inside its folder",
            "file",
        )
    return parts
