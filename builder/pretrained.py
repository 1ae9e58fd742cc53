"""Pretrained blocks: a trained model (one of the person's runs, or a .keras they uploaded) used as one block.

builder/ knows no Django and no owners: the caller installs a resolver (`using_resolver(fn)`) that maps
`("run", id)` or `("upload", id)` to the path of that .keras file, or raises PretrainedError with the message
the person sees (a run or upload that is not theirs reads like one that does not exist). With no resolver
installed a Pretrained block is refused.

Files are loaded with `safe_mode=True` and refused when a layer is outside the block catalog. The checking walk
uses a bounded LRU of loaded models keyed by (path, mtime, size); a real build loads a fresh copy, so training
never touches a cached model's weights.

The Keras Application blocks (builder/catalog/applications.py: MobileNetV2, ResNet50, ...) are model blocks too:
`keras.applications.<type>` built at the block's input shape with `include_top=False` and `weights=None` (nothing
is downloaded), or with `weights_run`: the weights of the same network in one of the person's runs, found in that
run's model by structure (the same layer classes and weight shapes, in order) and copied layer by layer. The walks
call `is_model_block`, `block_key`, `check_block`, `apply_block` and `script_lines` for both kinds.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .catalog.applications import inner_classes, is_application, keras_arguments, min_size
from .catalog.pretrained import PRETRAINED as PRETRAINED  # re-exported: the walks import it from here

KINDS = ("run", "upload")

Resolver = Callable[[str, int], "str | Path"]


class PretrainedError(ValueError):
    """A message for the person: the source is missing, not theirs, not loadable, or a name does not exist."""


_resolver: contextvars.ContextVar[Resolver | None] = contextvars.ContextVar("builder_model_resolver", default=None)


def set_model_resolver(fn: Resolver | None) -> contextvars.Token:
    """Install `fn` for this thread/task; reset with `reset_model_resolver(token)`."""
    return _resolver.set(fn)


def reset_model_resolver(token: contextvars.Token) -> None:
    _resolver.reset(token)


@contextlib.contextmanager
def using_resolver(fn: Resolver | None) -> Iterator[None]:
    token = set_model_resolver(fn)
    try:
        yield
    finally:
        reset_model_resolver(token)


def source_of(params: dict) -> tuple[str, int]:
    """("run" | "upload", id) of a block's params: exactly one of the two."""
    given = [(k, params[k]) for k in KINDS if params.get(k) is not None]
    if len(given) != 1:
        raise PretrainedError('set exactly one of "run" (one of your runs) or "upload" (an uploaded .keras model)')
    kind, ident = given[0]
    return kind, int(ident)


def resolve(params: dict) -> Path:
    """The .keras path of the block's source, through the installed resolver."""
    kind, ident = source_of(params)
    fn = _resolver.get()
    if fn is None:
        raise PretrainedError(f"sign in to use {kind} {ident}: a Pretrained block uses one of your own models")
    path = Path(fn(kind, ident))
    if not path.is_file():
        raise PretrainedError(f"{kind} {ident} has no saved model file")
    return path


def file_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def catalog_problems(model: Any, *, nested: bool = False) -> list[str]:
    """Names of the layers (recursively) whose class is not in the block catalog. Inside a nested model (an
    Application block's network) the few classes the networks use inside are accepted too."""
    import keras

    from .catalog.registry import defs_by_class

    known = defs_by_class()
    inner = inner_classes() if nested else ()
    out: list[str] = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer | keras.layers.Identity):
            continue  # Identity: how builder.compile names a one-Output model's output
        if isinstance(layer, keras.Model):
            out.extend(catalog_problems(layer, nested=True))
        elif type(layer) not in known and not isinstance(layer, inner):
            out.append(f"'{layer.name}' ({type(layer).__name__})")
    return out


@contextlib.contextmanager
def _outside_stateless_scope() -> Iterator[None]:
    """Leave the checking walk's StatelessScope while a file loads: its weights are real values."""
    from keras.src.backend.common import global_state

    scope = global_state.get_global_attribute("stateless_scope")
    global_state.set_global_attribute("stateless_scope", None)
    try:
        yield
    finally:
        global_state.set_global_attribute("stateless_scope", scope)


