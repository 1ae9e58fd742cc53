"""Sweeps over the workers: an Optuna study in the project's own database, whose trials are Runs.

Event-driven ask and tell: creating a sweep asks `parallel` trials and queues their runs on the
training queue like any run; whenever a trial's run finishes (the worker's execute_run, the stale-run
watchdog, a read that finds it finished), `advance` tells Optuna its result and asks the next ones.
`advance` runs under the sweep's lock, so two trials finishing at once never queue more than
`parallel` runs nor more than `trials` in all.

The lock: on PostgreSQL (and any server database) a transaction holding the sweep's row
(select_for_update); on SQLite, where select_for_update is a no-op and an open write transaction of
Django's connection would block Optuna's own connection to the same file ("database is locked"),
an exclusive file lock next to the database file, with Django in autocommit and Optuna's writes
short transactions of their own.

The study is named `sweep-<id>` (Sweep.study_name), so `optuna-dashboard <database url>` opens it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from ninja.errors import HttpError

from trainer.sweeps import Spec, apply, best_numbers, distributions, importances, make_pruner, make_sampler, parse_spec
from trainer.sweeps.local import graph_facts, make_prune_hook, max_epochs, optuna_state
from trainer.sweeps.study import objective_values, tell
from webapp import pretrained
from webapp.runs import services as runs
from webapp.runs.models import Run
from webapp.sweeps.models import Sweep

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 60.0
UNBOUNDED = 10**6


def max_parallel() -> int:
    """The most trials one sweep may run at once (set it to the number of workers)."""
    return int(getattr(settings, "SWEEP_MAX_PARALLEL", os.environ.get("SWEEP_MAX_PARALLEL", 8)))


# --- Optuna's storage ------------------------------------------------------------------------------

_storages: dict[str, Any] = {}
_storages_lock = threading.Lock()


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _sqlite_path() -> str | None:
    """The SQLite file of the default database; None for an in-memory one (the tests' database)."""
    name = str(settings.DATABASES["default"]["NAME"])
    if name == ":memory:" or "mode=memory" in name or name.startswith("file:memorydb"):
        return None
    return str(Path(name).resolve())


def storage_url() -> str:
    """The SQLAlchemy URL of the database Optuna keeps its studies in: the project's own database
    (SWEEP_OPTUNA_STORAGE overrides it; an in-memory test database gets a file of its own)."""
    override = getattr(settings, "SWEEP_OPTUNA_STORAGE", None) or os.environ.get("SWEEP_OPTUNA_STORAGE")
    if override:
        return str(override)
    db = settings.DATABASES["default"]
    if _is_sqlite():
        path = _sqlite_path() or os.path.join(tempfile.gettempdir(), f"kerascanvas-optuna-{os.getpid()}.sqlite3")
        return f"sqlite:///{path}"
    from sqlalchemy.engine import URL

    drivers = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}
    return URL.create(
        drivers.get(connection.vendor, connection.vendor),
        username=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=int(db["PORT"]) if db.get("PORT") else None,
        database=db.get("NAME") or None,
    ).render_as_string(hide_password=False)


def storage() -> Any:
    """The RDBStorage of storage_url(), one per process (its engine and connection pool are reused)."""
    import optuna

    url = storage_url()
    with _storages_lock:
        found = _storages.get(url)
        if found is None:
            kwargs: dict[str, Any] = {"pool_pre_ping": True}
            if url.startswith("sqlite"):
                # The web process and the workers write to one file: wait for its lock, as Django does.
                kwargs = {"connect_args": {"timeout": 30}}
                _sqlite_pragmas_on_connect(url.removeprefix("sqlite:///"))
            found = _storages[url] = optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
        return found


_pragma_files: set[str] = set()  # the SQLite files whose new SQLAlchemy connections get the pragmas


