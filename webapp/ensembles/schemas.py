"""The answers of /api/ensembles and /api/crossval (the house rules are webapp/schemas.py's)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from webapp.schemas import Absent, Best, Confusion, EpochEntry, Metrics, Out, RunDataset, TrainingSettings

EnsembleStatus = Literal["queued", "running", "succeeded", "failed"]
CrossvalStatus = Literal["queued", "running", "evaluating", "succeeded", "failed"]


class Gain(Out):
    metric: str = Field(description="accuracy of the first classification Output, else the loss")
    higher_is_better: bool
    ensemble: float
    best_member: float
    best_run: int
    value: float = Field(description="how much better the ensemble is than its best member (negative: worse)")


class WeightsValidation(Out):
    samples: int = Field(description="the validation samples the weights were fitted on")
    shared: bool = Field(description="true: samples every member held out; false: the union of their splits")
    note: str


class EnsembleMember(Out):
    run: int
    name: str
    seed: int | None
    weight: float | None = Field(description="normalised; null until 'optimize' has fitted the weights")
    test: Metrics | None = Field(description="the member on the test split, as the ensemble is measured")
    run_exists: bool = Field(description="false once the member run was deleted (the ensemble keeps working)")


class EnsembleOutput(Out):
    name: str
    kind: Literal["classification", "regression"]
    loss: str | None
    shape: list[int | None]
    classes: int | None


class MemberVote(Out):
    run: int
    prediction: str
    correct: bool


class Disagreement(Out):
    index: int = Field(description="the test sample's index")
    truth: str
    ensemble: str
    confidence: float
    members: list[MemberVote]
    image: str | None = Field(description="a PNG data URL for image datasets")


class DisagreementCounts(Out):
    ensemble_right: int
    ensemble_wrong: int


class Disagreements(Out):
    output: str
    counts: DisagreementCounts
    ensemble_right: list[Disagreement] = Field(description="most members wrong, the ensemble right")
    ensemble_wrong: list[Disagreement] = Field(description="most members right, the ensemble wrong")


class EnsembleSummary(Out):
    id: int
    name: str
    status: EnsembleStatus
    error: str
    dataset: RunDataset
    weights_mode: Literal["uniform", "optimize", "given"]
    weights: list[float] | None
    weights_from: Literal["uniform", "given", "validation"]
    runs: list[int]
    crossval: int | None = Field(description="the cross-validation this is the test ensemble of")
    test: Metrics | None
    gain: Gain | None
    has_model: bool
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    duration: float | None


class EnsembleDetail(EnsembleSummary):
    validation: WeightsValidation | None
    members: list[EnsembleMember]
    outputs: list[EnsembleOutput]
    confusion: Confusion | None
    disagreements: Disagreements | None


class EnsembleCreated(Out):
    id: int
    status: EnsembleStatus


class MeanStd(Out):
    mean: float
    std: float = Field(description="the population standard deviation over the folds")
    values: list[float] = Field(description="one per succeeded fold, in fold order")


class FoldMetric(Out):
    last: MeanStd | Absent = None
    best: MeanStd | Absent = None


class FoldRun(Out):
    fold: int
    run: int
    status: str
    epochs_done: int
    best: Best | None
    history: list[EpochEntry]
    test: Metrics | None


class CrossvalEnsemble(Out):
    id: int
    status: EnsembleStatus
    test: Metrics | None
    gain: Gain | None
    has_model: bool


class CrossvalSummary(Out):
    id: int
    name: str
    status: CrossvalStatus
    error: str
    folds: int
    stratified: bool
    project: int | None
    dataset: RunDataset
    runs: list[int] = Field(description="the fold runs, in fold order")
    ensemble: CrossvalEnsemble | None
    created_at: str | None
    finished_at: str | None


class CrossvalDetail(CrossvalSummary):
    training: TrainingSettings  # type: ignore[valid-type]
    fold_runs: list[FoldRun]
    metrics: dict[str, FoldMetric]
    best_by: str | None = Field(description="the metric that picks each fold's best epoch")


class CrossvalCreated(Out):
    id: int
    status: CrossvalStatus
    runs: list[int]