def load_file(path: Path | str) -> Any:
    """A fresh keras.Model from a .keras file: safe_mode=True, not compiled, catalog layers only."""
    import keras

    try:
        with _outside_stateless_scope():
            model = keras.saving.load_model(str(path), compile=False, safe_mode=True)
    except Exception as exc:
        raise PretrainedError(f"the model file cannot be loaded: {str(exc).splitlines()[0][:300]}") from None
    if not isinstance(model, keras.Model):
        raise PretrainedError("the file does not hold a Keras model")
    bad = catalog_problems(model)
    if bad:
        raise PretrainedError(f"the model has layers outside the block catalog: {', '.join(bad[:5])}")
    return model


MODEL_CLASSES = ("Functional", "Sequential", "Model")
MAX_CONFIG_BYTES = 64 * 1024 * 1024


def config_problems(config: Any, *, nested: bool = False, depth: int = 0) -> list[str]:
    """The layers of a model config (a .keras file's config.json) outside the block catalog, named as
    "'name' (Class)", nested models searched; objects from outside Keras are named too. Read before Keras
    sees the file, so that a refusal names the layer rather than Keras's own error."""
    from .catalog.registry import defs_by_class

    if depth > 16:
        return ["the model is nested too deeply"]
    if not isinstance(config, dict) or config.get("class_name") not in MODEL_CLASSES:
        return ["the file holds no Functional or Sequential model"]
    import keras

    # Identity: how builder.compile names a one-Output model's output
    known = {cls.__name__ for cls in (*defs_by_class(), keras.layers.InputLayer, keras.layers.Identity)}
    inner = {cls.__name__ for cls in inner_classes()} if nested else set()
    entries = (config.get("config") or {}).get("layers")
    if not isinstance(entries, list):
        return ["the model config has no list of layers"]
    out: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            out.append("a layer that is not an object")
            continue
        cls, module = entry.get("class_name"), str(entry.get("module") or "")
        name = entry.get("name") or (entry.get("config") or {}).get("name") or "?"
        if module.startswith("keras.src.ops."):
            continue  # an operation of a functional model (x + 3), not a layer
        if module and module != "keras" and not module.startswith("keras."):
            out.append(f"'{name}' ({str(cls)[:60]} from module '{module[:80]}')")
        elif cls in MODEL_CLASSES:
            out.extend(config_problems(entry, nested=True, depth=depth + 1))
        elif cls not in known and cls not in inner:
            out.append(f"'{name}' ({str(cls)[:60]})")
    return out


def read_model_file(path: Path | str, max_params: int | None = None) -> Any:
    """An uploaded .keras file, checked before Keras loads it (a zip with a config.json of catalog layers,
    within `max_params`: ModelTooLarge), then loaded as load_file does."""
    import json
    import zipfile

    from .limits import ModelTooLarge, config_params

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_CONFIG_BYTES:
                raise PretrainedError(f"the file's config.json is too large ({info.file_size} bytes)")
            config = json.loads(archive.read("config.json").decode("utf-8"))
    except KeyError:
        raise PretrainedError("the zip archive is not a .keras file: it has no config.json") from None
    except (zipfile.BadZipFile, OSError, ValueError, RecursionError):
        raise PretrainedError("the file is not a .keras file (a zip archive with config.json)") from None
    bad = config_problems(config)
    if bad:
        raise PretrainedError(f"the model has layers outside the block catalog: {', '.join(bad[:5])}")
    if max_params:
        try:
            params = config_params(config)
        except Exception:
            params = 0  # Keras refuses the config: the load below says why
        if params > max_params:
            raise ModelTooLarge(params, max_params)
    return load_file(path)