def _sqlite_pragmas_on_connect(path: str) -> None:
    """Optuna's connections to `path` set up as Django's (settings: the write-ahead log, synced at
    checkpoints): an ask or a tell is several commits, each otherwise two fsyncs. Set before the storage
    is made, since making it connects already."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not _pragma_files:

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            import sqlite3

            if not isinstance(dbapi_connection, sqlite3.Connection):
                return
            cursor = dbapi_connection.cursor()
            try:
                main = [row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"]
                if main and main[0] and str(Path(main[0]).resolve()) in _pragma_files:
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=NORMAL")
            finally:
                cursor.close()

        event.listen(Engine, "connect", on_connect)
    _pragma_files.add(str(Path(path).resolve()))


def load_spec(sweep: Sweep) -> Spec:
    return parse_spec(sweep.spec, sweep.graph, sweep.training, max_parallel=UNBOUNDED)


def load_study(sweep: Sweep, spec: Spec) -> Any:
    import optuna

    return optuna.load_study(
        study_name=sweep.study_name,
        storage=storage(),
        sampler=make_sampler(spec),
        pruner=make_pruner(spec, max_epochs(spec, sweep.training)),
    )


# --- the lock ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def sweep_lock(sweep_id: int) -> Iterator[None]:
    """Exclusive use of one sweep's ask/tell bookkeeping, across threads and processes."""
    if not _is_sqlite():
        with transaction.atomic():
            list(Sweep.objects.select_for_update().filter(pk=sweep_id).values_list("id", flat=True))
            yield
        return
    path = _sqlite_path()
    lock_path = f"{path}.sweeps.lock" if path else os.path.join(tempfile.gettempdir(), f"kc-sweeps-{os.getpid()}.lock")
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- events ------------------------------------------------------------------------------------------


def sweep_group(sweep_id: int) -> str:
    return f"sweep-{sweep_id}"


_publishers: dict[tuple[str, str], Any] = {}  # (Redis URL, group) -> RedisPublisher, oldest first
_publishers_lock = threading.Lock()
_publishers_pid = os.getpid()
KEEP_PUBLISHERS = 8


def _publisher(group: str) -> Any:
    """This process's publisher to `group`, kept: a trial's events reuse its thread and Redis connection
    rather than making new ones twice a trial. The last KEEP_PUBLISHERS groups are kept; a forked child
    starts with none (its parent's threads did not come along)."""
    global _publishers_pid
    from trainer.events import RedisPublisher

    key = (str(settings.REDIS_URL), group)
    closing = []
    with _publishers_lock:
        if _publishers_pid != os.getpid():
            _publishers.clear()
            _publishers_pid = os.getpid()
        found = _publishers.pop(key, None)
        thread = getattr(found, "_thread", None)
        if found is None or (thread is not None and not thread.is_alive()):  # none yet, or its thread died
            found = RedisPublisher(key[0], key[1], send_timeout=2.0)
        _publishers[key] = found  # the newest last
        while len(_publishers) > KEEP_PUBLISHERS:
            closing.append(_publishers.pop(next(iter(_publishers))))
    for old in closing:
        old.close(timeout=3.0)
    return found


def publish(sweep_id: int, *events: dict) -> None:
    """Send events to the sweep's websocket group (sent when this returns, or dropped after a few
    seconds); never raises."""
    if not events:
        return
    from trainer.events import plain

    try:
        publisher = _publisher(sweep_group(sweep_id))
        for ev in events:
            publisher(plain(ev))
        publisher.flush(timeout=3.0)
    except Exception:  # publishing must never fail a trial or a read
        log.exception("sweep %s: publishing %d event(s) failed", sweep_id, len(events))


def _now() -> float:
    import time

    return time.time()


def trial_event(run: Run, counts: dict) -> dict:
    return {"type": "trial", "t": _now(), "trial": trial_json(run), "counts": counts}


def sweep_event(sweep: Sweep, counts: dict) -> dict:
    return {
        "type": "sweep",
        "t": _now(),
        "status": sweep.status,
        "counts": counts,
        "best": list(sweep.best or []),
        "importances": sweep.importances,
    }


