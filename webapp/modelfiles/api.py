"""Uploaded .keras models (for Pretrained blocks) and the inner layers of a model block."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from webapp import pretrained
from webapp.accounts.auth import PRIVATE_AUTH
from webapp.errors import FieldError
from webapp.modelfiles import services
from webapp.modelfiles.models import UploadedModel
from webapp.modelfiles.schemas import InnerLayersRequest, UploadedModelInfo
from webapp.runs.api import InnerLayers, attachment
from webapp.schemas import answers, file_answer

router = Router(tags=["models"], auth=PRIVATE_AUTH)
inner_router = Router(tags=["graphs"])

MAX_DIMS = 8


@router.get(
    "",
    response=answers({200: list[UploadedModelInfo]}, 401),
    summary="Your uploaded .keras models, for Pretrained blocks",
)
def list_models(request: HttpRequest):
    return services.list_for(request.auth)


@router.post(
    "",
    response=answers({201: UploadedModelInfo}, 400, 401, 403, 413),
    summary="Upload a trained .keras model (catalog layers only, loaded in safe mode) to use as a Pretrained block",
)
def upload_model(
    request: HttpRequest,
    file: UploadedFile = File(..., description="the .keras file"),
    name: str = Form("", description="a title for the model (default: the file's name)"),
):
    return Status(201, services.save_upload(request.auth, file, name.strip()).as_json())


def owned(request: HttpRequest, model_id: int) -> UploadedModel:
    return get_object_or_404(UploadedModel, pk=model_id, owner=request.auth)


@router.get(
    "/{int:model_id}",
    response=answers({200: UploadedModelInfo}, 400, 401, 404),
    summary="One of your uploaded models",
)
def get_model(request: HttpRequest, model_id: int):
    return owned(request, model_id).as_json()


@router.get(
    "/{int:model_id}/layers",
    response=answers({200: InnerLayers}, 400, 401, 404, 409),
    summary="The uploaded model's layers, for a Pretrained block's cut_at and trainable_from",
)
def model_layers(request: HttpRequest, model_id: int):
    return pretrained.layers_answer(request.auth, "upload", owned(request, model_id).pk)


@router.get(
    "/{int:model_id}/file",
    response=answers({}, 400, 401, 404),
    openapi_extra=file_answer("application/octet-stream"),
    summary="The uploaded .keras file, as an attachment (what an exported script's path constant names)",
)
def download_model_file(request: HttpRequest, model_id: int):
    row = owned(request, model_id)
    return attachment(row.file, f"upload-{row.pk}.keras", "application/octet-stream")


@router.delete(
    "/{int:model_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete an uploaded model and its file",
)
def delete_model(request: HttpRequest, model_id: int):
    services.delete_upload(owned(request, model_id))
    return Status(204, None)


@inner_router.post(
    "/inner-layers",
    response=answers({200: InnerLayers}, 400),
    summary="The inner layers of a model block (a Keras Application or a Pretrained block) at an input shape",
)
def block_inner_layers(request: HttpRequest, body: InnerLayersRequest):
    from builder.catalog import check_params
    from builder.pretrained import PretrainedError, block_layers, is_model_block

    if not is_model_block(body.type):
        raise FieldError(f"type: {body.type[:60]!r} is no model block (Pretrained or a Keras Application)", "type")
    shape = body.input_shape
    if not 1 <= len(shape) <= MAX_DIMS or any(d is not None and not 1 <= d <= 65536 for d in shape):
        raise FieldError(f"input_shape: 1 to {MAX_DIMS} sizes from 1 to 65536 (or null)", "input_shape")
    params, problems = check_params(body.type, body.params)
    if problems:
        raise FieldError("params: " + "; ".join(p.message for p in problems), "params")
    with pretrained.for_request(request):  # a run or upload: the asker's own only
        try:
            return {"layers": block_layers(body.type, params, ((None, *shape), body.dtype))}
        except PretrainedError as exc:
            raise FieldError(f"{body.type}: {exc}", "params") from None
