"""Normalization blocks."""

from __future__ import annotations

from .common import MAX_FILTERS, P, axis, initializer, regularizer
from .specs import BlockDef, declare_block


def _affine() -> list:
    return [
        P("epsilon", "float", "Small number added to the variance to avoid dividing by zero.", min=0.0, max=1.0),
        P("center", "bool", "Learn an offset (beta)."),
        P("scale", "bool", "Learn a scale (gamma)."),
        initializer("beta_initializer", "Initializer of beta."),
        initializer("gamma_initializer", "Initializer of gamma."),
    ]


def _affine_penalties() -> list:
    return [
        regularizer("beta_regularizer", "Penalty on beta."),
        regularizer("gamma_regularizer", "Penalty on gamma."),
    ]


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "BatchNormalization",
            layers.BatchNormalization,
            "normalization",
            "Normalizes each feature with batch statistics (moving averages at inference).",
            [
                axis(doc="The feature axis (-1: channels last)."),
                P("momentum", "float", "Momentum of the moving averages.", min=0.0, max=1.0),
                *_affine(),
                initializer("moving_mean_initializer", "Initializer of the moving mean."),
                initializer("moving_variance_initializer", "Initializer of the moving variance."),
                *_affine_penalties(),
            ],
            hidden=(
                "beta_constraint",
                "gamma_constraint",
                "renorm",
                "renorm_clipping",
                "renorm_momentum",
                "synchronized",
            ),
        ),
        declare_block(
            "RMSNormalization",
            layers.RMSNormalization,
            "normalization",
            "Divides each sample by its root mean square over `axis`, then scales by a learned factor.",
            [
                axis(doc="The axis to normalize over (-1: the last)."),
                P(
                    "epsilon",
                    "float",
                    "Small number added to the mean square to avoid dividing by zero.",
                    min=0.0,
                    max=1.0,
                ),
            ],
        ),
        declare_block(
            "LayerNormalization",
            layers.LayerNormalization,
            "normalization",
            "Normalizes each sample over its last axis (or `axis`).",
            [axis(doc="The axis to normalize over (-1: the last)."), *_affine(), *_affine_penalties()],
            hidden=("beta_constraint", "gamma_constraint"),
        ),
        declare_block(
            "GroupNormalization",
            layers.GroupNormalization,
            "normalization",
            "Normalizes groups of channels of each sample; channels must divide into `groups`.",
            [
                P("groups", "int", "Number of channel groups (-1: one per channel).", min=-1, max=MAX_FILTERS),
                axis(doc="The channel axis (-1: the last)."),
                *_affine(),
                *_affine_penalties(),
            ],
            hidden=("beta_constraint", "gamma_constraint"),
        ),
        declare_block(
            "UnitNormalization",
            layers.UnitNormalization,
            "normalization",
            "Scales each sample to unit L2 norm along `axis`.",
            [axis(doc="The axis to normalize along (-1: the last).")],
        ),
    ]
