"""Ensembles: several trained models of one dataset become one model whose outputs are their weighted average.

A plain library (no Django): the worker's task gives it the members (their graphs, training settings and
saved models) and the dataset; it checks that the members fit together, finds the weights (uniform, given,
or fitted on the validation split the members were trained with: never on the test split), builds the
ensemble as ONE Keras functional model (shared Inputs named after the graph's Input ids, each member a
nested model `member_<run id>`, per Output a weighted average made of built-in layers only, so the saved
`.keras` loads with `keras.saving.load_model` and no custom objects), and evaluates every member and the
ensemble on the test split with the same code: averaged probabilities for classification Outputs,
averaged values for regression ones.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .binding import _loss_kind, check_binding, find_field, loss_name, prepare
from .datasets import Dataset, subsample
from .pipeline import split_validation
from .settings import parse_training

log = logging.getLogger(__name__)

ROW = "__ensemble_row__"  # the training sample's index, carried through subsampling and the validation split
MIN_SHARED_VALIDATION = 50  # fewer samples held out by every member: fit on the union of their validation splits
MAX_DISAGREEMENTS = 8
PREDICT_BATCH = 256
CLASSIFICATION_KINDS = ("sparse", "categorical", "binary")


class EnsembleError(Exception):
    """Members that cannot make an ensemble, or bad weights: `run` names the member at fault, `field` the
    request field ("runs" or "weights")."""

    def __init__(self, message: str, run: int | None = None, field: str = "runs"):
        super().__init__(message)
        self.run = run
        self.field = field


@dataclass
class Member:
    run: int
    graph: dict
    training: dict
    model_path: str | Path | None = None
    name: str = ""


@dataclass
class EnsembleResult:
    weights: list[float]
    weights_from: str  # "uniform" | "given" | "validation"
    validation: dict | None  # {"samples", "shared", "note"} for fitted weights
    outputs: list[dict]
    test: dict[str, float | None]
    members: list[dict]  # [{"run", "test"}]
    gain: dict | None
    confusion: dict | None
    disagreements: dict | None
    model_path: Path
    seconds: dict = field(default_factory=dict)


# --- what a member is: its Inputs and Outputs --------------------------------------------------------


def signature(graph: dict, run: int | None = None) -> dict:
    """{"inputs": [{"name", "shape", "dtype"}], "outputs": [{"name", "shape", "loss", "loss_weight", "metrics",
    "kind"}]} of a graph (kind: trainer.binding's kind of loss: sparse, categorical, binary or other)."""
    from builder.validate import check_graph

    result, parsed, _ = check_graph(graph)
    if not result["valid"] or parsed is None:
        raise EnsembleError(f"run {run}: its graph is not valid", run)
    inputs, outputs = [], []
    for node in parsed.nodes.values():
        if node.is_input:
            inputs.append(
                {
                    "name": node.id,
                    "shape": [None if d is None else int(d) for d in node.params["shape"]],
                    "dtype": str(node.params.get("dtype", "float32")),
                }
            )
        elif node.is_output:
            shape = (result["nodes"].get(node.id) or {}).get("output_shape") or [None]
            loss = loss_name(node.params.get("loss"))
            outputs.append(
                {
                    "name": node.id,
                    "shape": [None if d is None else int(d) for d in shape[1:]],
                    "loss": loss,
                    "loss_weight": float(node.params.get("loss_weight", 1.0)),
                    "metrics": list(node.params.get("metrics", ())),
                    "kind": _loss_kind(loss),
                }
            )
    return {"inputs": inputs, "outputs": outputs}


def _names(items: list[dict]) -> str:
    return ", ".join(f"'{i['name']}'" for i in items) or "none"


def check_members(members: Sequence[Member], info: dict) -> dict:
    """The members' common signature; EnsembleError naming the first member that differs from the first one
    (Input names, shapes or dtypes; Output names, shapes or kind of loss) or that the dataset cannot feed."""
    if len(members) < 2:
        raise EnsembleError(f"an ensemble needs at least two runs, got {len(members)}")
    seen: set[int] = set()
    for m in members:
        if m.run in seen:
            raise EnsembleError(f"run {m.run} is listed twice", m.run)
        seen.add(m.run)
    first = members[0]
    base = signature(first.graph, first.run)
    for m in members:
        sig = base if m is first else signature(m.graph, m.run)
        errors = check_binding(sig["inputs"], sig["outputs"], info)
        if errors:
            raise EnsembleError(f"run {m.run} does not fit the dataset: {errors[0]['message']}", m.run)
        if m is first:
            continue
        who = f"run {m.run}"
        if [i["name"] for i in sig["inputs"]] != [i["name"] for i in base["inputs"]]:
            raise EnsembleError(
                f"{who} has the Inputs {_names(sig['inputs'])} but run {first.run} has {_names(base['inputs'])}: "
                "members share their Inputs",
                m.run,
            )
        for a, b in zip(sig["inputs"], base["inputs"], strict=True):
            if a["shape"] != b["shape"] or a["dtype"] != b["dtype"]:
                raise EnsembleError(
                    f"{who}: Input '{a['name']}' is {a['dtype']} {a['shape']} but run {first.run}'s is "
                    f"{b['dtype']} {b['shape']}",
                    m.run,
                )
        if sorted(o["name"] for o in sig["outputs"]) != sorted(o["name"] for o in base["outputs"]):
            raise EnsembleError(
                f"{who} has the Outputs {_names(sig['outputs'])} but run {first.run} has {_names(base['outputs'])}",
                m.run,
            )
        theirs = {o["name"]: o for o in base["outputs"]}
        for o in sig["outputs"]:
            b = theirs[o["name"]]
            if o["shape"] != b["shape"]:
                raise EnsembleError(
                    f"{who}: Output '{o['name']}' has shape {o['shape']} but run {first.run}'s has {b['shape']}",
                    m.run,
                )
            if o["kind"] != b["kind"]:
                raise EnsembleError(
                    f"{who}: Output '{o['name']}' is trained with {o['loss']} but run {first.run}'s with "
                    f"{b['loss']}: another kind of loss, their outputs cannot be averaged",
                    m.run,
                )
    return base


def parse_weights(weights: Any, runs: Sequence[int]) -> tuple[str, list[float] | None]:
    """("uniform" | "optimize" | "given", weights normalised to sum 1, None for "optimize")."""
    n = len(runs)
    if weights is None or weights == "uniform":
        return "uniform", [1.0 / n] * n
    if weights == "optimize":
        return "optimize", None
    if isinstance(weights, str) or not isinstance(weights, (list, tuple)):
        raise EnsembleError(
            f"weights must be 'uniform', 'optimize' or a list of {n} numbers, got {weights!r}", field="weights"
        )
    if len(weights) != n:
        raise EnsembleError(f"weights must have one number per run ({n}), got {len(weights)}", field="weights")
    values = []
    for run, w in zip(runs, weights, strict=True):
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w):
            raise EnsembleError(f"the weight of run {run} must be a number, got {w!r}", run, "weights")
        if w < 0:
            raise EnsembleError(f"the weight of run {run} must not be negative, got {w:g}", run, "weights")
        values.append(float(w))
    total = sum(values)
    if total <= 0:
        raise EnsembleError("the weights are all zero: give at least one run a positive weight", field="weights")
    return "given", [v / total for v in values]


