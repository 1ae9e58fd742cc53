"""A sweep's request, checked: the search space against the graph and the settings declaration, the
objectives against what the graph reports, the sampler, the pruner and the counts.

Every problem is a SweepError naming the field at fault by its path in the request (`space[2].high`,
`objectives[0].metric`, `sampler`). Nothing here imports Django; Optuna only where distributions are made.

Targets:
- `nodes.<node id>.<param>`: a block's parameter (its kind and bounds come from the block catalog);
- `nodes.<node id>.<param>.<index>`: one entry of a tuple parameter (kernel_size, strides, pool_size...);
  without the index a number sets the parameter itself, which means every entry ("an integer meaning
  every axis"), so `nodes.conv.kernel_size` = 3 trains a 3x3 kernel;
- `nodes.<node id>.layer.<param>` (and `.layer.<param>.<index>`): a wrapper's inner block (Bidirectional,
  TimeDistributed);
- `training.<dotted setting>`: a training setting declared `searchable` in trainer/settings.py.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from ..settings import BY_NAME, parse_training

KINDS = ("int", "float", "choice")
SAMPLERS = ("random", "tpe", "grid", "nsga2", "cmaes")
PRUNERS = ("none", "median", "hyperband")
MAX_TRIALS = 500
MAX_GRID = MAX_TRIALS
MAX_DIMENSIONS = 32
MAX_CHOICES = 100
DERIVED = ("params", "macs", "seconds")
DIRECTIONS = ("maximize", "minimize")
ATS = ("best", "last")
# Keys of a request's sweep part (the rest, graph/project/dataset/training, is the run's).
SPEC_KEYS = ("space", "objectives", "sampler", "pruner", "trials", "parallel", "seed", "enqueue")


class SweepError(ValueError):
    """A bad sweep request; `field` is the path of the value at fault (`space[2].high`)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Dimension:
    target: str
    kind: str  # int | float | choice
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple | None = None
    # Where it writes: ("node", node id, [keys under node["params"]], index) or ("training", dotted, [], None)
    scope: str = "node"
    node: str = ""
    path: tuple[str, ...] = ()
    index: int | None = None
    length: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "step": self.step,
            "choices": list(self.choices) if self.choices is not None else None,
        }

    def distribution(self) -> Any:
        import optuna.distributions as d

        if self.kind == "choice":
            return d.CategoricalDistribution(list(self.choices or ()))
        if self.kind == "int":
            return d.IntDistribution(int(self.low or 0), int(self.high or 0), log=self.log, step=int(self.step or 1))
        return d.FloatDistribution(float(self.low or 0.0), float(self.high or 0.0), log=self.log, step=self.step)

    def grid(self) -> list:
        """Every value of the dimension, for the grid sampler (choices, ints, or floats with a step)."""
        if self.kind == "choice":
            return list(self.choices or ())
        assert self.low is not None and self.high is not None
        step = self.step or 1
        count = math.floor((self.high - self.low) / step + 1e-9) + 1
        if self.kind == "int":
            return [int(self.low) + int(step) * i for i in range(count)]
        return [round(self.low + step * i, 12) for i in range(count)]

    def grid_size(self) -> int | None:
        if self.kind == "choice":
            return len(self.choices or ())
        if self.kind == "float" and self.step is None:
            return None
        assert self.low is not None and self.high is not None
        return math.floor((self.high - self.low) / (self.step or 1) + 1e-9) + 1

    def contains(self, value: Any) -> bool:
        if self.kind == "choice":
            return any(_same(value, c) for c in self.choices or ())
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.kind == "int" and value != int(value):
            return False
        assert self.low is not None and self.high is not None
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Objective:
    metric: str
    direction: str
    at: str = "best"

    def as_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "direction": self.direction, "at": self.at}

    @property
    def per_epoch(self) -> bool:
        return self.metric not in DERIVED and not self.metric.startswith("test_")


@dataclass(frozen=True)
class Spec:
    space: tuple[Dimension, ...]
    objectives: tuple[Objective, ...]
    sampler: str
    pruner: dict[str, Any]
    trials: int
    parallel: int
    seed: int | None
    enqueue: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "space": [d.as_json() for d in self.space],
            "objectives": [o.as_json() for o in self.objectives],
            "sampler": self.sampler,
            "pruner": dict(self.pruner),
            "trials": self.trials,
            "parallel": self.parallel,
            "seed": self.seed,
            "enqueue": [dict(e) for e in self.enqueue],
        }

    @property
    def directions(self) -> list[str]:
        return [o.direction for o in self.objectives]

    def dimension(self, target: str) -> Dimension | None:
        return next((d for d in self.space if d.target == target), None)


