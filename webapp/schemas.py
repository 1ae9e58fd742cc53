"""The HTTP API's answers, declared once: Ninja validates and serialises every JSON answer through
these, /api/openapi.json describes them, and the front end's types are generated from that
(frontend/src/api/schema.gen.ts, `make fixtures`).

Rules of the house:
- Answers are plain Pydantic models (not ninja.Schema): nested `extra="allow"` models then keep
  the keys they do not name, and nothing is read through attribute getters.
- `Out` forbids undeclared keys: a key the server sends but no schema names is a loud 500 in the
  tests, never a key silently dropped from the answer. The open-ended entries (the catalog, dataset
  infos, error bodies) allow extra keys instead, and say so in the schema.
- A key the server sends only sometimes has a default; operations serialise with
  `exclude_unset=True`, so an absent key stays absent instead of becoming null. `| Absent` keeps null
  out of such a key's schema where the server never sends null.
- Free-form values (graph documents as stored, metrics keyed by name) are typed dicts.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import SkipJsonSchema

from builder.catalog import KINDS

Json = Any
"""Any JSON value."""

Absent = SkipJsonSchema[None]
"""`x: str | Absent = None`: a key that is either absent or a string, never null (the schema and the
TypeScript types say `x?: string`)."""

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "pruned"]
Metrics = dict[str, float | None]
"""Metric name -> value; null where it was NaN or infinite."""


class Out(BaseModel):
    """A JSON answer (or part of one) whose keys are all declared."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A JSON object with the keys declared here and possibly more."""

    model_config = ConfigDict(extra="allow")


# --- errors ---------------------------------------------------------------------------------------


class Problem(Open):
    """One error or warning: the block (`node`, null for the whole graph) and, where it is one
    parameter's or one dataset field's fault, that too."""

    node: str | None
    message: str
    param: str | Absent = None
    field: str | Absent = None


class RequestIssue(Open):
    """One problem Pydantic found in the request (a missing or ill-typed field)."""

    type: str
    loc: list[str | int]
    msg: str


class Error(Open):
    """Every 4xx answer: `detail` says what is wrong. `field` names the request field at fault;
    `errors` lists per-block problems (a graph, a binding) or the request's validation issues; a
    400 for an invalid graph also carries the rest of /api/graphs/validate's answer."""

    detail: str
    field: str | None = None
    node: str | Absent = None
    errors: list[Problem | RequestIssue] | Absent = None
    warnings: list[Problem] | Absent = None


ERROR_DESCRIPTIONS = {
    400: "bad request: the body, a parameter or a value is wrong (`detail`, often `field` or `errors`)",
    401: "authentication required (log in, or send `Authorization: Bearer <token>`)",
    403: "the CSRF check failed (send the csrftoken cookie's value as X-CSRFToken)",
    404: "not found (someone else's is not found either)",
    405: "this method is not allowed on this path (`detail` and the Allow header say which are)",
    409: "conflict with the current state (`detail` says which)",
    410: "gone: the stored file cannot be read any more",
    413: "the body or the file is too large, or the model is over this server's size limit (`detail` says which)",
    429: "too many attempts: wait the Retry-After header's seconds (`retry_after`)",
}


def answers(success: dict[int, Any], *codes: int) -> dict[int, Any]:
    """`response=` for an operation: its success answers plus Error for each 4xx code it can give."""
    return {**success, **dict.fromkeys(codes, Error)}


# --- graphs ---------------------------------------------------------------------------------------


class Position(Out):
    x: float
    y: float


class DocNode(Out):
    id: str
    type: str
    params: dict[str, Json]
    position: Position | Absent = None
    graph: GroupGraph | Absent = Field(None, description="a Group's own blocks and wires")


class DocEdge(Out):
    source: str
    target: str
    port: int | Absent = None
    source_port: int | Absent = Field(None, description="which output port of a Group (default 0)")


class GroupGraph(Out):
    """A Group's inner graph: its Input and Output blocks are its ports, in this order."""

    nodes: list[DocNode]
    edges: list[DocEdge]


class GraphDocument(Out):
    """A graph document (docs/DESIGN.md, "The graph document") as the server writes one (version 2
    when it holds groups)."""

    version: Literal[1, 2]
    name: str | Absent = None
    description: str | Absent = None
    nodes: list[DocNode]
    edges: list[DocEdge]


StoredGraph = dict[str, Json]
"""A graph as a person saved or sent it: any JSON object (the editor checks it when it loads one)."""


class Category(Out):
    name: str
    label: str


ParamKind = Literal[tuple(KINDS)]  # type: ignore[valid-type]  # the catalog's kinds, one source


class ParamSpec(Open):
    name: str
    kind: ParamKind
    default: Json
    required: bool
    nullable: bool
    choices: list[Json] | None
    min: float | None
    max: float | None
    length: int | None
    doc: str
    rules: dict[str, Json] | None = Field(None, description="the server's checking rules for this parameter")