class _Loaded:
    """A bounded LRU of loaded models for the checking walk, keyed by file_key."""

    def __init__(self, size: int = 8):
        self.size = size
        self.data: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.RLock()

    def get(self, path: Path) -> Any:
        key = file_key(path)
        with self.lock:
            found = self.data.get(key)
            if found is not None:
                self.data.move_to_end(key)
                return found
        model = load_file(path)
        with self.lock:
            self.data[key] = model
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return model

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


LOADED = _Loaded()


def cut(model: Any, cut_at: str | None, name: str) -> Any:
    """The model up to and including layer `cut_at` (None: the whole model), one input and one output."""
    import keras

    if len(model.inputs) != 1:
        raise PretrainedError(f"the model has {len(model.inputs)} inputs; a Pretrained block takes models of one")
    if cut_at is None:
        if len(model.outputs) != 1:
            raise PretrainedError(f"the model has {len(model.outputs)} outputs: choose cut_at, the layer to end at")
        output = model.outputs[0]
    else:
        names = [layer.name for layer in model.layers]
        if cut_at not in names:
            raise PretrainedError(f"cut_at: the model has no layer '{cut_at}'; its layers are {', '.join(names)}")
        return _cut_at_layer(model, model.get_layer(cut_at), name)
    return keras.Model(model.inputs[0], output, name=name)


def _cut_at_layer(model: Any, layer: Any, name: str) -> Any:
    """The model up to `layer`'s output in this model's graph: a nested model (an Application's network)
    also has an output of its own graph, which is not connected to this model's input."""
    import keras

    candidates = [tensor for node in layer._inbound_nodes for tensor in node.output_tensors[:1]]
    if len(candidates) == 0 or any(len(node.output_tensors) != 1 for node in layer._inbound_nodes):
        raise PretrainedError(f"cut_at: layer '{layer.name}' has no single output")
    for tensor in reversed(candidates):  # the call in this model is the last one made
        try:
            return keras.Model(model.inputs[0], tensor, name=name)
        except ValueError:
            continue
    raise PretrainedError(f"cut_at: layer '{layer.name}' is not on the path from the model's input")


def _set_trainable(layer: Any, flag: bool) -> None:
    """`layer` and every layer inside it: Keras's setter skips the inner layers when the flag is unchanged."""
    for inner in layer._flatten_layers(include_self=True):
        inner.trainable = flag


def _train_from(model: Any, at: int) -> None:
    _set_trainable(model, True)
    for i, layer in enumerate(model.layers):
        _set_trainable(layer, i >= at)


def apply_trainable(model: Any, params: dict) -> None:
    """Freeze the cut model as the params say: `trainable_from` (that layer and those after it train), else
    `trainable` (all or nothing)."""
    start = params.get("trainable_from")
    if start is None:
        _set_trainable(model, bool(params.get("trainable", False)))
        return
    names = [layer.name for layer in model.layers]
    if start not in names:
        raise PretrainedError(
            f"trainable_from: the model (after cut_at) has no layer '{start}'; its layers are {', '.join(names)}"
        )
    _train_from(model, names.index(start))


def freeze(model: Any) -> None:
    """Fine-tuning's first phase: the whole Pretrained model frozen."""
    _set_trainable(model, False)


def unfreeze_from(model: Any, start: str | None) -> bool:
    """Fine-tuning's second phase: layer `start` of the Pretrained model and those after it train (None: all).
    False when the model has no such layer."""
    names = [layer.name for layer in model.layers]
    if start is not None and start not in names:
        return False
    _train_from(model, 0 if start is None else names.index(start))
    return True


def _count(weights: list) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def make_block(params: dict, name: str, *, fresh: bool = True) -> Any:
    """The block's keras.Model: loaded (fresh, with the trained weights, or from the checking cache), cut and
    frozen as asked, named `name`. Call it with `training=False` (BatchNormalization in inference mode)."""
    path = resolve(params)
    base = load_file(path) if fresh else LOADED.get(path)
    model = cut(base, params.get("cut_at"), name)
    apply_trainable(model, params)
    return model


