"""Refusing a run before it starts when its model is over the parameter limit or will not fit in memory."""

from __future__ import annotations

import math
from typing import Any

from .errors import TrainingError


def check_size(model: Any, params: int, batch_size: int, max_params: int | None) -> None:
    """Refuse models over `max_params` and runs whose rough memory need exceeds what the host has free."""
    if max_params and params > max_params:
        raise TrainingError(
            f"the model has {params:,} parameters, more than this server's limit of {max_params:,}: "
            "use fewer units or filters, or a pooling layer before Flatten"
        )
    need = memory_needed(model, params, batch_size)
    free = free_memory()
    if free and need > 0.9 * free:
        raise TrainingError(
            f"training this model with batch size {batch_size} needs about {need / 2**30:.1f} GiB, more than "
            f"the {free / 2**30:.1f} GiB free on this worker: lower the batch size or make the model smaller"
        )


def memory_needed(model: Any, params: int, batch_size: int) -> int:
    """Bytes, roughly: float32 weights, gradients and two optimizer slots, and every layer's activations
    kept for the backward pass (three times, with their gradients)."""
    activations = 0
    for layer in model.layers:
        try:
            shape = layer.output.shape if not isinstance(layer.output, (list, tuple)) else None
        except (AttributeError, ValueError):
            continue
        if shape is not None:
            activations += math.prod(d or 1 for d in shape[1:])
    return 4 * (4 * params + 3 * batch_size * activations)


def free_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes; None where there is no such file."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
