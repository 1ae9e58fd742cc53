"""Sweeps: start one (every check before anything is queued), follow, cancel, delete.

Someone else's sweep is a 404 on every path. Reading a sweep also fails its trials whose worker died
and tells Optuna of trials that finished untold.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field, StrictInt, StrictStr

from trainer.sweeps import SweepError, parse_spec
from webapp.accounts.auth import PRIVATE_AUTH
from webapp.errors import FieldError
from webapp.limits import list_size
from webapp.runs import checks
from webapp.runs.api import RunIn, check_request
from webapp.schemas import answers
from webapp.sweeps import services
from webapp.sweeps.models import Sweep
from webapp.sweeps.schemas import SweepDetail, SweepSummary

router = Router(tags=["sweeps"], auth=PRIVATE_AUTH)


class SweepIn(Schema):
    graph: dict | None = Field(None, description="a graph document; or name a project to sweep its graph")
    project: StrictInt | None = Field(None, description="a project of yours (its graph, unless `graph` is given)")
    dataset: StrictStr | StrictInt = Field(
        ..., description="a built-in dataset's name, or the id of one of your uploads"
    )
    training: dict | None = Field(
        None, description="the base training settings (trials default to callbacks.tensorboard false)"
    )
    space: Any = Field(
        ...,
        description='dimensions [{"target": "nodes.<id>.<param>" | "nodes.<id>.layer.<param>" | '
        '"training.<setting>", "kind": "int" | "float" | "choice", "low", "high", "log", "step", "choices"}]',
    )
    objectives: Any = Field(
        None, description='one or two {"metric", "direction": "maximize" | "minimize", "at": "best" | "last"}'
    )
    sampler: Any = Field(None, description="random, tpe, grid, nsga2 or cmaes (default tpe; nsga2 with two objectives)")
    pruner: Any = Field(None, description='none, median, hyperband, or {"name", "startup_trials", "warmup_epochs"}')
    trials: Any = Field(20, description="1 to 500")
    parallel: Any = Field(1, description="trials at once: 1 to the number of workers")
    seed: Any = Field(0, description="seeds the sampler (null: unseeded)")
    enqueue: Any = Field(None, description="parameter sets tried first: [{target: value}]")
    name: str | None = Field(None, description="default: the graph's name")


def owned(request: HttpRequest, sweep_id: int) -> Sweep:
    return get_object_or_404(Sweep, pk=sweep_id, owner=request.auth)


def trial_training(training: dict | None) -> dict | None:
    """Trials write no TensorBoard logs unless the settings ask for them."""
    if training is None:
        return {"callbacks": {"tensorboard": False}}
    if not isinstance(training, dict):
        return training
    callbacks = training.get("callbacks")
    if callbacks is None:
        return {**training, "callbacks": {"tensorboard": False}}
    if isinstance(callbacks, dict) and "tensorboard" not in callbacks:
        return {**training, "callbacks": {**callbacks, "tensorboard": False}}
    return training


@router.post(
    "",
    response=answers({201: SweepDetail}, 400, 401, 403, 404, 413),
    exclude_unset=True,
    summary="Start a sweep: its trials are runs, queued at most `parallel` at a time",
)
def create_sweep(request: HttpRequest, payload: SweepIn):
    run_in = RunIn(
        graph=payload.graph,
        project=payload.project,
        dataset=payload.dataset,
        training=trial_training(payload.training),
    )
    try:
        c = check_request(request, run_in)
    except checks.CheckFailed as exc:
        return exc.response()
    data = payload.model_dump(include=set(services.SPEC_FIELDS), exclude_unset=False)
    try:
        spec = parse_spec(data, c.graph, c.training, max_parallel=services.max_parallel())
    except SweepError as exc:
        raise FieldError(str(exc), exc.field) from None
    name = payload.name or (c.graph.get("name") if isinstance(c.graph.get("name"), str) else "") or "sweep"
    sweep = services.create_sweep(
        request.auth,
        project=c.project,
        graph=c.graph,
        builtin=c.builtin,
        upload=c.upload,
        info=c.info,
        training=c.training,
        spec=spec,
        name=name,
    )
    return Status(201, services.sweep_json(sweep))


@router.get(
    "",
    response=answers({200: list[SweepSummary]}, 400, 401),
    exclude_unset=True,
    summary="Your sweeps, newest first (without graphs and trials)",
)
def list_sweeps(request: HttpRequest, project: int | None = None, status: str | None = None, limit: int = 200):
    sweeps = Sweep.objects.filter(owner=request.auth).defer("graph")
    if project is not None:
        sweeps = sweeps.filter(project_id=project)
    if status:
        sweeps = sweeps.filter(status=status)
    return [services.sweep_json(s, full=False) for s in sweeps[: list_size(limit)]]


@router.get(
    "/{int:sweep_id}",
    response=answers({200: SweepDetail}, 400, 401, 404),
    exclude_unset=True,
    summary="A sweep: status, spec, every trial, the best one (or the Pareto front), importances",
)
def get_sweep(request: HttpRequest, sweep_id: int):
    return services.sweep_json(services.refresh(owned(request, sweep_id)))


@router.post(
    "/{int:sweep_id}/cancel",
    response=answers({200: SweepDetail}, 400, 401, 403, 404, 409),
    exclude_unset=True,
    summary="Stop a sweep's queued and running trials (finished ones are kept); 409 if it has ended",
)
def cancel_sweep(request: HttpRequest, sweep_id: int):
    return services.sweep_json(services.cancel_sweep(owned(request, sweep_id)))


@router.delete(
    "/{int:sweep_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete a sweep, its trials' runs and files, and its Optuna study",
)
def delete_sweep(request: HttpRequest, sweep_id: int):
    services.delete_sweep(owned(request, sweep_id))
    return Status(204, None)
