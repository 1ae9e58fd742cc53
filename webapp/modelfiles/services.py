"""Storing, listing and deleting a person's uploaded .keras models."""

from __future__ import annotations

import os
import tempfile
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction

from builder.limits import ModelTooLarge
from builder.pretrained import PretrainedError, read_model_file
from webapp import limits
from webapp.errors import FieldError
from webapp.modelfiles.models import UploadedModel

CHUNK = 1024 * 1024


def max_bytes() -> int:
    return int(settings.MAX_UPLOAD_BYTES)


def _shape(tensor: Any) -> list[int | None]:
    return [None if d is None else int(d) for d in tensor.shape]


def save_upload(user: Any, upload: Any, name: str) -> UploadedModel:
    """Check an uploaded .keras (catalog layers only, safe mode, the size and parameter caps) and keep it.
    FieldError (400 on field "file", 413 over a cap) says what is wrong; on any error nothing is stored."""
    filename = str(upload.name or "model.keras")
    if not filename.lower().endswith(".keras"):
        raise FieldError("file: send a .keras file (saved with model.save('model.keras'))", "file")
    if upload.size is not None and upload.size > max_bytes():
        raise FieldError(f"file: larger than the limit of {max_bytes()} bytes", "file", status_code=413)
    with tempfile.TemporaryDirectory(prefix="model-upload-") as tmp:
        path = os.path.join(tmp, "model.keras")
        size = 0
        with open(path, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > max_bytes():
                    raise FieldError(f"file: larger than the limit of {max_bytes()} bytes", "file", status_code=413)
                out.write(chunk)
        if size == 0:
            raise FieldError("file: the file is empty", "file")
        try:
            model = read_model_file(path, max_params=limits.max_model_params())
        except ModelTooLarge as exc:
            raise FieldError(f"file: {exc}", "file", status_code=413) from None
        except PretrainedError as exc:
            raise FieldError(f"file: {exc}", "file") from None
        if len(model.inputs) != 1:
            raise FieldError(
                f"file: the model has {len(model.inputs)} inputs; a Pretrained block takes models of one", "file"
            )
        import keras

        row = UploadedModel(
            owner=user,
            name=(name or PurePath(filename).stem)[:200],
            filename=filename[:255],
            size=size,
            layers=sum(1 for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)),
            params=int(model.count_params()),
            input_shapes=[_shape(t) for t in model.inputs],
            output_shapes=[_shape(t) for t in model.outputs],
        )
        with open(path, "rb") as f:
            row.file.save("model.keras", File(f), save=False)
    try:
        with transaction.atomic():
            row.save()
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise
    return row


def list_for(user: Any) -> list[dict]:
    return [m.as_json() for m in UploadedModel.objects.filter(owner=user)]


def delete_upload(row: UploadedModel) -> None:
    row.delete()  # the file goes once the deletion is committed (signals.py)
