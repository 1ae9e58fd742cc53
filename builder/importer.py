"""import_model: a .keras file or Keras model JSON (`model.to_json()`) in, a
graph document out, laid out for the canvas.

The model's config is read first and refused, with the layer named, when it
holds anything outside the catalog (Lambda, custom classes, code from other
modules, shared layers); only then does Keras deserialise it, in safe mode.
A nested functional (or Sequential) model becomes a Group node holding its
layers; a nested model called again becomes a Group that shares its weights
(`params.shares`), named after the Identity that names that call where
builder/build.py wrote one.
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
from .catalog.applications import inner_classes
from .catalog.markers import GROUP, INPUT, OUTPUT
from .layout import layout
from .limits import ModelTooLarge, config_params
from .messages import clean_keras_message
from .pretrained import application_block

MAX_CONFIG_BYTES = 64 * 1024 * 1024
MODEL_CLASSES = {"Functional", "Sequential", "Model"}
INT_DTYPES = re.compile(r"u?int(8|16|32|64)$")
FLOAT_DTYPES = re.compile(r"(float(16|32|64)|bfloat16)$")
ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
IDENTITY = "Identity"  # not a block, but how a one-Output model names its output
MAX_GROUP_DEPTH = 8  # nested models inside each other (builder/document.py's MAX_DEPTH)


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


def _check_config(config: Any, depth: int = 0) -> None:
    """Refuse, before Keras reads it, a model with a layer outside the
    catalog or an object from outside Keras; a nested model is checked the same way."""
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
    models = {
        entry.get("name") or (entry.get("config") or {}).get("name")
        for entry in layers
        if isinstance(entry, dict) and entry.get("class_name") in MODEL_CLASSES
    }
    for entry in layers:
        if not isinstance(entry, dict):
            raise ModelImportError("the model config has a layer that is not an object")
        cls = entry.get("class_name")
        name = entry.get("name") or (entry.get("config") or {}).get("name") or "?"
        if cls == "InputLayer":
            continue
        if cls == IDENTITY and name in output_layers:
            continue  # names an output: becomes its Output block (see _output_identities)
        if cls == IDENTITY and {h[0] for h in _tensors(entry.get("inbound_nodes"))} <= models:
            continue  # names a call of a nested model: a Group that shares its weights (see _sharing_identities)
        if cls in MODEL_CLASSES:
            if depth >= MAX_GROUP_DEPTH:
                raise ModelImportError(f"layer '{name}' ({cls}): models are nested too deeply to import")
            _check_config(entry, depth + 1)  # a nested model: a Group, checked the same way
            continue
        if cls not in known and not (depth and cls in {c.__name__ for c in inner_classes()}):  # in an Application
            raise ModelImportError(f"layer '{name}' ({cls}) is not in the catalog and cannot be imported")
        inbound = entry.get("inbound_nodes")
        if isinstance(inbound, list) and len(inbound) > 1:
            raise ModelImportError(
                f"layer '{name}' ({cls}) is called {len(inbound)} times (a shared layer): the builder makes one "
                "block per call, so shared weights cannot be imported (a nested model can be: a Group)"
            )
    if depth == 0:
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


Ref = tuple[str, int, int]  # a tensor: (layer name, call of that layer, output of that call)


def _call_inputs(layer_name: str, cls: str, call: Any) -> list[Ref]:
    """The tensors feeding one call, in port order."""
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
    return [(str(h[0]), int(h[1]), int(h[2])) for h in order]


def _dtype(dtype: Any, name: str) -> str:
    if isinstance(dtype, dict):  # a serialised DTypePolicy
        dtype = (dtype.get("config") or {}).get("name")
    text = str(dtype or "float32")
    if INT_DTYPES.match(text):
        return "int32"
    if FLOAT_DTYPES.match(text):
        return "float32"
    raise ModelImportError(f"input '{name}' has dtype {text}; an Input block takes float32 or int32")


def _structure(model: Any) -> tuple[list[dict], list[tuple[str, Ref]], str]:
    """[{"name", "call", "class_name", "config", "inputs": [Ref]}] (one entry per call of a nested model),
    [(output name, Ref)], model name."""
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
                    "call": 0,
                    "class_name": entry["class_name"],
                    "config": entry["config"],
                    "inputs": [(previous, 0, 0)] if previous else [],
                }
            )
            previous = name
        if previous is None:  # pragma: no cover - an InputLayer was put first above
            raise ModelImportError("the Sequential model has no layers")
        return entries, [(previous, (previous, 0, 0))], config.get("name") or "model"
    for entry in layers:
        name = entry.get("name") or entry["config"]["name"]
        cls = entry["class_name"]
        inbound = entry.get("inbound_nodes") or []
        if len(inbound) > 1 and cls not in MODEL_CLASSES:
            raise ModelImportError(f"layer '{name}' ({cls}) is a shared layer, called {len(inbound)} times")
        for call, node in enumerate(inbound or [None]):
            inputs = _call_inputs(name, cls, node) if node is not None else []
            entries.append({"name": name, "call": call, "class_name": cls, "config": entry["config"], "inputs": inputs})
    outs = config.get("output_layers")
    outputs: list[tuple[str, Ref]]
    if isinstance(outs, dict):
        outputs = [(str(k), _ref(h)) for k, v in outs.items() for h in _tensors(v, short=True)[:1]]
    else:
        outputs = [(str(h[0]), _ref(h)) for h in _tensors(outs, short=True)]
    if not outputs:
        raise ModelImportError("the model has no outputs")
    for _, (layer_name, _, _) in outputs:
        if not any(e["name"] == layer_name for e in entries):
            raise ModelImportError(f"the model's output comes from an unknown layer '{layer_name}'")
    entries, outputs = _output_identities(entries, outputs)
    entries, outputs = _sharing_identities(entries, outputs)
    return entries, outputs, config.get("name") or "model"


def _ref(history: list) -> Ref:
    return (str(history[0]), int(history[1]), int(history[2]))


def _output_identities(entries: list[dict], outputs: list[tuple[str, Ref]]) -> tuple[list[dict], list[tuple[str, Ref]]]:
    """An Identity layer that is a model output and feeds nothing else names that output (builder.compile ends
    a one-Output model so, and each output port of a Group): it becomes the Output block of its name, fed by
    the layer before it."""
    used = {ref[0] for e in entries for ref in e["inputs"]}
    counts: dict[str, int] = {}
    for _, ref in outputs:
        counts[ref[0]] = counts.get(ref[0], 0) + 1
    by_name = {e["name"]: e for e in entries}
    dropped: set[str] = set()
    renamed = []
    for out_name, ref in outputs:
        entry = by_name[ref[0]]
        if entry["class_name"] == IDENTITY and len(entry["inputs"]) == 1 and ref[0] not in used and counts[ref[0]] == 1:
            dropped.add(ref[0])
            renamed.append((out_name, entry["inputs"][0]))
        else:
            renamed.append((out_name, ref))
    return [e for e in entries if e["name"] not in dropped], renamed


def _sharing_identities(
    entries: list[dict], outputs: list[tuple[str, Ref]]
) -> tuple[list[dict], list[tuple[str, Ref]]]:
    """An Identity over every output of one call of a nested model names that call (builder.build writes one
    for a Group that shares another's weights): the call is told by that name, the Identity dropped. Any
    other Identity is not in the catalog."""
    models = {e["name"] for e in entries if e["class_name"] in MODEL_CLASSES}
    through: dict[str, tuple[str, int]] = {}  # the Identity's name -> the call it names
    for entry in entries:
        if entry["class_name"] != IDENTITY:
            continue
        refs = entry["inputs"]
        calls = {(r[0], r[1]) for r in refs}
        if len(calls) == 1 and next(iter(calls))[0] in models and [r[2] for r in refs] == list(range(len(refs))):
            through[entry["name"]] = next(iter(calls))
        else:
            raise ModelImportError(f"layer '{entry['name']}' ({IDENTITY}) is not in the catalog and cannot be imported")
    if not through:
        return entries, outputs
    names = {call: name for name, call in through.items()}
    if len(names) != len(through):
        raise ModelImportError("a nested model's call is named by two Identity layers: it cannot be imported")

    def redirect(ref: Ref) -> Ref:
        call = through.get(ref[0])
        return (call[0], call[1], ref[2]) if call is not None else ref

    kept = []
    for entry in entries:
        if entry["name"] in through:
            continue
        entry = {**entry, "inputs": [redirect(r) for r in entry["inputs"]]}
        if (entry["name"], entry["call"]) in names:
            entry["named"] = names[(entry["name"], entry["call"])]
        kept.append(entry)
    return kept, [(o, redirect(r)) for o, r in outputs]


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
    nodes, edges, output_ids, blocks = _parts(model, entries, outputs, 0)
    for index, ((out_name, ref), oid) in enumerate(zip(outputs, output_ids, strict=False)):
        params = _output_params(
            compile_config, [o for o, _ in outputs], index, out_name, _default_loss(blocks.get(ref[0]))
        )
        _, problems = check_params(OUTPUT, params)
        if problems:  # pragma: no cover - _output_params only picks the catalog's choices
            params = {"loss": "mse", "metrics": []}
        next(n for n in nodes if n["id"] == oid)["params"] = params
    _place(nodes, edges)
    graph: dict = {"version": 2 if any(n["type"] == GROUP for n in nodes) else 1, "name": str(model_name)[:200]}
    graph["nodes"], graph["edges"] = nodes, edges

    from .validate import validate_graph

    result = validate_graph(graph)
    if not result["valid"]:
        first = result["errors"][0]
        where = f"'{first['node']}': " if first.get("node") else ""
        raise ModelImportError(f"the imported model does not make a valid graph: {where}{first['message']}")
    return graph


def _place(nodes: list[dict], edges: list[dict]) -> None:
    positions = layout([n["id"] for n in nodes], [(e["source"], e["target"]) for e in edges])
    for node in nodes:
        node["position"] = positions[node["id"]]


def _parts(
    model: Any, entries: list[dict], outputs: list[tuple[str, Ref]], depth: int
) -> tuple[list[dict], list[dict], list[str], dict[str, dict]]:
    """The nodes and edges of one model's layers (a nested model: a Group node holding its own), the ids
    of its Output blocks (their params are the caller's), and the block of each layer by layer name.
    `depth` counts the models around this one (the config check bounds it)."""
    # One node per layer, per call of a nested model: the first call not named by an Identity holds the
    # group (its id is the model's name), the others share its weights.
    owner_call: dict[str, int] = {}
    for e in entries:
        if e["class_name"] in MODEL_CLASSES and "named" not in e:
            owner_call.setdefault(e["name"], e["call"])
    for e in entries:
        if e["class_name"] in MODEL_CLASSES:
            owner_call.setdefault(e["name"], e["call"])
    candidates = []
    for e in entries:
        if e["class_name"] in MODEL_CLASSES and owner_call[e["name"]] != e["call"]:
            candidates.append(e.get("named") or f"{e['name']}_{e['call'] + 1}")
        else:
            candidates.append(e.get("named") or e["name"])
    ids = _unique_ids(candidates)
    key_ids = {(e["name"], e["call"]): ids[i] for i, e in enumerate(entries)}
    taken = set(ids)
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

    by_name = {e["name"]: e for e in entries}
    out_counts = {name: len(model.get_layer(name).outputs) for name in owner_call}
    nodes: list[dict] = []
    edges: list[dict] = []
    blocks: dict[str, dict] = {}

    def source_of(ref: Ref, target: str) -> dict:
        name, call, tensor = ref
        if (name, call) not in key_ids:
            raise ModelImportError(f"layer '{target}' takes its input from an unknown layer '{name}'")
        edge: dict = {"source": key_ids[(name, call)]}
        if by_name[name]["class_name"] in MODEL_CLASSES:
            if out_counts.get(name, 1) > 1:
                edge["source_port"] = tensor
        elif tensor != 0:
            raise ModelImportError(
                f"layer '{target}' takes output {tensor} of layer '{name}': blocks use only a layer's first output"
            )
        return edge

    for entry in entries:
        node_id = key_ids[(entry["name"], entry["call"])]
        cls = entry["class_name"]
        if cls == "InputLayer":
            cfg = entry["config"]
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            if not isinstance(shape, list | tuple) or len(shape) < 2:
                raise ModelImportError(f"input '{entry['name']}' has no usable shape: {shape}")
            params = {"shape": list(shape[1:]), "dtype": _dtype(cfg.get("dtype"), entry["name"])}
            nodes.append({"id": node_id, "type": INPUT, "params": params})
            continue
        multi = False
        once = cls in MODEL_CLASSES and sum(e["name"] == entry["name"] for e in entries) == 1
        application = application_block(model.get_layer(entry["name"])) if once else None
        if application is not None:  # a Keras Application's network: its block (builder/pretrained.py)
            nodes.append({"id": node_id, **application})
        elif cls in MODEL_CLASSES:
            nested = model.get_layer(entry["name"])
            if owner_call[entry["name"]] == entry["call"]:
                inner_entries, inner_outputs, _ = _structure(nested)
                inner_entries = _inputs_in_order(nested, inner_entries)
                inner_nodes, inner_edges, inner_oids, _ = _parts(nested, inner_entries, inner_outputs, depth + 1)
                for oid in inner_oids:
                    next(n for n in inner_nodes if n["id"] == oid)["params"] = {}
                _place(inner_nodes, inner_edges)
                node: dict = {"id": node_id, "type": GROUP, "params": {}}
                node["graph"] = {"nodes": inner_nodes, "edges": inner_edges}
            else:
                owner_id = key_ids[(entry["name"], owner_call[entry["name"]])]
                node = {"id": node_id, "type": GROUP, "params": {"shares": owner_id}}
            nodes.append(node)
            multi = len(entry["inputs"]) > 1
        else:
            try:
                layer = model.get_layer(entry["name"])
                block = layer_to_block(layer)
            except UnsupportedLayer as exc:
                raise ModelImportError(str(exc)) from None
            except ValueError as exc:
                raise ModelImportError(f"layer '{entry['name']}' cannot be read: {clean_keras_message(exc)}") from None
            blocks[entry["name"]] = block
            nodes.append({"id": node_id, "type": block["type"], "params": block["params"]})
            spec = get_spec(block["type"])
            multi = spec is not None and spec.max_inputs != 1
        for port, ref in enumerate(entry["inputs"]):
            edge = {**source_of(ref, entry["name"]), "target": node_id}
            if multi:
                edge["port"] = port
            edges.append(edge)
    for (_, ref), oid in zip(outputs, output_ids, strict=False):
        nodes.append({"id": oid, "type": OUTPUT, "params": {}})
        edges.append({**source_of(ref, oid), "target": oid})
    return nodes, edges, output_ids, blocks


def _unique_ids(names: list[str]) -> list[str]:
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = ID_CHARS.sub("_", name).strip("_")[:60] or "layer"
        node_id, n = base, 2
        while node_id in taken:
            node_id = f"{base}_{n}"
            n += 1
        taken.add(node_id)
        out.append(node_id)
    return out


def _inputs_in_order(model: Any, entries: list[dict]) -> list[dict]:
    """A nested model's entries with its InputLayers first, in the order of its inputs: a Group's input
    ports are its inner Inputs in document order."""
    order = [h[0] for h in _tensors(model.get_config().get("input_layers"), short=True)]
    inputs = sorted(
        (e for e in entries if e["class_name"] == "InputLayer"),
        key=lambda e: order.index(e["name"]) if e["name"] in order else len(order),
    )
    return inputs + [e for e in entries if e["class_name"] != "InputLayer"]