def check_block(params: dict, name: str, spec: tuple, type_name: str = PRETRAINED) -> tuple[tuple, str, int, int]:
    """(output shape, dtype, params, trainable params) of the block on an input of `spec` (shape, dtype);
    PretrainedError says what is wrong. Uses the cached model (flags set under the cache's lock)."""
    import keras

    if is_application(type_name):
        model = make_application(type_name, params, name, spec, fresh=False)
        out = model(keras.KerasTensor(spec[0], dtype=spec[1]))
        shape = tuple(None if d is None else int(d) for d in out.shape)
        return shape, str(out.dtype), _count(model.weights), _count(model.trainable_weights)
    with LOADED.lock:
        model = make_block(params, name, fresh=False)
        want = tuple(model.inputs[0].shape)
        shape, dtype = spec
        if len(want) != len(shape) or any(w is not None and w != s for w, s in zip(want, shape, strict=False)):
            raise PretrainedError(f"the model takes inputs of shape {_fmt(want)}; this block gets {_fmt(shape)}")
        out = model(keras.KerasTensor(shape, dtype=dtype), training=False)
        total = _count(model.weights)
        trainable = _count(model.trainable_weights)
    return tuple(None if d is None else int(d) for d in out.shape), str(out.dtype), total, trainable


def block_key(params: dict, type_name: str = PRETRAINED) -> tuple:
    """What a checked outcome depends on besides params and inputs: the resolved file and its version (so the
    resolver, and with it the ownership check, runs on every check). An Application block without
    weights_run depends on nothing else."""
    if is_application(type_name):
        run = params.get("weights_run")
        return () if run is None else file_key(resolve({"run": run}))
    return file_key(resolve(params))


def is_model_block(type_name: Any) -> bool:
    """Whether the walks build this block here: Pretrained, or a Keras Application."""
    return type_name == PRETRAINED or is_application(type_name)


# ---------------------------------------------------------------- Keras Applications


def make_application(type_name: str, params: dict, name: str, spec: tuple, *, fresh: bool = True) -> Any:
    """keras.applications.<type_name> at the input `spec` ((shape, dtype), batch axis first), named `name`:
    random weights, or weights_run's (copied when `fresh`; only matched when checking)."""
    import keras

    shape, dtype = spec
    shape = tuple(shape)
    if len(shape) != 4:
        raise PretrainedError(
            f"takes images (batch, height, width, channels); this block gets {_fmt(shape)}: add a Reshape"
        )
    smallest = min_size(type_name)
    small = [d for d in shape[1:3] if d is not None and d < smallest]
    if small:
        raise PretrainedError(
            f"takes images of at least {smallest}x{smallest}; this block gets {_fmt(shape)}: add a Resizing block"
        )
    if shape[3] is None:
        raise PretrainedError(f"needs a known number of channels; this block gets {_fmt(shape)}")
    if not str(dtype).startswith(("float", "bfloat")):
        raise PretrainedError(f"takes float images; this block gets {dtype}")
    fn = getattr(keras.applications, type_name)
    try:
        model = fn(**keras_arguments(type_name, params, shape[1:]))
    except Exception as exc:  # Keras refuses these settings: the block says why, never a server error
        raise PretrainedError(str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__) from None
    model.name = name  # after: EfficientNetV2 looks its blocks up by its name argument
    run = params.get("weights_run")
    if run is not None:
        source = _matching_network(LOADED.get(resolve({"run": run})), model)
        if source is None:
            raise PretrainedError(
                f"weights_run: run {run} has no {type_name} with these settings (alpha and the other options "
                "and the number of input channels must be those it was trained with)"
            )
        if fresh:
            with LOADED.lock:
                model.set_weights(source.get_weights())
    return model


def _signature(model: Any) -> list:
    """What weights a network holds, layer by layer (layers without weights, such as the pooling, left out)."""
    return [(type(layer).__name__, [tuple(w.shape) for w in layer.weights]) for layer in model.layers if layer.weights]


def _matching_network(source: Any, target: Any) -> Any:
    """The model inside `source` (itself included, nested ones searched) with `target`'s structure, or None."""
    import keras

    want = _signature(target)
    for candidate in source._flatten_layers(include_self=True):
        if isinstance(candidate, keras.Model) and _signature(candidate) == want:
            return candidate
    return None


