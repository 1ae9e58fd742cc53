"""Merge blocks: several inputs in, one tensor out. Inputs are ordered by port."""

from __future__ import annotations

from ..macs import elementwise_product
from ..messages import along_axes, along_axis, same_shapes
from .common import MAX_AXIS, P, axis, int_tuple
from .specs import BlockDef, declare_block


def _elementwise(cls, doc: str, inputs: tuple[int, int | None] = (2, None)) -> BlockDef:
    return declare_block(cls.__name__, cls, "merging", doc, [], inputs=inputs, explain=same_shapes)


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "Concatenate",
            layers.Concatenate,
            "merging",
            "Joins its inputs along `axis`; the other axes must match.",
            [axis(doc="The axis to join along (-1: the last).")],
            inputs=(2, None),
            explain=along_axis,
        ),
        _elementwise(layers.Add, "Element-wise sum of its inputs (same shapes)."),
        _elementwise(layers.Subtract, "First input minus the second, element-wise.", (2, 2)),
        _elementwise(layers.Multiply, "Element-wise product of its inputs."),
        _elementwise(layers.Average, "Element-wise mean of its inputs."),
        _elementwise(layers.Maximum, "Element-wise maximum of its inputs."),
        _elementwise(layers.Minimum, "Element-wise minimum of its inputs."),
        declare_block(
            "Dot",
            layers.Dot,
            "merging",
            "Dot product of two inputs along the given axes (batch axis kept).",
            [
                int_tuple(
                    "axes",
                    2,
                    "Axis of each input to multiply along: one integer for both, or [axis of first, axis of second].",
                    lo=-MAX_AXIS,
                    hi=MAX_AXIS,
                ),
                P("normalize", "bool", "L2-normalize both inputs first (gives the cosine similarity)."),
            ],
            inputs=(2, 2),
            explain=along_axes,
            macs=elementwise_product,
        ),
    ]