class InputCount(Out):
    min: int
    max: int | None = Field(description="null: any number")


class LayerSpec(Open):
    type: str
    category: str
    doc: str
    inputs: InputCount
    params: list[ParamSpec]
    facts: dict[str, Json] | None = None


class Catalog(Open):
    keras_version: str
    categories: list[Category]
    layers: list[LayerSpec]


class Example(Out):
    name: str
    description: str
    graph: GraphDocument
    dataset: str | Absent = None  # the built-in dataset the template trains on, where one fits


Shape = list[int | None] | list[list[int | None]]
"""A shape with its batch axis (null); a block with several outputs gives a list of shapes."""


class NodeReport(Out):
    output_shape: Shape | None
    params: int
    trainable_params: int
    macs: int
    output_shapes: list[Shape | None] | Absent = Field(None, description="a Group with several outputs: each one's")


class EdgeReport(Out):
    source: str
    target: str
    shape: Shape | None


class ValidationResult(Out):
    valid: bool
    errors: list[Problem]
    warnings: list[Problem]
    nodes: dict[str, NodeReport]
    edges: list[EdgeReport]
    total_params: int
    trainable_params: int
    total_macs: int


# --- accounts -------------------------------------------------------------------------------------


class Me(Out):
    authenticated: bool
    username: str | Absent = Field(None, description="only when authenticated")


class Token(Out):
    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None


class NewToken(Token):
    token: str = Field(description="the token itself: shown this once, never stored")


# --- projects -------------------------------------------------------------------------------------


class ProjectSummary(Out):
    id: int
    name: str
    description: str
    version: int
    created_at: str
    updated_at: str
    nodes: int = Field(description="how many blocks its graph has")


class Project(Out):
    id: int
    name: str
    description: str
    version: int
    created_at: str
    updated_at: str
    graph: StoredGraph


class VersionSummary(Out):
    number: int
    note: str
    created_at: str
    nodes: int


class Version(VersionSummary):
    graph: StoredGraph


# --- datasets -------------------------------------------------------------------------------------


class DatasetField(Open):
    """An input or target field of a dataset (parsers add keys of their own, e.g. `columns`)."""

    name: str
    shape: list[int | None]
    dtype: str
    modality: str | Absent = None
    classes: int | None = None
    class_names: list[str] | None = None
    task: Literal["classification", "regression"] | Absent = Field(None, description="targets only")


class DatasetInfo(Open):
    """A built-in dataset (`kind` "builtin", `id` null, `ref` its name) or an upload (`kind` "upload",
    `ref` its id, with `filename`, `size`, `created_at`). Parsers add keys of their own."""

    id: int | None
    ref: str | int
    kind: Literal["builtin", "upload"]
    name: str
    title: str
    task: str
    description: str
    inputs: list[DatasetField]
    targets: list[DatasetField]
    train_size: int
    test_size: int
    filename: str | Absent = None
    size: int | Absent = None
    created_at: str | Absent = None


class PreviewImage(Out):
    src: str = Field(description="a PNG data URL")
    targets: dict[str, Json]


class ImagesPreview(Out):
    kind: Literal["images"]
    input: str
    images: list[PreviewImage]


class TablePreview(Out):
    kind: Literal["table"]
    columns: list[str]
    truncated: bool
    rows: list[list[Json]]


DatasetPreview = ImagesPreview | TablePreview


# --- runs -----------------------------------------------------------------------------------------


def _leaf_type(value: Any) -> Any:
    if isinstance(value, bool):
        return bool
    if isinstance(value, int | float):
        return int | float
    if isinstance(value, str):
        return str
    return int | float | str | bool | None


def _settings_model(name: str, tree: dict) -> type[BaseModel]:
    """A model of a settings tree: one field per key, typed from its default; nested objects become
    nested models. Every key is optional and extra keys pass: a run stored before a setting was
    declared (trainer/settings.py grows) lacks it, and must still read back."""
    fields: dict[str, Any] = {}
    for key, default in tree.items():
        if isinstance(default, dict):
            typ: Any = _settings_model(name + "".join(p.title() for p in key.split("_")), default)
        else:
            typ = _leaf_type(default)
        fields[key] = (typ, None)
    return create_model(name, __base__=Open, **fields)


@cache
def training_settings_model() -> type[BaseModel]:
    """`training` as runs store it: trainer.settings' complete settings (every key filled in)."""
    from trainer.settings import defaults

    return _settings_model("TrainingSettings", defaults())


TrainingSettings = training_settings_model()


class RunDataset(Out):
    ref: str | int | None = Field(description="a built-in's name or an upload's id; null once the upload is deleted")
    kind: Literal["builtin", "upload"]
    name: str
    title: str
    deleted: bool | Absent = Field(None, description="uploads only: the upload was deleted since")


