"""Ensembles and cross-validations: the checks before anything is queued, their JSON, the worker's evaluation,
the cross-validation's progress (its test ensemble once every fold has succeeded), and failing evaluations
whose worker went away. Views and the task stay thin around these."""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from webapp.ensembles.models import CrossValidation, Ensemble, Fold
from webapp.errors import FieldError
from webapp.runs.models import Run
from webapp.runs.services import best_metric, duration, iso

log = logging.getLogger(__name__)

STALE_MESSAGE = "the worker stopped (killed or crashed) while evaluating the ensemble; make it again"


def refuse(message: str, field: str = "runs") -> FieldError:
    return FieldError(message, field, status_code=400)


# --- making an ensemble --------------------------------------------------------------------------------


def _member(run: Run):
    from trainer.ensemble import Member

    return Member(run=run.id, graph=run.graph, training=run.training, name=(run.graph or {}).get("name") or "")


def check_runs(user, run_ids: list[int], weights: Any) -> tuple[list[Run], str, list[float] | None]:
    """The member runs (in the order given), the weights' mode and the normalised weights (None for
    "optimize"), or a FieldError 400 naming the run at fault."""
    from trainer.ensemble import EnsembleError, check_can_optimize, check_members, parse_weights

    if len(run_ids) < 2:
        raise refuse(f"an ensemble needs at least two runs, got {len(run_ids)}")
    if len(set(run_ids)) != len(run_ids):
        twice = next(r for r in run_ids if run_ids.count(r) > 1)
        raise refuse(f"run {twice} is listed twice")
    found = {r.id: r for r in Run.objects.filter(pk__in=run_ids, owner=user).select_related("dataset_upload")}
    runs = []
    for run_id in run_ids:
        run = found.get(run_id)
        if run is None:
            raise refuse(f"run {run_id} is not one of your runs")
        if run.status != Run.Status.SUCCEEDED:
            raise refuse(f"run {run_id} has not succeeded ({run.status}): only succeeded runs can be members")
        if not run.model_file:
            raise refuse(f"run {run_id} has no trained model")
        runs.append(run)
    first = runs[0]
    for run in runs[1:]:
        if run.dataset_builtin != first.dataset_builtin or run.dataset_upload_id != first.dataset_upload_id:
            raise refuse(
                f"run {run.id} was trained on {_dataset_words(run)} but run {first.id} on {_dataset_words(first)}: "
                "members must share their dataset (and their upload)"
            )
    if not first.dataset_builtin and first.dataset_upload_id is None:
        raise refuse(f"run {first.id}'s uploaded dataset was deleted: the ensemble cannot be evaluated")
    try:
        check_members([_member(r) for r in runs], first.dataset_info or {})
        mode, normalised = parse_weights(weights, run_ids)
        if mode == "optimize":
            check_can_optimize([_member(r) for r in runs])
    except EnsembleError as exc:
        raise refuse(str(exc), exc.field) from None
    return runs, mode, normalised


def _dataset_words(run: Run) -> str:
    if run.dataset_builtin:
        return f"'{run.dataset_builtin}'"
    if run.dataset_upload_id is None:
        return "an upload since deleted"
    return f"upload {run.dataset_upload_id} ('{(run.dataset_info or {}).get('name', '')}')"


def create_ensemble(
    user, runs: list[Run], mode: str, weights: list[float] | None, name: str = "", crossval=None
) -> Ensemble:
    """The queued ensemble; its evaluation is sent to a worker once the row is committed."""
    from webapp.ensembles.tasks import evaluate_ensemble

    first = runs[0]
    with transaction.atomic():
        ensemble = Ensemble.objects.create(
            owner=user,
            name=name or f"ensemble of runs {', '.join(str(r.id) for r in runs)}",
            runs=[r.id for r in runs],
            members=[
                {"run": r.id, "name": (r.graph or {}).get("name") or "", "seed": (r.training or {}).get("seed")}
                for r in runs
            ],
            dataset_builtin=first.dataset_builtin,
            dataset_upload=first.dataset_upload,
            dataset_info=first.dataset_info,
            weights_mode=mode,
            weights=weights,
            weights_from={"uniform": "uniform", "given": "given"}.get(mode, "validation"),
        )
        transaction.on_commit(lambda: evaluate_ensemble.delay(ensemble.id))
    return ensemble


# --- JSON ----------------------------------------------------------------------------------------------


