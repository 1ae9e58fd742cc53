"""import_model: a .keras file or Keras model JSON (`model.to_json()`) in, a
graph document out, laid out for the canvas.

The model's config is read first and refused, with the layer named, when it
holds anything outside the catalog (Lambda, custom classes, code from other
modules, shared layers); only then does Keras deserialise it, in safe mode.
Each layer becomes a block through the catalog's layer_to_block, which
proves that no setting is lost; the result is validated before it is
returned.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from typing import Any

import keras

from .catalog import UnsupportedLayer, all_specs, check_params, get_spec, layer_to_block, require_spec
from .catalog.markers import INPUT, OUTPUT
from .layout import layout
from .limits import ModelTooLarge, config_params
from .messages import clean_keras_message

MAX_CONFIG_BYTES = 64 * 1024 * 1024
MODEL_CLASSES = {"Functional", "Sequential", "Model"}
INT_DTYPES = re.compile(r"u?int(8|16|32|64)$")
FLOAT_DTYPES = re.compile(r"(float(16|32|64)|bfloat16)$")
ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
IDENTITY = "Identity"  # not a block, but how a one-Output model names its output


class ModelImportError(Exception):
    """The file cannot become a graph; the message says why, for the person who sent it."""


def import_model(data: bytes, filename: str | None = None, max_params: int | None = None) -> dict:
    """A graph document from the bytes of a .keras file or of Keras model JSON. A model over
    `max_params` is refused (ModelTooLarge) before any of its weights is allocated or read."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ModelImportError("send the bytes of a .keras file or of Keras model JSON")
    data = bytes(data)
    if not data.strip():
        raise ModelImportError("the file is empty: send a .keras file or the JSON of model.to_json()")
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        raise ModelImportError(
            "this is an HDF5 (.h5) file, Keras's legacy format: load it in Keras and save it with "
            "model.save('model.keras'), or send model.to_json()"
        )
    if data[:2] == b"PK":
        return _from_keras_file(data, max_params)
    try:
        config = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        named = f"'{filename}' " if filename else ""
        raise ModelImportError(
            f"the file {named}is neither a .keras file (a zip archive) nor Keras model JSON (the text of model.to_json())"
        ) from None
    return _from_json(config, max_params)


# ---------------------------------------------------------------- reading


def _check_size(config: dict, max_params: int | None) -> None:
    if not max_params:
        return
    try:
        params = config_params(config)
    except Exception:
        return  # Keras refuses the config: the real load below says why
    if params > max_params:
        raise ModelTooLarge(params, max_params)


def _from_keras_file(data: bytes, max_params: int | None = None) -> dict:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ModelImportError(
            "the file is not a .keras file: it looks like a zip archive but cannot be read"
        ) from None
    if "config.json" not in names:
        raise ModelImportError(
            "the zip archive is not a .keras file: it has no config.json (a .keras file holds config.json, "
            "metadata.json and model.weights.h5)"
        )
    info = archive.getinfo("config.json")
    if info.file_size > MAX_CONFIG_BYTES:
        raise ModelImportError(f"the .keras file's config.json is too large ({info.file_size} bytes)")
    try:
        config = json.loads(archive.read("config.json").decode("utf-8"))
    except Exception:
        raise ModelImportError("the .keras file's config.json is not valid JSON") from None
    _check_config(config)
    _check_size(config, max_params)
    with tempfile.TemporaryDirectory(prefix="builder-import-") as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as f:
            f.write(data)
        try:
            model = keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as exc:
            raise ModelImportError(f"the .keras file could not be loaded: {clean_keras_message(exc)}") from None
    return _graph_from_model(model, config.get("compile_config"))


def _from_json(config: Any, max_params: int | None = None) -> dict:
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ModelImportError(
            "the JSON is not a Keras model: expected the output of model.to_json(), an object with "
            '"class_name" (Functional or Sequential) and "config"'
        )
    _check_config(config)
    _check_size(config, max_params)
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as exc:
        raise ModelImportError(f"the model JSON could not be read by Keras: {clean_keras_message(exc)}") from None
    if not isinstance(model, keras.Model):
        raise ModelImportError("the JSON describes no Keras model")
    return _graph_from_model(model, config.get("compile_config"))


def _catalog_classes() -> set[str]:
    return {s.cls.__name__ for s in all_specs() if s.cls is not None}


