"""Endpoints that need no account: the catalog, examples, validate, export, import.

Thin: parse the request, call builder/, shape the answer. All graph logic is in builder/.
"""

import json
import re
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Router
from ninja.errors import HttpError
from pydantic import Field

import builder
from builder.limits import ModelTooLarge
from builder.validate import errors_summary
from webapp import limits, pretrained, transfer_template
from webapp.schemas import Absent, Catalog, Example, GraphDocument, ValidationResult, answers

router = Router(tags=["graphs"])

MAX_GRAPH_BYTES = 2 * 1024 * 1024
MAX_IMPORT_BYTES = 200 * 1024 * 1024


def read_graph_body(request: HttpRequest) -> Any:
    """The request body as JSON, or a 4xx that says what is wrong with it."""
    if len(request.body) > MAX_GRAPH_BYTES:
        raise HttpError(413, f"graph document too large: {len(request.body)} bytes, at most {MAX_GRAPH_BYTES}")
    if not request.body:
        raise HttpError(400, "empty body: send a graph document as JSON")
    return limits.loads_strict(request.body)  # 400 naming where: NaN, Infinity, 1e400, too deep


def invalid_graph_response(result: dict) -> HttpResponse:
    body = {"detail": errors_summary(result.get("errors") or []), **result}
    return HttpResponse(json.dumps(body), status=400, content_type="application/json")


def safe_filename(name: Any, default: str = "model") -> str:
    text = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name or "")).strip("._")
    return text[:80] or default


@router.get("/layers", response=Catalog, exclude_unset=True, summary="The layer catalog")
def layers(request: HttpRequest):
    return builder.catalog_json()


@router.get("/examples", response=list[Example], exclude_unset=True, summary="Example graphs (templates)")
def examples(request: HttpRequest):
    # A signed-in person also gets transfer learning from their latest trained run (webapp/transfer_template.py).
    entry = transfer_template.transfer_example(pretrained.request_user(request))
    return builder.list_examples() + ([entry] if entry is not None else [])


@router.post(
    "/graphs/validate",
    response=answers({200: ValidationResult}, 400, 413),
    exclude_unset=True,
    summary="Check a graph: per-node shapes, parameters and errors",
)
def validate(request: HttpRequest):
    # Nothing is allocated here (a StatelessScope walk): a model over the size cap is still checked,
    # with a warning saying that export, import and training refuse it.
    with pretrained.for_request(request):  # Pretrained blocks: the asker's own runs only
        return limits.mark_over_cap(builder.validate_graph(read_graph_body(request)))


EXPORT_ANSWER = {
    "responses": {
        200: {
            "description": "the script, the .keras, SavedModel (.zip), ONNX or TFLite file, or the normalised "
            "graph, as an attachment",
            "content": {
                "text/x-python": {"schema": {"type": "string"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"$ref": "#/components/schemas/GraphDocument"}},
            },
        }
    }
}


DEPLOYMENT_FILES = {  # format: (file name suffix, content type); converted by trainer.exports
    "savedmodel": ("-savedmodel.zip", "application/zip"),
    "onnx": (".onnx", "application/octet-stream"),
    "tflite": (".tflite", "application/octet-stream"),
}


@router.post(
    "/graphs/export",
    response=answers({200: GraphDocument}, 400, 413, 422),
    openapi_extra=EXPORT_ANSWER,
    summary="Export a graph (untrained) as a Python script, a .keras, SavedModel, ONNX or TFLite file, or JSON",
)
def export(request: HttpRequest, format: Literal["python", "keras", "json", "savedmodel", "onnx", "tflite"] = "python"):
    with pretrained.for_request(request):  # Pretrained blocks: the asker's own runs only
        return _export(request, format)


def _export(request: HttpRequest, format: str) -> HttpResponse:
    doc = read_graph_body(request)
    result = builder.validate_graph(doc)
    if not result["valid"]:
        return invalid_graph_response(result)
    if format not in ("json", "python"):  # these build the model: refused over the cap (413) before that
        limits.check_model_size(result)
    name = safe_filename(doc.get("name") if isinstance(doc, dict) else None)
    if format == "python":
        response = HttpResponse(builder.export_python(doc), content_type="text/x-python; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.py"'
    elif format == "keras":
        response = HttpResponse(builder.export_keras(doc), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{name}.keras"'
    elif format in DEPLOYMENT_FILES:
        from webapp.runs import use

        suffix, content_type = DEPLOYMENT_FILES[format]
        with use.answered():  # a format that cannot hold the graph, or too slow a conversion: 422
            data = use.export_graph(doc, format)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}{suffix}"'
    else:
        response = HttpResponse(json.dumps(builder.normalise_graph(doc), indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


IMPORT_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {"schema": {"type": "object", "description": "Keras model JSON (model.to_json())"}},
        }
    }
}


class ImportedGraph(GraphDocument):
    notice: str | Absent = Field(None, description="said when the file held trained weights, which a graph drops")


WEIGHTS_NOTICE = (
    "a graph carries no weights: this file's trained weights were not imported, so training the graph starts "
    "from fresh weights. To keep them, use the model as a Pretrained block (one of your runs, or an uploaded "
    ".keras model) instead"
)


def _has_weights(data: bytes) -> bool:
    """Whether a .keras file (a zip) holds weights: its model.weights.h5 entry is there and not empty."""
    import io
    import zipfile

    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = next((i for i in archive.infolist() if i.filename == "model.weights.h5"), None)
    except zipfile.BadZipFile:
        return False
    return info is not None and info.file_size > 0


@router.post(
    "/graphs/import",
    response=answers({200: ImportedGraph}, 400, 413),
    exclude_unset=True,
    summary="A .keras file or Keras model JSON in, a graph document out",
    openapi_extra=IMPORT_BODY,
)
def import_graph(request: HttpRequest):
    # The body is read here rather than by a File() parameter, so that a malformed multipart
    # body or a missing field is a 400 that says so.
    if request.content_type == "multipart/form-data":
        try:
            upload = request.FILES.get("file")
        except MultiPartParserError as exc:
            raise HttpError(400, f"malformed multipart body: {exc}") from None
        if upload is None:
            raise HttpError(400, "send the model file in the multipart field 'file'")
        if upload.size and upload.size > MAX_IMPORT_BYTES:
            raise HttpError(413, f"file too large: at most {MAX_IMPORT_BYTES} bytes")
        data, filename = upload.read(), upload.name
    else:
        if not request.body:
            raise HttpError(400, "send a .keras file (multipart field 'file') or Keras model JSON as the body")
        data, filename = request.body, None
    try:
        doc = builder.import_model(data, filename=filename, max_params=limits.max_model_params())
    except ModelTooLarge as exc:  # counted on the config, before a weight is read
        raise HttpError(413, str(exc)) from None
    except builder.ModelImportError as exc:
        raise HttpError(400, str(exc)) from None
    if _has_weights(data) and _weight_count(doc) > 0:
        doc = {**doc, "notice": WEIGHTS_NOTICE}
    return doc


def _weight_count(doc: dict) -> int:
    """The imported graph's parameter count (0: nothing was dropped), from the checking walk."""
    return int(builder.validate_graph(doc).get("total_params") or 0)
