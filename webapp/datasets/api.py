"""Datasets: the built-in ones and a person's uploads (CSV, NPZ, ZIP of class folders)."""

import json

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from trainer import datasets as tds
from webapp.accounts.auth import PRIVATE_AUTH
from webapp.datasets import services
from webapp.datasets.models import UploadedDataset
from webapp.datasets.preview import dataset_preview
from webapp.errors import FieldError
from webapp.schemas import DatasetInfo, DatasetPreview, answers

router = Router(tags=["datasets"], auth=PRIVATE_AUTH)


@router.get(
    "",
    response=answers({200: list[DatasetInfo]}, 401),
    exclude_unset=True,
    summary="Built-in datasets and your uploads, with their inputs and targets",
)
def list_datasets(request: HttpRequest):
    return services.list_for(request.auth)


@router.post(
    "",
    response=answers({201: DatasetInfo}, 400, 401, 403, 413),
    exclude_unset=True,
    summary="Upload a dataset: .csv, .npz, or .zip of one folder per class",
)
def upload_dataset(
    request: HttpRequest,
    file: UploadedFile = File(..., description="the .csv, .npz or .zip"),
    name: str = Form("", description="a title for the dataset (default: the file's name)"),
    options: str = Form("{}", description='parser options as a JSON object, e.g. {"target": "species"}'),
):
    try:
        parsed_options = json.loads(options or "{}")
    except json.JSONDecodeError as exc:
        raise FieldError(f"options: not valid JSON ({exc})", "options") from None
    if not isinstance(parsed_options, dict):
        raise FieldError("options: must be a JSON object", "options")
    try:
        upload = services.save_upload(request.auth, file, file.name or "upload", name.strip(), parsed_options)
    except tds.UploadError as exc:
        raise FieldError(str(exc), exc.field or "file") from None
    except tds.DatasetError as exc:
        raise FieldError(str(exc), "file") from None
    return Status(201, upload.as_json())


def owned(request: HttpRequest, dataset_id: int) -> UploadedDataset:
    return get_object_or_404(UploadedDataset, pk=dataset_id, owner=request.auth)


@router.get(
    "/{int:dataset_id}",
    response=answers({200: DatasetInfo}, 400, 401, 404),
    exclude_unset=True,
    summary="One of your uploaded datasets",
)
def get_dataset(request: HttpRequest, dataset_id: int):
    return owned(request, dataset_id).as_json()


@router.get(
    "/{int:dataset_id}/preview",
    response=answers({200: DatasetPreview}, 400, 401, 404, 410),
    exclude_unset=True,
    summary="A few samples of an upload",
)
def preview_upload(request: HttpRequest, dataset_id: int):
    upload = owned(request, dataset_id)
    try:
        return dataset_preview(services.load("", upload))
    except tds.DatasetError as exc:
        raise HttpError(410, str(exc)) from None


@router.delete(
    "/{int:dataset_id}",
    # 405: a path that is not an id names a built-in dataset (GET /api/datasets/{name}), never deleted
    response=answers({204: None}, 400, 401, 403, 404, 405),
    summary="Delete an upload and its file",
)
def delete_dataset(request: HttpRequest, dataset_id: int):
    services.delete_upload(owned(request, dataset_id))
    return Status(204, None)


@router.get(
    "/{name}",
    response=answers({200: DatasetInfo}, 401, 404),
    exclude_unset=True,
    summary="A built-in dataset by name",
)
def get_builtin(request: HttpRequest, name: str):
    info = services.builtin_infos().get(name)
    if info is None:
        raise HttpError(404, f"no built-in dataset named {name!r}")
    return services.builtin_json(info)


@router.get(
    "/{name}/preview",
    response=answers({200: DatasetPreview}, 401, 404),
    exclude_unset=True,
    summary="A few samples of a built-in dataset",
)
def preview_builtin(request: HttpRequest, name: str):
    if name not in services.builtin_infos():
        raise HttpError(404, f"no built-in dataset named {name!r}")
    return dataset_preview(tds.load_builtin(name))
