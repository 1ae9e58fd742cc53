"""Ensembles (/api/ensembles) and cross-validations (/api/crossval): every check before anything is queued,
the detail a page polls while it is queued or running, the ensemble's .keras. Someone else's is a 404."""

from __future__ import annotations

import copy
from typing import Literal

from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, StrictInt

from webapp.accounts.auth import PRIVATE_AUTH
from webapp.ensembles import services
from webapp.ensembles.models import CrossValidation, Ensemble, Fold
from webapp.ensembles.schemas import (
    CrossvalCreated,
    CrossvalDetail,
    CrossvalSummary,
    EnsembleCreated,
    EnsembleDetail,
    EnsembleSummary,
)
from webapp.graphs_api import safe_filename
from webapp.limits import list_size
from webapp.runs import checks
from webapp.runs.api import RunIn, check_request
from webapp.runs.models import Run
from webapp.schemas import answers, file_answer

router = Router(tags=["ensembles"], auth=PRIVATE_AUTH)
crossval_router = Router(tags=["ensembles"], auth=PRIVATE_AUTH)


class EnsembleIn(Schema):
    runs: list[StrictInt] = Field(..., description="two or more of your succeeded runs, on one dataset")
    weights: Literal["uniform", "optimize"] | list[float] = Field(
        "uniform",
        description="uniform; optimize (fitted on the members' validation split); or one non-negative number per run",
    )
    name: str = Field("", max_length=200)


def owned(request: HttpRequest, ensemble_id: int) -> Ensemble:
    services.fail_stale_ensembles(Ensemble.objects.filter(pk=ensemble_id, owner=request.auth))
    return get_object_or_404(Ensemble.objects.select_related("dataset_upload"), pk=ensemble_id, owner=request.auth)


@router.post(
    "",
    response=answers({201: EnsembleCreated}, 400, 401, 403),
    exclude_unset=True,
    summary="Make an ensemble of succeeded runs (evaluated on a worker)",
)
def create_ensemble(request: HttpRequest, payload: EnsembleIn):
    runs, mode, weights = services.check_runs(request.auth, payload.runs, payload.weights)
    ensemble = services.create_ensemble(request.auth, runs, mode, weights, payload.name.strip())
    return Status(201, {"id": ensemble.id, "status": ensemble.status})


@router.get(
    "",
    response=answers({200: list[EnsembleSummary]}, 400, 401),
    exclude_unset=True,
    summary="Your ensembles, newest first",
)
def list_ensembles(request: HttpRequest, limit: int = 200):
    ensembles = Ensemble.objects.filter(owner=request.auth)
    services.fail_stale_ensembles(ensembles)
    rows = ensembles.select_related("crossval").defer("confusion", "disagreements")[: list_size(limit)]
    return [services.ensemble_json(e, full=False) for e in rows]


@router.get(
    "/{int:ensemble_id}",
    response=answers({200: EnsembleDetail}, 400, 401, 404),
    exclude_unset=True,
    summary="An ensemble: status, members and weights, test metrics of each and of the ensemble, figures",
)
def get_ensemble(request: HttpRequest, ensemble_id: int):
    return services.ensemble_json(owned(request, ensemble_id))


@router.delete(
    "/{int:ensemble_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete an ensemble and its file (its member runs stay)",
)
def delete_ensemble(request: HttpRequest, ensemble_id: int):
    services.delete_ensemble(owned(request, ensemble_id))
    return Status(204, None)


@router.get(
    "/{int:ensemble_id}/model",
    response=answers({}, 400, 401, 404),
    openapi_extra=file_answer("application/octet-stream"),
    summary="The ensemble as one model (.keras: the members nested, a weighted average per Output)",
)
def download_model(request: HttpRequest, ensemble_id: int):
    ensemble = owned(request, ensemble_id)
    if not ensemble.model_file:
        raise HttpError(404, f"ensemble {ensemble_id} has no model ({ensemble.status})")
    try:
        handle = ensemble.model_file.open("rb")
    except FileNotFoundError:
        raise HttpError(404, "the file is missing from storage") from None
    filename = f"{safe_filename(ensemble.name, 'ensemble')}-ensemble{ensemble.id}.keras"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/octet-stream")


# --- cross-validation ------------------------------------------------------------------------------------


