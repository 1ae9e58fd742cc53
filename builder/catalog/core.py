"""Core blocks (Dense, Activation, Dropout, Flatten, Reshape, Permute,
RepeatVector) and Embedding."""

from __future__ import annotations

from typing import Any

from ..macs import per_output_position
from ..messages import SEQUENCE, VECTOR, fmt_shape, same_size
from .common import (
    CONSTRAINTS,
    MAX_DIM,
    MAX_RANK,
    MAX_UNITS,
    MAX_VOCAB,
    PERMUTATION,
    P,
    activation,
    data_format,
    dense_like_weights,
    initializer,
    rate,
    regularizer,
    use_bias,
)
from .specs import BlockDef, Surroundings, declare_block


def _per_pixel(at: Surroundings) -> str | None:
    first = at.inputs[0] if at.inputs else None
    if first is None or len(first[0]) < 4:
        return None
    return (
        f"Dense acts on the last axis only: on {fmt_shape(first[0])} it gives one vector per pixel. "
        "Add a Flatten or GlobalAveragePooling2D before it to classify the whole image"
    )


def _float_ids(at: Surroundings) -> str | None:
    first = at.inputs[0] if at.inputs else None
    if first is None or "int" in first[1]:
        return None
    return (
        f"Embedding looks up token ids, but '{at.sources[0]}' gives {first[1]} values: set the Input's dtype to int32"
    )


def _listed(value: Any, config: dict) -> Any:
    """Keras keeps an int output_shape as given: the block always shows a list."""
    return [value] if isinstance(value, int) else value


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "Dense",
            layers.Dense,
            "core",
            "Fully connected layer: activation(inputs @ kernel + bias) on the last axis.",
            [
                P("units", "int", "Number of output units.", min=1, max=MAX_UNITS),
                activation(),
                use_bias(),
                *dense_like_weights(),
            ],
            hidden=(*CONSTRAINTS, "lora_rank", "lora_alpha", "quantization_config"),
            macs=per_output_position,
            warnings=(_per_pixel,),
        ),
        declare_block(
            "Activation",
            layers.Activation,
            "core",
            "Applies an activation function element-wise.",
            [activation(doc="The activation function.", nullable=False)],
        ),
        declare_block(
            "Dropout",
            layers.Dropout,
            "core",
            "Randomly zeroes a fraction of the inputs during training.",
            [
                rate(),
                P(
                    "noise_shape",
                    "shape",
                    "Shape of the drop mask, batch axis included; null entries follow the input, "
                    "e.g. [null, 1, null] drops whole time steps; null: the input's shape.",
                    nullable=True,
                    null_entries=True,
                    min=1,
                    max=MAX_DIM,
                ),
            ],
            hidden=("seed",),
            not_last="it zeroes predictions at random while training; put it before the last layer instead",
        ),
        declare_block(
            "Flatten",
            layers.Flatten,
            "core",
            "Flattens every axis but the batch axis into one.",
            [data_format()],
        ),
        declare_block(
            "Reshape",
            layers.Reshape,
            "core",
            "Reshapes to target_shape (batch axis excluded); one entry may be -1.",
            [
                P(
                    "target_shape",
                    "shape",
                    "New shape without the batch axis; one entry may be -1 (inferred).",
                    min=1,
                    max=MAX_DIM,
                    minus_one=True,
                ),
            ],
            explain=same_size,
        ),
        declare_block(
            "Permute",
            layers.Permute,
            "core",
            "Reorders the axes (1-based, the batch axis excluded), e.g. [2, 1].",
            [
                P(
                    "dims",
                    "shape",
                    "The new order of the axes, counted from 1, e.g. [2, 1].",
                    min=1,
                    max=MAX_RANK,
                    check=PERMUTATION,
                ),
            ],
        ),
        declare_block(
            "RepeatVector",
            layers.RepeatVector,
            "core",
            "Repeats a 2-D input n times: (batch, features) -> (batch, n, features).",
            [P("n", "int", "Number of repetitions.", min=1, max=MAX_DIM)],
            layout=VECTOR,
        ),
        declare_block(
            "Masking",
            layers.Masking,
            "core",
            "Masks time steps whose features all equal mask_value, so that later layers (LSTM) skip them.",
            [P("mask_value", "float", "Steps whose every feature equals this value are masked.")],
            layout=SEQUENCE,
        ),
        declare_block(
            "Identity",
            layers.Identity,
            "core",
            "Passes its input through unchanged (a named junction).",
            [],
        ),
        declare_block(
            "EinsumDense",
            layers.EinsumDense,
            "core",
            'A dense layer of any rank, written as an einsum equation, e.g. "abc,cd->abd".',
            [
                P(
                    "equation",
                    "string",
                    'Einsum equation "input,kernel->output"; the first input letter is the batch axis.',
                ),
                P(
                    "output_shape",
                    "shape",
                    "Output shape without the batch axis; null entries follow the input.",
                    null_entries=True,
                    min=1,
                    max=MAX_DIM,
                    from_keras=_listed,
                ),
                activation(),
                P(
                    "bias_axes",
                    "string",
                    'Letters of the output axes that get a bias, e.g. "d"; null: no bias.',
                    nullable=True,
                ),
                initializer("kernel_initializer", "Initializer of the kernel."),
                initializer("bias_initializer", "Initializer of the bias."),
                regularizer("kernel_regularizer", "Penalty on the kernel."),
                regularizer("bias_regularizer", "Penalty on the bias."),
            ],
            hidden=(*CONSTRAINTS, "lora_rank", "lora_alpha", "gptq_unpacked_column_size", "quantization_config"),
            macs=per_output_position,
        ),
        declare_block(
            "Embedding",
            layers.Embedding,
            "embedding",
            "Maps integer ids (0 to input_dim - 1) to dense vectors of size output_dim.",
            [
                P("input_dim", "int", "Vocabulary size: the largest id plus one.", min=1, max=MAX_VOCAB),
                P("output_dim", "int", "Size of each embedding vector.", min=1, max=MAX_UNITS),
                initializer("embeddings_initializer", "Initializer of the embedding matrix."),
                regularizer("embeddings_regularizer", "Penalty on the embedding matrix."),
                P("mask_zero", "bool", "Treat id 0 as padding and mask it for later layers."),
            ],
            hidden=("embeddings_constraint", "weights", "lora_rank", "lora_alpha", "quantization_config"),
            warnings=(_float_ids,),
        ),
    ]
