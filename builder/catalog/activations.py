"""Activation layers with their own parameters (plain functions are the
Activation block's choices)."""

from __future__ import annotations

from .common import MAX_AXIS, P, axis, initializer, regularizer
from .specs import BlockDef, declare_block


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "ReLU",
            layers.ReLU,
            "activations",
            "Rectified linear unit with an optional cap, slope below the threshold and threshold.",
            [
                P("max_value", "float", "Largest output; null: no cap.", nullable=True, min=0.0),
                P("negative_slope", "float", "Slope below the threshold.", min=0.0),
                P("threshold", "float", "Inputs below this are damped by negative_slope."),
            ],
        ),
        declare_block(
            "LeakyReLU",
            layers.LeakyReLU,
            "activations",
            "ReLU that lets a small slope through for negative inputs.",
            [P("negative_slope", "float", "Slope for negative inputs.", min=0.0)],
        ),
        declare_block(
            "PReLU",
            layers.PReLU,
            "activations",
            "Leaky ReLU whose negative slope is learned.",
            [
                initializer(
                    "alpha_initializer",
                    "Initializer of the learned slopes.",
                    default="zeros",
                    override='Keras writes it "Zeros"; the same initializer',
                ),
                regularizer("alpha_regularizer", "Penalty on the learned slopes."),
                P(
                    "shared_axes",
                    "shape",
                    "Axes (counted from 1) that share one slope, e.g. [1, 2] for images; null: none.",
                    nullable=True,
                    min=1,
                    max=MAX_AXIS,
                ),
            ],
            hidden=("alpha_constraint",),
        ),
        declare_block(
            "ELU",
            layers.ELU,
            "activations",
            "Exponential linear unit: alpha * (exp(x) - 1) for negative inputs.",
            [P("alpha", "float", "Scale of the negative part.", min=0.0)],
        ),
        declare_block(
            "Softmax",
            layers.Softmax,
            "activations",
            "Softmax along an axis: outputs sum to 1.",
            [axis(doc="The axis to normalize along (-1: the last).")],
            ends_with="softmax",
        ),
    ]
