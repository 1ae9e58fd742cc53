"""The sweeps API's answers (the house rules are webapp/schemas.py's)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from webapp.schemas import Json, Out, RunDataset, RunStatus, StoredGraph, TrainingSettings

SweepStatus = Literal["running", "succeeded", "cancelled", "failed"]
TrialState = Literal["waiting", "running", "complete", "pruned", "fail"]


class SweepDimension(Out):
    target: str = Field(
        description="nodes.<block id>.<param>[.<index>], nodes.<id>.layer.<param> or training.<setting>"
    )
    kind: Literal["int", "float", "choice"]
    low: float | None
    high: float | None
    log: bool
    step: float | None
    choices: list[Json] | None


class SweepObjective(Out):
    metric: str = Field(description="an epoch metric (val_accuracy, loss...), test_<metric>, params, macs or seconds")
    direction: Literal["maximize", "minimize"]
    at: Literal["best", "last"]


class SweepPruner(Out):
    name: Literal["none", "median", "hyperband"]
    startup_trials: int
    warmup_epochs: int


class SweepSpec(Out):
    space: list[SweepDimension]
    objectives: list[SweepObjective]
    sampler: Literal["random", "tpe", "grid", "nsga2", "cmaes"]
    pruner: SweepPruner
    trials: int
    parallel: int
    seed: int | None
    enqueue: list[dict[str, Json]] = Field(description="parameter sets tried first, by target")


class SweepCounts(Out):
    total: int = Field(description="the trials the sweep runs")
    queued: int
    running: int
    succeeded: int
    pruned: int
    failed: int
    cancelled: int


class SweepTrial(Out):
    number: int = Field(description="Optuna's trial number, from 0")
    run: int = Field(description="the run that trains it")
    status: RunStatus
    state: TrialState = Field(description="Optuna's view: waiting (queued), running, complete, pruned, fail")
    params: dict[str, Json] = Field(description="the values tried, by target")
    values: list[float | None] | None = Field(description="one per objective once told to Optuna; null before")
    epochs_done: int
    pruned_epoch: int | None
    duration: float | None
    error: str
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class SweepSummary(Out):
    id: int
    name: str
    status: SweepStatus
    project: int | None
    dataset: RunDataset
    study: str = Field(description="the Optuna study's name (optuna-dashboard opens it)")
    spec: SweepSpec
    counts: SweepCounts
    best: list[int] = Field(description="trial numbers: the best trial, or the Pareto front with two objectives")
    importances: dict[str, float] | None = Field(description="Optuna's parameter importances (first objective)")
    error: str
    created_at: str | None
    finished_at: str | None
    duration: float | None


class SweepDetail(SweepSummary):
    graph: StoredGraph
    training: TrainingSettings  # type: ignore[valid-type]
    trials: list[SweepTrial]
