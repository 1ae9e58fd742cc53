"""The Pretrained block: a trained model (one of the person's runs or uploads) as one block.

It is no single Keras class: builder/pretrained.py loads, cuts and freezes the model, and the checking walk,
the build and the script export call it for this block type."""

from __future__ import annotations

from .common import P
from .specs import BlockDef, declare_block


def blocks() -> list[BlockDef]:
    return [BLOCK]


BLOCK = declare_block(
    "Pretrained",
    None,
    "core",
    "A trained model as one block, with its trained weights: one of your succeeded runs or an "
    "uploaded .keras model, cut at an inner layer and frozen or not.",
    [
        P(
            "run",
            "int",
            "Id of one of your succeeded runs (or set upload).",
            nullable=True,
            min=1,
            default=None,
        ),
        P(
            "upload",
            "int",
            "Id of one of your uploaded .keras models (or set run).",
            nullable=True,
            min=1,
            default=None,
        ),
        P("trainable", "bool", "Whether its weights train (false: frozen).", default=False),
        P(
            "trainable_from",
            "string",
            "Inner layer from which on the weights train; the layers before it stay frozen (null: as trainable says).",
            nullable=True,
            default=None,
        ),
        P(
            "cut_at",
            "string",
            "Inner layer to end at (its output is the block's): e.g. the one before the classifier "
            "head (null: the whole model).",
            nullable=True,
            default=None,
        ),
    ],
)

PRETRAINED = BLOCK.spec.type  # the type name, for builder/pretrained.py and the walks
