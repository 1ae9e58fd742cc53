"""Attention blocks. Inputs in port order: query, value, then an optional key."""

from __future__ import annotations

from typing import Any

from ..macs import dot_product_attention, multi_head_attention, per_output_position
from ..messages import query_value
from .common import MAX_HEADS, MAX_UNITS, P, dense_like_weights, rate, use_bias
from .specs import BlockDef, declare_block


def _value_dim_from_keras(value: Any, config: dict) -> Any:
    # Keras stores value_dim=None as a copy of key_dim.
    return None if value == config.get("key_dim") else value


def blocks() -> list[BlockDef]:
    from keras import layers

    return [
        declare_block(
            "MultiHeadAttention",
            layers.MultiHeadAttention,
            "attention",
            "Multi-head attention. Inputs by port: query, value[, key]; the same tensor twice is self-attention.",
            [
                P("num_heads", "int", "Number of attention heads.", min=1, max=MAX_HEADS),
                P("key_dim", "int", "Size of each head for query and key.", min=1, max=MAX_UNITS),
                P(
                    "value_dim",
                    "int",
                    "Size of each head for value; null: key_dim.",
                    nullable=True,
                    min=1,
                    max=MAX_UNITS,
                    from_keras=_value_dim_from_keras,
                ),
                rate("dropout", "Dropout on the attention weights, 0 to 1."),
                use_bias(),
                P("use_gate", "bool", "Add a learned sigmoid gate on the attention output."),
                *dense_like_weights(),
            ],
            inputs=(2, 3),
            call="positional",
            hidden=(
                "output_shape",
                "attention_axes",
                "sliding_window",
                "flash_attention",
                "kernel_constraint",
                "bias_constraint",
                "seed",
            ),
            explain=query_value,
            macs=multi_head_attention,
        ),
        declare_block(
            "GroupQueryAttention",
            layers.GroupQueryAttention,
            "attention",
            "Grouped-query attention: query heads share fewer key/value heads. Inputs by port: query, value[, key].",
            [
                P("head_dim", "int", "Size of each attention head.", min=1, max=MAX_UNITS),
                P("num_query_heads", "int", "Number of query heads.", min=1, max=MAX_HEADS),
                P(
                    "num_key_value_heads",
                    "int",
                    "Number of key/value heads; must divide num_query_heads.",
                    min=1,
                    max=MAX_HEADS,
                ),
                rate("dropout", "Dropout on the attention weights, 0 to 1."),
                use_bias(),
                P("use_gate", "bool", "Add a learned sigmoid gate on the attention output."),
                *dense_like_weights(),
            ],
            inputs=(2, 3),
            call="positional",
            hidden=("sliding_window", "flash_attention", "kernel_constraint", "bias_constraint", "seed"),
            explain=query_value,
            macs=per_output_position,
        ),
        declare_block(
            "Attention",
            layers.Attention,
            "attention",
            "Dot-product (Luong) attention. Inputs by port: query, value[, key].",
            [
                P("use_scale", "bool", "Learn a scalar that scales the attention scores."),
                P("score_mode", "choice", '"dot": q.k; "concat": tanh(q + k) summed.', choices=("dot", "concat")),
                rate("dropout", "Dropout on the attention weights, 0 to 1."),
            ],
            inputs=(2, 3),
            hidden=("seed",),
            explain=query_value,
            macs=dot_product_attention,
        ),
        declare_block(
            "AdditiveAttention",
            layers.AdditiveAttention,
            "attention",
            "Additive (Bahdanau) attention. Inputs by port: query, value[, key].",
            [
                P("use_scale", "bool", "Learn a per-feature scale of the scores."),
                rate("dropout", "Dropout on the attention weights, 0 to 1."),
            ],
            inputs=(2, 3),
            explain=query_value,
            macs=dot_product_attention,
        ),
    ]