# The widths an imported MobileNet's alpha is looked for among (Keras's own list; any other reads as no match).
IMPORT_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
MIN_NETWORK_LAYERS = 19  # the smallest network (VGG16 without pooling) has 20 layers, its input included


def _classes(model: Any) -> tuple[str, ...]:
    """A network's layer classes in order, global pooling left out (the pooling option is read apart)."""
    import keras

    pooling = (keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D)
    return tuple(type(layer).__name__ for layer in model.layers if not isinstance(layer, pooling))


def _symbolic(type_name: str, kwargs: dict) -> Any:
    import keras

    from .check import _forget_deferred_variables

    with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
        return getattr(keras.applications, type_name)(include_top=False, weights=None, **kwargs)


@functools.cache
def _reference_classes(type_name: str, flags: tuple[tuple[str, bool], ...]) -> tuple[str, ...]:
    """The layer classes of a network with these bool options (they do not depend on the input or alpha)."""
    size = min_size(type_name)
    return _classes(_symbolic(type_name, {"input_shape": (size, size, 3), **dict(flags)}))


def application_block(model: Any) -> dict | None:
    """{"type", "params"} of the Application block whose network `model` is (a nested model of an imported
    file), or None: the same layer classes and weight shapes as keras.applications builds for those params."""
    import itertools

    import keras

    from .catalog.applications import application_types
    from .catalog.registry import require_spec

    if len(model.layers) < MIN_NETWORK_LAYERS or len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    shape = tuple(model.inputs[0].shape)
    if len(shape) != 4 or shape[3] is None:
        return None
    last = model.layers[-2:]  # ConvNeXt normalises after its pooling
    pooling = (
        "avg"
        if any(isinstance(layer, keras.layers.GlobalAveragePooling2D) for layer in last)
        else "max"
        if any(isinstance(layer, keras.layers.GlobalMaxPooling2D) for layer in last)
        else None
    )
    classes = _classes(model)
    want = _signature(model)
    for type_name in sorted(application_types()):
        spec = require_spec(type_name)
        flags = [p.name for p in spec.params if p.kind == "bool"]
        for values in itertools.product((False, True), repeat=len(flags)):
            chosen = tuple(zip(flags, values, strict=True))
            if _reference_classes(type_name, chosen) != classes:
                continue
            alphas = IMPORT_ALPHAS if spec.param("alpha") is not None else (None,)
            for alpha in alphas:
                kwargs: dict[str, Any] = {"input_shape": shape[1:], "pooling": pooling, **dict(chosen)}
                if alpha is not None:
                    kwargs["alpha"] = alpha
                if _signature(_symbolic(type_name, kwargs)) == want:
                    params = {k: v for k, v in kwargs.items() if k != "input_shape"}
                    return {
                        "type": type_name,
                        "params": {k: v for k, v in params.items() if v != spec.require(k).default},
                    }
    return None


def apply_block(type_name: str, params: dict, name: str, tensor: Any) -> tuple[Any, Any]:
    """(layer, output tensor) of a model block in a real build, called on `tensor`. Pretrained runs in
    inference mode (BatchNormalization keeps its trained statistics); an Application trains as a whole."""
    if is_application(type_name):
        model = make_application(type_name, params, name, (tuple(tensor.shape), str(tensor.dtype)))
        return model, model(tensor)
    model = make_block(params, name)
    return model, model(tensor, training=False)


