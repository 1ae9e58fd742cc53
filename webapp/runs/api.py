"""Runs: start one (every check before anything is queued), follow, cancel, delete, download.

Someone else's run is a 404 on every path. Reading runs also fails the ones whose worker died.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, StrictInt, StrictStr

from webapp import pretrained
from webapp.accounts.auth import PRIVATE_AUTH
from webapp.datasets import services as datasets
from webapp.errors import FieldError
from webapp.graphs_api import safe_filename
from webapp.limits import list_size
from webapp.projects.models import Project
from webapp.runs import checks, services, use
from webapp.runs.models import Run
from webapp.runs.schemas import ExportFormat, ExportList, PredictAnswer, PredictDescription, TestSample
from webapp.schemas import Out, RunCheck, RunCreated, RunDetail, RunSummary, answers, file_answer

router = Router(tags=["runs"], auth=PRIVATE_AUTH)


class RunIn(Schema):
    graph: dict | None = Field(None, description="a graph document; or name a project to train its graph")
    # Strict: `true` is not project or upload 1.
    project: StrictInt | None = Field(None, description="a project of yours (its graph, unless `graph` is given)")
    dataset: StrictStr | StrictInt = Field(
        ..., description="a built-in dataset's name, or the id of one of your uploads"
    )
    training: dict | None = Field(None, description="training settings; every key has a default")


def owned(request: HttpRequest, run_id: int) -> Run:
    services.fail_stale_runs(Run.objects.filter(pk=run_id, owner=request.auth))
    return get_object_or_404(Run.objects.select_related("dataset_upload"), pk=run_id, owner=request.auth)


@dataclass
class Checked:
    """A run request that passed every check: what create_run stores."""

    project: Project | None
    graph: dict
    builtin: str | None
    upload: object
    info: dict
    training: dict
    bindings: list[dict]
    warnings: list[dict]


def check_request(request: HttpRequest, payload: RunIn) -> Checked:
    """Every check a run must pass before it is queued (CheckFailed, FieldError, HttpError or a 404
    otherwise); nothing is written."""
    project = None
    if payload.project is not None:
        project = get_object_or_404(Project, pk=payload.project, owner=request.auth)
    graph = payload.graph if payload.graph is not None else (project.graph if project else None)
    if graph is None:
        raise HttpError(400, "send a graph or a project")
    with pretrained.for_user(request.auth):  # Pretrained blocks: the person's own runs only
        result = checks.check_graph(graph)
    builtin, upload, info = datasets.resolve(request.auth, payload.dataset)
    training = checks.check_training(payload.training)
    bindings = checks.check_binding(graph, result, info)
    warnings = checks.binding_warnings(graph, result, info)
    return Checked(project, graph, builtin, upload, info, training, bindings, warnings)


@router.post(
    "",
    response=answers({201: RunCreated}, 400, 401, 403, 404, 413),
    exclude_unset=True,
    summary="Start a training run (queued for a worker)",
)
def create_run(request: HttpRequest, payload: RunIn):
    from webapp.runs.tasks import train_run

    try:
        c = check_request(request, payload)
    except checks.CheckFailed as exc:
        return exc.response()
    with transaction.atomic():
        run = Run.objects.create(
            owner=request.auth,
            project=c.project,
            dataset_builtin=c.builtin,
            dataset_upload=c.upload,
            dataset_info=c.info,
            graph=c.graph,
            training=c.training,
        )
        # Sent once the row is committed: the worker must find it.
        transaction.on_commit(lambda: train_run.delay(run.id))
    return Status(201, {"id": run.id, "status": run.status})


@router.post(
    "/check",
    response=answers({200: RunCheck}, 400, 401, 403, 404, 413),
    exclude_unset=True,
    summary="Would this run start? The same checks as starting one; nothing is queued or created",
)
def check_run(request: HttpRequest, payload: RunIn):
    try:
        c = check_request(request, payload)
    except checks.CheckFailed as exc:
        return exc.response()
    answer: dict = {"ok": True, "bindings": c.bindings}
    if c.warnings:  # what trains but is likely a slip: the Train panel shows them, Train stays enabled
        answer["warnings"] = c.warnings
    return answer


@router.get(
    "",
    response=answers({200: list[RunSummary]}, 400, 401),
    exclude_unset=True,
    summary="Your runs, newest first (without graphs and histories); filtered by project, status, tag or text",
)
def list_runs(
    request: HttpRequest,
    project: int | None = None,
    status: str | None = None,
    limit: int = 200,
    tag: str | None = Query(None, description="only the runs with this tag (exact, trimmed)"),
    q: str | None = Query(None, description="text in the run's name, its graph's, its project's or its dataset's"),
):
    runs = Run.objects.filter(owner=request.auth)
    services.fail_stale_runs(runs)
    if project is not None:
        if not -(2**63) <= project < 2**63:  # SQLite overflows (a 400), PostgreSQL would match nothing: 400 on both
            raise HttpError(400, "project: a number in the request is out of range")
        runs = runs.filter(project_id=project)
    if status:
        runs = runs.filter(status=status)
    if q and q.strip():
        text = q.strip()
        runs = runs.filter(
            Q(name__icontains=text)
            | Q(graph__name__icontains=text)
            | Q(project__name__icontains=text)
            | Q(dataset_builtin__icontains=text)
            | Q(dataset_info__name__icontains=text)
            | Q(dataset_info__title__icontains=text)
        )
    if tag is not None and tag.strip():
        # Tags are a JSON list: matched here rather than by a JSON lookup SQLite lacks (a person's runs).
        wanted = tag.strip()
        runs = runs.filter(pk__in=[pk for pk, tags in runs.values_list("pk", "tags") if wanted in (tags or [])])
    runs = runs.defer("graph", "samples", "confusion", "batches")[: list_size(limit)]
    return [summary_json(r) for r in runs]


def summary_json(run: Run) -> dict:
    """A run as GET /api/runs lists it: run_json's summary, with its worker and its last epoch's metrics."""
    last = (run.history or [None])[-1]
    final = last.get("metrics") if isinstance(last, dict) else None
    return {**services.run_json(run, full=False), "worker": run.worker, "final": final or None}


MAX_NAME = 200
MAX_TAGS = 20
MAX_TAG = 40
MAX_NOTE = 20_000


class RunPatch(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is a 400, not a silent no-op

    name: StrictStr | None = Field(
        None, description=f"the run's name, at most {MAX_NAME} characters; empty: the graph's"
    )
    tags: list[StrictStr] | None = Field(
        None, description=f"its labels: at most {MAX_TAGS}, each 1-{MAX_TAG} characters (trimmed, duplicates dropped)"
    )
    note: StrictStr | None = Field(None, description=f"a Markdown note, at most {MAX_NOTE} characters")


def clean_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for i, raw in enumerate(tags):
        tag = raw.strip()
        if not 1 <= len(tag) <= MAX_TAG:
            raise FieldError(f"tags[{i}]: a tag has 1 to {MAX_TAG} characters (got {len(tag)})", "tags")
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise FieldError(f"tags: at most {MAX_TAGS} tags (got {len(out)})", "tags")
    return out


@router.patch(
    "/{int:run_id}",
    response=answers({200: RunDetail}, 400, 401, 403, 404),
    exclude_unset=True,
    summary="Rename, tag or annotate a run (the keys sent are changed; the others are kept)",
)
def patch_run(request: HttpRequest, run_id: int, payload: RunPatch):
    run = owned(request, run_id)  # someone else's run: a 404, whatever the body
    sent = payload.model_fields_set
    changes: dict = {}
    if "name" in sent:
        name = (payload.name or "").strip()
        if len(name) > MAX_NAME:
            raise FieldError(f"name: at most {MAX_NAME} characters (got {len(name)})", "name")
        changes["name"] = name
    if "tags" in sent:
        changes["tags"] = clean_tags(payload.tags or [])
    if "note" in sent:
        note = payload.note or ""
        if len(note) > MAX_NOTE:
            raise FieldError(f"note: at most {MAX_NOTE} characters (got {len(note)})", "note")
        changes["note"] = note
    if changes:
        # Only these columns: a worker writing the run's history at the same time keeps its writes.
        Run.objects.filter(pk=run.pk).update(**changes)
        run.refresh_from_db()
    return services.run_json(run)


class RunsDelete(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[StrictInt] = Field(..., description="the runs to delete (1 to 1000 ids)")


class RunsDeleted(Out):
    deleted: list[int] = Field(description="the runs deleted, with their files (running ones were stopped first)")
    not_found: list[int] = Field(description="the ids that are not runs of yours: nothing was done with them")


@router.post(
    "/delete",
    response=answers({200: RunsDeleted}, 400, 401, 403),
    summary="Delete several runs and their files, as DELETE /api/runs/{id} does (a running one is stopped first)",
)
def delete_runs(request: HttpRequest, payload: RunsDelete):
    ids = list(dict.fromkeys(payload.ids))
    if not 1 <= len(ids) <= 1000:
        raise FieldError(f"ids: 1 to 1000 run ids (got {len(ids)})", "ids")
    in_range = [i for i in ids if -(2**63) <= i < 2**63]  # beyond the database's integers: no such run
    services.fail_stale_runs(Run.objects.filter(pk__in=in_range, owner=request.auth))
    mine = {r.pk: r for r in Run.objects.filter(pk__in=in_range, owner=request.auth).select_related("dataset_upload")}
    deleted: list[int] = []
    for run_id in ids:
        run = mine.get(run_id)
        if run is not None:
            remove_run(run)
            deleted.append(run_id)
    return {"deleted": deleted, "not_found": [i for i in ids if i not in mine]}


@router.get(
    "/{int:run_id}",
    response=answers({200: RunDetail}, 400, 401, 404),
    exclude_unset=True,
    summary="A run: status, settings, graph, history, test metrics, figures, error",
)
def get_run(request: HttpRequest, run_id: int):
    return services.run_json(owned(request, run_id))


@router.post(
    "/{int:run_id}/cancel",
    response=answers({200: RunDetail}, 400, 401, 403, 404, 409),
    exclude_unset=True,
    summary="Stop a queued or running run (the epochs done and the best model are kept); 409 if finished",
)
def cancel_run(request: HttpRequest, run_id: int):
    return services.run_json(services.cancel_run(owned(request, run_id)))


@router.delete(
    "/{int:run_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete a run and its files (stopping it first)",
)
def delete_run(request: HttpRequest, run_id: int):
    remove_run(owned(request, run_id))
    return Status(204, None)


def remove_run(run: Run) -> None:
    """The run, its files and its exported models gone (a running one is told to stop first)."""
    run_id = run.pk
    exported = use.stored_names(run)
    services.delete_run(run)
    use.delete_stored(exported)
    use.forget(run_id)


def attachment(field, filename: str, content_type: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise HttpError(404, "the file is missing from storage") from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def run_filename(run: Run, suffix: str) -> str:
    name = safe_filename((run.graph or {}).get("name") if isinstance(run.graph, dict) else None, "model")
    return f"{name}-run{run.id}{suffix}"


@router.get(
    "/{int:run_id}/model",
    response=answers({}, 400, 401, 404),
    openapi_extra=file_answer("application/octet-stream"),
    summary="The trained model (.keras), as an attachment",
)
def download_model(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    if not run.model_file:
        raise HttpError(404, f"run {run_id} has no trained model ({run.status})")
    return attachment(run.model_file, run_filename(run, ".keras"), "application/octet-stream")


@router.get(
    "/{int:run_id}/tensorboard",
    response=answers({}, 400, 401, 404),
    openapi_extra=file_answer("application/zip"),
    summary="The TensorBoard logs (.zip)",
)
def download_tensorboard(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    if not run.tensorboard_file:
        raise HttpError(404, f"run {run_id} has no TensorBoard logs ({run.status})")
    return attachment(run.tensorboard_file, run_filename(run, "-tensorboard.zip"), "application/zip")


@router.get(
    "/{int:run_id}/script",
    response=answers({}, 400, 401, 404, 409),
    openapi_extra=file_answer("text/x-python"),
    summary="The Python script that reproduces the run: data, model, training, evaluation (--epochs, --data)",
)
def download_script(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    filename = run_filename(run, ".py")
    with pretrained.for_user(request.auth):  # a Pretrained block's model is checked again
        source = use.script(run, filename)
    response = HttpResponse(source, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/{int:run_id}/notebook",
    response=answers({}, 400, 401, 404, 409),
    openapi_extra=file_answer("application/x-ipynb+json"),
    summary="The run as a Jupyter notebook (.ipynb): the script's steps, with the training curves",
)
def download_notebook(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    with pretrained.for_user(request.auth):  # a Pretrained block's model is checked again
        notebook = use.notebook(run)
    response = HttpResponse(notebook, content_type="application/x-ipynb+json")
    response["Content-Disposition"] = f'attachment; filename="{run_filename(run, ".ipynb")}"'
    return response


@router.get(
    "/{int:run_id}/data.npz",
    response=answers({}, 400, 401, 404),
    openapi_extra=file_answer("application/octet-stream"),
    summary="An upload run's parsed arrays (.npz), as the script's --data reads them (404 for built-in sets)",
)
def download_data(request: HttpRequest, run_id: int):
    field, filename = use.data_file(owned(request, run_id))
    return attachment(field, filename, "application/octet-stream")


@router.get(
    "/{int:run_id}/history.csv",
    response=answers({}, 400, 401, 404),
    openapi_extra=file_answer("text/csv"),
    summary="The per-epoch history as CSV",
)
def download_history(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    history = run.history or []
    metrics: list[str] = []
    for epoch in history:
        for key in epoch.get("metrics") or {}:
            if key not in metrics:
                metrics.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["epoch", *metrics, "lr", "seconds"])
    for epoch in history:
        values = epoch.get("metrics") or {}
        writer.writerow(
            [
                epoch.get("epoch"),
                *[_cell(values.get(k)) for k in metrics],
                _cell(epoch.get("lr")),
                _cell(epoch.get("seconds")),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run_filename(run, "-history.csv")}"'
    return response


def _cell(value) -> str:
    return "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))


# --- using the trained model (webapp/runs/use.py) -------------------------------------------------------

PREDICT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": 'one of: {"inputs": {input name: [sample, ...]}}; {"rows": "<CSV text with a '
                    'header>"}; {"columns": {column: [values]}} (the last two for CSV uploads)',
                    "properties": {
                        "inputs": {"type": "object", "additionalProperties": {"type": "array", "items": {}}},
                        "rows": {"type": "string"},
                        "columns": {"type": "object", "additionalProperties": {"type": "array", "items": {}}},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "input": {"type": "string", "description": "the image input's name, when there are several"},
                        "inputs": {"type": "string", "description": "JSON {input name: [sample, ...]}: the others"},
                    },
                    "required": ["files"],
                }
            },
        },
    }
}


@router.get(
    "/{int:run_id}/predict",
    response=answers({200: PredictDescription}, 400, 401, 404, 409, 410),
    exclude_unset=True,
    summary="What the trained model takes and answers, for a form (succeeded runs only)",
)
def describe_model(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    with use.answered():
        return use.describe(use.predictor(run))


@router.post(
    "/{int:run_id}/predict",
    response=answers({200: PredictAnswer}, 400, 401, 403, 404, 409, 410, 413),
    exclude_unset=True,
    openapi_extra=PREDICT_BODY,
    summary="Predictions of the trained model: JSON samples, image files (multipart) or raw CSV rows",
)
def predict(request: HttpRequest, run_id: int):
    run = owned(request, run_id)
    with use.answered():
        return use.predict_request(use.predictor(run), request)


@router.get(
    "/{int:run_id}/test-sample",
    response=answers({200: TestSample}, 400, 401, 404, 409, 410),
    exclude_unset=True,
    summary="A sample of the run's test split (random without an index), ready for POST predict",
)
def test_sample(request: HttpRequest, run_id: int, index: int | None = None):
    run = owned(request, run_id)
    with use.answered():
        return use.test_sample(run, index)


@router.get(
    "/{int:run_id}/export",
    response=answers({}, 400, 401, 404, 409, 410, 422),
    openapi_extra=file_answer(*sorted(set(use.CONTENT_TYPES.values()))),
    summary="The trained model as a file: keras, savedmodel (.zip), onnx or tflite (converted once, then kept)",
)
def export_model(request: HttpRequest, run_id: int, format: ExportFormat):
    run = owned(request, run_id)
    with use.answered():
        name, filename = use.export_file(run, format)
    try:
        handle = run.model_file.storage.open(name, "rb")
    except FileNotFoundError:
        raise HttpError(410, "the exported file is missing from storage") from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=use.CONTENT_TYPES[format])


@router.get(
    "/{int:run_id}/exports",
    response=answers({200: ExportList}, 400, 401, 404),
    exclude_unset=True,
    summary="The export formats of the trained model: converted yet (size), or why a format cannot hold it",
)
def list_exports(request: HttpRequest, run_id: int):
    return use.export_list(owned(request, run_id))


class InnerLayer(Schema):
    name: str = Field(..., description="the layer's name: what cut_at, trainable_from and fine_tune.from take")
    class_name: str = Field(..., description="its Keras class")
    output_shape: list[int | None] | None = Field(..., description="batch axis first; null: no single output")
    params: int = Field(..., description="its weights, trainable or not")


class InnerLayers(Schema):
    layers: list[InnerLayer]


@router.get(
    "/{int:run_id}/layers",
    response=answers({200: InnerLayers}, 401, 404, 409),
    summary="The trained model's layers, for a Pretrained block's cut_at and trainable_from (succeeded runs)",
)
def run_layers(request: HttpRequest, run_id: int):
    return pretrained.layers_answer(request.auth, "run", owned(request, run_id).pk)
