"""The Keras model of a run: built in a fresh, seeded Keras session, so the same graph and seed give the same
initial weights in any process, whatever it built before.

What a warm process carries from one run to the next, and what resets it here:
builder's check memo (builder.validate.OUTCOMES) makes throwaway layers only for blocks it has not seen, and
each of their initializers draws a seed from Python's `random`; Keras's name counters, global SeedGenerator
and dtype policy live in its global state; TensorFlow keeps a global seed and an op seed counter. So the
session is cleared, the graph checked, and only then are all seeds set, right before the layers are made.
Python's global `random` is shared with other threads too (in the worker, channels_redis draws a random
prefix for every event it sends), so Keras draws the layers' seeds from a private generator seeded alike.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator
from typing import Any

from .device import configure_device


def fresh_session() -> dict:
    """Forget every model, layer name and seed generator this process made, set the device's dtype policy
    again (clear_session resets it) and make TensorFlow's ops deterministic
    (tf.config.experimental.enable_op_determinism: process-wide, and there is no public way back).
    Returns configure_device()'s answer."""
    import keras
    import tensorflow as tf

    keras.backend.clear_session()
    tf.config.experimental.enable_op_determinism()
    return configure_device()


def freeze_imports() -> None:
    """Move every object alive now (in a worker: the modules of Django, TensorFlow, Keras and the catalog, half
    a million objects) out of the garbage collector's sight (gc.freeze), so the full collection each run's
    clear_session() makes looks only at what was made since: the last run's models and graphs. Call it once
    in a long-lived process, after its imports and before its first run; what it froze is still freed when
    its last reference goes, only never collected as a cycle."""
    import gc

    gc.collect()
    gc.freeze()


def build_model(graph: dict, seed: int) -> Any:
    """builder's CompiledGraph for `graph` (builder.GraphInvalid if it is not valid), its layers made right
    after keras.utils.set_random_seed(seed): the initial weights depend on the graph and the seed only.
    Call fresh_session() first for the layer names and seed generators of a first build."""
    import keras

    from builder.compile import checked_graph, model_from_graph

    checked = checked_graph(graph)  # may make memoised throwaway layers: before the seed, never after
    keras.utils.set_random_seed(seed)
    with layer_seeds(seed):
        return model_from_graph(checked)


_layer_seeds_lock = threading.Lock()


@contextlib.contextmanager
def layer_seeds(seed: int) -> Iterator[None]:
    """While the layers are made, Keras's default seeds (each unseeded initializer's and SeedGenerator's,
    keras.src.random.seed_generator.make_default_seed) come from random.Random(seed), not from Python's
    global generator: the same numbers as right after random.seed(seed), whatever other threads draw."""
    from keras.src.random import seed_generator

    with _layer_seeds_lock:
        shared = getattr(seed_generator, "python_random", None)
        if shared is not random:  # a Keras that draws them elsewhere: the global seeding is all there is
            yield
            return
        seed_generator.python_random = random.Random(seed)  # has the randint() Keras calls
        try:
            yield
        finally:
            seed_generator.python_random = shared


def float32_outputs(model: Any) -> Any:
    """Under mixed precision: the same model with every float16 output cast to float32, so losses and softmax
    outputs stay numerically stable; the outputs keep their names and their shape (one tensor or a dict).

    A one-Output model (builder.compile) ends in the Identity layer named after its Output: that Identity is
    made again in float32, which casts its input, so `output_names` stays [the Output id]. Each output of a
    dict (or a single output from another layer) gets a linear Activation in float32."""
    import keras

    outputs = model.output
    single = not isinstance(outputs, dict)
    named = {"output": outputs} if single else dict(outputs)
    if all(str(t.dtype) == "float32" for t in named.values()):
        return model
    if single:
        last = model.get_layer(model.output_names[0])
        if isinstance(last, keras.layers.Identity):
            cast = keras.layers.Identity(name=last.name, dtype="float32")(last.input)
            return keras.Model(model.input, cast, name=model.name)
    taken = {layer.name for layer in model.layers}
    cast_named = {}
    for name, tensor in named.items():
        if str(tensor.dtype) == "float32":
            cast_named[name] = tensor
            continue
        layer_name = f"{name}_float32"
        while layer_name in taken:
            layer_name += "_"
        taken.add(layer_name)
        cast_named[name] = keras.layers.Activation("linear", dtype="float32", name=layer_name)(tensor)
    if single:
        return keras.Model(model.input, cast_named["output"], name=model.name)
    out = keras.Model(model.input, cast_named, name=model.name)
    out.output_names = list(model.output_names)  # the dict's keys, as builder.compile names them
    return out
