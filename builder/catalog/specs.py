"""The catalog's data types and the helpers that declare blocks.

A block is declared once, in its family module, as a `BlockDef`: the public
`BlockSpec` (what the API shows) plus the private hooks that check and
convert a parameter. Defaults are never typed by hand: `declare_block` reads
them from the Keras constructor's signature, and a default given on purpose
is recorded in `BlockDef.overrides` with its reason.
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The kinds a parameter can be; the front end renders one widget per kind.
KINDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "choice": "one of `choices` (null only where it is listed)",
    "int_tuple": "an integer meaning every axis, or a list of `length` integers",
    "float_or_tuple": "a number, or a list of two numbers [lower, upper]",
    "shape": "a list of 1 to 8 integers; null entries or one -1 only where the doc says",
    "string": "a string",
    "string_list": "a list of distinct strings, each one of `choices`",
    "layer": 'a nested block {"type": one of `choices`, "params": {...}}',
}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str
    default: Any
    required: bool
    nullable: bool
    choices: tuple | None
    min: float | None
    max: float | None
    length: int | None
    doc: str


@dataclass(frozen=True)
class BlockSpec:
    type: str
    category: str
    doc: str
    cls: builtins.type | None  # None for the Input/Output markers (`type` is a field here)
    min_inputs: int
    max_inputs: int | None
    params: tuple[ParamSpec, ...]

    def param(self, name: str) -> ParamSpec | None:
        for spec in self.params:
            if spec.name == name:
                return spec
        return None

    def require(self, name: str) -> ParamSpec:
        """The parameter `name`, which the caller knows the block has."""
        spec = self.param(name)
        if spec is None:
            raise KeyError(f"{self.type} has no parameter {name!r}")
        return spec


@dataclass(frozen=True)
class ParamProblem:
    param: str | None
    message: str


class UnsupportedLayer(Exception):
    """A Keras layer the catalog cannot represent as a block."""

    def __init__(self, class_name: str, message: str | None = None, *, layer_name: str | None = None):
        self.class_name = class_name
        self.layer_name = layer_name
        if message is None:
            who = f"layer '{layer_name}' ({class_name})" if layer_name else f"layer class {class_name}"
            message = f"{who} is not in the block catalog, so it cannot be imported"
        super().__init__(message)
        self.message = message


CATEGORIES: list[tuple[str, str]] = [
    ("io", "Input / Output"),
    ("core", "Core"),
    ("convolution", "Convolution"),
    ("pooling", "Pooling"),
    ("recurrent", "Recurrent"),
    ("embedding", "Embedding"),
    ("normalization", "Normalization"),
    ("regularization", "Regularization"),
    ("merging", "Merge"),
    ("attention", "Attention"),
    ("reshaping", "Reshaping"),
    ("preprocessing", "Image preprocessing"),
    ("augmentation", "Image augmentation"),
    ("encoding", "Feature encoding"),
    ("audio", "Audio"),
    ("activations", "Activations"),
    ("applications", "Applications (whole networks)"),
]

# Constructor arguments no block shows: identity, dtype and bookkeeping.
ALWAYS_HIDDEN = frozenset({"self", "name", "dtype", "kwargs", "args", "trainable"})


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class ValueCheck:
    """A check beyond kind and bounds, by name: the catalog JSON names it
    (`rules.check`) and the front end runs its own copy of the same rule."""

    name: str
    # The cleaned value -> a message tail ("must be ...") or None.
    test: Callable[[Any], str | None]


@dataclass(frozen=True)
class ParamDef:
    """A parameter as declared, before the signature fills in its default."""

    name: str
    kind: str
    doc: str
    default: Any = MISSING  # MISSING: take it from the signature
    override: str = ""  # why `default` differs from Keras's, when it does
    required: bool | None = None  # None: required iff the signature has no default
    nullable: bool = False
    choices: tuple | None = None
    min: float | None = None
    max: float | None = None
    length: int | None = None
    # For kind "shape": whether an entry may be null (a variable length) or
    # -1 (Reshape's "whatever is left").
    null_entries: bool = False
    minus_one: bool = False
    # Extra check on the converted value (common.PERMUTATION, INCREASING).
    check: ValueCheck | None = None
    # Cleaned value -> the object Keras's constructor gets.
    to_keras: Callable[[Any], Any] | None = None
    # (config value, whole config) -> JSON param value, for import.
    from_keras: Callable[[Any, dict], Any] | None = None
    # Tagged helper family: "activation", "initializer", "regularizer", "data_format".
    family: str = ""


Shape = Sequence[int | None]
Spec = tuple[Shape, str]  # a tensor's (shape, dtype), batch axis first


@dataclass(frozen=True)
class Surroundings:
    """What a block's warning rule sees of the checked graph."""

    node_id: str
    params: dict  # cleaned
    sources: list[str]  # the ids of its inputs, by port
    inputs: list[Spec | None]  # their output specs, None where unknown (after an error)


# (layer, input shapes, output shape) -> multiply-adds; builder/macs.py holds the rules.
MacsRule = Callable[[Any, list[Shape], Shape | None], int]
# (shown name, params, Keras's exception, input shapes) -> a message, or None
# to fall through to the generic one; builder/messages.py holds them.
ExplainRule = Callable[[str, dict, BaseException, list[Shape]], str | None]
# A lint on a sound block: a message, or None.
WarningRule = Callable[[Surroundings], str | None]