class CrossvalIn(RunIn):
    folds: StrictInt = Field(5, description="how many folds (and runs): 2 to 10")
    stratified: bool = Field(True, description="each fold keeps each class's share (one classification target)")


def owned_crossval(request: HttpRequest, crossval_id: int) -> CrossValidation:
    cv = get_object_or_404(CrossValidation.objects.select_related("ensemble"), pk=crossval_id, owner=request.auth)
    from webapp.runs.services import fail_stale_runs

    fail_stale_runs(Run.objects.filter(crossval_fold__crossval=cv))
    if cv.ensemble_id is not None:
        services.fail_stale_ensembles(Ensemble.objects.filter(pk=cv.ensemble_id))
        cv.ensemble.refresh_from_db()
    services.advance(cv)  # a read also moves it on (a fold failed as stale meanwhile)
    return cv


@crossval_router.post(
    "",
    response=answers({201: CrossvalCreated}, 400, 401, 403, 404, 413),
    exclude_unset=True,
    summary="Cross-validate: one run per fold of the training split, then their test ensemble",
)
def create_crossval(request: HttpRequest, payload: CrossvalIn):
    from trainer.settings import parse_training
    from webapp.runs.tasks import train_run

    if not 2 <= payload.folds <= 10:
        raise services.refuse(f"folds must be from 2 to 10, got {payload.folds}", "folds")
    try:
        c = check_request(request, payload)
    except checks.CheckFailed as exc:
        return exc.response()
    if c.info.get("train_size") is not None and c.info["train_size"] < payload.folds:
        raise services.refuse(
            f"the dataset has {c.info['train_size']} training samples: too few for {payload.folds} folds", "folds"
        )
    shared = copy.deepcopy(c.training)
    shared["crossval"] = parse_training({})["crossval"]
    name = (c.graph or {}).get("name") or ""
    with transaction.atomic():
        cv = CrossValidation.objects.create(
            owner=request.auth,
            project=c.project,
            name=name if isinstance(name, str) else "",
            graph=c.graph,
            training=shared,
            dataset_builtin=c.builtin,
            dataset_upload=c.upload,
            dataset_info=c.info,
            folds=payload.folds,
            stratified=payload.stratified,
        )
        run_ids = []
        for k in range(payload.folds):
            training = copy.deepcopy(shared)
            training["crossval"] = {"folds": payload.folds, "fold": k, "stratified": payload.stratified}
            run = Run.objects.create(
                owner=request.auth,
                project=c.project,
                dataset_builtin=c.builtin,
                dataset_upload=c.upload,
                dataset_info=c.info,
                graph=c.graph,
                training=parse_training(training),
            )
            Fold.objects.create(crossval=cv, run=run, fold=k)
            run_ids.append(run.id)
        transaction.on_commit(lambda: [train_run.delay(run_id) for run_id in run_ids])
    return Status(201, {"id": cv.id, "status": "queued", "runs": run_ids})


@crossval_router.get(
    "",
    response=answers({200: list[CrossvalSummary]}, 400, 401),
    exclude_unset=True,
    summary="Your cross-validations, newest first",
)
def list_crossvals(request: HttpRequest, limit: int = 200):
    rows = CrossValidation.objects.filter(owner=request.auth).select_related("ensemble")[: list_size(limit)]
    return [services.crossval_json(cv, full=False) for cv in rows]


@crossval_router.get(
    "/{int:crossval_id}",
    response=answers({200: CrossvalDetail}, 400, 401, 404),
    exclude_unset=True,
    summary="A cross-validation: its fold runs, mean and std per metric, its test ensemble",
)
def get_crossval(request: HttpRequest, crossval_id: int):
    return services.crossval_json(owned_crossval(request, crossval_id))


@crossval_router.delete(
    "/{int:crossval_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete a cross-validation, its fold runs (stopped first) and its test ensemble",
)
def delete_crossval(request: HttpRequest, crossval_id: int):
    from webapp.runs.services import delete_run

    cv = get_object_or_404(CrossValidation, pk=crossval_id, owner=request.auth)
    runs = [f.run for f in cv.fold_runs.select_related("run")]
    ensemble = cv.ensemble
    cv.delete()
    for run in runs:
        delete_run(run)
    if ensemble is not None:
        services.delete_ensemble(ensemble)
    return Status(204, None)