def dataset_json(obj) -> dict:
    info = obj.dataset_info or {}
    if obj.dataset_builtin:
        return {
            "ref": obj.dataset_builtin,
            "kind": "builtin",
            "name": obj.dataset_builtin,
            "title": info.get("title", obj.dataset_builtin),
        }
    return {
        "ref": obj.dataset_upload_id,
        "kind": "upload",
        "name": info.get("name", ""),
        "title": info.get("title", ""),
        "deleted": obj.dataset_upload_id is None,
    }


def _crossval_id(ensemble: Ensemble) -> int | None:
    try:
        return ensemble.crossval.id
    except CrossValidation.DoesNotExist:
        return None


def ensemble_json(ensemble: Ensemble, full: bool = True) -> dict:
    data = {
        "id": ensemble.id,
        "name": ensemble.name,
        "status": ensemble.status,
        "error": ensemble.error,
        "dataset": dataset_json(ensemble),
        "weights_mode": ensemble.weights_mode,
        "weights": ensemble.weights,
        "weights_from": ensemble.weights_from,
        "runs": list(ensemble.runs),
        "crossval": _crossval_id(ensemble),
        "test": ensemble.test,
        "gain": ensemble.gain,
        "has_model": bool(ensemble.model_file),
        "created_at": iso(ensemble.created_at),
        "started_at": iso(ensemble.started_at),
        "finished_at": iso(ensemble.finished_at),
        "duration": duration(ensemble),
    }
    if full:
        tests = {m["run"]: m["test"] for m in ensemble.member_tests or []}
        existing = set(Run.objects.filter(pk__in=ensemble.runs).values_list("id", flat=True))
        weights = ensemble.weights or [None] * len(ensemble.members)
        data.update(
            {
                "validation": ensemble.validation,
                "members": [
                    {
                        "run": m["run"],
                        "name": m.get("name", ""),
                        "seed": m.get("seed"),
                        "weight": w,
                        "test": tests.get(m["run"]),
                        "run_exists": m["run"] in existing,
                    }
                    for m, w in zip(ensemble.members, weights, strict=False)
                ],
                "outputs": ensemble.outputs or [],
                "confusion": ensemble.confusion,
                "disagreements": ensemble.disagreements,
            }
        )
    return data


# --- the worker's evaluation ---------------------------------------------------------------------------


class Heartbeat:
    """Writes heartbeat_at every `interval` seconds while the ensemble is running (a killed worker stops)."""

    def __init__(self, ensemble_id: int, interval: float):
        self.ensemble_id = ensemble_id
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"ensemble-heartbeat-{ensemble_id}", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    Ensemble.objects.filter(pk=self.ensemble_id, status=Ensemble.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:
                    log.exception("ensemble %s: heartbeat failed", self.ensemble_id)
        finally:
            connection.close()


def _readable(exc: BaseException) -> str:
    from trainer.datasets import DatasetError
    from trainer.ensemble import EnsembleError

    if isinstance(exc, (EnsembleError, DatasetError)):
        return str(exc)
    text = " ".join(str(exc).split())[:300]
    return (
        f"the evaluation stopped on an unexpected error ({type(exc).__name__}{': ' + text if text else ''}); "
        "the worker's log has the details"
    )


def execute_ensemble(ensemble_id: int) -> str:
    """Evaluate one queued ensemble; answers the status it ended with (or why it was skipped)."""
    from trainer.ensemble import EnsembleError, Member, evaluate
    from webapp.datasets.services import load
    from webapp.runs.execution import heartbeat_interval, worker_name

    close_old_connections()
    ensemble = Ensemble.objects.select_related("dataset_upload").filter(pk=ensemble_id).first()
    if ensemble is None:
        return "missing"
    now = timezone.now()
    if not Ensemble.objects.filter(pk=ensemble_id, status=Ensemble.Status.QUEUED).update(
        status=Ensemble.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
    ):
        return f"skipped ({ensemble.status})"
    heartbeat = Heartbeat(ensemble_id, heartbeat_interval()).start()
    workdir = Path(tempfile.mkdtemp(prefix=f"ensemble-{ensemble_id}-"))
    try:
        runs = {r.id: r for r in Run.objects.filter(pk__in=ensemble.runs)}
        members = []
        for run_id in ensemble.runs:
            run = runs.get(run_id)
            if run is None or not run.model_file:
                raise EnsembleError(f"run {run_id} was deleted (or lost its model) before the evaluation", run_id)
            path = workdir / f"member-{run_id}.keras"
            with run.model_file.open("rb") as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst)
            members.append(Member(run=run.id, graph=run.graph, training=run.training, model_path=path, name=""))
        if not ensemble.dataset_builtin and ensemble.dataset_upload is None:
            raise EnsembleError("the members' uploaded dataset was deleted")
        ds = load(ensemble.dataset_builtin, ensemble.dataset_upload)
        weights = ensemble.weights_mode if ensemble.weights_mode in ("uniform", "optimize") else ensemble.weights
        result = evaluate(members, ds, weights, workdir / "out", name=ensemble.name)
        heartbeat.stop()
        with open(result.model_path, "rb") as f:
            stored = default_storage.save(f"ensembles/{ensemble_id}/ensemble.keras", File(f))
        done = Ensemble.objects.filter(pk=ensemble_id, status=Ensemble.Status.RUNNING).update(
            status=Ensemble.Status.SUCCEEDED,
            weights=result.weights,
            weights_from=result.weights_from,
            validation=result.validation,
            outputs=result.outputs,
            test=result.test,
            member_tests=result.members,
            gain=result.gain,
            confusion=result.confusion,
            disagreements=result.disagreements,
            model_file=stored,
            finished_at=timezone.now(),
        )
        if not done:
            default_storage.delete(stored)
            return "gone"
        log.info("ensemble %s: %s (%s)", ensemble_id, result.test, result.seconds)
        return "succeeded"
    except Exception as exc:
        heartbeat.stop()
        message = _readable(exc)
        if isinstance(exc, EnsembleError):
            log.warning("ensemble %s failed: %s", ensemble_id, message)
        else:
            log.exception("ensemble %s failed: %s", ensemble_id, message)
        Ensemble.objects.filter(pk=ensemble_id, status=Ensemble.Status.RUNNING).update(
            status=Ensemble.Status.FAILED, error=message, finished_at=timezone.now()
        )
        return "failed"
    finally:
        heartbeat.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        close_old_connections()