def script_lines(type_name: str, params: dict, name: str, ident_name: str, source: str, indent: str) -> list[str]:
    """Script lines that make a model block and call it on `source`, into `ident_name`."""
    if not is_application(type_name):
        return [
            *python_lines(params, name, ident_name, indent),
            f"{indent}{ident_name} = {ident_name}_model({source}, training=False)",
        ]
    from .catalog.registry import require_spec

    var = f"{ident_name}_model"
    args = [f"input_shape={source}.shape[1:]", "include_top=False", "weights=None"]
    for p in require_spec(type_name).params:
        if p.name != "weights_run" and p.name in params and params[p.name] != p.default:
            args.append(f"{p.name}={params[p.name]!r}")
    args.append(f"name={name!r}")
    inner = indent + "    "
    lines = [f"{indent}{var} = keras.applications.{type_name}(", *(f"{inner}{a}," for a in args), f"{indent})"]
    run = params.get("weights_run")
    if run is not None:
        const = f"{ident_name.upper()}_WEIGHTS_PATH"
        lines += [
            f"{indent}# weights_run: run {run}'s trained {type_name}, copied from its",
            f"{indent}# .keras file (the network of the same weight shapes): set the path.",
            f"{indent}{const} = {f'run-{run}.keras'!r}",
            f"{indent}_source = keras.saving.load_model(",
            f"{inner}{const}, compile=False, safe_mode=True",
            f"{indent})",
            f"{indent}_shapes = [w.shape for w in {var}.weights]",
            f"{indent}_trained = next(",
            f"{inner}m",
            f"{inner}for m in [_source, *_source.layers]",
            f"{inner}if isinstance(m, keras.Model)",
            f"{inner}and [w.shape for w in m.weights] == _shapes",
            f"{indent})",
            f"{indent}{var}.set_weights(_trained.get_weights())",
        ]
    lines.append(f"{indent}{ident_name} = {var}({source})")
    return lines


def block_layers(type_name: str, params: dict, spec: tuple) -> list[dict]:
    """The inner layers of a model block at the input `spec`: an Application's network (built symbolically),
    or a Pretrained block's cut model (from the checking cache)."""
    import keras

    from .check import _forget_deferred_variables

    if is_application(type_name):
        with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
            return inner_layers(make_application(type_name, params, type_name, spec, fresh=False))
    with LOADED.lock:
        return inner_layers(make_block(params, PRETRAINED, fresh=False))


def inner_layers(model: Any) -> list[dict]:
    """The Inspector's list: {"name", "class_name", "output_shape", "params"} of each top-level layer."""
    out = []
    for layer in model.layers:
        try:
            shape = layer.output.shape
            output_shape: list | None = [None if d is None else int(d) for d in shape]
        except (AttributeError, ValueError):
            output_shape = None
        out.append(
            {
                "name": layer.name,
                "class_name": type(layer).__name__,
                "output_shape": output_shape,
                "params": _count(layer.weights),
            }
        )
    return out


def python_lines(params: dict, name: str, ident_name: str, indent: str) -> list[str]:
    """Script lines that make the block's model as `{ident_name}_model` (export: the .keras file is loaded by a
    path constant the reader sets to where the file lies)."""
    kind, ident = source_of(params)
    var = f"{ident_name}_model"
    lines = [
        f"{indent}# Pretrained block {name!r}: {kind} {ident}'s trained model, loaded by a path constant:",
        f"{indent}# set it to where that .keras file lies (download it from the run or upload).",
        f"{indent}{ident_name.upper()}_PATH = {f'{kind}-{ident}.keras'!r}",
        f"{indent}{var} = keras.saving.load_model({ident_name.upper()}_PATH, compile=False, safe_mode=True)",
    ]
    if params.get("cut_at") is not None:
        lines.append(
            f"{indent}{var} = keras.Model({var}.inputs[0], {var}.get_layer({params['cut_at']!r}).output, name={name!r})"
        )
    else:
        lines.append(f"{indent}{var} = keras.Model({var}.inputs[0], {var}.outputs[0], name={name!r})")
    start = params.get("trainable_from")
    if start is None:
        lines.append(f"{indent}{var}.trainable = {bool(params.get('trainable', False))!r}")
    else:
        lines.append(f"{indent}_names = [layer.name for layer in {var}.layers]")
        lines.append(f"{indent}for _i, _layer in enumerate({var}.layers):")
        lines.append(f"{indent}    _layer.trainable = _i >= _names.index({start!r})")
    return lines


def _fmt(shape: Any) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
