"""A rough count of multiply-adds per block, for a sense of cost on the canvas.

The shapes come from Keras (the built layer's weights and the tensors it
took and gave); the rules here only multiply them: a weight matrix is used
once per output position (Dense on each step, a convolution's kernel on each
pixel), a recurrent layer's matrices once per time step. Blocks without a
matrix (pooling, normalisation, activations, merges) count 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Shape = Sequence[int | None]

# Blocks whose matrices are applied once per output position.
POSITIONAL = frozenset(
    [
        "Dense",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "TimeDistributed",
    ]
)
# Transposed convolutions apply the kernel once per input position.
TRANSPOSED = frozenset(["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"])
RECURRENT = frozenset(["LSTM", "GRU", "SimpleRNN", "Bidirectional"])


def _size(dims: Shape) -> int:
    """Product of known sizes; an unknown (None) size counts as 1."""
    return math.prod(d for d in dims if d is not None)


def _matrix_weights(layer: Any) -> int:
    return sum(math.prod(w.shape) for w in layer.weights if len(w.shape) >= 2)


def _positions(shape: Shape, channels_first: bool) -> int:
    """Positions of a (batch, ..., channels) tensor: the axes between batch and channels."""
    if len(shape) <= 2:
        return 1
    return _size(shape[2:]) if channels_first else _size(shape[1:-1])


def estimate_macs(type_name: str, layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    try:
        return int(_estimate(type_name, layer, input_shapes, output_shape))
    except Exception:  # an estimate must never break validation
        return 0


def _estimate(type_name: str, layer: Any, input_shapes: list[Shape], output_shape: Shape | None) -> int:
    channels_first = getattr(layer, "data_format", None) == "channels_first"
    if type_name in POSITIONAL and output_shape is not None:
        return _matrix_weights(layer) * _positions(output_shape, channels_first)
    if type_name in TRANSPOSED and input_shapes:
        return _matrix_weights(layer) * _positions(input_shapes[0], channels_first)
    if type_name in RECURRENT and input_shapes:
        steps = input_shapes[0][1] if len(input_shapes[0]) > 1 and input_shapes[0][1] is not None else 1
        return _matrix_weights(layer) * steps
    if type_name == "MultiHeadAttention" and len(input_shapes) >= 2:
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
    if type_name in ("Attention", "AdditiveAttention") and len(input_shapes) >= 2:
        query, value = input_shapes[0], input_shapes[1]
        dim = query[-1] or 1
        return 2 * _size(query[1:-1]) * _size(value[1:-1]) * dim
    if type_name == "Dot" and input_shapes:
        return _size(input_shapes[0][1:])
    return 0
