import json, keras
from dataclasses import dataclass

@dataclass
class Compiled:
    model: object; inputs: list; outputs: list
    def compile_kwargs(self):
        return {"loss": {o["name"]: o["loss"] for o in self.outputs},
                "loss_weights": {o["name"]: o["loss_weight"] for o in self.outputs},
                "metrics": {o["name"]: o["metrics"] for o in self.outputs}}

def compile_graph(graph):
    nodes = {n["id"]: n for n in graph["nodes"]}
    succ = {}
    for e in graph["edges"]:
        succ.setdefault(e["source"], []).append(e["target"])
    tensors = {}; inputs = []; outputs = []; model_inputs = {}; model_outputs = {}
    for n in graph["nodes"]:
        if n["type"] == "Input":
            t = keras.Input(tuple(n["params"]["shape"]), name=n["id"], dtype=n["params"].get("dtype", "float32"))
            tensors[n["id"]] = t; model_inputs[n["id"]] = t
            inputs.append({"name": n["id"], "shape": list(n["params"]["shape"]), "dtype": n["params"].get("dtype", "float32")})
    pred = {e["target"]: e["source"] for e in graph["edges"]}
    for n in graph["nodes"]:
        if n["type"] in ("Input",): continue
        src = tensors[pred[n["id"]]]
        if n["type"] == "Output":
            model_outputs[n["id"]] = src
            outputs.append({"name": n["id"], "shape": list(src.shape[1:]), "loss": n["params"]["loss"], "loss_weight": n["params"].get("loss_weight", 1.0), "metrics": n["params"].get("metrics", [])})
        else:
            tensors[n["id"]] = getattr(keras.layers, n["type"])(name=n["id"], **n["params"])(src)
    return Compiled(keras.Model(model_inputs, model_outputs), inputs, outputs)