# --- JSON ----------------------------------------------------------------------------------------------


def trial_state(run: Run) -> str:
    if run.status == Run.Status.QUEUED:
        return "waiting"
    if not run.is_finished or run.trial_values is None:
        return "running"
    if run.status == Run.Status.PRUNED:
        return "pruned"
    if run.status == Run.Status.SUCCEEDED and all(v is not None for v in run.trial_values):
        return "complete"
    return "fail"


def trial_json(run: Run) -> dict:
    return {
        "number": run.trial_number if run.trial_number is not None else -1,
        "run": run.id,
        "status": run.status,
        "state": trial_state(run),
        "params": run.trial_params or {},
        "values": run.trial_values,
        "epochs_done": len(run.history or []),
        "pruned_epoch": run.pruned_epoch,
        "duration": runs.duration(run),
        "error": run.error,
        "created_at": runs.iso(run.created_at),
        "started_at": runs.iso(run.started_at),
        "finished_at": runs.iso(run.finished_at),
    }


def counts(sweep: Sweep, trial_runs: list[Run]) -> dict:
    out = {"total": int((sweep.spec or {}).get("trials", 0))}
    for status in ("queued", "running", "succeeded", "pruned", "failed", "cancelled"):
        out[status] = sum(r.status == status for r in trial_runs)
    return out


def trial_runs(sweep: Sweep) -> list[Run]:
    return list(
        Run.objects.filter(sweep=sweep)
        .defer("graph", "batches", "samples", "confusion", "dataset_info")
        .order_by("trial_number", "id")
    )


def sweep_json(sweep: Sweep, full: bool = True, trials: list[Run] | None = None) -> dict:
    trials = trial_runs(sweep) if trials is None else trials
    end = sweep.finished_at or timezone.now()
    data = {
        "id": sweep.id,
        "name": sweep.name,
        "status": sweep.status,
        "project": sweep.project_id,
        "dataset": runs.dataset_json(sweep),  # type: ignore[arg-type]  # the same dataset fields as a run
        "study": sweep.study_name,
        "spec": sweep.spec,
        "counts": counts(sweep, trials),
        "best": list(sweep.best or []),
        "importances": sweep.importances,
        "error": sweep.error,
        "created_at": runs.iso(sweep.created_at),
        "finished_at": runs.iso(sweep.finished_at),
        "duration": round((end - sweep.created_at).total_seconds(), 3) if sweep.created_at else None,
    }
    if full:
        data.update({"graph": sweep.graph, "training": sweep.training, "trials": [trial_json(r) for r in trials]})
    return data


# --- creating, asking, telling -----------------------------------------------------------------------


def create_sweep(owner, *, project, graph: dict, builtin, upload, info: dict, training: dict, spec: Spec, name: str):
    """Store the sweep, create its study and queue its first trials."""
    import optuna

    sweep = Sweep.objects.create(
        owner=owner,
        project=project,
        name=name[:200],
        dataset_builtin=builtin or "",
        dataset_upload=upload,
        dataset_info=info,
        graph=graph,
        training=training,
        spec=spec.as_json(),
    )
    store = storage()
    try:
        study = optuna.create_study(study_name=sweep.study_name, storage=store, directions=spec.directions)
    except optuna.exceptions.DuplicatedStudyError:  # left by a database reset: not ours any more
        optuna.delete_study(study_name=sweep.study_name, storage=store)
        study = optuna.create_study(study_name=sweep.study_name, storage=store, directions=spec.directions)
    study.set_user_attr("sweep", sweep.id)
    for params in spec.enqueue:
        study.enqueue_trial(params, skip_if_exists=False)
    advance(sweep.id)
    sweep.refresh_from_db()
    return sweep


