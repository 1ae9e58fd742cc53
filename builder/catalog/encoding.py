"""Feature encoding blocks: integer categories to one-hot or counts, hashing
and bucketing of numbers. None of them has weights; none needs `adapt`."""

from __future__ import annotations

from typing import Any

from .common import MAX_VOCAB, P
from .specs import BlockDef, declare_block

_COUNT_MODES = ("one_hot", "multi_hot", "count")


def _boundaries_to_keras(value: Any) -> Any:
    """ "0, 1.5, 3" -> [0.0, 1.5, 3.0]; a clear error otherwise."""
    if value is None:
        return None
    try:
        numbers = [float(part) for part in str(value).replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"bin_boundaries must be numbers separated by commas, got {value!r}") from None
    if not numbers:
        raise ValueError("bin_boundaries must list at least one number")
    if any(b >= a for a, b in zip(numbers[1:], numbers, strict=False)):
        raise ValueError(f"bin_boundaries must increase, got {value!r}")
    return numbers


def _boundaries_from_keras(value: Any, config: dict) -> Any:
    if value is None:
        return None
    return ", ".join(repr(float(v)) for v in value)


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "CategoryEncoding",
            layers.CategoryEncoding,
            "encoding",
            "Integer ids (0 to num_tokens - 1) to one-hot, multi-hot or count vectors of size num_tokens.",
            [
                P(
                    "num_tokens",
                    "int",
                    "Number of categories: the largest id plus one.",
                    default=None,
                    required=True,
                    override="Keras's None refuses to build: the block needs the number of categories",
                    min=1,
                    max=MAX_VOCAB,
                ),
                P(
                    "output_mode",
                    "choice",
                    '"one_hot": one id per sample; "multi_hot": a set of ids; "count": how often each id occurs.',
                    choices=_COUNT_MODES,
                ),
            ],
            hidden=("sparse",),
        ),
        declare_block(
            "Hashing",
            layers.Hashing,
            "encoding",
            "Hashes integers or strings into num_bins buckets (the hashing trick).",
            [
                P("num_bins", "int", "Number of buckets.", min=1, max=MAX_VOCAB),
                P(
                    "output_mode",
                    "choice",
                    '"int": the bucket index; otherwise a vector of num_bins (one-hot, multi-hot or counts).',
                    choices=("int", *_COUNT_MODES),
                ),
            ],
            hidden=("mask_value", "salt", "sparse"),
        ),
        declare_block(
            "Discretization",
            layers.Discretization,
            "encoding",
            "Buckets numbers by fixed boundaries: x < b0 -> 0, b0 <= x < b1 -> 1, and so on.",
            [
                P(
                    "bin_boundaries",
                    "string",
                    'Increasing boundaries separated by commas, e.g. "0, 1.5, 3"; needed here (there is no adapt step).',
                    default=None,
                    required=True,
                    override="Keras's None needs an adapt step, which a graph does not have",
                    to_keras=_boundaries_to_keras,
                    from_keras=_boundaries_from_keras,
                ),
                P(
                    "output_mode",
                    "choice",
                    '"int": the bucket index; otherwise a vector over the buckets.',
                    choices=("int", *_COUNT_MODES),
                ),
            ],
            hidden=("num_bins", "epsilon", "sparse"),
        ),
    ]