def check_can_optimize(members: Sequence[Member]) -> None:
    """ "optimize" fits on the members' validation splits: each must have one."""
    for m in members:
        t = parse_training(m.training)
        if not t["crossval"]["folds"] and t["validation_split"] <= 0:
            raise EnsembleError(
                f"run {m.run} was trained without a validation split: 'optimize' fits the weights on the "
                "members' validation splits (never the test split); use 'uniform' or given weights",
                m.run,
                "weights",
            )


# --- predictions and metrics ---------------------------------------------------------------------------


def load_member(path: str | Path, run: int) -> Any:
    import keras

    try:
        return keras.saving.load_model(str(path), compile=False)
    except (OSError, ValueError) as exc:
        raise EnsembleError(f"run {run}: its saved model cannot be loaded ({exc})", run) from exc


def predict(model: Any, x: dict, outputs: list[dict]) -> dict[str, np.ndarray]:
    """The model's predictions keyed by Output name (float32)."""
    names = [t.name for t in model.inputs]
    feed = x[names[0]] if len(names) == 1 else {n: x[n] for n in names}
    raw = model.predict(feed, batch_size=PREDICT_BATCH, verbose=0)
    if isinstance(raw, dict):
        return {o["name"]: np.asarray(raw[o["name"]], dtype=np.float32) for o in outputs}
    if isinstance(raw, (list, tuple)):
        names = list(getattr(model, "output_names", None) or [o["name"] for o in outputs])
        return {n: np.asarray(a, dtype=np.float32) for n, a in zip(names, raw, strict=True)}
    return {outputs[0]["name"]: np.asarray(raw, dtype=np.float32)}