def _ask(sweep: Sweep, spec: Spec, study: Any, asked: int) -> Run:
    """Ask Optuna for the next trial and create its run: queued, or failed at once when the suggestion
    makes the graph or the settings invalid (the error names the block or the setting)."""
    study.sampler = make_sampler(spec, asked)
    trial = study.ask(distributions(spec))
    params = dict(trial.params)
    error = ""
    graph, training = sweep.graph, sweep.training
    try:
        graph, training = apply(spec, sweep.graph, sweep.training, params)
        with pretrained.for_user(sweep.owner):  # Pretrained and weights_run blocks: the owner's, as runs resolve
            facts, error = graph_facts(graph)
        if facts is not None:
            trial.set_user_attr("params", int(facts.get("total_params") or 0))
            trial.set_user_attr("macs", int(facts.get("total_macs") or 0))
            limit = settings.MAX_TRAIN_PARAMS
            if int(facts.get("total_params") or 0) > limit:
                error = (
                    f"the model has {facts['total_params']:,} parameters, more than this server's limit of {limit:,}"
                )
    except Exception as exc:  # a SettingsError (a suggestion the settings refuse together)
        field = getattr(exc, "field", None)
        error = f"the settings are invalid: {field + ': ' if field else ''}{exc}"
    now = timezone.now()
    fields: dict[str, Any] = {}
    if error:
        fields = {"status": Run.Status.FAILED, "error": error, "started_at": now, "finished_at": now}
    run = Run.objects.create(
        owner_id=sweep.owner_id,
        project_id=sweep.project_id,
        dataset_builtin=sweep.dataset_builtin,
        dataset_upload_id=sweep.dataset_upload_id,
        dataset_info=sweep.dataset_info,
        graph=graph,
        training=training,
        sweep=sweep,
        trial_number=trial.number,
        trial_params=params,
        **fields,
    )
    if not error:
        from webapp.runs.tasks import train_run

        transaction.on_commit(lambda: train_run.delay(run.id))
    return run


def _tell(study: Any, spec: Spec, run: Run, frozen: dict[int, Any]) -> None:
    """Tell Optuna how a finished trial went, once (trial_values records that it was told)."""
    trial = frozen.get(run.trial_number) if run.trial_number is not None else None
    attrs = trial.user_attrs if trial is not None else {}
    values = objective_values(
        spec,
        run.history or [],
        test=run.test,
        params=attrs.get("params"),
        macs=attrs.get("macs"),
        seconds=runs.duration(run),
    )
    if trial is not None and not trial.state.is_finished():
        try:
            if run.status == Run.Status.SUCCEEDED and all(v is not None for v in values):
                tell(study, run.trial_number, [float(v) for v in values if v is not None])
            elif run.status == Run.Status.PRUNED and trial.intermediate_values:
                tell(study, run.trial_number, state=optuna_state("pruned"))
            else:
                tell(study, run.trial_number, state=optuna_state("fail"))
        except Exception:
            log.exception("sweep %s: telling trial %s failed", run.sweep_id, run.trial_number)
            tell(study, run.trial_number, state=optuna_state("fail"))
    run.trial_values = values
    Run.objects.filter(pk=run.pk).update(trial_values=values)