def fail_stale_ensembles(queryset=None) -> list[int]:
    """Fail the running ensembles whose worker sent no heartbeat for RUN_HEARTBEAT_TIMEOUT seconds."""
    queryset = Ensemble.objects.all() if queryset is None else queryset
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_HEARTBEAT_TIMEOUT)
    stale = queryset.filter(status=Ensemble.Status.RUNNING, heartbeat_at__lt=cutoff)
    ids = list(stale.values_list("id", flat=True))
    failed = []
    for ensemble_id in ids:
        if Ensemble.objects.filter(pk=ensemble_id, status=Ensemble.Status.RUNNING, heartbeat_at__lt=cutoff).update(
            status=Ensemble.Status.FAILED, error=STALE_MESSAGE, finished_at=timezone.now()
        ):
            failed.append(ensemble_id)
    return failed


def delete_ensemble(ensemble: Ensemble) -> None:
    """The row first, then its file (a file without a row is harmless, a row without its file is not)."""
    name = ensemble.model_file.name if ensemble.model_file else None
    storage = ensemble.model_file.storage if ensemble.model_file else default_storage
    ensemble.delete()
    if name:
        storage.delete(name)


# --- cross-validation ------------------------------------------------------------------------------------


def crossval_status(cv: CrossValidation, folds: list[Fold] | None = None) -> str:
    if cv.error:
        return "failed"
    folds = list(cv.fold_runs.select_related("run")) if folds is None else folds
    if cv.ensemble_id is not None:
        status = cv.ensemble.status
        return status if status in ("succeeded", "failed") else "evaluating"
    statuses = [f.run.status for f in folds]
    if statuses and all(s == Run.Status.QUEUED for s in statuses):
        return "queued"
    if len(statuses) == cv.folds and all(s == Run.Status.SUCCEEDED for s in statuses):
        return "evaluating"
    return "running"


def advance(cv: CrossValidation) -> None:
    """Fail it when a fold failed, was cancelled or deleted; queue its test ensemble (uniform) once every
    fold succeeded. Idempotent: the worker, the watchdog and every read may call it."""
    if cv.error or cv.ensemble_id is not None:
        return
    folds = list(cv.fold_runs.select_related("run"))
    if len(folds) < cv.folds:
        missing = sorted(set(range(cv.folds)) - {f.fold for f in folds})
        _fail(cv, f"the run of fold {missing[0] + 1} was deleted")
        return
    for f in folds:
        if f.run.status in (Run.Status.FAILED, Run.Status.CANCELLED, Run.Status.PRUNED):
            why = f": {f.run.error}" if f.run.error else ""
            _fail(cv, f"fold {f.fold + 1} (run {f.run.id}) {f.run.status}{why}")
            return
    if not all(f.run.status == Run.Status.SUCCEEDED for f in folds):
        return
    runs = [f.run for f in folds]
    ensemble = create_ensemble(
        cv.owner,
        runs,
        "uniform",
        [1.0 / len(runs)] * len(runs),
        name=f"{cv.name or 'cross-validation'}: {cv.folds} folds",
    )
    if not CrossValidation.objects.filter(pk=cv.pk, ensemble__isnull=True, error="").update(ensemble=ensemble):
        ensemble.delete()  # another process made it first (its task finds the row gone)
        return
    cv.ensemble = ensemble


