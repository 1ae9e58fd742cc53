"""Convolution blocks: plain, separable, depthwise and transposed, 1-D to 3-D."""

from __future__ import annotations

from ..macs import per_input_position, per_output_position
from ..messages import BY_RANK
from .common import (
    CONSTRAINTS,
    MAX_FILTERS,
    MAX_KERNEL,
    PADDINGS,
    P,
    activation,
    data_format,
    dense_like_weights,
    initializer,
    int_tuple,
    regularizer,
    use_bias,
)
from .specs import BlockDef, ParamDef, declare_block

_AXES = {1: "steps", 2: "rows, cols", 3: "depth, rows, cols"}


def size(name: str, rank: int, doc: str, *, lo: int = 1, **kw) -> ParamDef:
    """A per-axis size: an int for 1-D layers, an int_tuple for 2-D and 3-D."""
    if rank == 1:
        return P(name, "int", doc, min=lo, max=MAX_KERNEL, **kw)
    return int_tuple(name, rank, f"{doc} One integer for every axis, or [{_AXES[rank]}].", lo=lo, **kw)


def filters() -> ParamDef:
    return P("filters", "int", "Number of output channels.", min=1, max=MAX_FILTERS)


def padding(rank: int, *, causal: bool = False) -> ParamDef:
    choices = PADDINGS + (("causal",) if causal else ())
    return P(
        "padding",
        "choice",
        '"valid": no padding; "same": pad so that the output has input / strides steps'
        + ('; "causal": pad on the left only (time series).' if causal else "."),
        choices=choices,
    )


def _frame(rank: int) -> tuple[ParamDef, ParamDef]:
    return (
        size("kernel_size", rank, "Size of the convolution window."),
        size("strides", rank, "Step of the window."),
    )


def _conv(cls, rank: int) -> BlockDef:
    kernel_size, strides = _frame(rank)
    return declare_block(
        cls.__name__,
        cls,
        "convolution",
        f"{rank}-D convolution: slides `filters` learned kernels over the input.",
        [
            filters(),
            kernel_size,
            strides,
            padding(rank, causal=rank == 1),
            data_format(),
            size("dilation_rate", rank, "Spacing between the kernel's taps (atrous convolution)."),
            P(
                "groups",
                "int",
                "Split the channels into this many groups convolved separately.",
                min=1,
                max=MAX_FILTERS,
            ),
            activation(),
            use_bias(),
            *dense_like_weights(),
        ],
        hidden=CONSTRAINTS,
        layout=BY_RANK[rank],
        macs=per_output_position,
    )


def _transpose(cls, rank: int) -> BlockDef:
    kernel_size, strides = _frame(rank)
    return declare_block(
        cls.__name__,
        cls,
        "convolution",
        f"{rank}-D transposed convolution (learned upsampling).",
        [
            filters(),
            kernel_size,
            strides,
            padding(rank),
            size(
                "output_padding",
                rank,
                "Extra size added to one side of the output, less than strides; null: inferred.",
                lo=0,
                nullable=True,
            ),
            data_format(),
            size("dilation_rate", rank, "Spacing between the kernel's taps."),
            activation(),
            use_bias(),
            *dense_like_weights(),
        ],
        hidden=CONSTRAINTS,
        layout=BY_RANK[rank],
        macs=per_input_position,
    )


def _separable(cls, rank: int) -> BlockDef:
    kernel_size, strides = _frame(rank)
    return declare_block(
        cls.__name__,
        cls,
        "convolution",
        f"{rank}-D depthwise separable convolution: per-channel filters, then a 1x1 mix.",
        [
            filters(),
            kernel_size,
            strides,
            padding(rank),
            data_format(),
            size("dilation_rate", rank, "Spacing between the kernel's taps."),
            P("depth_multiplier", "int", "Depthwise outputs per input channel.", min=1, max=MAX_KERNEL),
            activation(),
            use_bias(),
            initializer("depthwise_initializer", "Initializer of the depthwise kernel."),
            initializer("pointwise_initializer", "Initializer of the pointwise kernel."),
            initializer("bias_initializer", "Initializer of the bias."),
            regularizer("depthwise_regularizer", "Penalty on the depthwise kernel."),
            regularizer("pointwise_regularizer", "Penalty on the pointwise kernel."),
            regularizer("bias_regularizer", "Penalty on the bias."),
            regularizer("activity_regularizer", "Penalty on the layer's output."),
        ],
        hidden=("depthwise_constraint", "pointwise_constraint", "bias_constraint"),
        layout=BY_RANK[rank],
        macs=per_output_position,
    )


def _depthwise(cls, rank: int) -> BlockDef:
    kernel_size, strides = _frame(rank)
    return declare_block(
        cls.__name__,
        cls,
        "convolution",
        f"{rank}-D depthwise convolution: one filter set per input channel, no mixing.",
        [
            kernel_size,
            strides,
            padding(rank),
            P("depth_multiplier", "int", "Outputs per input channel.", min=1, max=MAX_KERNEL),
            data_format(),
            size("dilation_rate", rank, "Spacing between the kernel's taps."),
            activation(),
            use_bias(),
            initializer("depthwise_initializer", "Initializer of the depthwise kernel."),
            initializer("bias_initializer", "Initializer of the bias."),
            regularizer("depthwise_regularizer", "Penalty on the depthwise kernel."),
            regularizer("bias_regularizer", "Penalty on the bias."),
            regularizer("activity_regularizer", "Penalty on the layer's output."),
        ],
        hidden=("depthwise_constraint", "bias_constraint"),
        layout=BY_RANK[rank],
        macs=per_output_position,
    )


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        _conv(layers.Conv1D, 1),
        _conv(layers.Conv2D, 2),
        _conv(layers.Conv3D, 3),
        _separable(layers.SeparableConv1D, 1),
        _separable(layers.SeparableConv2D, 2),
        _depthwise(layers.DepthwiseConv1D, 1),
        _depthwise(layers.DepthwiseConv2D, 2),
        _transpose(layers.Conv1DTranspose, 1),
        _transpose(layers.Conv2DTranspose, 2),
        _transpose(layers.Conv3DTranspose, 3),
    ]
