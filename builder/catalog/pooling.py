"""Pooling blocks: max and average, windowed and global, 1-D to 3-D."""

from __future__ import annotations

from typing import Any

from ..messages import BY_RANK
from .common import PADDINGS, P, data_format
from .convolution import size
from .specs import BlockDef, declare_block


def _strides_from_keras(value: Any, config: dict) -> Any:
    # Keras stores strides=None as a copy of pool_size.
    if value is not None and list(value) == list(config.get("pool_size") or []):
        return None
    return value


def _pool(cls, rank: int, what: str) -> BlockDef:
    return declare_block(
        cls.__name__,
        cls,
        "pooling",
        f"{rank}-D {what} pooling over windows of pool_size.",
        [
            size("pool_size", rank, "Size of the pooling window."),
            size(
                "strides",
                rank,
                "Step of the window; null: pool_size.",
                nullable=True,
                from_keras=_strides_from_keras,
            ),
            P("padding", "choice", '"valid": no padding; "same": pad to keep input / strides steps.', choices=PADDINGS),
            data_format(),
        ],
        layout=BY_RANK[rank],
    )


def _global(cls, rank: int, what: str) -> BlockDef:
    return declare_block(
        cls.__name__,
        cls,
        "pooling",
        f"{what.capitalize()} over all {rank}-D positions, one value per channel.",
        [
            data_format(),
            P("keepdims", "bool", "Keep the pooled axes with length 1."),
        ],
        layout=BY_RANK[rank],
    )


def _adaptive(cls, rank: int, what: str) -> BlockDef:
    return declare_block(
        cls.__name__,
        cls,
        "pooling",
        f"{rank}-D adaptive {what} pooling: windows sized so that the output has output_size positions.",
        [size("output_size", rank, "Number of output positions."), data_format()],
        layout=BY_RANK[rank],
    )


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        _pool(layers.MaxPooling1D, 1, "max"),
        _pool(layers.MaxPooling2D, 2, "max"),
        _pool(layers.MaxPooling3D, 3, "max"),
        _pool(layers.AveragePooling1D, 1, "average"),
        _pool(layers.AveragePooling2D, 2, "average"),
        _pool(layers.AveragePooling3D, 3, "average"),
        _global(layers.GlobalMaxPooling1D, 1, "max"),
        _global(layers.GlobalMaxPooling2D, 2, "max"),
        _global(layers.GlobalMaxPooling3D, 3, "max"),
        _global(layers.GlobalAveragePooling1D, 1, "average"),
        _global(layers.GlobalAveragePooling2D, 2, "average"),
        _global(layers.GlobalAveragePooling3D, 3, "average"),
        _adaptive(layers.AdaptiveMaxPooling1D, 1, "max"),
        _adaptive(layers.AdaptiveMaxPooling2D, 2, "max"),
        _adaptive(layers.AdaptiveMaxPooling3D, 3, "max"),
        _adaptive(layers.AdaptiveAveragePooling1D, 1, "average"),
        _adaptive(layers.AdaptiveAveragePooling2D, 2, "average"),
        _adaptive(layers.AdaptiveAveragePooling3D, 3, "average"),
    ]