class Best(Out):
    metric: str
    value: float
    epoch: int | None


class EpochEntry(Out):
    """One epoch of a run's history: its epoch event as it was published."""

    type: Literal["epoch"] | Absent = None
    t: float | Absent = None
    epoch: int
    epochs: int | Absent = None
    phase: int | Absent = Field(None, description="fine-tuning's phase: 1 (Pretrained frozen), 2 (unfrozen)")
    metrics: Metrics
    lr: float | None = None
    seconds: float | None = None


class BatchRecord(Out):
    """A batch event as the server keeps it (throttled, thinned evenly past a limit)."""

    epoch: int
    step: int
    steps: int
    metrics: Metrics


class Confusion(Out):
    output: str
    labels: list[str]
    matrix: list[list[int]]


class SamplePrediction(Out):
    index: int
    true: Json
    pred: Json
    correct: bool | Absent = Field(None, description="classification only")
    error: float | Absent = Field(None, description="regression only: |pred - true|")
    confidence: float | None
    image: str | None


class RunSummary(Out):
    id: int
    status: RunStatus
    project: int | None
    name: str
    dataset: RunDataset
    training: TrainingSettings  # type: ignore[valid-type]
    epochs_done: int
    best: Best | None
    test: Metrics | None
    error: str | None
    cancel_requested: bool
    has_model: bool
    has_tensorboard: bool
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    heartbeat_at: str | None
    duration: float | None
    sweep: int | None = Field(None, description="the sweep this run is a trial of")
    trial_number: int | None = Field(None, description="its trial number in the sweep")
    pruned_epoch: int | None = Field(None, description="a pruned trial: the epoch its pruner stopped it at")
    graph_name: str = Field("", description="the graph's own name (`name` is the person's name for the run, or this)")
    tags: list[str] = Field(default_factory=list, description="the person's labels for the run")
    note: str = Field("", description="the person's Markdown note")
    project_version: int | None = Field(None, description="the project version the run was created from")
    worker: str | None = Field(None, description="host and pid of the worker that trained it (empty: none yet)")
    final: Metrics | None = Field(None, description="GET /api/runs: the last epoch's metrics (null: no epoch yet)")


class SystemSample(Out):
    t: float = Field(description="Unix seconds")
    cpu: float | None = Field(description="the worker process's CPU use, percent of one core")
    memory: int | None = Field(description="the worker process's resident memory, bytes")
    gpu: float | Absent = Field(None, description="GPU utilisation, percent (workers with a GPU)")
    gpu_memory: int | Absent = Field(None, description="GPU memory in use, bytes (workers with a GPU)")


class RunDetail(RunSummary):
    graph: StoredGraph
    history: list[EpochEntry]
    batches: list[BatchRecord]
    confusion: Confusion | None
    samples: list[SamplePrediction]
    worker: str | None
    system: list[SystemSample] = Field(
        default_factory=list, description="the worker's CPU and memory (and GPU) samples, every few seconds"
    )


class RunCreated(Out):
    id: int
    status: RunStatus


class Binding(Out):
    node: str
    kind: Literal["input", "output"]
    field: str | None = Field(description="null: the block matches no field")
    how: Literal["name", "only"] | None


class BindingWarning(Out):
    node: str
    field: str
    message: str


class RunCheck(Out):
    ok: Literal[True]
    bindings: list[Binding]
    warnings: list[BindingWarning] | Absent = Field(
        None, description="what trains but is likely a slip (more units than classes); absent when none"
    )


# --- files ----------------------------------------------------------------------------------------


def file_answer(*content_types: str, description: str = "a file, as an attachment") -> dict:
    """openapi_extra for an operation whose 200 is a file, not JSON."""
    schema = {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": description, "content": {t: {"schema": schema} for t in content_types}}}}


# --- websocket events -----------------------------------------------------------------------------


def event_schemas() -> dict[str, dict]:
    """The websocket's events (trainer/events.py's TypedDicts, the one declaration) as OpenAPI
    components, plus `RunEvent`, their union by `type`. A snapshot's `run` is a RunDetail."""
    from pydantic import TypeAdapter

    from trainer import events

    out: dict[str, dict] = {}
    mapping: dict[str, str] = {}
    for type_name, typed in events.EVENT_TYPES.items():
        schema = TypeAdapter(typed).json_schema(ref_template="#/components/schemas/{model}")
        if "$defs" in schema:
            raise RuntimeError(f"{typed.__name__}: nested named types need components of their own")
        out[typed.__name__] = schema
        mapping[type_name] = f"#/components/schemas/{typed.__name__}"
    out["SnapshotEvent"]["properties"]["run"] = {"$ref": "#/components/schemas/RunDetail"}
    out["RunEvent"] = {
        "description": "A message of /ws/runs/{id}/ (server to client): see docs/DESIGN.md, Websocket",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    return out
