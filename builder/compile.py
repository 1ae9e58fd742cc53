"""compile_graph: a valid graph document to a real Keras functional model.

Layers are named by node ids and model inputs by Input ids. Outputs are
named by the Output ids, so `model.output_names` and the keys of the losses
are the Output ids, as a hand-written model's would be:

- one Output: the model ends in a `keras.layers.Identity` named after it (no
  weights, no computation) and has that one tensor as its output, so
  `model.predict` answers a plain array and fit/evaluate take `y` as one array;
- several Outputs: the tensors feeding them are the model's outputs as a dict
  keyed by the Output ids, so `model.predict` answers a dict and fit/evaluate
  take `y` as a dict.

Either way the saved .keras loads with no custom objects and keeps its output
names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import keras

from .document import Graph
from .validate import GraphInvalid, build, check_graph


@dataclass
class CompiledGraph:
    model: Any  # keras.Model
    inputs: list[dict] = field(default_factory=list)  # {"name", "shape" (no batch axis), "dtype"}
    outputs: list[dict] = field(default_factory=list)  # {"name", "shape", "loss", "loss_weight", "metrics"}

    def compile_kwargs(self) -> dict:
        """loss, loss_weights and metrics for model.compile, keyed by output name."""
        return {
            "loss": {o["name"]: o["loss"] for o in self.outputs},
            "loss_weights": {o["name"]: o["loss_weight"] for o in self.outputs},
            "metrics": {o["name"]: list(o["metrics"]) for o in self.outputs},
        }

    @property
    def single_output(self) -> bool:
        """One Output block: the model's output is one tensor, not a dict."""
        return len(self.outputs) == 1

    def targets(self, y: dict) -> Any:
        """`y` (arrays keyed by output name) as the model's fit and evaluate take it: the one array of a
        single-output model, else the dict itself."""
        if self.single_output:
            return y[self.outputs[0]["name"]]
        return y


def model_name(name: Any) -> str:
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", name if isinstance(name, str) else "").strip("_-")
    return text[:64] or "model"


def checked_graph(doc: Any) -> Graph:
    """The parsed graph of a valid document; GraphInvalid otherwise."""
    result, graph, _ = check_graph(doc)
    if not result["valid"]:
        raise GraphInvalid(result)
    return graph


def compile_graph(doc: Any) -> CompiledGraph:
    """Validate `doc` (GraphInvalid if it is not valid) and build its model
    with real weights."""
    graph = checked_graph(doc)
    return model_from_graph(graph)


def model_from_graph(graph: Graph) -> CompiledGraph:
    built = build(graph)
    input_nodes = [n for n in graph.nodes.values() if n.is_input and n.id in built.tensors]
    output_nodes = [n for n in graph.nodes.values() if n.is_output]
    outputs = {n.id: built.tensors[n.id] for n in output_nodes}
    inputs = [built.inputs[n.id] for n in input_nodes]
    if len(outputs) == 1:
        ((name, tensor),) = outputs.items()
        # Keras names a single output after the layer that makes it.
        model = keras.Model(
            inputs=inputs, outputs=keras.layers.Identity(name=name)(tensor), name=model_name(graph.name)
        )
    else:
        model = keras.Model(inputs=inputs, outputs=outputs, name=model_name(graph.name))
        # Keras names outputs after the layers that make them; ours are the
        # Output ids, in the order Keras flattens the outputs dict.
        model.output_names = list(keras.tree.flatten({name: name for name in outputs}))
    return CompiledGraph(
        model=model,
        inputs=[
            {
                "name": n.id,
                "shape": list(n.params["shape"]),
                "dtype": n.params.get("dtype", "float32"),
            }
            for n in input_nodes
        ],
        outputs=[
            {
                "name": n.id,
                "shape": [None if d is None else int(d) for d in outputs[n.id].shape[1:]],
                "loss": n.params["loss"],
                "loss_weight": float(n.params.get("loss_weight", 1.0)),
                "metrics": list(n.params.get("metrics", ())),
            }
            for n in output_nodes
        ],
    )