# --- parsing -----------------------------------------------------------------------------------------


def parse_spec(data: Any, graph: dict, training: dict, *, max_parallel: int = 8) -> Spec:
    """The checked sweep of a request (`space`, `objectives`, `sampler`, `pruner`, `trials`, `parallel`,
    `seed`, `enqueue`), for `graph` (a valid graph document) and `training` (complete settings, as
    parse_training answers them). Also takes a stored spec (Spec.as_json()) back."""
    if not isinstance(data, dict):
        raise SweepError("the sweep must be an object", "sweep")
    space = parse_space(data.get("space"), graph)
    objectives = parse_objectives(data.get("objectives"), graph, training, space)
    sampler = data.get("sampler")
    if sampler is None:
        sampler = "nsga2" if len(objectives) == 2 else "tpe"
    if sampler not in SAMPLERS:
        raise SweepError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}", "sampler")
    trials = _count(data.get("trials", 20), "trials", 1, MAX_TRIALS)
    parallel = _count(data.get("parallel", 1), "parallel", 1, max(1, max_parallel))
    seed = data.get("seed", 0)
    if seed is not None:
        seed = _count(seed, "seed", 0, 2**31 - 1)
    pruner = parse_pruner(data.get("pruner"), objectives)
    if sampler == "grid":
        size = 1
        for i, dim in enumerate(space):
            n = dim.grid_size()
            if n is None:
                raise SweepError(
                    f"{dim.target}: the grid sampler needs a step (or choices) for a float dimension",
                    f"space[{i}].step",
                )
            size *= n
        if size > MAX_GRID:
            raise SweepError(f"the grid has {size} points, more than {MAX_GRID}: use fewer values or steps", "space")
        trials = min(trials, size)
    if sampler == "cmaes":
        for i, dim in enumerate(space):
            if dim.kind == "choice":
                raise SweepError(
                    f"{dim.target}: the cmaes sampler searches numbers only: use tpe or random for choices",
                    f"space[{i}].kind",
                )
        if len(objectives) > 1:
            raise SweepError("the cmaes sampler takes one objective: use nsga2 or tpe for two", "sampler")
        try:
            import cmaes  # noqa: F401  (Optuna's CmaEsSampler needs it)
        except ImportError:
            raise SweepError("the cmaes sampler needs the `cmaes` package on this server: use tpe", "sampler") from None
    enqueue = parse_enqueue(data.get("enqueue"), space, trials)
    return Spec(tuple(space), tuple(objectives), sampler, pruner, trials, parallel, seed, tuple(enqueue))