def _check_config(config: Any) -> None:
    """Refuse, before Keras reads it, a model with a layer outside the
    catalog or an object from outside Keras."""
    if not isinstance(config, dict):
        raise ModelImportError("the model config is not a JSON object")
    kind = config.get("class_name")
    if kind not in MODEL_CLASSES:
        raise ModelImportError(
            f"the file holds a {str(kind)[:60]!r}, not a Functional or Sequential model: only whole models can be imported"
        )
    inner = config.get("config")
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        raise ModelImportError("the model config has no list of layers")
    layers = inner["layers"]
    known = _catalog_classes()
    output_layers = {h[0] for h in _tensors(inner.get("output_layers"), short=True)}
    for entry in layers:
        if not isinstance(entry, dict):
            raise ModelImportError("the model config has a layer that is not an object")
        cls = entry.get("class_name")
        name = entry.get("name") or (entry.get("config") or {}).get("name") or "?"
        if cls == "InputLayer":
            continue
        if cls == IDENTITY and name in output_layers:
            continue  # names an output: becomes its Output block (see _output_identities)
        if cls in MODEL_CLASSES:
            raise ModelImportError(
                f"layer '{name}' ({cls}) is a nested model, which is not in the catalog and cannot be imported: "
                "flatten it into one model first"
            )
        if cls not in known:
            raise ModelImportError(f"layer '{name}' ({cls}) is not in the catalog and cannot be imported")
        inbound = entry.get("inbound_nodes")
        if isinstance(inbound, list) and len(inbound) > 1:
            raise ModelImportError(
                f"layer '{name}' ({cls}) is called {len(inbound)} times (a shared layer): the builder makes one "
                "block per call, so shared weights cannot be imported"
            )
    _check_modules(config)