def class_ids(output: dict, values: np.ndarray, truth: bool = False) -> np.ndarray | None:
    """Class ids of a classification Output's predictions (or prepared targets), None for regression."""
    kind = output["kind"]
    if kind not in CLASSIFICATION_KINDS:
        return None
    if kind == "sparse" and truth:
        return values.reshape(values.shape[:-1] if values.ndim > 1 and values.shape[-1] == 1 else values.shape)
    if kind == "binary" or values.shape[-1] == 1:
        return (values[..., 0] >= 0.5).astype(np.int64) if values.ndim > 1 else (values >= 0.5).astype(np.int64)
    return values.argmax(-1)


def metrics(outputs: list[dict], pred: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> dict[str, float | None]:
    """The same metrics for every member and the ensemble: each Output's own loss, accuracy (classification)
    or mae and mse (regression); several Outputs are prefixed by name and `loss` is their weighted sum."""
    import keras

    out: dict[str, float | None] = {}
    total = 0.0
    single = len(outputs) == 1
    for o in outputs:
        p, t = pred[o["name"]], y[o["name"]]
        prefix = "" if single else f"{o['name']}_"
        loss_fn = keras.losses.get(o["loss"])
        loss = float(np.mean(np.asarray(loss_fn(t, p), dtype=np.float64)))
        out[f"{prefix}loss"] = _finite(loss)
        total += o["loss_weight"] * loss
        if o["kind"] in CLASSIFICATION_KINDS:
            got, want = class_ids(o, p), class_ids(o, t, truth=True)
            assert got is not None and want is not None
            out[f"{prefix}accuracy"] = float(np.mean(got.reshape(-1) == want.reshape(-1).astype(np.int64)))
        else:
            diff = p.reshape(len(p), -1).astype(np.float64) - t.reshape(len(t), -1).astype(np.float64)
            out[f"{prefix}mae"] = _finite(float(np.mean(np.abs(diff))))
            out[f"{prefix}mse"] = _finite(float(np.mean(diff**2)))
    if not single:
        out["loss"] = _finite(total)
    return out


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def primary(outputs: list[dict]) -> tuple[str, bool]:
    """The metric the gain is measured on: the first classification Output's accuracy, else the loss."""
    single = len(outputs) == 1
    for o in outputs:
        if o["kind"] in CLASSIFICATION_KINDS:
            return ("accuracy" if single else f"{o['name']}_accuracy"), True
    return "loss", False


def gain(outputs: list[dict], ensemble: dict, members: list[dict]) -> dict | None:
    key, higher = primary(outputs)
    scored = [(m["test"].get(key), m["run"]) for m in members if m["test"].get(key) is not None]
    value = ensemble.get(key)
    if not scored or value is None:
        return None
    best, run = (max if higher else min)(scored, key=lambda s: s[0])
    return {
        "metric": key,
        "higher_is_better": higher,
        "ensemble": value,
        "best_member": best,
        "best_run": run,
        "value": (value - best) if higher else (best - value),
    }


# --- weights fitted on the validation split ------------------------------------------------------------


def validation_rows(ds: Dataset, member: Member, sig: dict) -> np.ndarray:
    """The indices (into ds's training split) of the samples `member` validated on, reproduced as
    trainer.runner made them: the same max_samples subsample, then the same split (or fold), same seed.
    Only the training split is read."""
    t = parse_training(member.training)
    rows_ds = Dataset(
        ds.name,
        ds.info,
        {**ds.x_train, ROW: np.arange(ds.train_size)},
        ds.y_train,
        ds.x_test,
        ds.y_test,
    )
    sub = subsample(rows_ds, t["max_samples"], t["seed"])
    x, y = prepare(sig["inputs"], sig["outputs"], sub, "train")
    x[ROW] = sub.x_train[ROW]
    _, validation = split_validation(x, y, t["validation_split"], t["seed"], t["crossval"])
    if validation is None:
        raise EnsembleError(f"run {member.run} has no validation split to fit the weights on", member.run, "weights")
    return np.asarray(validation[0][ROW])


def _truth_probabilities(o: dict, p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Each sample's (and position's) probability of its true class, flattened."""
    kind = o["kind"]
    if kind == "sparse":
        ids = t.reshape(p.shape[:-1]).astype(np.int64)
        return np.take_along_axis(p, ids[..., None], axis=-1).reshape(-1)
    if kind == "categorical":
        return (p * t).sum(-1).reshape(-1)
    flat_p, flat_t = p.reshape(-1), t.reshape(-1)
    return np.where(flat_t >= 0.5, flat_p, 1.0 - flat_p)


def fit_weights(preds: list[dict[str, np.ndarray]], y: dict[str, np.ndarray], outputs: list[dict]) -> list[float]:
    """Non-negative weights summing to 1 that minimise the summed loss (log-loss of the averaged
    probabilities for classification Outputs, mean squared error for regression ones), by SLSQP from uniform."""
    from scipy.optimize import minimize

    n = len(preds)
    parts: list[tuple[str, np.ndarray, np.ndarray | None, float]] = []
    for o in outputs:
        t = y[o["name"]]
        if o["kind"] in CLASSIFICATION_KINDS:
            q = np.stack([_truth_probabilities(o, p[o["name"]], t) for p in preds]).astype(np.float64)
            parts.append(("log", q, None, o["loss_weight"]))
        else:
            r = np.stack([p[o["name"]].reshape(-1) for p in preds]).astype(np.float64)
            parts.append(("sq", r, t.reshape(-1).astype(np.float64), o["loss_weight"]))

    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = 0.0, np.zeros(n)
        for kind, a, target, weight in parts:
            mix = w @ a
            if kind == "log":
                mix = np.clip(mix, 1e-7, 1.0)
                value += weight * float(-np.mean(np.log(mix)))
                grad += weight * -(a / mix).mean(1)
            else:
                assert target is not None
                err = mix - target
                value += weight * float(np.mean(err**2))
                grad += weight * 2 * (a * err).mean(1)
        return value, grad

    start = np.full(n, 1.0 / n)
    result = minimize(
        objective,
        start,
        jac=True,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * n,
        constraints=[{"type": "eq", "fun": lambda w: float(w.sum() - 1.0), "jac": lambda w: np.ones(n)}],
        options={"maxiter": 200, "ftol": 1e-10},
    )
    w = np.clip(np.asarray(result.x, dtype=np.float64), 0.0, None)
    if not np.isfinite(w).all() or w.sum() <= 0 or objective(w / w.sum())[0] > objective(start)[0]:
        w = start  # never worse than uniform on the validation samples
    w = w / w.sum()
    return [float(v) for v in w]


def optimise(ds: Dataset, members: Sequence[Member], models: Sequence[Any], sig: dict) -> tuple[list[float], dict]:
    """Weights fitted on the validation split the members were trained with (the training split only):
    the samples every member held out when there are at least MIN_SHARED_VALIDATION of them, else every
    sample some member held out. Answers (weights, {"samples", "shared", "note"})."""
    rows = [validation_rows(ds, m, sig) for m in members]
    shared = rows[0]
    for r in rows[1:]:
        shared = np.intersect1d(shared, r)
    if len(shared) >= MIN_SHARED_VALIDATION:
        chosen, is_shared = shared, True
        note = "the validation samples every member held out"
    else:
        chosen = np.unique(np.concatenate(rows))
        is_shared = False
        note = (
            f"the union of the members' validation splits (only {len(shared)} samples were held out by every "
            "member: their seeds or folds differ)"
        )
    picked = Dataset(
        ds.name,
        ds.info,
        {k: v[chosen] for k, v in ds.x_train.items()},
        {k: v[chosen] for k, v in ds.y_train.items()},
        {},
        {},
    )
    x, y = prepare(sig["inputs"], sig["outputs"], picked, "train")
    preds = [predict(model, x, sig["outputs"]) for model in models]
    return fit_weights(preds, y, sig["outputs"]), {"samples": len(chosen), "shared": is_shared, "note": note}


# --- the ensemble as one Keras model ---------------------------------------------------------------------


def build_model(models: Sequence[tuple[int, Any]], sig: dict, weights: Sequence[float], name: str = "ensemble") -> Any:
    """One functional model: shared Inputs, each member nested as `member_<run id>`, per Output
    Rescaling(weight) per member then Add (built-in layers only); one Output ends in an Identity named
    after it (a plain array), several make a dict keyed by the Output ids."""
    import keras

    inputs = {
        spec["name"]: keras.Input(shape=tuple(spec["shape"]), dtype=spec["dtype"], name=spec["name"])
        for spec in sig["inputs"]
    }
    per_output: dict[str, list[Any]] = {o["name"]: [] for o in sig["outputs"]}
    for (run, model), w in zip(models, weights, strict=True):
        model.name = f"member_{run}"
        model.trainable = False
        feed = [inputs[t.name] for t in model.inputs]
        raw = model(feed[0] if len(feed) == 1 else feed)
        if isinstance(raw, dict):
            named = dict(raw)
        elif isinstance(raw, (list, tuple)):
            named = dict(zip(model.output_names, raw, strict=True))
        else:
            named = {sig["outputs"][0]["name"]: raw}
        for o in sig["outputs"]:
            tensor = keras.layers.Activation("linear", dtype="float32", name=f"cast_{o['name']}_{run}")(
                named[o["name"]]
            )
            per_output[o["name"]].append(
                keras.layers.Rescaling(float(w), dtype="float32", name=f"weight_{o['name']}_{run}")(tensor)
            )
    outputs = {}
    for o in sig["outputs"]:
        summed = keras.layers.Add(dtype="float32", name=f"average_{o['name']}")(per_output[o["name"]])
        outputs[o["name"]] = summed
    ordered = [inputs[s["name"]] for s in sig["inputs"]]
    model_inputs = ordered[0] if len(ordered) == 1 else ordered
    if len(outputs) == 1:
        ((oname, tensor),) = outputs.items()
        return keras.Model(model_inputs, keras.layers.Identity(name=oname, dtype="float32")(tensor), name=name)
    model = keras.Model(model_inputs, outputs, name=name)
    model.output_names = list(keras.tree.flatten({n: n for n in outputs}))
    return model


# --- figures --------------------------------------------------------------------------------------------


def _class_names(o: dict, info: dict) -> list[str]:
    target = find_field(o["name"], info.get("targets", []))
    names = (target or {}).get("class_names")
    count = (target or {}).get("classes") or (o["shape"][-1] if o["shape"] and o["shape"][-1] else 2)
    return [str(n) for n in names] if names else [str(i) for i in range(int(max(count, 2)))]


def _name(names: list[str], i: int) -> str:
    return names[i] if 0 <= i < len(names) else str(i)


def figures(
    ds: Dataset,
    sig: dict,
    runs: Sequence[int],
    member_preds: list[dict[str, np.ndarray]],
    ensemble_pred: dict[str, np.ndarray],
    y: dict[str, np.ndarray],
) -> tuple[dict | None, dict | None]:
    """(confusion matrix, disagreements) of the first classification Output with one label per sample."""
    from .figures import MAX_CONFUSION_CLASSES, _image_field, png_data_url

    chosen = next(
        (o for o in sig["outputs"] if o["kind"] in CLASSIFICATION_KINDS and ensemble_pred[o["name"]].ndim <= 2),
        None,
    )
    if chosen is None:
        return None, None
    names = _class_names(chosen, ds.info)
    truth = class_ids(chosen, y[chosen["name"]], truth=True)
    ens = class_ids(chosen, ensemble_pred[chosen["name"]])
    assert truth is not None and ens is not None
    truth, ens = truth.reshape(-1).astype(np.int64), ens.reshape(-1)
    member_ids = []
    for p in member_preds:
        ids = class_ids(chosen, p[chosen["name"]])
        assert ids is not None
        member_ids.append(ids.reshape(-1))
    labels = np.stack(member_ids)  # (members, samples)
    confusion = None
    classes = len(names)
    if classes <= MAX_CONFUSION_CLASSES:
        matrix = np.zeros((classes, classes), dtype=np.int64)
        valid = (truth >= 0) & (truth < classes) & (ens >= 0) & (ens < classes)
        np.add.at(matrix, (truth[valid], ens[valid]), 1)
        confusion = {"output": chosen["name"], "labels": names, "matrix": matrix.tolist()}
    wrong = (labels != truth[None, :]).sum(0)
    majority_wrong = wrong * 2 > len(member_preds)
    ens_right = ens == truth
    saved = np.flatnonzero(majority_wrong & ens_right)
    lost = np.flatnonzero(~majority_wrong & ~ens_right & (wrong * 2 < len(member_preds)))
    image = _image_field(ds)
    probs = ensemble_pred[chosen["name"]]

    def sample(i: int) -> dict:
        if probs.ndim == 2 and probs.shape[1] > 1:
            confidence = float(probs[i, ens[i]])
        else:
            p = float(probs.reshape(len(probs), -1)[i, 0])
            confidence = p if ens[i] == 1 else 1.0 - p
        return {
            "index": int(i),
            "truth": _name(names, int(truth[i])),
            "ensemble": _name(names, int(ens[i])),
            "confidence": round(confidence, 4),
            "members": [
                {
                    "run": int(run),
                    "prediction": _name(names, int(labels[k, i])),
                    "correct": bool(labels[k, i] == truth[i]),
                }
                for k, run in enumerate(runs)
            ],
            "image": png_data_url(image[i]) if image is not None else None,
        }

    disagreements = {
        "output": chosen["name"],
        "counts": {"ensemble_right": len(saved), "ensemble_wrong": len(lost)},
        "ensemble_right": [sample(int(i)) for i in saved[:MAX_DISAGREEMENTS]],
        "ensemble_wrong": [sample(int(i)) for i in lost[:MAX_DISAGREEMENTS]],
    }
    return confusion, disagreements


# --- all of it -----------------------------------------------------------------------------------------


def evaluate(
    members: Sequence[Member],
    ds: Dataset,
    weights: Any,
    workdir: str | Path,
    *,
    name: str = "ensemble",
    on_step: Callable[[str], None] = lambda step: None,
) -> EnsembleResult:
    """Check the members, find the weights, build and save the ensemble, evaluate it and every member on
    the test split. Raises EnsembleError with a message for the person."""
    import time

    import keras

    from .model import fresh_session

    fresh_session()
    seconds: dict[str, float] = {}
    started = time.monotonic()
    runs = [m.run for m in members]
    sig = check_members(members, ds.info)
    mode, given = parse_weights(weights, runs)
    if mode == "optimize":
        check_can_optimize(members)
    on_step("loading")
    models = []
    for m in members:
        if not m.model_path:
            raise EnsembleError(f"run {m.run} has no trained model", m.run)
        models.append(load_member(m.model_path, m.run))
    seconds["load"] = time.monotonic() - started

    validation = None
    if mode == "optimize":
        on_step("fitting weights")
        t = time.monotonic()
        fitted, validation = optimise(ds, members, models, sig)
        seconds["fit_weights"] = time.monotonic() - t
        final, weights_from = fitted, "validation"
    else:
        assert given is not None
        final, weights_from = given, ("uniform" if mode == "uniform" else "given")

    on_step("evaluating")
    t = time.monotonic()
    x_test, y_test = prepare(sig["inputs"], sig["outputs"], ds, "test")
    member_preds = [predict(model, x_test, sig["outputs"]) for model in models]
    member_results = [
        {"run": m.run, "test": metrics(sig["outputs"], p, y_test)} for m, p in zip(members, member_preds, strict=True)
    ]
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "ensemble.keras"
    ensemble = build_model(list(zip(runs, models, strict=True)), sig, final, name=_model_name(name))
    ensemble.save(path)
    del ensemble
    # The ensemble's figures come from the saved file, loaded as a person would load it (no custom objects).
    loaded = keras.saving.load_model(str(path), compile=False)
    ensemble_pred = predict(loaded, x_test, sig["outputs"])
    test = metrics(sig["outputs"], ensemble_pred, y_test)
    confusion, disagreements = figures(ds, sig, runs, member_preds, ensemble_pred, y_test)
    seconds["evaluate"] = time.monotonic() - t
    return EnsembleResult(
        weights=final,
        weights_from=weights_from,
        validation=validation,
        outputs=[
            {
                "name": o["name"],
                "kind": "classification" if o["kind"] in CLASSIFICATION_KINDS else "regression",
                "loss": o["loss"],
                "shape": o["shape"],
                "classes": (find_field(o["name"], ds.info.get("targets", [])) or {}).get("classes"),
            }
            for o in sig["outputs"]
        ],
        test=test,
        members=member_results,
        gain=gain(sig["outputs"], test, member_results),
        confusion=confusion,
        disagreements=disagreements,
        model_path=path,
        seconds=seconds,
    )


def _model_name(name: str) -> str:
    from builder.compile import model_name

    return model_name(name or "ensemble")
