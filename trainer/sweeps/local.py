"""A whole sweep in this process: ask Optuna, train each trial with trainer.runner.train, tell it.

What `manage.py sweep` and bench/sweep.py's bare-script side use; the web app spreads the same trials
over the workers instead (webapp/sweeps/services.py), with the same samplers, seeds and objectives.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datasets import Dataset
from .space import Spec, apply
from .study import distributions, epoch_value, make_pruner, make_sampler, objective_values, tell

log = logging.getLogger(__name__)


@dataclass
class TrialRow:
    number: int
    params: dict[str, Any]
    state: str  # complete | pruned | fail
    values: list[float | None] = field(default_factory=list)
    seconds: float = 0.0
    epochs: int = 0
    pruned_epoch: int | None = None
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "params": self.params,
            "state": self.state,
            "values": self.values,
            "seconds": round(self.seconds, 3),
            "epochs": self.epochs,
            "pruned_epoch": self.pruned_epoch,
            "error": self.error,
        }


def max_epochs(spec: Spec, training: dict) -> int:
    dim = spec.dimension("training.epochs")
    if dim is None:
        return int(training["epochs"])
    return int(max(dim.choices) if dim.choices else dim.high or training["epochs"])


def graph_facts(graph: dict) -> tuple[dict | None, str]:
    """builder's validation of a suggested graph: (its result, "") or (None, why it is invalid, naming the block)."""
    import builder

    result = builder.validate_graph(graph)
    if result.get("valid"):
        return result, ""
    errors = result.get("errors") or []
    if not errors:
        return None, "the graph is invalid"
    first = errors[0]
    where = f" (block '{first['node']}')" if first.get("node") else ""
    return None, f"the graph is invalid: {first['message']}{where}"


def optuna_state(name: str) -> Any:
    import optuna

    return {
        "complete": optuna.trial.TrialState.COMPLETE,
        "pruned": optuna.trial.TrialState.PRUNED,
        "fail": optuna.trial.TrialState.FAIL,
    }[name]


def make_prune_hook(trial: Any, metric: str) -> Callable[[int, dict], bool]:
    """Reports the metric of each epoch to the Optuna trial and answers whether its pruner stops it."""

    def prune(epoch: int, metrics: dict) -> bool:
        value = epoch_value([{"metrics": metrics}], metric)
        if value is None:
            return False
        trial.report(value, step=epoch)
        return bool(trial.should_prune())

    return prune


def run_local(
    spec: Spec,
    graph: dict,
    training: dict,
    ds: Dataset,
    *,
    workdir: Path,
    storage: Any = None,
    study_name: str | None = None,
    on_trial: Callable[[TrialRow], None] | None = None,
    max_params: int | None = None,
) -> tuple[Any, list[TrialRow]]:
    """Every trial of `spec`, one after another; answers the study and one row per trial."""
    import optuna

    from ..runner import train

    study = optuna.create_study(storage=storage, study_name=study_name, directions=spec.directions)  # type: ignore[arg-type]  # checked: maximize | minimize
    for params in spec.enqueue:
        study.enqueue_trial(params)
    study.pruner = make_pruner(spec, max_epochs(spec, training))
    dists = distributions(spec)
    rows: list[TrialRow] = []
    pruning = spec.pruner.get("name") != "none"
    for number in range(spec.trials):
        study.sampler = make_sampler(spec, number)
        trial = study.ask(dists)
        row = TrialRow(trial.number, dict(trial.params), "fail")
        started = time.monotonic()
        folder = Path(workdir) / f"trial-{trial.number}"
        try:
            g, t = apply(spec, graph, training, trial.params)
            facts, why = graph_facts(g)
            if facts is None:
                raise ValueError(why)
            result = train(
                g,
                ds,
                t,
                workdir=folder,
                max_params=max_params,
                prune=make_prune_hook(trial, spec.objectives[0].metric) if pruning else None,
                figures=False,
            )
            row.seconds = time.monotonic() - started
            row.epochs = len(result.history)
            row.values = objective_values(
                spec,
                result.history,
                test=result.test,
                params=facts.get("total_params"),
                macs=facts.get("total_macs"),
                seconds=row.seconds,
            )
            if result.status == "pruned":
                row.state, row.pruned_epoch = "pruned", result.pruned_epoch
                tell(study, trial, state=optuna_state("pruned"))
            elif any(v is None for v in row.values):
                row.error = "the objective is not a finite number"
                tell(study, trial, state=optuna_state("fail"))
            else:
                row.state = "complete"
                tell(study, trial, [float(v) for v in row.values if v is not None])
        except Exception as exc:
            row.seconds = time.monotonic() - started
            row.error = " ".join(str(exc).split())[:500] or type(exc).__name__
            log.warning("trial %s failed: %s", trial.number, row.error)
            tell(study, trial, state=optuna_state("fail"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rows.append(row)
        if on_trial is not None:
            on_trial(row)
    return study, rows
