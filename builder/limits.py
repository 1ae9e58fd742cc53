"""The model size cap's wording and the stateless parameter count of a Keras model config.

The cap itself is the caller's (the web app's MAX_MODEL_PARAMS, the trainer's --max-params): this
module only says, in one wording, how big a model is against it, and counts a config's parameters
without allocating a weight.
"""

from __future__ import annotations

import copy
from typing import Any

import keras

BYTES_PER_PARAM = 4  # float32 weights


class ModelTooLarge(Exception):
    """A model over the caller's parameter cap; the message names its size and the cap."""

    def __init__(self, params: int, cap: int):
        self.params = params
        self.cap = cap
        super().__init__(over_cap_message(params, cap))


def weights_bytes(params: int) -> int:
    """A rough memory need of the weights alone (float32); building or exporting needs a few times that."""
    return BYTES_PER_PARAM * params


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def over_cap_message(params: int, cap: int) -> str:
    return (
        f"the model has {params:,} parameters (about {_size(weights_bytes(params))} of float32 weights), more "
        f"than this server's limit of {cap:,} parameters ({_size(weights_bytes(cap))}): use fewer units or "
        "filters, or a pooling layer before Flatten"
    )


def config_params(config: Any) -> int:
    """The parameter count of a Keras model config (model.to_json()'s object, or a .keras file's
    config.json), made in a StatelessScope: no weight is allocated. Raises what Keras raises."""
    from .check import _forget_deferred_variables

    with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
        # a copy: deserialising empties the config it is given
        model = keras.saving.deserialize_keras_object(copy.deepcopy(config), safe_mode=True)
        return int(model.count_params()) if isinstance(model, keras.Model) else 0