def _count(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise SweepError(f"{name} must be a whole number from {low} to {high}, got {value!r}", name)
    if not low <= value <= high:
        raise SweepError(f"{name} must be from {low} to {high}, got {int(value)}", name)
    return int(value)


def parse_space(data: Any, graph: dict) -> list[Dimension]:
    if not isinstance(data, list) or not data:
        raise SweepError("space must be a non-empty list of dimensions", "space")
    if len(data) > MAX_DIMENSIONS:
        raise SweepError(f"space has {len(data)} dimensions, more than {MAX_DIMENSIONS}", "space")
    out: list[Dimension] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        dim = parse_dimension(item, graph, f"space[{i}]")
        if dim.target in seen:
            raise SweepError(f"{dim.target} is searched twice", f"space[{i}].target")
        seen.add(dim.target)
        out.append(dim)
    return out


@dataclass
class _Param:
    """What a target points at: its kind and bounds, and where to write it."""

    label: str  # for messages: "Dense 'hidden' units"
    kind: str  # the catalog's / setting's kind
    min: float | None
    max: float | None
    min_open: bool = False
    max_open: bool = False
    choices: tuple | None = None
    lower: bool = False
    scope: str = "node"
    node: str = ""
    path: tuple[str, ...] = ()
    index: int | None = None
    length: int | None = None


_ALLOWED = {
    "int": ("int", "choice"),
    "int_tuple": ("int", "choice"),
    "float": ("float", "choice"),
    "float_or_tuple": ("float", "choice"),
    "choice": ("choice",),
    "bool": ("choice",),
}


def parse_dimension(item: Any, graph: dict, where: str) -> Dimension:
    if not isinstance(item, dict):
        raise SweepError(f"{where} must be an object with target and kind", where)
    unknown = sorted(set(item) - {"target", "kind", "low", "high", "log", "step", "choices"})
    if unknown:
        raise SweepError(
            f"{where}.{unknown[0]} is not a field of a dimension: the fields are target, kind, low, high, log, step, "
            "choices",
            f"{where}.{unknown[0]}",
        )
    target = item.get("target")
    if not isinstance(target, str) or not target:
        raise SweepError(
            f"{where}.target must be 'nodes.<block id>.<param>' or 'training.<setting>'", f"{where}.target"
        )
    param = resolve(target, graph, f"{where}.target")
    kind = item.get("kind")
    if kind not in KINDS:
        raise SweepError(f"{where}.kind must be int, float or choice, got {kind!r}", f"{where}.kind")
    allowed = _ALLOWED.get(param.kind)
    if allowed is None:
        raise SweepError(
            f"{target}: {param.label} is of kind {param.kind}, not a number or a choice, so it cannot be searched",
            f"{where}.target",
        )
    if kind not in allowed:
        raise SweepError(
            f"{where}.kind {kind!r} does not match {param.label} (kind {param.kind}): use {' or '.join(allowed)}",
            f"{where}.kind",
        )
    log = item.get("log", False)
    if log is None:
        log = False
    if not isinstance(log, bool):
        raise SweepError(f"{where}.log must be true or false", f"{where}.log")
    common: dict[str, Any] = {
        "target": target,
        "kind": kind,
        "scope": param.scope,
        "node": param.node,
        "path": param.path,
        "index": param.index,
        "length": param.length,
    }
    if kind == "choice":
        for key in ("low", "high", "step"):
            if item.get(key) is not None:
                raise SweepError(f"{where}.{key}: a choice dimension takes choices, not {key}", f"{where}.{key}")
        choices = _choices(item.get("choices"), param, where)
        return Dimension(choices=choices, **common)
    if item.get("choices") is not None:
        raise SweepError(f"{where}.choices: only a choice dimension takes choices", f"{where}.choices")
    low = _bound(item.get("low"), kind, param, f"{where}.low", "low")
    high = _bound(item.get("high"), kind, param, f"{where}.high", "high")
    if low > high:
        raise SweepError(f"{where}.high ({high:g}) is below low ({low:g})", f"{where}.high")
    step = item.get("step")
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, (int, float)) or not math.isfinite(step) or step <= 0:
            raise SweepError(f"{where}.step must be a number above 0, got {step!r}", f"{where}.step")
        if kind == "int" and step != int(step):
            raise SweepError(f"{where}.step must be a whole number for an int dimension", f"{where}.step")
        if log:
            raise SweepError(f"{where}.step: a log-scale dimension takes no step", f"{where}.step")
        step = int(step) if kind == "int" else float(step)
    if log and low <= 0:
        raise SweepError(f"{where}.low must be above 0 on a log scale, got {low:g}", f"{where}.low")
    return Dimension(low=low, high=high, log=log, step=step, **common)


def _bound(value: Any, kind: str, param: _Param, field_: str, side: str) -> Any:
    if value is None:
        raise SweepError(f"{field_} is required for an {kind} dimension", field_)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SweepError(f"{field_} must be a number, got {value!r}", field_)
    if kind == "int" and value != int(value):
        raise SweepError(f"{field_} must be a whole number for an int dimension, got {value!r}", field_)
    value = int(value) if kind == "int" else float(value)
    problem = _outside(value, param)
    if problem:
        raise SweepError(f"{field_} {value:g} is outside {param.label}'s bounds: {problem}", field_)
    return value


def _outside(value: float, param: _Param) -> str | None:
    """Why a number is outside the parameter's bounds, or None."""
    low, high = param.min, param.max
    too_low = low is not None and (value <= low if param.min_open else value < low)
    too_high = high is not None and (value >= high if param.max_open else value > high)
    if not (too_low or too_high):
        return None
    left = "(" if param.min_open else "["
    right = ")" if param.max_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"it must be in {left}{lo}, {hi}{right}"


