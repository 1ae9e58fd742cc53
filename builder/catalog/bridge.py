"""Blocks to Keras layers and back.

make_layer builds a layer from a block's params; layer_to_block reads a
layer's config back into params and proves the reading by rebuilding the
layer and comparing the two configs, so an import never drops a setting
silently: what the catalog cannot show raises UnsupportedLayer.
"""

from __future__ import annotations

import functools
from typing import Any

from .checking import check_block_params, check_param, show
from .registry import block_def, defs_by_class, to_json
from .specs import BlockDef, ParamDef, ParamProblem, ParamSpec, UnsupportedLayer

# Config keys that do not change what the model computes, ignored on import.
_IGNORED_KEYS = frozenset(
    {
        "name",
        "trainable",
        "dtype",
        "seed",
        "build_config",
        "compile_config",
        "use_cudnn",
        "synchronized",
        "flash_attention",
    }
)


class ParamsError(ValueError):
    """make_layer got params that check_params refuses."""

    def __init__(self, type_name: str, problems: list[ParamProblem]):
        self.problems = problems
        super().__init__(f"{type_name}: " + "; ".join(p.message for p in problems))


def _layer_def(type_name: str) -> BlockDef:
    d = block_def(type_name)
    if d is None:
        raise ValueError(f"unknown block type {show(type_name)}: it is not in the catalog")
    if d.spec.cls is None:
        raise ValueError(f"{type_name} is a marker, not a layer")
    return d


def _layer_class(type_name: str) -> type:
    cls = _layer_def(type_name).spec.cls
    if cls is None:  # pragma: no cover - _layer_def refuses the markers
        raise ValueError(f"{type_name} is a marker, not a layer")
    return cls


def keras_kwargs(type_name: str, params: dict, name: str) -> dict:
    """The constructor's keyword arguments for a block (checked again here,
    so raw JSON params work too): `name`, inner layers built, "l1_l2"
    turned into a regularizer."""
    d = _layer_def(type_name)
    cleaned, problems = check_block_params(d, params)
    if problems:
        raise ParamsError(type_name, problems)
    kwargs: dict[str, Any] = {"name": name}
    for key, value in cleaned.items():
        pdef = d.defs[key]
        if pdef.kind == "layer":
            value = make_layer(value["type"], value["params"], f"{name}_inner")
        elif pdef.to_keras is not None and value is not None:
            value = pdef.to_keras(value)
        kwargs[key] = value
    return kwargs


def make_layer(type_name: str, params: dict, name: str):
    """Build the block's Keras layer: cls(name=name, **params). A wrapper's
    inner layer is named f"{name}_inner". Keras's own ValueErrors propagate;
    params that check_params refuses raise ParamsError (a ValueError)."""
    return _layer_class(type_name)(**keras_kwargs(type_name, params, name))


def call_style(type_name: str) -> str:
    """How a built layer takes its inputs: "single" (layer(x)), "list"
    (layer([a, b, ...]), merges and Attention) or "positional"
    (layer(query, value[, key]), MultiHeadAttention)."""
    return _layer_def(type_name).call


def apply_layer(type_name: str, layer: Any, inputs: list) -> Any:
    """Call `layer` on its input tensors, given in port order."""
    style = call_style(type_name)
    if style == "single":
        if len(inputs) != 1:
            raise ValueError(f"{type_name} takes exactly one input; got {len(inputs)}")
        return layer(inputs[0])
    if style == "list":
        return layer(list(inputs))
    return layer(*inputs)


def python_call(type_name: str, params: dict, name: str) -> str:
    """Python source that builds the block, e.g.
    keras.layers.Dense(units=10, activation='relu', name='h')."""
    d = _layer_def(type_name)
    cleaned, problems = check_block_params(d, params)
    if problems:
        raise ParamsError(type_name, problems)
    args = []
    for key, value in cleaned.items():
        pdef = d.defs[key]
        if pdef.kind == "layer":
            source = python_call(value["type"], value["params"], f"{name}_inner")
        elif pdef.family == "regularizer" and value == "l1_l2":
            from .common import REGULARIZER_FACTOR as f

            source = f"keras.regularizers.L1L2(l1={f!r}, l2={f!r})"
        elif pdef.to_keras is not None:
            source = repr(pdef.to_keras(value))  # plain values (Discretization's boundaries)
        else:
            source = repr(value)
        args.append(f"{key}={source}")
    args.append(f"name={name!r}")
    return f"keras.layers.{keras_name(type_name)}({', '.join(args)})"


