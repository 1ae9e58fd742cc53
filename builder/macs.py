"""A rough count of multiply-adds per block, for a sense of cost on the canvas.

The shapes come from Keras (the built layer's weights and the tensors it
took and gave); the rules here only multiply them: a weight matrix is used
once per output position (Dense on each step, a convolution's kernel on each
pixel), a recurrent layer's matrices once per time step. Each block names
its rule in its declaration (builder/catalog/, `macs=`); blocks without a
matrix (pooling, normalisation, activations, merges) name none and count 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Shape = Sequence[int | None]


def _size(dims: Shape) -> int:
    """Product of known sizes; an unknown (None) size counts as 1."""
    return math.prod(d for d in dims if d is not None)


def _matrix_weights(layer: Any) -> int:
    return sum(math.prod(w.shape) for w in layer.weights if len(w.shape) >= 2)


def _positions(shape: Shape, layer: Any) -> int:
    """Positions of a (batch, ..., channels) tensor: the axes between batch and channels."""
    if len(shape) <= 2:
        return 1
    channels_first = getattr(layer, "data_format", None) == "channels_first"
    return _size(shape[2:]) if channels_first else _size(shape[1:-1])


def per_output_position(layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """Dense, convolutions: every matrix once per output position."""
    return _matrix_weights(layer) * _positions(output_shape, layer) if output_shape is not None else 0


def per_input_position(layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """Transposed convolutions: the kernel once per input position."""
    return _matrix_weights(layer) * _positions(input_shapes[0], layer) if input_shapes else 0


def per_time_step(layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """Recurrent layers: every matrix once per time step (axis 1)."""
    if not input_shapes:
        return 0
    first = input_shapes[0]
    steps = first[1] if len(first) > 1 and first[1] is not None else 1
    return _matrix_weights(layer) * steps


def multi_head_attention(layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """The four projections, then the scores and the weighted sum per head."""
    if len(input_shapes) < 2:
        return 0
    query, value = input_shapes[0], input_shapes[1]
    key = input_shapes[2] if len(input_shapes) > 2 else value
    tq, tv, tk = _size(query[1:-1]), _size(value[1:-1]), _size(key[1:-1])
    heads = layer.num_heads
    key_dim = layer.key_dim
    value_dim = layer.value_dim or key_dim
    projections = (
        math.prod(layer.query_dense.kernel.shape) * tq
        + math.prod(layer.key_dense.kernel.shape) * tk
        + math.prod(layer.value_dense.kernel.shape) * tv
        + math.prod(layer.output_dense.kernel.shape) * tq
    )
    return projections + heads * key_dim * tq * tk + heads * value_dim * tq * tv


def dot_product_attention(layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """Attention without projections: the scores and the weighted sum."""
    if len(input_shapes) < 2:
        return 0
    query, value = input_shapes[0], input_shapes[1]
    dim = query[-1] or 1
    return 2 * _size(query[1:-1]) * _size(value[1:-1]) * dim


def elementwise_product(layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """Dot: one multiply-add per value of a sample."""
    return _size(input_shapes[0][1:]) if input_shapes else 0


def estimate_macs(rule: Any, layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    """`rule` (a block's `macs`, or None for 0) applied; never raises."""
    if rule is None:
        return 0
    try:
        return int(rule(layer, input_shapes, output_shape))
    except Exception:  # an estimate must never break validation
        return 0
