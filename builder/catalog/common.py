"""Shared parameter declarations: choices, bounds and the helpers families use."""

from __future__ import annotations

from typing import Any

from .specs import ParamDef, ValueCheck

# Bounds that refuse absurd sizes before Keras ever sees them.
MAX_UNITS = 1_000_000
MAX_FILTERS = 65_536
MAX_KERNEL = 1024  # kernel sizes, strides, dilation, pool sizes, padding
MAX_VOCAB = 10_000_000
MAX_DIM = 10_000_000  # one axis of a shape
MAX_RANK = 8  # axes in a shape, batch axis excluded
MAX_AXIS = 16  # |axis| for axis arguments
MAX_IMAGE_SIDE = 16_384
MAX_HEADS = 1024

ACTIVATIONS: tuple = (
    None,
    "linear",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "softplus",
    "softsign",
    "leaky_relu",
    "relu6",
    "mish",
    "hard_sigmoid",
    "hard_silu",
    "exponential",
    "log_softmax",
)

INITIALIZERS: tuple = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "zeros",
    "ones",
)

# "l1_l2" is not a Keras identifier: it becomes L1L2(l1=0.01, l2=0.01), the
# same factor the "l1" and "l2" strings get.
REGULARIZERS: tuple = (None, "l1", "l2", "l1_l2")
REGULARIZER_FACTOR = 0.01

DATA_FORMATS: tuple = (None, "channels_last", "channels_first")
PADDINGS: tuple = ("valid", "same")
FILL_MODES: tuple = ("reflect", "wrap", "constant", "nearest")
AFFINE_INTERPOLATIONS: tuple = ("bilinear", "nearest")
RESIZE_INTERPOLATIONS: tuple = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")


def _permutation(dims: Any) -> str | None:
    if sorted(dims) != list(range(1, len(dims) + 1)):
        return f"must be an ordering of 1..{len(dims)} (each axis once, the batch axis excluded)"
    return None


def _increasing(value: Any) -> str | None:
    if not isinstance(value, tuple):
        return "must be a list of two numbers [low, high]"
    if value[0] >= value[1]:
        return "must be [low, high] with low < high"
    return None


# The value checks a parameter may name; frontend/src/blocks/form.ts has the same ones.
PERMUTATION = ValueCheck("permutation", _permutation)
INCREASING = ValueCheck("increasing", _increasing)
VALUE_CHECKS = {c.name: c for c in (PERMUTATION, INCREASING)}


def P(name: str, kind: str, doc: str, **kw: Any) -> ParamDef:
    return ParamDef(name=name, kind=kind, doc=doc, **kw)


def regularizer_to_keras(value: Any) -> Any:
    if value == "l1_l2":
        import keras

        return keras.regularizers.L1L2(l1=REGULARIZER_FACTOR, l2=REGULARIZER_FACTOR)
    return value


def activation(
    name: str = "activation",
    doc: str = "Activation applied to the output (null: none, linear).",
    *,
    nullable: bool = True,
) -> ParamDef:
    choices = ACTIVATIONS if nullable else tuple(a for a in ACTIVATIONS if a is not None)
    return P(name, "choice", doc, choices=choices, family="activation")


def initializer(name: str, doc: str, **kw: Any) -> ParamDef:
    """An initializer by name. `declare_block` adds the signature's default to
    the choices when it is not among them (Embedding's "uniform")."""
    return P(name, "choice", doc, choices=INITIALIZERS, family="initializer", **kw)


def regularizer(name: str, doc: str) -> ParamDef:
    return P(
        name,
        "choice",
        doc + ' "l1", "l2": factor 0.01; "l1_l2": both, 0.01 each; null: none.',
        choices=REGULARIZERS,
        family="regularizer",
        to_keras=regularizer_to_keras,
    )


def data_format(doc: str = "Axis order of the input; null: Keras's image_data_format (channels_last).") -> ParamDef:
    return P("data_format", "choice", doc, choices=DATA_FORMATS, family="data_format")


def use_bias() -> ParamDef:
    return P("use_bias", "bool", "Whether the layer adds a learned bias.")


def rate(name: str = "rate", doc: str = "Fraction of the inputs to drop, 0 to 1.") -> ParamDef:
    return P(name, "float", doc, min=0.0, max=1.0)


def int_tuple(name: str, length: int, doc: str, *, lo: int = 1, hi: int = MAX_KERNEL, **kw: Any) -> ParamDef:
    return P(name, "int_tuple", doc, length=length, min=lo, max=hi, **kw)


def axis(name: str = "axis", doc: str = "The axis to act on (-1: the last).") -> ParamDef:
    return P(name, "int", doc, min=-MAX_AXIS, max=MAX_AXIS)


def dense_like_weights(prefix: str = "kernel") -> list[ParamDef]:
    """Initializers and regularizers of a layer with a kernel and a bias."""
    return [
        initializer(f"{prefix}_initializer", f"Initializer of the {prefix} weights."),
        initializer("bias_initializer", "Initializer of the bias."),
        regularizer(f"{prefix}_regularizer", f"Penalty on the {prefix} weights."),
        regularizer("bias_regularizer", "Penalty on the bias."),
        regularizer("activity_regularizer", "Penalty on the layer's output."),
    ]


CONSTRAINTS = ("kernel_constraint", "bias_constraint")
