"""Reshaping blocks: zero padding, cropping and upsampling (Reshape, Permute,
Flatten and RepeatVector are in core)."""

from __future__ import annotations

from typing import Any

from ..messages import IMAGE, STEPS, VOLUME
from .common import MAX_KERNEL, P, data_format, int_tuple
from .specs import BlockDef, declare_block


def _symmetric_pairs(value: Any, config: dict) -> Any:
    """Keras stores 2-D padding/cropping as ((top, bottom), (left, right)); the
    block keeps one amount per axis, the same on both sides."""
    if isinstance(value, list | tuple) and all(isinstance(v, list | tuple) for v in value):
        if any(len(pair) != 2 or pair[0] != pair[1] for pair in value):
            raise ValueError(
                f"uneven amounts {[list(p) for p in value]} cannot be shown: the block uses the same amount "
                "on both sides of each axis"
            )
        return [pair[0] for pair in value]
    return value


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "ZeroPadding1D",
            layers.ZeroPadding1D,
            "reshaping",
            "Adds zeros at the start and end of a sequence (axis 1).",
            [int_tuple("padding", 2, "Zeros to add: one integer for both ends, or [start, end].", lo=0), data_format()],
            layout=STEPS,
        ),
        declare_block(
            "ZeroPadding2D",
            layers.ZeroPadding2D,
            "reshaping",
            "Adds rows and columns of zeros around an image.",
            [
                int_tuple(
                    "padding",
                    2,
                    "Zeros on each side: one integer for all, or [rows on top and bottom, cols on left and right].",
                    lo=0,
                    from_keras=_symmetric_pairs,
                ),
                data_format(),
            ],
            layout=IMAGE,
        ),
        declare_block(
            "Cropping1D",
            layers.Cropping1D,
            "reshaping",
            "Removes steps at the start and end of a sequence (axis 1).",
            [int_tuple("cropping", 2, "Steps to remove: one integer for both ends, or [start, end].", lo=0)],
            layout=STEPS,
        ),
        declare_block(
            "Cropping2D",
            layers.Cropping2D,
            "reshaping",
            "Removes rows and columns at the borders of an image.",
            [
                int_tuple(
                    "cropping",
                    2,
                    "Pixels removed on each side: one integer for all, or [rows on top and bottom, cols on left and right].",
                    lo=0,
                    default=0,
                    override="Keras's ((0, 0), (0, 0)) is the same crop written as pairs",
                    from_keras=_symmetric_pairs,
                ),
                data_format(),
            ],
            layout=IMAGE,
        ),
        declare_block(
            "UpSampling1D",
            layers.UpSampling1D,
            "reshaping",
            "Repeats each step of a sequence `size` times.",
            [P("size", "int", "Repetitions of each step.", min=1, max=MAX_KERNEL)],
            layout=STEPS,
        ),
        declare_block(
            "UpSampling2D",
            layers.UpSampling2D,
            "reshaping",
            "Enlarges an image by repeating (or interpolating) rows and columns.",
            [
                int_tuple("size", 2, "Factor: one integer for both, or [rows, cols]."),
                data_format(),
                P(
                    "interpolation",
                    "choice",
                    "How new pixels are filled.",
                    choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"),
                ),
            ],
            layout=IMAGE,
        ),
        declare_block(
            "ZeroPadding3D",
            layers.ZeroPadding3D,
            "reshaping",
            "Adds zeros around a volume (depth, rows and columns).",
            [
                int_tuple(
                    "padding",
                    3,
                    "Zeros on each side: one integer for all, or [depth, rows, cols] (the same on both sides).",
                    lo=0,
                    default=1,
                    override="Keras's ((1, 1), (1, 1), (1, 1)) is the same padding written as pairs",
                    from_keras=_symmetric_pairs,
                ),
                data_format(),
            ],
            layout=VOLUME,
        ),
        declare_block(
            "Cropping3D",
            layers.Cropping3D,
            "reshaping",
            "Removes slices at the borders of a volume (depth, rows and columns).",
            [
                int_tuple(
                    "cropping",
                    3,
                    "Removed on each side: one integer for all, or [depth, rows, cols] (the same on both sides).",
                    lo=0,
                    default=1,
                    override="Keras's ((1, 1), (1, 1), (1, 1)) is the same crop written as pairs",
                    from_keras=_symmetric_pairs,
                ),
                data_format(),
            ],
            layout=VOLUME,
        ),
        declare_block(
            "UpSampling3D",
            layers.UpSampling3D,
            "reshaping",
            "Enlarges a volume by repeating its slices, rows and columns.",
            [int_tuple("size", 3, "Factor: one integer for every axis, or [depth, rows, cols]."), data_format()],
            layout=VOLUME,
        ),
    ]