def _choices(value: Any, param: _Param, where: str) -> tuple:
    field_ = f"{where}.choices"
    if not isinstance(value, list):
        raise SweepError(f"{field_} must be a list of values", field_)
    if not value:
        raise SweepError(f"{field_} is empty: give at least one value", field_)
    if len(value) > MAX_CHOICES:
        raise SweepError(f"{field_} has {len(value)} values, more than {MAX_CHOICES}", field_)
    out: list = []
    for j, raw in enumerate(value):
        at = f"{field_}[{j}]"
        choice = raw.lower() if param.lower and isinstance(raw, str) else raw
        if param.kind in ("choice",):
            if not any(_same(choice, c) for c in param.choices or ()):
                shown = ", ".join("null" if c is None else repr(c) for c in param.choices or ())
                raise SweepError(f"{at}: {raw!r} is not a choice of {param.label}: the choices are {shown}", at)
        elif param.kind == "bool":
            if not isinstance(choice, bool):
                raise SweepError(f"{at}: {param.label} is true or false, got {raw!r}", at)
        else:
            if isinstance(choice, bool) or not isinstance(choice, (int, float)) or not math.isfinite(choice):
                raise SweepError(f"{at}: {param.label} takes numbers, got {raw!r}", at)
            if param.kind in ("int", "int_tuple") and choice != int(choice):
                raise SweepError(f"{at}: {param.label} takes whole numbers, got {raw!r}", at)
            if param.kind in ("int", "int_tuple"):
                choice = int(choice)
            problem = _outside(choice, param)
            if problem:
                raise SweepError(f"{at}: {choice!r} is outside {param.label}'s bounds: {problem}", at)
        if any(_same(choice, c) for c in out):
            raise SweepError(f"{at}: {raw!r} is listed twice", at)
        out.append(choice)
    return tuple(out)


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (
        not isinstance(a, bool) and not isinstance(b, bool) and isinstance(a, (int, float)) and a == b
    )


# --- targets -----------------------------------------------------------------------------------------


def resolve(target: str, graph: dict, field_: str) -> _Param:
    """What `target` names in `graph` (or in the settings), or a SweepError saying why it names nothing."""
    if target.startswith("training."):
        return _setting(target[len("training.") :], target, field_)
    if not target.startswith("nodes."):
        raise SweepError(
            f"{field_} {target!r} must start with 'nodes.' (a block's parameter) or 'training.' (a setting)", field_
        )
    rest = target[len("nodes.") :]
    nodes: dict[str, dict] = {
        n["id"]: n for n in graph.get("nodes") or [] if isinstance(n, dict) and isinstance(n.get("id"), str)
    }
    ids = [i for i in nodes if rest.startswith(i + ".")]
    if not ids:
        shown = rest.split(".")[0]
        raise SweepError(f"{field_}: the graph has no block {shown!r}", field_)
    node_id = max(ids, key=len)
    node = nodes[node_id]
    parts = rest[len(node_id) + 1 :].split(".")
    from builder.catalog import get_spec

    block = get_spec(str(node.get("type")))
    if block is None:
        raise SweepError(f"{field_}: block {node_id!r} has an unknown type {node.get('type')!r}", field_)
    label = f"{block.type} {node_id!r}"
    params = node.get("params") if isinstance(node.get("params"), dict) else {}
    path: tuple[str, ...] = ()
    if parts[0] == "layer" and len(parts) > 1:
        spec = block.param("layer")
        inner = params.get("layer") if isinstance(params, dict) else None
        if spec is None or spec.kind != "layer":
            raise SweepError(f"{field_}: {label} is not a wrapper: it has no inner layer", field_)
        if not isinstance(inner, dict) or get_spec(str(inner.get("type"))) is None:
            raise SweepError(f"{field_}: {label}'s inner layer is not set", field_)
        block = get_spec(str(inner["type"]))
        assert block is not None
        label = f"{label}'s inner {block.type}"
        path = ("layer", "params")
        parts = parts[1:]
    name = parts[0]
    spec = block.param(name)
    if spec is None:
        shown = ", ".join(p.name for p in block.params) or "none"
        raise SweepError(f"{field_}: {label} has no parameter {name!r}: its parameters are {shown}", field_)
    index = None
    length = spec.length if spec.kind == "int_tuple" else (2 if spec.kind == "float_or_tuple" else None)
    if len(parts) > 2:
        raise SweepError(f"{field_}: {target!r} goes deeper than {label}'s {name}", field_)
    if len(parts) == 2:
        if length is None:
            raise SweepError(f"{field_}: {label}'s {name} is a {spec.kind}, it has no entries", field_)
        if not parts[1].isdigit() or int(parts[1]) >= length:
            raise SweepError(f"{field_}: {label}'s {name} has entries 0 to {length - 1}, not {parts[1]!r}", field_)
        index = int(parts[1])
        label = f"{label} {name}[{index}]"
    else:
        label = f"{label} {name}"
    return _Param(
        label=label,
        kind=spec.kind,
        min=spec.min,
        max=spec.max,
        choices=tuple(spec.choices) if spec.choices is not None else None,
        node=node_id,
        path=(*path, name),
        index=index,
        length=length,
    )