def advance(sweep_id: int) -> None:
    """Tell Optuna the trials that finished, queue the next ones (at most `parallel` at a time, `trials`
    in all), and end the sweep when its last trial is done. Safe to call any time, from any process."""
    events: list[dict] = []
    with sweep_lock(sweep_id):
        sweep = Sweep.objects.filter(pk=sweep_id).first()
        if sweep is None:
            return
        spec = load_spec(sweep)
        trials = trial_runs(sweep)
        untold = [r for r in trials if r.is_finished and r.trial_values is None]
        study = None
        frozen: dict[int, Any] = {}
        if untold or sweep.status == Sweep.Status.RUNNING:
            study = load_study(sweep, spec)
            frozen = {t.number: t for t in study.get_trials(deepcopy=False)}
        changed: list[Run] = []
        ended = False
        for run in untold:
            _tell(study, spec, run, frozen)
            changed.append(run)
        if sweep.status == Sweep.Status.RUNNING:
            active = sum(not r.is_finished for r in trials)
            asked = len(trials)
            while active < spec.parallel and asked < spec.trials:
                run = _ask(sweep, spec, study, asked)
                asked += 1
                trials.append(run)
                if run.is_finished:
                    frozen = {t.number: t for t in study.get_trials(deepcopy=False)}
                    _tell(study, spec, run, frozen)
                else:
                    active += 1
                changed.append(run)
            if asked >= spec.trials and active == 0:
                sweep.status = Sweep.Status.SUCCEEDED
                sweep.finished_at = timezone.now()
                ended = True
        told = any(r.trial_values is not None for r in changed)
        if told and study is not None:
            sweep.best = best_numbers(study)
        if ended and study is not None:
            _update_importances(sweep, study, trials)
        Sweep.objects.filter(pk=sweep_id).update(status=sweep.status, finished_at=sweep.finished_at, best=sweep.best)
        now_counts = counts(sweep, trials)
        events = [trial_event(r, now_counts) for r in changed]
        if told or sweep.status != Sweep.Status.RUNNING:
            events.append(sweep_event(sweep, now_counts))
        if ended:
            events.append({"type": "done", "t": _now(), "status": sweep.status})
    publish(sweep_id, *events)


def trial_changed(run_id: int) -> None:
    """A trial's run changed state without finishing (it started): one event for its sweep."""
    run = Run.objects.filter(pk=run_id).defer("graph", "batches", "samples", "confusion").first()
    if run is None or run.sweep_id is None:
        return
    sweep = Sweep.objects.filter(pk=run.sweep_id).first()
    if sweep is None:
        return
    publish(sweep.id, trial_event(run, counts(sweep, trial_runs(sweep))))


def trial_finished(run_id: int) -> None:
    """The worker's call once a trial's run ended (whatever its status): tell and go on."""
    sweep_id = Run.objects.filter(pk=run_id).values_list("sweep_id", flat=True).first()
    if sweep_id is not None:
        advance(sweep_id)


def advance_pending() -> list[int]:
    """Advance every sweep with a finished trial that Optuna was not told of (a worker killed mid-trial,
    whose run the watchdog failed); the ids advanced."""
    ids = list(
        Run.objects.filter(sweep__isnull=False, status__in=Run.FINISHED, trial_values__isnull=True)
        .values_list("sweep_id", flat=True)
        .distinct()
    )
    for sweep_id in ids:
        advance(sweep_id)
    return ids


def _complete(trials: list[Run]) -> int:
    return sum(trial_state(r) == "complete" for r in trials)


def _update_importances(sweep: Sweep, study: Any, trials: list[Run]) -> None:
    """Optuna's importances (a random forest: most of a second) for the trials complete now, stored."""
    sweep.importances = importances(study)
    sweep.importances_trials = _complete(trials)
    Sweep.objects.filter(pk=sweep.pk).update(importances=sweep.importances, importances_trials=sweep.importances_trials)


def importances_seconds() -> float:
    """While a sweep runs, its importances are computed again on a read at most this often (per process)."""
    return float(getattr(settings, "SWEEP_IMPORTANCES_SECONDS", os.environ.get("SWEEP_IMPORTANCES_SECONDS", 10)))


_importances_at: dict[int, float] = {}  # sweep id -> time.monotonic() of this process's last computation


def _importances_due(sweep: Sweep, complete: int) -> bool:
    """Whether a read recomputes the importances: once more trials are complete than they are of, and then
    at once when there are none yet or the sweep has ended, else at most every importances_seconds(): each
    computation is most of a second of CPU, which on a small machine the worker training the next trial
    would wait for."""
    import time

    if complete == sweep.importances_trials:
        return False
    if sweep.importances is None or sweep.is_finished:
        return True
    return time.monotonic() - _importances_at.get(sweep.pk, float("-inf")) >= importances_seconds()


