"""The per-person template: transfer learning from one of the person's own trained runs.

The templates in builder/examples/ are the same for everybody and must validate, so none can name a run. For a
signed-in person GET /api/examples adds one more, built from their most recent succeeded run whose model ends
in a classifier Dense: Input -> Pretrained {run, cut_at: the layer feeding that Dense, trainable: false} ->
a new Dense of the same units -> Output (the run's loss and metrics). Cheap, as the menu is fetched often: a few
runs looked at, each model from builder.pretrained's bounded cache (the one `/api/runs/{id}/layers` uses), and
the entry checked as that person (only one that validates is offered).
"""

from __future__ import annotations

import copy
from typing import Any

NAME = "transfer_learning"
MAX_RUNS = 3  # the most recent succeeded runs looked at
CLASSIFIER_ACTIVATIONS = ("softmax", "sigmoid")


def transfer_example(user: Any) -> dict | None:
    """The template for `user` ({"name", "description", "graph", "dataset"?}), or None: nobody signed in, or
    none of their few latest succeeded runs has a model that can be cut before a classifier Dense."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from webapp.runs.models import Run

    runs = (
        Run.objects.filter(owner=user, status=Run.Status.SUCCEEDED)
        .exclude(model_file="")
        .order_by("-finished_at", "-id")[:MAX_RUNS]
    )
    for run in runs:
        entry = example_for(run, user)
        if entry is not None:
            return entry
    return None


def example_for(run: Any, user: Any) -> dict | None:
    """The template built on `run` (one of `user`'s succeeded runs), or None where it does not fit."""
    import builder
    from builder.pretrained import LOADED
    from builder.templates import with_positions
    from webapp import pretrained

    graph = run.graph if isinstance(run.graph, dict) else {}
    output = _single(graph, "Output")
    if output is None:
        return None
    try:
        with pretrained.for_user(user):
            from builder.pretrained import resolve

            path = resolve({"run": run.id})
            with LOADED.lock:
                found = classifier_cut(LOADED.get(path))
    except (OSError, ValueError):  # PretrainedError (a ValueError): not loadable; Keras refusing the cut
        return None
    if found is None:
        return None
    cut_at, units, activation, shape = found
    source = _single(graph, "Input")
    input_params = copy.deepcopy(source["params"]) if source and isinstance(source.get("params"), dict) else {}
    if input_params.get("shape") != shape:
        input_params = {"shape": shape}
    document = {
        "version": 1,
        "name": NAME,
        "description": description(run, graph),
        "nodes": [
            {"id": "image", "type": "Input", "params": input_params},
            {"id": "base", "type": "Pretrained", "params": {"run": run.id, "cut_at": cut_at, "trainable": False}},
            {"id": "head", "type": "Dense", "params": {"units": units, "activation": activation}},
            {"id": "label", "type": "Output", "params": copy.deepcopy(output.get("params") or {})},
        ],
        "edges": [
            {"source": "image", "target": "base"},
            {"source": "base", "target": "head"},
            {"source": "head", "target": "label"},
        ],
    }
    with pretrained.for_user(user):
        if not builder.validate_graph(document).get("valid"):
            return None
    entry = {"name": NAME, "description": document["description"], "graph": with_positions(document)}
    if run.dataset_builtin:
        entry["dataset"] = run.dataset_builtin
    return entry


def classifier_cut(model: Any) -> tuple[str, int, str, list] | None:
    """(the layer feeding the model's last Dense, that Dense's units, its activation, the input shape without
    the batch axis) when the model has one input and one output ending in a classifier Dense (softmax or
    sigmoid; an Identity after it, how builder.compile names the output, looked through), else None."""
    import keras

    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    layer = _producer(model.outputs[0])
    while isinstance(layer, keras.layers.Identity):
        layer = _producer(_single_input(layer))
    if not isinstance(layer, keras.layers.Dense):
        return None
    activation = keras.activations.serialize(layer.activation)
    activation = activation if isinstance(activation, str) else getattr(layer.activation, "__name__", "")
    if activation not in CLASSIFIER_ACTIVATIONS:
        return None
    feeding = _producer(_single_input(layer))
    names = [each.name for each in model.layers]
    if feeding is None or isinstance(feeding, keras.layers.InputLayer) or feeding.name not in names:
        return None  # a one-layer model: nothing is left to reuse once the classifier is cut off
    shape = [None if d is None else int(d) for d in model.inputs[0].shape[1:]]
    return feeding.name, int(layer.units), activation, shape


def description(run: Any, graph: dict) -> str:
    info = run.dataset_info if isinstance(run.dataset_info, dict) else {}
    dataset = run.dataset_builtin or info.get("title") or info.get("name") or "an uploaded dataset"
    name = graph.get("name") or "untitled"
    return (
        f"Transfer learning: your run #{run.id} ({name}, {dataset}) as a frozen base cut before its classifier, "
        "with a new Dense head"
    )


def _single(graph: dict, type_name: str) -> dict | None:
    nodes = [n for n in graph.get("nodes") or [] if isinstance(n, dict) and n.get("type") == type_name]
    return nodes[0] if len(nodes) == 1 else None


def _producer(tensor: Any) -> Any:
    history = getattr(tensor, "_keras_history", None)
    return None if history is None else history.operation


def _single_input(layer: Any) -> Any:
    nodes = layer._inbound_nodes
    if len(nodes) != 1 or len(nodes[0].input_tensors) != 1:
        return None
    return nodes[0].input_tensors[0]