def _setting(name: str, target: str, field_: str) -> _Param:
    setting = BY_NAME.get(name)
    if setting is None:
        searchable = ", ".join(s.name for s in BY_NAME.values() if s.searchable)
        raise SweepError(f"{field_}: {name!r} is not a training setting: the searchable ones are {searchable}", field_)
    if not setting.searchable:
        raise SweepError(f"{field_}: the setting {name} cannot be searched", field_)
    return _Param(
        label=f"setting {name}",
        kind=setting.kind,
        min=setting.min,
        max=setting.max,
        min_open=setting.min_open,
        max_open=setting.max_open,
        choices=setting.choices,
        lower=setting.lower,
        scope="training",
        path=tuple(name.split(".")),
    )


# --- objectives, pruner, enqueued trials ---------------------------------------------------------------


def reportable(graph: dict, validation: bool) -> list[str]:
    """The epoch metrics a run of `graph` reports (Keras's names), val_ ones with validation data."""
    outputs = [n for n in graph.get("nodes") or [] if isinstance(n, dict) and n.get("type") == "Output"]
    names = ["loss"]
    for node in outputs:
        metrics = (node.get("params") or {}).get("metrics") or []
        prefix = f"{node.get('id')}_" if len(outputs) > 1 else ""
        if prefix:
            names.append(f"{prefix}loss")
        names.extend(f"{prefix}{m}" for m in metrics if isinstance(m, str))
    if validation:
        names += [f"val_{n}" for n in names]
    return names


def _validation_always(training: dict, space: list[Dimension]) -> bool:
    """Whether every trial has validation data (validation_split may be a dimension)."""
    dim = next((d for d in space if d.target == "training.validation_split"), None)
    if dim is None:
        return training.get("validation_split", 0) > 0
    if dim.kind == "choice":
        return all(c > 0 for c in dim.choices or ())
    return (dim.low or 0) > 0


def parse_objectives(data: Any, graph: dict, training: dict, space: list[Dimension]) -> list[Objective]:
    metrics = reportable(graph, _validation_always(training, space))
    if data is None:
        accuracy = next((m for m in metrics if m.startswith("val_") and m.endswith("accuracy")), None)
        if accuracy:
            return [Objective(accuracy, "maximize")]
        return [Objective("val_loss" if "val_loss" in metrics else "loss", "minimize")]
    if not isinstance(data, list) or not 1 <= len(data) <= 2:
        raise SweepError("objectives must be a list of one or two objectives", "objectives")
    out: list[Objective] = []
    for i, item in enumerate(data):
        where = f"objectives[{i}]"
        if not isinstance(item, dict):
            raise SweepError(f"{where} must be an object with metric, direction and at", where)
        unknown = sorted(set(item) - {"metric", "direction", "at"})
        if unknown:
            raise SweepError(f"{where}.{unknown[0]} is not a field of an objective", f"{where}.{unknown[0]}")
        metric = item.get("metric")
        if not isinstance(metric, str) or not metric:
            raise SweepError(f"{where}.metric must be a metric name", f"{where}.metric")
        test_metric = metric.startswith("test_") and metric[5:] in reportable(graph, False)
        if metric not in metrics and metric not in DERIVED and not test_metric:
            why = ""
            if metric.startswith("val_") and metric[4:] in metrics:
                why = " (it needs validation data: set validation_split above 0)"
            elif metric.removeprefix("val_") not in reportable(graph, True):
                why = " (no Output block of the graph reports it: add it to an Output's metrics)"
            raise SweepError(
                f"{where}.metric: the graph cannot report {metric!r}{why}; it reports "
                f"{', '.join([*metrics, *DERIVED])}",
                f"{where}.metric",
            )
        direction = item.get("direction")
        if direction is None:
            direction = "maximize" if any(k in metric for k in ("acc", "auc", "precision", "recall")) else "minimize"
        if direction not in DIRECTIONS:
            raise SweepError(f"{where}.direction must be maximize or minimize, got {direction!r}", f"{where}.direction")
        at = item.get("at", "best") or "best"
        if at not in ATS:
            raise SweepError(f"{where}.at must be best or last, got {at!r}", f"{where}.at")
        if any(o.metric == metric for o in out):
            raise SweepError(f"{where}.metric: {metric} is already an objective", f"{where}.metric")
        out.append(Objective(metric, direction, at))
    return out