def keras_name(type_name: str) -> str:
    """The name keras.layers exports the block's class under: its own, or the
    block's where Keras exports only an alias (GroupQueryAttention)."""
    import keras

    cls = _layer_class(type_name)
    return cls.__name__ if getattr(keras.layers, cls.__name__, None) is cls else type_name


# ---------------------------------------------------------------- import


def _strip(value: Any) -> Any:
    """JSON form of a config without the keys that never matter."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _IGNORED_KEYS}
    if isinstance(value, list | tuple):
        return [_strip(v) for v in value]
    return value


@functools.cache
def _canonical_activation(name: Any) -> Any:
    import keras

    return keras.activations.serialize(keras.activations.get(name))


@functools.cache
def _canonical_initializer_name(name: str) -> Any:
    import keras

    return _strip(keras.initializers.serialize(keras.initializers.get(name)))


@functools.cache
def _canonical_regularizer_name(name: Any) -> Any:
    import keras

    from .common import regularizer_to_keras

    return keras.regularizers.serialize(keras.regularizers.get(regularizer_to_keras(name)))


def _canonical(family: str, value: Any, *, is_choice: bool) -> Any:
    """A comparable form of an activation, initializer or regularizer,
    whether it is one of our choices or a value from a Keras config."""
    import keras

    if family == "activation":
        if isinstance(value, str) or value is None:
            return _canonical_activation(value)
        return keras.activations.serialize(keras.activations.get(value))
    if family == "initializer":
        if is_choice:
            return _canonical_initializer_name(value)
        return _strip(keras.initializers.serialize(keras.initializers.get(value)))
    if family == "regularizer":
        if is_choice:
            return _canonical_regularizer_name(value)
        return keras.regularizers.serialize(keras.regularizers.get(value))
    if family == "data_format":
        return keras.config.image_data_format() if value is None else value
    raise AssertionError(family)  # pragma: no cover


def _from_family(pspec: ParamSpec, pdef: ParamDef, raw: Any) -> Any:
    try:
        target = _canonical(pdef.family, raw, is_choice=False)
    except Exception as exc:  # Keras cannot read it: custom or malformed
        raise ValueError(f"= {show(raw)} is not one the catalog offers ({exc})") from None
    target = to_json(target)
    matches = [c for c in pspec.choices or () if to_json(_canonical(pdef.family, c, is_choice=True)) == target]
    if not matches:
        raise ValueError(f"= {show(raw)} is not one of the choices the catalog offers")
    if any(c == pspec.default for c in matches):
        return pspec.default
    if raw in matches:
        return raw
    return matches[0]


def _compact_ints(values: list) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else values


def _param_from_config(pspec: ParamSpec, pdef: ParamDef, raw: Any, config: dict, layer: Any) -> Any:
    """A Keras config value as the block's JSON param value; ValueError says
    why it cannot be shown."""
    if pdef.from_keras is not None:
        raw = pdef.from_keras(raw, config)
    if raw is None:
        return None
    if pdef.family:
        return _from_family(pspec, pdef, raw)
    kind = pspec.kind
    if kind == "layer":
        if hasattr(layer, "forward_layer"):
            # Bidirectional keeps a renamed copy of the given layer, on which
            # it sets zero_output_for_mask itself.
            block = _to_block(layer.forward_layer, ignore=frozenset({"zero_output_for_mask"}))
        else:
            block = _to_block(layer.layer, ignore=frozenset())
        choices = pspec.choices or ()
        if block["type"] not in choices:
            raise ValueError(
                f"is a {block['type']}, which this wrapper does not take here; it takes {', '.join(choices)}"
            )
        return block
    if kind == "int" and isinstance(raw, list | tuple) and len(raw) == 1:
        return raw[0]
    if kind == "int_tuple" and isinstance(raw, list | tuple):
        return _compact_ints(list(raw))
    if kind == "float_or_tuple" and isinstance(raw, list | tuple):
        values = [float(v) for v in raw]
        if pdef.check is None and len(values) == 2 and values[0] == -values[1] and values[1] >= 0:
            return values[1]
        return values
    if kind == "float" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    return to_json(raw)


def _same(d: BlockDef, pspec: ParamSpec, a: Any, b: Any) -> bool:
    """Whether two JSON values of a param mean the same once cleaned
    (3 and [3, 3] for an int_tuple of length 2)."""
    ca, pa = check_param(d, pspec, a)
    cb, pb = check_param(d, pspec, b)
    if pa or pb:
        return to_json(a) == to_json(b)
    return to_json(ca) == to_json(cb)


def _read_params(d: BlockDef, layer: Any) -> tuple[dict, dict]:
    """(params that differ from the defaults, every param read) of a layer."""
    config = layer.get_config()
    params: dict = {}
    read: dict = {}
    for pspec in d.spec.params:
        if pspec.name not in config:
            continue
        pdef = d.defs[pspec.name]
        try:
            value = _param_from_config(pspec, pdef, config[pspec.name], config, layer)
        except ValueError as exc:
            raise UnsupportedLayer(
                type(layer).__name__,
                f"layer '{layer.name}' ({type(layer).__name__}): {pspec.name} {exc}",
                layer_name=layer.name,
            ) from None
        read[pspec.name] = value
        if pspec.kind == "layer" or not _same(d, pspec, value, pspec.default):
            params[pspec.name] = value
    return params, read


def layer_to_block(layer: Any) -> dict:
    """{"type", "params"} of a Keras layer, with only the params that differ
    from the catalog's defaults, as JSON values. Raises UnsupportedLayer for
    a class the catalog does not list, or settings no block param can show
    (a constraint, a custom initializer, return_state...)."""
    return _to_block(layer, ignore=frozenset())


def _build_like(rebuilt: Any, layer: Any) -> None:
    """Build `rebuilt` as `layer` was built: some layers fill config values
    in at build time (MultiHeadAttention's attention_axes). No weights are
    allocated."""
    import keras

    build_config = layer.get_build_config() if layer.built else None
    if not build_config:
        return
    try:
        with keras.StatelessScope(initialize_variables=False):
            rebuilt.build_from_config(build_config)
    except Exception:  # the unbuilt comparison below still stands
        pass


def _to_block(layer: Any, ignore: frozenset) -> dict:
    cls = type(layer)
    if cls.__name__ == "InputLayer":
        raise UnsupportedLayer(
            "InputLayer", f"layer '{layer.name}' is an InputLayer: the importer turns it into an Input block"
        )
    d = defs_by_class().get(cls)
    if d is None:
        raise UnsupportedLayer(
            cls.__name__,
            f"layer '{layer.name}' is a {cls.__name__}, which is not in the block catalog",
            layer_name=layer.name,
        )
    params, read = _read_params(d, layer)
    cleaned, problems = check_block_params(d, params)
    if problems:
        raise UnsupportedLayer(
            cls.__name__,
            f"layer '{layer.name}' ({cls.__name__}) is out of the catalog's bounds: "
            + "; ".join(p.message for p in problems),
            layer_name=layer.name,
        )
    try:
        rebuilt = make_layer(d.spec.type, cleaned, layer.name)
    except ValueError as exc:
        raise UnsupportedLayer(
            cls.__name__, f"layer '{layer.name}' ({cls.__name__}) cannot be rebuilt: {exc}", layer_name=layer.name
        ) from None
    _build_like(rebuilt, layer)
    _, reread = _read_params(d, rebuilt)
    original = _strip(layer.get_config())
    again = _strip(rebuilt.get_config())
    lost = []
    for key in sorted(set(original) | set(again)):
        if key in ignore:
            continue
        if d.spec.param(key) is not None:
            if to_json(read.get(key)) != to_json(reread.get(key)):
                lost.append(f"{key}={show(original.get(key))}")
        elif original.get(key) != again.get(key):
            lost.append(f"{key}={show(original.get(key))}")
    if lost:
        raise UnsupportedLayer(
            cls.__name__,
            f"layer '{layer.name}' ({cls.__name__}) uses settings the builder cannot show: {', '.join(lost)}",
            layer_name=layer.name,
        )
    return {"type": d.spec.type, "params": params}