def _check_modules(value: Any, depth: int = 0) -> None:
    if depth > 64:
        raise ModelImportError("the model config is nested too deeply")
    if isinstance(value, dict):
        module = value.get("module")
        if isinstance(module, str) and module != "keras" and not module.startswith("keras."):
            what = value.get("class_name", "an object")
            raise ModelImportError(
                f"the model uses {str(what)[:60]} from module '{module[:80]}': only Keras's own objects can be imported"
            )
        registered = value.get("registered_name")
        if isinstance(registered, str) and ">" in registered:
            raise ModelImportError(f"the model uses the custom object '{registered[:80]}', which cannot be imported")
        for v in value.values():
            _check_modules(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_modules(v, depth + 1)


# ---------------------------------------------------------------- walking


def _history(value: Any, short: bool = False) -> list | None:
    """keras_history [layer, node_index, tensor_index] of a serialised tensor;
    with `short`, also the bare [layer, node, tensor] form of input_layers
    and output_layers."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return (value.get("config") or {}).get("keras_history")
    if (
        short
        and isinstance(value, list | tuple)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    ):
        return list(value)
    return None


def _tensors(value: Any, short: bool = False) -> list[list]:
    """Every serialised tensor in `value`, in order."""
    found = _history(value, short)
    if found is not None:
        return [found]
    if isinstance(value, dict):
        return [h for v in value.values() for h in _tensors(v, short)]
    if isinstance(value, list | tuple):
        return [h for v in value for h in _tensors(v, short)]
    return []


def _call_inputs(layer_name: str, cls: str, call: Any) -> list[str]:
    """The layers feeding one call, in port order."""
    if not isinstance(call, dict):
        raise ModelImportError(f"layer '{layer_name}' has an inbound node the importer cannot read")
    args, kwargs = call.get("args", []), call.get("kwargs", {}) or {}
    order = list(_tensors(args))
    if cls == "MultiHeadAttention":
        for key in ("query", "value", "key"):
            if key in kwargs:
                order += _tensors(kwargs.pop(key))
    extra = [k for k, v in kwargs.items() if _tensors(v)]
    if extra:
        raise ModelImportError(
            f"layer '{layer_name}' ({cls}) is called with the tensor argument '{extra[0]}', which a block cannot take"
        )
    for h in order:
        if h[2] != 0:
            raise ModelImportError(
                f"layer '{layer_name}' ({cls}) takes output {h[2]} of layer '{h[0]}': blocks use only a layer's first output"
            )
    return [h[0] for h in order]


def _dtype(dtype: Any, name: str) -> str:
    if isinstance(dtype, dict):  # a serialised DTypePolicy
        dtype = (dtype.get("config") or {}).get("name")
    text = str(dtype or "float32")
    if INT_DTYPES.match(text):
        return "int32"
    if FLOAT_DTYPES.match(text):
        return "float32"
    raise ModelImportError(f"input '{name}' has dtype {text}; an Input block takes float32 or int32")


def _ids(names: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = ID_CHARS.sub("_", name).strip("_")[:60] or "layer"
        node_id, n = base, 2
        while node_id in taken:
            node_id = f"{base}_{n}"
            n += 1
        taken.add(node_id)
        out[name] = node_id
    return out


def _structure(model: Any) -> tuple[list[dict], list[tuple[str, str]], str]:
    """[{"name", "class_name", "config", "inputs"}], [(output name, layer name)], model name."""
    config = model.get_config()
    layers = config.get("layers") or []
    entries = []
    if isinstance(model, keras.Sequential):
        previous = None
        if not layers or layers[0].get("class_name") != "InputLayer":
            shape = config.get("build_input_shape")
            if not shape:
                raise ModelImportError(
                    "the Sequential model has no input shape: start it with keras.Input(shape=...) and save it again"
                )
            layers = [
                {"class_name": "InputLayer", "config": {"name": "input", "batch_shape": list(shape)}},
                *list(layers),
            ]
        for entry in layers:
            name = entry["config"]["name"]
            entries.append(
                {
                    "name": name,
                    "class_name": entry["class_name"],
                    "config": entry["config"],
                    "inputs": [previous] if previous else [],
                }
            )
            previous = name
        if previous is None:  # pragma: no cover - an InputLayer was put first above
            raise ModelImportError("the Sequential model has no layers")
        return entries, [(previous, previous)], config.get("name") or "model"
    for entry in layers:
        name = entry.get("name") or entry["config"]["name"]
        inbound = entry.get("inbound_nodes") or []
        if len(inbound) > 1:
            raise ModelImportError(
                f"layer '{name}' ({entry['class_name']}) is a shared layer, called {len(inbound)} times"
            )
        inputs = _call_inputs(name, entry["class_name"], inbound[0]) if inbound else []
        entries.append({"name": name, "class_name": entry["class_name"], "config": entry["config"], "inputs": inputs})
    outs = config.get("output_layers")
    if isinstance(outs, dict):
        outputs = [(str(k), h[0]) for k, v in outs.items() for h in _tensors(v, short=True)[:1]]
    else:
        outputs = [(h[0], h[0]) for h in _tensors(outs, short=True)]
    if not outputs:
        raise ModelImportError("the model has no outputs")
    for _, layer_name in outputs:
        if not any(e["name"] == layer_name for e in entries):
            raise ModelImportError(f"the model's output comes from an unknown layer '{layer_name}'")
    entries, outputs = _output_identities(entries, outputs)
    return entries, outputs, config.get("name") or "model"


def _output_identities(entries: list[dict], outputs: list[tuple[str, str]]) -> tuple[list[dict], list[tuple[str, str]]]:
    """An Identity layer that is a model output and feeds nothing else names that output (builder.compile ends
    a one-Output model so): it becomes the Output block of its name, fed by the layer before it. Any other
    Identity is not in the catalog."""
    used = {source for e in entries for source in e["inputs"]}
    counts: dict[str, int] = {}
    for _, layer_name in outputs:
        counts[layer_name] = counts.get(layer_name, 0) + 1
    by_name = {e["name"]: e for e in entries}
    dropped: set[str] = set()
    renamed = []
    for out_name, layer_name in outputs:
        entry = by_name[layer_name]
        if (
            entry["class_name"] == IDENTITY
            and len(entry["inputs"]) == 1
            and layer_name not in used
            and counts[layer_name] == 1
        ):
            dropped.add(layer_name)
            renamed.append((out_name, entry["inputs"][0]))
        else:
            renamed.append((out_name, layer_name))
    for entry in entries:
        if entry["class_name"] == IDENTITY and entry["name"] not in dropped:
            raise ModelImportError(f"layer '{entry['name']}' ({IDENTITY}) is not in the catalog and cannot be imported")
    return [e for e in entries if e["name"] not in dropped], renamed


# ---------------------------------------------------------------- compile config


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() if any(c.isupper() for c in name) else name


def _object_name(value: Any) -> str | None:
    if isinstance(value, str):
        return _snake(value)
    if isinstance(value, dict):
        cfg = value.get("config")
        if isinstance(cfg, dict) and isinstance(cfg.get("name"), str):
            return _snake(cfg["name"])
        if isinstance(cfg, str):
            return _snake(cfg)
        if isinstance(value.get("class_name"), str):
            return _snake(value["class_name"])
    return None


LOSS_ALIASES = {
    "crossentropy": "categorical_crossentropy",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
}
METRIC_ALIASES = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse"}


def _per_output(value: Any, names: list[str], index: int, name: str) -> Any:
    if isinstance(value, dict) and not ("class_name" in value and "config" in value):
        return value.get(name)
    if isinstance(value, list | tuple) and len(names) > 1:
        return value[index] if index < len(value) else None
    return value


def _output_params(compile_config: Any, names: list[str], index: int, name: str, fallback_loss: str) -> dict:
    output = require_spec(OUTPUT)
    loss_choices = output.require("loss").choices or ()
    metric_choices = output.require("metrics").choices or ()
    cc = compile_config if isinstance(compile_config, dict) else {}
    loss = _object_name(_per_output(cc.get("loss"), names, index, name))
    loss = LOSS_ALIASES.get(loss, loss) if loss is not None else None
    params: dict = {"loss": loss if loss in loss_choices else fallback_loss}
    weight = _per_output(cc.get("loss_weights"), names, index, name)
    if isinstance(weight, int | float) and not isinstance(weight, bool) and weight != 1:
        params["loss_weight"] = float(weight)
    metrics = _per_output(cc.get("metrics"), names, index, name)
    if metrics is not None and not isinstance(metrics, list | tuple):
        metrics = [metrics]
    chosen = []
    for m in metrics or []:
        m_name = _object_name(m)
        if m_name is None:
            continue
        m_name = METRIC_ALIASES.get(m_name, m_name)
        if m_name in metric_choices and m_name not in chosen:
            chosen.append(m_name)
    params["metrics"] = chosen
    return params


def _default_loss(block: dict | None) -> str:
    act = (block or {}).get("params", {}).get("activation")
    if act == "softmax":
        return "categorical_crossentropy"
    if act == "sigmoid":
        return "binary_crossentropy"
    return "mse"


# ---------------------------------------------------------------- graph


def _graph_from_model(model: Any, compile_config: Any) -> dict:
    entries, outputs, model_name = _structure(model)
    names = [e["name"] for e in entries]
    layer_ids = _ids(names)
    # Output ids come after the layers' ids: a clash renames the Output.
    taken = set(layer_ids.values())
    output_ids = []
    for out_name, _ in outputs:
        base = ID_CHARS.sub("_", out_name).strip("_")[:60] or "output"
        oid, n = base, 2
        if oid in taken:
            oid = base = f"{base}_out"
        while oid in taken:
            oid = f"{base}_{n}"
            n += 1
        taken.add(oid)
        output_ids.append(oid)

    nodes: list[dict] = []
    edges: list[dict] = []
    blocks: dict[str, dict] = {}
    for entry in entries:
        node_id = layer_ids[entry["name"]]
        if entry["class_name"] == "InputLayer":
            cfg = entry["config"]
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            if not isinstance(shape, list | tuple) or len(shape) < 2:
                raise ModelImportError(f"input '{entry['name']}' has no usable shape: {shape}")
            params = {"shape": list(shape[1:]), "dtype": _dtype(cfg.get("dtype"), entry["name"])}
            nodes.append({"id": node_id, "type": INPUT, "params": params})
            continue
        try:
            layer = model.get_layer(entry["name"])
            block = layer_to_block(layer)
        except UnsupportedLayer as exc:
            raise ModelImportError(str(exc)) from None
        except ValueError as exc:
            raise ModelImportError(f"layer '{entry['name']}' cannot be read: {clean_keras_message(exc)}") from None
        blocks[node_id] = block
        nodes.append({"id": node_id, "type": block["type"], "params": block["params"]})
        spec = get_spec(block["type"])
        multi = spec is not None and spec.max_inputs != 1
        for port, source in enumerate(entry["inputs"]):
            if source not in layer_ids:
                raise ModelImportError(f"layer '{entry['name']}' takes its input from an unknown layer '{source}'")
            edge: dict = {"source": layer_ids[source], "target": node_id}
            if multi:
                edge["port"] = port
            edges.append(edge)

    for index, ((out_name, layer_name), oid) in enumerate(zip(outputs, output_ids, strict=False)):
        source = layer_ids[layer_name]
        params = _output_params(
            compile_config, [o for o, _ in outputs], index, out_name, _default_loss(blocks.get(source))
        )
        _, problems = check_params(OUTPUT, params)
        if problems:  # pragma: no cover - _output_params only picks the catalog's choices
            params = {"loss": "mse", "metrics": []}
        nodes.append({"id": oid, "type": OUTPUT, "params": params})
        edges.append({"source": source, "target": oid})

    positions = layout([n["id"] for n in nodes], [(e["source"], e["target"]) for e in edges])
    for node in nodes:
        node["position"] = positions[node["id"]]
    graph = {"version": 1, "name": str(model_name)[:200], "nodes": nodes, "edges": edges}

    from .validate import validate_graph

    result = validate_graph(graph)
    if not result["valid"]:
        first = result["errors"][0]
        where = f"'{first['node']}': " if first.get("node") else ""
        raise ModelImportError(f"the imported model does not make a valid graph: {where}{first['message']}")
    return graph
