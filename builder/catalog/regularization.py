"""Regularization blocks (Dropout itself is in core)."""

from __future__ import annotations

from ..messages import IMAGE, STEPS, VOLUME
from .common import MAX_DIM, P, data_format, rate
from .specs import BlockDef, declare_block


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "SpatialDropout1D",
            layers.SpatialDropout1D,
            "regularization",
            "Drops whole channels of a sequence (batch, steps, channels) during training.",
            [rate(doc="Fraction of the channels to drop, 0 to 1.")],
            hidden=("seed",),
            layout=STEPS,
        ),
        declare_block(
            "SpatialDropout2D",
            layers.SpatialDropout2D,
            "regularization",
            "Drops whole feature maps of an image during training.",
            [rate(doc="Fraction of the feature maps to drop, 0 to 1."), data_format()],
            hidden=("seed",),
            layout=IMAGE,
        ),
        declare_block(
            "SpatialDropout3D",
            layers.SpatialDropout3D,
            "regularization",
            "Drops whole feature maps of a volume during training.",
            [rate(doc="Fraction of the feature maps to drop, 0 to 1."), data_format()],
            hidden=("seed",),
            layout=VOLUME,
        ),
        declare_block(
            "AlphaDropout",
            layers.AlphaDropout,
            "regularization",
            "Dropout that keeps the mean and variance of its inputs, for self-normalizing (selu) networks.",
            [
                rate(),
                P(
                    "noise_shape",
                    "shape",
                    "Shape of the drop mask, batch axis included; null entries follow the input; null: the input's shape.",
                    nullable=True,
                    null_entries=True,
                    min=1,
                    max=MAX_DIM,
                ),
            ],
            hidden=("seed",),
        ),
        declare_block(
            "GaussianNoise",
            layers.GaussianNoise,
            "regularization",
            "Adds zero-centred Gaussian noise during training.",
            [P("stddev", "float", "Standard deviation of the noise.", min=0.0, max=1e6)],
            hidden=("seed",),
        ),
        declare_block(
            "GaussianDropout",
            layers.GaussianDropout,
            "regularization",
            "Multiplies the inputs by 1-centred Gaussian noise during training.",
            [rate(doc="Drop probability, as in Dropout; the noise's stddev is sqrt(rate / (1 - rate)).")],
            hidden=("seed",),
        ),
        declare_block(
            "ActivityRegularization",
            layers.ActivityRegularization,
            "regularization",
            "Passes its input through and adds an L1/L2 penalty on it to the loss.",
            [
                P("l1", "float", "L1 penalty factor.", min=0.0, max=1e6),
                P("l2", "float", "L2 penalty factor.", min=0.0, max=1e6),
            ],
        ),
    ]
