"""Same graph, dataset, settings and seed: the same run, however many runs this process made before.

A warm worker keeps state between runs: builder's check memo (builder.validate.OUTCOMES) makes throwaway
layers, each drawing a seed from Python's `random`, only for blocks it has not seen, so a first run and a
later one got different initial weights; Keras's name counters and seed generators, TensorFlow's seeds
and Python's `random` (which other threads draw from) carry over too. trainer.model resets or sidesteps
each of them."""

import itertools
import random
import threading

import numpy as np
import pytest

from trainer.datasets import load_builtin
from trainer.runner import train

SETTINGS = {
    "epochs": 2,
    "max_samples": 300,
    "batch_size": 32,
    "validation_split": 0.2,
    "seed": 0,
    "callbacks": {"tensorboard": False},
}


def chain(input_shape, layers, loss, metrics=("accuracy",)):
    nodes = [{"id": "features", "type": "Input", "params": {"shape": list(input_shape)}}]
    for i, (kind, params) in enumerate(layers):
        nodes.append({"id": f"layer{i}", "type": kind, "params": params})
    nodes.append({"id": "target", "type": "Output", "params": {"loss": loss, "metrics": list(metrics)}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": "determinism", "nodes": nodes, "edges": edges}


# Unseeded initializers and a Dropout (a Keras SeedGenerator), on shuffled batches with a validation split.
GRAPH = chain(
    (64,),
    [("Dense", {"units": 24, "activation": "relu"}), ("Dropout", {"rate": 0.3}), ("Dense", {"units": 10})],
    "sparse_categorical_crossentropy",
)
GRAPH["nodes"][-2]["params"]["activation"] = "softmax"
OTHER = chain(
    (64,),
    [("Dense", {"units": 7, "activation": "tanh"}), ("Dropout", {"rate": 0.5}), ("Dense", {"units": 10})],
    "sparse_categorical_crossentropy",
)


@pytest.fixture(scope="module")
def digits():
    return load_builtin("digits")


def outcome(result) -> dict:
    """What must repeat exactly: every epoch's metrics and lr, the test metrics, the final weights."""
    import keras

    weights = keras.saving.load_model(result.model_path).get_weights()
    return {
        "history": [{k: h[k] for k in ("epoch", "metrics", "lr")} for h in result.history],
        "test": result.test,
        "weights": [w.tolist() for w in weights],
    }


def test_three_runs_in_one_process_are_identical(digits, tmp_path):
    from builder.validate import OUTCOMES

    OUTCOMES.clear()  # the first run checks the graph on a cold memo, as in a fresh worker; the others warm
    runs = [outcome(train(GRAPH, digits, SETTINGS, workdir=tmp_path / str(i))) for i in range(3)]
    assert len(runs[0]["history"]) == 2 and set(runs[0]["test"]) == {"loss", "accuracy"}
    assert runs[0]["history"][0]["metrics"]["loss"] != runs[0]["history"][1]["metrics"]["loss"]  # it trained
    assert runs[1] == runs[0]
    assert runs[2] == runs[0]


def test_an_unrelated_run_and_stray_random_draws_in_between_change_nothing(digits, tmp_path):
    first = outcome(train(GRAPH, digits, SETTINGS, workdir=tmp_path / "first"))
    other = train(OTHER, digits, {**SETTINGS, "seed": 7, "batch_size": 16}, workdir=tmp_path / "other")
    assert [h["metrics"] for h in other.history] != first["history"]
    random.random()  # state any other code may leave behind
    np.random.random()
    drawing = threading.Event()

    def draw():  # another thread drawing from Python's `random` meanwhile (as channels_redis does per event)
        while not drawing.is_set():
            random.getrandbits(96)

    thread = threading.Thread(target=draw, daemon=True)
    thread.start()
    try:
        again = outcome(train(GRAPH, digits, SETTINGS, workdir=tmp_path / "again"))
    finally:
        drawing.set()
        thread.join(5)
    assert again == first


def test_the_seed_matters(digits, tmp_path):
    zero = outcome(train(GRAPH, digits, SETTINGS, workdir=tmp_path / "zero"))
    one = outcome(train(GRAPH, digits, {**SETTINGS, "seed": 1}, workdir=tmp_path / "one"))
    assert one["history"] != zero["history"] and one["weights"] != zero["weights"]