@dataclass(frozen=True)
class BlockDef:
    """A block as declared: its public spec and every fact the builder keeps
    about it (so that renaming a block carries them all along)."""

    spec: BlockSpec
    defs: dict[str, ParamDef]
    overrides: dict[str, str] = field(default_factory=dict)  # param -> reason
    hidden: frozenset[str] = frozenset()  # signature params left out on purpose
    # How the built layer is called on its inputs: "single" (one tensor),
    # "list" (one list of tensors) or "positional" (one argument per port).
    call: str = "single"
    # The input it expects, batch axis first, channels_last: "(batch, height,
    # width, channels)"; quoted when Keras refuses the input's rank.
    layout: str | None = None
    # How its multiply-adds are counted; None: it has no matrix (0).
    macs: MacsRule | None = None
    # A message for its own kind of input mismatch.
    explain: ExplainRule | None = None
    # Lints run on it when the graph checks (builder/warnings.py).
    warnings: tuple[WarningRule, ...] = ()
    # The activation it always ends with (Softmax), for the loss lints.
    ends_with: str | None = None
    # Why it should not feed an Output directly (a lint on the Output), if so.
    not_last: str | None = None

    def final_activation(self, params: dict) -> tuple[str | None, bool]:
        """The activation the block ends with ("linear" for none), or None when
        it has no say, and whether that choice is the block's whole point (an
        Activation, a Softmax) rather than an option left at its default."""
        if self.ends_with is not None:
            return self.ends_with, True
        spec = self.spec.param("activation")
        if spec is None:
            return None, False
        return params.get("activation", spec.default) or "linear", not spec.nullable


def signature_defaults(cls: type) -> dict[str, Any]:
    """Constructor parameter -> default (MISSING when it has none)."""
    out: dict[str, Any] = {}
    constructor: Any = cls  # the class's own __init__, not an instance's
    for name, p in inspect.signature(constructor.__init__).parameters.items():
        if name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out[name] = MISSING if p.default is inspect.Parameter.empty else p.default
    return out


def freeze(value: Any) -> Any:
    """Lists -> tuples, so that a spec's default is immutable."""
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def declare_block(
    type_name: str,
    cls: type | None,
    category: str,
    doc: str,
    params: list[ParamDef],
    *,
    inputs: tuple[int, int | None] = (1, 1),
    hidden: tuple[str, ...] = (),
    call: str | None = None,
    layout: str | None = None,
    macs: MacsRule | None = None,
    explain: ExplainRule | None = None,
    warnings: tuple[WarningRule, ...] = (),
    ends_with: str | None = None,
    not_last: str | None = None,
) -> BlockDef:
    sig = signature_defaults(cls) if cls is not None else {}
    specs: list[ParamSpec] = []
    overrides: dict[str, str] = {}
    for d in params:
        if cls is not None and d.name not in sig:
            raise TypeError(f"{type_name}: {cls.__name__} has no constructor parameter {d.name!r}")
        if d.default is MISSING:
            default = sig.get(d.name, MISSING) if cls is not None else MISSING
        else:
            default = d.default
            if cls is not None:
                if not d.override:
                    raise TypeError(f"{type_name}.{d.name}: a hand-written default needs an override reason")
                overrides[d.name] = d.override
        if d.kind in ("int_tuple", "float_or_tuple") and d.length is None:
            raise TypeError(f"{type_name}.{d.name}: a {d.kind} needs a length")
        required = d.required if d.required is not None else default is MISSING
        if default is MISSING:
            default = None
        choices = d.choices
        if d.family == "initializer" and default is not None and choices is not None and default not in choices:
            choices = (*choices, default)
        nullable = d.nullable or (choices is not None and None in choices and d.kind == "choice")
        specs.append(
            ParamSpec(
                name=d.name,
                kind=d.kind,
                default=freeze(default),
                required=required,
                nullable=nullable,
                choices=tuple(choices) if choices is not None else None,
                min=d.min,
                max=d.max,
                length=d.length,
                doc=d.doc,
            )
        )
    min_inputs, max_inputs = inputs
    if call is None:
        call = "single" if max_inputs == 1 else "list"
    spec = BlockSpec(type_name, category, doc, cls, min_inputs, max_inputs, tuple(specs))
    return BlockDef(
        spec=spec,
        defs={d.name: d for d in params},
        overrides=overrides,
        hidden=frozenset(hidden),
        call=call,
        layout=layout,
        macs=macs,
        explain=explain,
        warnings=warnings,
        ends_with=ends_with,
        not_last=not_last,
    )


def draft(cls: type) -> str:
    """A starting point for declaring `cls`: one line per constructor argument.

    Run `python -m builder.catalog.specs Dense` and curate the result: pick
    kinds, choices and bounds, hide what the canvas should not show.
    """
    lines = []
    for name, default in signature_defaults(cls).items():
        if name in ALWAYS_HIDDEN:
            continue
        if isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        elif isinstance(default, float):
            kind = "float"
        elif isinstance(default, tuple):
            kind = "int_tuple"
        elif isinstance(default, str):
            kind = "choice"
        else:
            kind = "?"
        shown = "required" if default is MISSING else repr(default)
        lines.append(f'    P("{name}", "{kind}", doc="..."),  # {shown}')
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    import sys

    import keras

    for arg in sys.argv[1:]:
        print(f"# {arg}")
        print(draft(getattr(keras.layers, arg)))
