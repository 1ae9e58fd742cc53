"""The block catalog: the single source of truth for what blocks exist, their
parameters (kinds, Keras defaults, choices, bounds) and how they become Keras
layers and back.

Blocks are a curated allow-list of Keras classes, one family per module;
no class is ever looked up by a name a person gave. Keras is imported on
first use, not on import.
"""

from .bridge import (
    ParamsError,
    apply_layer,
    call_style,
    keras_kwargs,
    layer_to_block,
    make_layer,
    python_call,
)
from .checking import check_params, show
from .registry import all_specs, catalog_json, get_spec, require_spec
from .specs import CATEGORIES, KINDS, BlockSpec, ParamProblem, ParamSpec, UnsupportedLayer

__all__ = [
    "CATEGORIES",
    "KINDS",
    "BlockSpec",
    "ParamProblem",
    "ParamSpec",
    "ParamsError",
    "UnsupportedLayer",
    "all_specs",
    "apply_layer",
    "call_style",
    "catalog_json",
    "check_params",
    "get_spec",
    "keras_kwargs",
    "layer_to_block",
    "make_layer",
    "python_call",
    "require_spec",
    "show",
]
