"""All blocks, collected once from the family modules, in display order."""

from __future__ import annotations

import functools
from typing import Any

from . import (
    activations,
    applications,
    attention,
    audio,
    augmentation,
    convolution,
    core,
    encoding,
    markers,
    merging,
    normalization,
    pooling,
    preprocessing,
    pretrained,
    recurrent,
    regularization,
    reshaping,
)
from .specs import CATEGORIES, BlockDef, BlockSpec

_FAMILIES = (
    markers,
    core,
    convolution,
    pooling,
    recurrent,
    normalization,
    regularization,
    merging,
    attention,
    reshaping,
    preprocessing,
    augmentation,
    encoding,
    audio,
    activations,
    pretrained,
    applications,
)


@functools.cache
def block_defs() -> dict[str, BlockDef]:
    """type name -> BlockDef, grouped by category in CATEGORIES order."""
    order = {name: i for i, (name, _) in enumerate(CATEGORIES)}
    found: list[BlockDef] = []
    for family in _FAMILIES:
        found.extend(family.blocks())
    seen: dict[str, BlockDef] = {}
    for d in found:
        if d.spec.type in seen:
            raise RuntimeError(f"block type {d.spec.type} is declared twice")
        if d.spec.category not in order:
            raise RuntimeError(f"block {d.spec.type} has an unknown category {d.spec.category!r}")
        seen[d.spec.type] = d
    ordered = sorted(seen.values(), key=lambda d: order[d.spec.category])  # stable within a category
    return {d.spec.type: d for d in ordered}


@functools.cache
def defs_by_class() -> dict[type, BlockDef]:
    out: dict[type, BlockDef] = {}
    for d in block_defs().values():
        if d.spec.cls is not None:
            if d.spec.cls in out:
                raise RuntimeError(f"{d.spec.cls.__name__} backs two blocks")
            out[d.spec.cls] = d
    return out


def block_def(type_name: Any) -> BlockDef | None:
    if not isinstance(type_name, str):
        return None
    return block_defs().get(type_name)


def get_spec(type_name: str) -> BlockSpec | None:
    d = block_def(type_name)
    return d.spec if d is not None else None


def require_spec(type_name: str) -> BlockSpec:
    """The spec of a block the caller knows is in the catalog (a checked node's type)."""
    spec = get_spec(type_name)
    if spec is None:
        raise KeyError(f"{type_name} is not in the catalog")
    return spec


def all_specs() -> list[BlockSpec]:
    return [d.spec for d in block_defs().values()]


def to_json(value: Any) -> Any:
    """Tuples -> lists, recursively: a spec's value as JSON."""
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


@functools.cache
def catalog_json() -> dict:
    """The GET /api/layers answer. Computed once and shared: do not mutate it.

    Each parameter carries `rules` (what the server's checker asks of it, see
    checking.param_rules) and each layer `facts` (what the builder knows of it
    beyond its parameters)."""
    import keras

    from .checking import param_rules  # checking looks blocks up here

    return {
        "keras_version": keras.__version__,
        "categories": [{"name": name, "label": label} for name, label in CATEGORIES],
        "layers": [
            {
                "type": spec.type,
                "category": spec.category,
                "doc": spec.doc,
                "inputs": {"min": spec.min_inputs, "max": spec.max_inputs},
                "params": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "default": to_json(p.default),
                        "required": p.required,
                        "nullable": p.nullable,
                        "choices": to_json(p.choices),
                        "min": p.min,
                        "max": p.max,
                        "length": p.length,
                        "doc": p.doc,
                        "rules": param_rules(p, d.defs.get(p.name)),
                    }
                    for p in spec.params
                ],
                "facts": {
                    "layout": d.layout,
                    "counts_macs": d.macs is not None,
                },
            }
            for d in block_defs().values()
            for spec in [d.spec]
        ],
    }