def refresh(sweep: Sweep) -> Sweep:
    """Before a read: fail its trials whose worker died, advance if one finished untold, and bring the
    importances up to date (_importances_due says when). They are computed here, in the web process,
    rather than by the worker between two trials (the worker computes them once, when the sweep ends)."""
    import time

    runs.fail_stale_runs(Run.objects.filter(sweep=sweep))
    if Run.objects.filter(sweep=sweep, status__in=Run.FINISHED, trial_values__isnull=True).exists():
        advance(sweep.id)
    sweep.refresh_from_db()
    trials = trial_runs(sweep)
    if _importances_due(sweep, _complete(trials)):
        _importances_at[sweep.pk] = time.monotonic()
        _update_importances(sweep, load_study(sweep, load_spec(sweep)), trials)
    return sweep


def prune_hook(run: Run):
    """The worker's prune hook for a trial's run: reports each epoch's objective metric to its Optuna
    trial and answers the pruner's should_prune(); None when the sweep does not prune."""
    import optuna

    sweep = Sweep.objects.filter(pk=run.sweep_id).first()
    if sweep is None or run.trial_number is None:
        return None
    spec = load_spec(sweep)
    if spec.pruner.get("name", "none") == "none":
        return None
    store = storage()
    study = optuna.load_study(
        study_name=sweep.study_name,
        storage=store,
        sampler=optuna.samplers.RandomSampler(),  # a trial made here samples nothing
        pruner=make_pruner(spec, max_epochs(spec, sweep.training)),
    )
    trial_id = store.get_trial_id_from_study_id_trial_number(
        store.get_study_id_from_name(sweep.study_name), run.trial_number
    )
    return make_prune_hook(optuna.trial.Trial(study, trial_id), spec.objectives[0].metric)


# --- cancel and delete ---------------------------------------------------------------------------------


def cancel_sweep(sweep: Sweep) -> Sweep:
    """Stop queued and running trials (queued ones at once, running ones at their next batch) and ask
    no more; the finished ones are kept. 409 once the sweep has ended."""
    if sweep.is_finished:
        raise HttpError(409, f"sweep {sweep.pk} has already finished ({sweep.status})")
    with sweep_lock(sweep.pk):
        Sweep.objects.filter(pk=sweep.pk, status=Sweep.Status.RUNNING).update(
            status=Sweep.Status.CANCELLED, finished_at=timezone.now()
        )
    for run in Run.objects.filter(sweep=sweep, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)):
        with contextlib.suppress(HttpError):  # finished meanwhile
            runs.cancel_run(run)
    advance(sweep.pk)
    sweep.refresh_from_db()
    publish(sweep.pk, {"type": "done", "t": _now(), "status": sweep.status})
    return sweep


def delete_sweep(sweep: Sweep) -> None:
    """Delete the sweep, its trials' runs and their files, and its Optuna study."""
    import optuna

    from webapp.runs import use

    sweep_id, study_name = sweep.pk, sweep.study_name
    with sweep_lock(sweep_id):
        Sweep.objects.filter(pk=sweep_id).update(status=Sweep.Status.CANCELLED, finished_at=timezone.now())
        for run in Run.objects.filter(sweep_id=sweep_id):
            run_id = run.pk
            exported = use.stored_names(run)
            runs.delete_run(run)
            use.delete_stored(exported)
            use.forget(run_id)
        Sweep.objects.filter(pk=sweep_id).delete()
    with contextlib.suppress(KeyError):  # never created, or deleted meanwhile
        optuna.delete_study(study_name=study_name, storage=storage())
    publish(sweep_id, {"type": "error", "t": _now(), "message": "the sweep was deleted"})


SPEC_FIELDS = ("space", "objectives", "sampler", "pruner", "trials", "parallel", "seed", "enqueue")
