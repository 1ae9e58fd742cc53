"""The Optuna side of a sweep: samplers and pruners by name, a trial's objective values from a finished
run, the best trials and the parameter importances. No Django.

A sampler is made anew for every trial asked, seeded from the sweep's seed and the trial's number, so
the same seed gives the same suggestions whichever process asks (the web process, a worker, the
command line), given the same finished trials before it.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from .space import Objective, Spec

log = logging.getLogger(__name__)


def trial_seed(spec: Spec, number: int) -> int | None:
    """The sampler's seed for trial `number`: the sweep's seed and the number, well mixed (nearby seeds of
    numpy's legacy generator give nearby first draws)."""
    if spec.seed is None:
        return None
    import numpy as np

    return int(np.random.SeedSequence([spec.seed, number]).generate_state(1)[0] % (2**31 - 1))


def make_sampler(spec: Spec, number: int = 0) -> Any:
    import optuna

    seed = trial_seed(spec, number)
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if spec.sampler == "grid":
        # The seed orders the grid: one seed for every trial, or trials made anew would revisit points.
        return optuna.samplers.GridSampler({d.target: d.grid() for d in spec.space}, seed=spec.seed)
    if spec.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if spec.sampler == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    raise ValueError(f"unknown sampler {spec.sampler!r}")


def make_pruner(spec: Spec, epochs: int) -> Any:
    import optuna

    name = spec.pruner.get("name", "none")
    if name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=int(spec.pruner.get("startup_trials", 5)),
            n_warmup_steps=int(spec.pruner.get("warmup_epochs", 0)),
        )
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(1, int(epochs)), reduction_factor=3)
    return optuna.pruners.NopPruner()


def distributions(spec: Spec) -> dict[str, Any]:
    return {d.target: d.distribution() for d in spec.space}


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def epoch_value(history: list[dict], metric: str, epoch_index: int = -1) -> float | None:
    if not history:
        return None
    return _finite((history[epoch_index].get("metrics") or {}).get(metric))


def objective_value(
    objective: Objective,
    history: list[dict],
    test: dict | None = None,
    params: int | None = None,
    macs: int | None = None,
    seconds: float | None = None,
) -> float | None:
    """One objective's value of a finished run; None when the run did not report it (or not finitely)."""
    if objective.metric == "params":
        return _finite(params)
    if objective.metric == "macs":
        return _finite(macs)
    if objective.metric == "seconds":
        return _finite(seconds)
    if objective.metric.startswith("test_") and not objective.per_epoch:
        return _finite((test or {}).get(objective.metric[5:]))
    if objective.at == "last":
        return epoch_value(history, objective.metric)
    values = [v for v in (epoch_value(history, objective.metric, i) for i in range(len(history))) if v is not None]
    if not values:
        return None
    return max(values) if objective.direction == "maximize" else min(values)


def objective_values(spec: Spec, history: list[dict], **facts: Any) -> list[float | None]:
    return [objective_value(o, history, **facts) for o in spec.objectives]


def best_numbers(study: Any) -> list[int]:
    """The best trial's number (one objective) or the Pareto front's (two); [] before any complete trial."""
    try:
        return sorted(t.number for t in study.best_trials)
    except (ValueError, RuntimeError):
        return []


def importances(study: Any) -> dict[str, float] | None:
    """Optuna's parameter importances for the first objective, once two trials are complete; None before
    (or when Optuna cannot tell, e.g. every trial has the same value)."""
    import optuna

    complete = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 2:
        return None
    try:
        found = optuna.importance.get_param_importances(
            study, target=(lambda t: t.values[0]) if _multi(study) else None
        )
    except Exception as exc:  # Optuna refuses some spaces (one value only, dynamic spaces): no importances yet
        log.info("no parameter importances: %s", exc)
        return None
    return {k: round(float(v), 6) for k, v in found.items() if math.isfinite(float(v))}


def _multi(study: Any) -> bool:
    return len(study.directions) > 1


def tell(study: Any, trial: Any, values: Any = None, state: Any = None) -> None:
    """study.tell, where the grid sampler's call of study.stop() once its grid is done (allowed only
    inside study.optimize) is no error: the trial is told before it, and a sweep asks no more than its
    grid anyway (parse_spec caps `trials`)."""
    try:
        study.tell(trial, values, state=state, skip_if_finished=True)
    except RuntimeError as exc:
        if "Study.stop" not in str(exc):
            raise
