"""Files follow their rows: removing what a deleted row owned in Django's storage, folders included,
and finding the files no row owns (manage.py clean_orphans)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage

log = logging.getLogger(__name__)


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under `folder` (recursively), as storage names."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}")


def storage_path(storage: Storage, name: str) -> str | None:
    """The local path of a stored name, or None where the storage has no local paths (an object store)."""
    try:
        return storage.path(name)
    except NotImplementedError:  # Django's Storage.path for storages without a file system
        return None


def local_file(file: Any, key: str) -> tuple[str, Hashable | None]:
    """A local path of a stored file (a FieldFile), for the code that needs one (Keras loads from a path),
    and its cache stamp: (the storage's own path, None), or, with a storage that has no local paths, a copy
    made once into VAR_DIR/model-cache (named by `key`, the file's name and size; stamp (name, size)).
    FileNotFoundError when the file is gone."""
    storage, name = file.storage, str(file.name)
    path = storage_path(storage, name)
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(name)
        return path, None
    try:
        size = storage.size(name)
    except OSError:
        raise FileNotFoundError(name) from None
    folder = Path(settings.VAR_DIR) / "model-cache"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(f"{name}:{size}".encode()).hexdigest()[:16]
    local = folder / f"{key}-{digest}{Path(name).suffix}"
    if not local.is_file():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".copy-", suffix=Path(name).suffix)
        try:
            with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as src:
                shutil.copyfileobj(src, out)
            os.replace(tmp, local)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return str(local), (name, size)


def _remove_empty_dirs(storage: Storage, folder: str, keep: str = "") -> None:
    """Remove `folder` and the folders under it once empty, up to (not including) `keep`; only
    where the storage is a local folder (others have no folders to leave behind)."""
    root, path = storage_path(storage, ""), storage_path(storage, folder)
    if root is None or path is None:
        return
    stop = os.path.normpath(storage.path(keep)) if keep else os.path.normpath(root)
    for current, _dirs, _files in sorted(os.walk(path, topdown=False), key=lambda t: -len(t[0])):
        if os.path.normpath(current).startswith(stop) and os.path.normpath(current) != stop:
            with contextlib.suppress(OSError):  # not empty: something else is there
                os.rmdir(current)


def remove_folder(folder: str, storage: Storage | None = None) -> int:
    """Delete every file under `folder` and the folder itself; the number of files removed."""
    storage = storage or default_storage
    removed = 0
    for name in list(_walk(storage, folder)):
        try:
            storage.delete(name)
            removed += 1
        except OSError:
            log.warning("could not delete %s", name, exc_info=True)
    _remove_empty_dirs(storage, folder)
    return removed


def remove_file(name: str, storage: Storage | None = None) -> None:
    """Delete one stored file, then its folder if that is left empty."""
    storage = storage or default_storage
    if not name:
        return
    try:
        storage.delete(name)
    except OSError:
        log.warning("could not delete %s", name, exc_info=True)
    parent = os.path.dirname(name)
    if parent:
        _remove_empty_dirs(storage, parent)


def _age(storage: Storage, name: str) -> float:
    try:
        return time.time() - storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError):
        return float("inf")


def orphans(min_age: float = 600.0, storage: Storage | None = None) -> list[str]:
    """Stored files no row owns: under runs/<id>/ for a run that does not exist, under datasets/ and
    models/ that no uploaded dataset's or model's file names. Files younger than `min_age` seconds are left alone (an upload is
    written just before its row)."""
    from webapp.datasets.models import UploadedDataset
    from webapp.modelfiles.models import UploadedModel
    from webapp.runs.models import Run

    storage = storage or default_storage
    found: list[str] = []
    try:
        run_dirs, run_files = storage.listdir("runs")
    except (FileNotFoundError, NotADirectoryError):
        run_dirs, run_files = [], []
    existing = {str(pk) for pk in Run.objects.values_list("pk", flat=True)}
    for name in run_files:
        found.append(f"runs/{name}")
    for folder in run_dirs:
        if folder not in existing:
            found.extend(_walk(storage, f"runs/{folder}"))
    for folder, row_model in (("datasets", UploadedDataset), ("models", UploadedModel)):
        kept = set(row_model.objects.values_list("file", flat=True))
        found.extend(name for name in _walk(storage, folder) if name not in kept)
    return [name for name in found if _age(storage, name) >= min_age]


def remove_orphans(min_age: float = 600.0, dry_run: bool = False, storage: Storage | None = None) -> list[str]:
    """Delete orphans() (and the folders they leave empty); the names found."""
    storage = storage or default_storage
    names = orphans(min_age, storage)
    if not dry_run:
        for name in names:
            remove_file(name, storage)
    return names