def _fail(cv: CrossValidation, message: str) -> None:
    if CrossValidation.objects.filter(pk=cv.pk, error="").update(error=message, finished_at=timezone.now()):
        cv.error = message


def run_finished(run_id: int) -> None:
    """Called when a run finishes (webapp.runs.execution): a fold's cross-validation goes on. Never raises
    (a failure is logged; the watchdog's next round tries again)."""
    try:
        fold = Fold.objects.select_related("crossval").filter(run_id=run_id).first()
        if fold is not None:
            advance(fold.crossval)
    except Exception:
        log.exception("run %s: moving its cross-validation on failed", run_id)


def watch() -> None:
    """The watchdog's round: ensembles whose worker died are failed; cross-validations whose last fold was
    failed as stale (or finished while nobody called run_finished) go on."""
    try:
        fail_stale_ensembles()
        for cv in CrossValidation.objects.filter(ensemble__isnull=True, error=""):
            advance(cv)
    except Exception:
        log.exception("the ensembles' watch failed")


def fold_stats(folds: list[Fold]) -> tuple[dict, str | None]:
    """Per metric the mean and (population) standard deviation over the succeeded folds of the last epoch and
    of the best one (the epoch the run's `best` names: the same epoch for every metric of a fold)."""
    done = [f for f in folds if f.run.status == Run.Status.SUCCEEDED and f.run.history]
    best_by = None
    last: dict[str, list[float]] = {}
    best: dict[str, list[float]] = {}
    for f in done:
        history = f.run.history
        chosen = best_metric(history)
        best_by = best_by or (chosen or {}).get("metric")
        best_epoch = next((e for e in history if chosen and e.get("epoch") == chosen["epoch"]), history[-1])
        for key, value in (history[-1].get("metrics") or {}).items():
            if isinstance(value, (int, float)):
                last.setdefault(key, []).append(float(value))
        for key, value in (best_epoch.get("metrics") or {}).items():
            if isinstance(value, (int, float)):
                best.setdefault(key, []).append(float(value))

    def summary(values: list[float]) -> dict:
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        return {"mean": mean, "std": std, "values": values}

    keys = list(dict.fromkeys([*last, *best]))
    out = {}
    for key in keys:
        entry = {}
        if key in last:
            entry["last"] = summary(last[key])
        if key in best:
            entry["best"] = summary(best[key])
        out[key] = entry
    return out, best_by


def crossval_json(cv: CrossValidation, full: bool = True) -> dict:
    folds = list(cv.fold_runs.select_related("run"))
    ens = cv.ensemble
    data = {
        "id": cv.id,
        "name": cv.name,
        "status": crossval_status(cv, folds),
        "error": cv.error or (ens.error if ens is not None else ""),
        "folds": cv.folds,
        "stratified": cv.stratified,
        "project": cv.project_id,
        "dataset": dataset_json(cv),
        "runs": [f.run_id for f in folds],
        "ensemble": None
        if ens is None
        else {
            "id": ens.id,
            "status": ens.status,
            "test": ens.test,
            "gain": ens.gain,
            "has_model": bool(ens.model_file),
        },
        "created_at": iso(cv.created_at),
        "finished_at": iso(cv.finished_at or (ens.finished_at if ens is not None else None)),
    }
    if full:
        metrics, best_by = fold_stats(folds)
        data.update(
            {
                "training": cv.training,
                "fold_runs": [
                    {
                        "fold": f.fold,
                        "run": f.run_id,
                        "status": f.run.status,
                        "epochs_done": len(f.run.history or []),
                        "best": best_metric(f.run.history or []),
                        "history": f.run.history or [],
                        "test": f.run.test,
                    }
                    for f in folds
                ],
                "metrics": metrics,
                "best_by": best_by,
            }
        )
    return data