def parse_pruner(data: Any, objectives: list[Objective]) -> dict[str, Any]:
    if data is None:
        data = "none"
    if isinstance(data, str):
        data = {"name": data}
    if not isinstance(data, dict):
        raise SweepError("pruner must be none, median, hyperband or an object with a name", "pruner")
    unknown = sorted(set(data) - {"name", "startup_trials", "warmup_epochs"})
    if unknown:
        raise SweepError(f"pruner.{unknown[0]} is not a pruner option", f"pruner.{unknown[0]}")
    name = data.get("name")
    if name not in PRUNERS:
        raise SweepError(f"pruner must be one of {', '.join(PRUNERS)}, got {name!r}", "pruner")
    out = {
        "name": name,
        "startup_trials": _count(data.get("startup_trials", 5), "pruner.startup_trials", 0, MAX_TRIALS),
        "warmup_epochs": _count(data.get("warmup_epochs", 0), "pruner.warmup_epochs", 0, 1000),
    }
    if name != "none":
        if len(objectives) > 1:
            raise SweepError("pruning takes one objective: set pruner to none with two", "pruner")
        if not objectives[0].per_epoch:
            raise SweepError(
                f"pruning watches an epoch metric, and the objective {objectives[0].metric} is known only at the end",
                "pruner",
            )
    return out


def parse_enqueue(data: Any, space: list[Dimension], trials: int) -> list[dict[str, Any]]:
    if data is None:
        return []
    if not isinstance(data, list) or len(data) > trials:
        raise SweepError(f"enqueue must be a list of at most {trials} parameter sets", "enqueue")
    by_target = {d.target: d for d in space}
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not item:
            raise SweepError(f"enqueue[{i}] must be an object {{target: value}}", f"enqueue[{i}]")
        for target, value in item.items():
            dim = by_target.get(target)
            if dim is None:
                raise SweepError(f"enqueue[{i}]: {target!r} is not a dimension of the space", f"enqueue[{i}]")
            if not dim.contains(value):
                raise SweepError(f"enqueue[{i}]: {value!r} is outside the dimension {target}", f"enqueue[{i}]")
        out.append(dict(item))
    return out


# --- applying a suggestion -----------------------------------------------------------------------------


def apply(spec: Spec, graph: dict, training: dict, params: dict[str, Any]) -> tuple[dict, dict]:
    """Copies of `graph` and `training` with the suggested values written in (`params` keyed by target).
    The training settings are checked again (SettingsError); the graph is not (builder checks it)."""
    graph = copy.deepcopy(graph)
    training = copy.deepcopy(training)
    nodes = {n.get("id"): n for n in graph.get("nodes") or [] if isinstance(n, dict)}
    for target, value in params.items():
        dim = spec.dimension(target)
        if dim is None:
            raise KeyError(f"{target} is not a dimension of the sweep")
        if dim.scope == "training":
            holder = training
            for key in dim.path[:-1]:
                holder = holder.setdefault(key, {})
            holder[dim.path[-1]] = value
            continue
        node = nodes[dim.node]
        holder = node.setdefault("params", {})
        for key in dim.path[:-1]:
            holder = holder.setdefault(key, {})
        name = dim.path[-1]
        if dim.index is None:
            holder[name] = value
        else:
            current = holder.get(name)
            if isinstance(current, list):
                entries = list(current)
            else:
                entries = [current if isinstance(current, (int, float)) else value] * (dim.length or 1)
            entries[dim.index] = value
            holder[name] = entries
    return graph, parse_training(training)
