"""Datasets for a person: the built-in ones and their own uploads; storing and loading uploads."""

from __future__ import annotations

import logging
import tempfile
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.db import transaction

from trainer import datasets as tds
from webapp.datasets.models import UploadedDataset
from webapp.errors import FieldError

log = logging.getLogger(__name__)


def builtin_infos() -> dict[str, dict]:
    return {info["name"]: info for info in tds.list_builtin()}


def builtin_json(info: dict) -> dict:
    return {**info, "id": None, "ref": info["name"], "kind": "builtin"}


def list_for(user) -> list[dict]:
    return [builtin_json(i) for i in tds.list_builtin()] + [
        d.as_json() for d in UploadedDataset.objects.filter(owner=user)
    ]


def resolve(user, ref) -> tuple[str, UploadedDataset | None, dict]:
    """A dataset reference from a request: a built-in's name, or an upload's id (int or digits).

    Answers (builtin name or "", upload or None, info). Someone else's upload is a 404, as unknown ids are."""
    if isinstance(ref, bool) or ref is None or ref == "":
        raise FieldError("dataset: choose a dataset (a built-in's name or an upload's id)", "dataset")
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        upload = UploadedDataset.objects.filter(owner=user, pk=int(ref)).first()
        if upload is None:
            raise FieldError(f"dataset {ref} not found", "dataset", status_code=404)
        return "", upload, upload.info
    if isinstance(ref, str):
        infos = builtin_infos()
        if ref in infos:
            return ref, None, infos[ref]
        raise FieldError(f"dataset: unknown dataset {ref!r}; the built-in ones are {', '.join(infos)}", "dataset")
    raise FieldError("dataset: a built-in's name or an upload's id", "dataset")


def load(builtin: str, upload: UploadedDataset | None) -> tds.Dataset:
    """The arrays of a dataset; DatasetError when they cannot be read."""
    if upload is None:
        return tds.load_builtin(builtin)
    try:
        with upload.file.open("rb") as f:
            return tds.dataset_from_npz(f)
    except FileNotFoundError:
        raise tds.DatasetError(f"the file of dataset {upload.name!r} is missing: upload it again") from None


def save_upload(user, fileobj, filename: str, name: str, options: dict) -> UploadedDataset:
    """Parse an upload and keep it as .npz in storage. UploadError (with .field) says what is wrong;
    on any error nothing is left in storage."""
    options = dict(options)
    if name:
        options.setdefault("title", name)
    limits = tds.UploadLimits(max_bytes=settings.MAX_UPLOAD_BYTES)
    ds = tds.parse_upload(fileobj, filename, options, limits)
    title = name or ds.info.get("title") or PurePath(filename).stem
    # Write the whole .npz to a local temporary file first: storage only ever receives a complete file.
    with tempfile.TemporaryFile(suffix=".npz") as tmp:
        tds.dataset_to_npz(ds, tmp)
        size = tmp.tell()
        tmp.seek(0)
        upload = UploadedDataset(owner=user, name=title[:200], filename=filename[:255], info=ds.info, size=size)
        upload.file.save("dataset.npz", File(tmp), save=False)
    try:
        with transaction.atomic():
            upload.save()
    except BaseException:
        upload.file.storage.delete(upload.file.name)
        raise
    return upload


def delete_upload(upload: UploadedDataset) -> None:
    name = upload.file.name
    storage = upload.file.storage
    upload.delete()  # the row first: a file without a row is harmless, a row without its file is not
    if name:
        storage.delete(name)
