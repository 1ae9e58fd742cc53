"""Keras Application blocks (builder/catalog/applications.py, built by builder/pretrained.py): each one validates
with the parameter count keras.applications gives for the same arguments, compiles and trains a step; weights
come from nowhere but a run's .keras (never downloaded); exported scripts build the same network."""

import itertools
import json
import runpy
import socket
import time
from pathlib import Path

import keras
import numpy as np
import pytest

import builder
from builder.catalog import catalog_json, get_spec
from builder.catalog.applications import application_types
from builder.check import _forget_deferred_variables
from builder.pretrained import LOADED, PretrainedError, block_layers, using_resolver

ROOT = Path(__file__).resolve().parents[2]

# type -> (its smallest input, the block's params for the test): small networks where the block has a width.
CASES = {
    "MobileNetV2": ((32, 32, 3), {"alpha": 0.35, "pooling": "avg"}),
    "MobileNetV3Small": ((32, 32, 3), {"alpha": 0.75, "pooling": "max", "minimalistic": True}),
    "MobileNetV3Large": ((32, 32, 3), {"alpha": 0.75, "pooling": "avg"}),
    "ResNet50": ((32, 32, 3), {"pooling": "avg"}),
    "EfficientNetB0": ((32, 32, 3), {"pooling": "avg"}),
    "EfficientNetV2B0": ((32, 32, 3), {"pooling": "avg", "include_preprocessing": False}),
    "DenseNet121": ((32, 32, 3), {"pooling": "max"}),
    "VGG16": ((32, 32, 3), {}),  # pooling null: the last feature map, then Flatten
    "Xception": ((71, 71, 3), {"pooling": "avg"}),
    "ConvNeXtTiny": ((32, 32, 3), {"pooling": "avg"}),
}


def graph(type_name: str, shape=None, **params) -> dict:
    shape = shape or CASES[type_name][0]
    nodes = [
        {"id": "image", "type": "Input", "params": {"shape": list(shape)}},
        {"id": "base", "type": type_name, "params": params},
        {"id": "flat", "type": "Flatten", "params": {}},
        {"id": "head", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
        {"id": "label", "type": "Output", "params": {"loss": "sparse_categorical_crossentropy"}},
    ]
    chain = ["image", "base", "flat", "head", "label"]
    return {
        "version": 1,
        "nodes": nodes,
        "edges": [{"source": a, "target": b} for a, b in itertools.pairwise(chain)],
    }


def reference(type_name: str, shape, **params) -> keras.Model:
    """keras.applications' own network for the same arguments (symbolic: no weight is allocated)."""
    with keras.StatelessScope(initialize_variables=False), _forget_deferred_variables():
        fn = getattr(keras.applications, type_name)
        model = fn(input_shape=shape, include_top=False, weights=None, **params)
        trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        return model, int(model.count_params()), tuple(model.output.shape), trainable


def test_the_catalog_lists_every_application_as_one_block():
    assert set(CASES) == application_types()
    listed = {layer["type"]: layer for layer in catalog_json()["layers"]}
    for type_name in CASES:
        entry = listed[type_name]
        assert entry["category"] == "applications"
        assert "weights=None" in entry["doc"] and "nothing is downloaded" in entry["doc"]
        params = {p["name"]: p for p in entry["params"]}
        # the include_top=false and weights=None: accepted, and nothing else (the input shape is the wire's)
        assert params["include_top"]["choices"] == [False] and params["include_top"]["default"] is False
        assert params["weights"]["choices"] == [None] and params["weights"]["default"] is None
        assert "input_shape" not in params
        assert params["weights_run"]["default"] is None and params["weights_run"]["nullable"]
        assert params["pooling"]["choices"] == [None, "avg", "max"]
    assert {"alpha"} <= {p["name"] for p in listed["MobileNetV2"]["params"]}
    assert "alpha" not in {p["name"] for p in listed["ResNet50"]["params"]}


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_validates_fast_with_keras_own_parameter_count(type_name):
    shape, params = CASES[type_name]
    _, want, out_shape, trainable = reference(type_name, shape, **params)
    start = time.perf_counter()
    result = builder.validate_graph(graph(type_name, **params))
    took = time.perf_counter() - start
    assert result["valid"], result["errors"]
    node = result["nodes"]["base"]
    assert node["params"] == want
    assert tuple(node["output_shape"]) == out_shape
    assert node["trainable_params"] == trainable  # BatchNormalization's moving statistics do not train
    # Built in a StatelessScope: under a second on a quiet machine (the bound allows a busy one).
    assert took < 8, f"{type_name} took {took:.1f} s to check"


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_compiles_and_trains_one_step(type_name):
    shape, params = CASES[type_name]
    compiled = builder.compile_graph(graph(type_name, **params))
    model = compiled.model
    base = model.get_layer("base")
    assert isinstance(base, keras.Model)
    assert base.count_params() == reference(type_name, shape, **params)[1]
    before = [w.numpy().copy() for w in base.trainable_weights[:2]]
    model.compile(optimizer="sgd", run_eagerly=True, **compiled.compile_kwargs())  # one step: no tracing
    x = np.random.default_rng(0).uniform(0, 255, size=(2, *shape)).astype("float32")
    loss = model.train_on_batch({"image": x}, np.array([0, 2]))
    assert np.isfinite(loss)
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, base.trainable_weights[:2], strict=False))


def test_input_shape_comes_from_the_wire_and_too_small_an_image_is_refused():
    small = builder.validate_graph(graph("Xception", shape=(64, 64, 3), pooling="avg"))
    assert not small["valid"]
    (error,) = small["errors"]
    assert error["node"] == "base" and "at least 71x71" in error["message"] and "(None, 64, 64, 3)" in error["message"]
    flat = builder.validate_graph(
        {
            "version": 1,
            "nodes": [
                {"id": "x", "type": "Input", "params": {"shape": [12]}},
                {"id": "base", "type": "MobileNetV2", "params": {}},
            ],
            "edges": [{"source": "x", "target": "base"}],
        }
    )
    messages = [e["message"] for e in flat["errors"] if e["node"] == "base"]
    assert messages == [
        "MobileNetV2: takes images (batch, height, width, channels); this block gets (None, 12): add a Reshape"
    ]
    # Any channel count: the first convolution takes what the wire brings.
    gray = builder.validate_graph(graph("MobileNetV2", shape=(40, 48, 1), alpha=0.35))
    assert gray["valid"]
    _, want, _, _ = reference("MobileNetV2", (40, 48, 1), alpha=0.35)
    assert gray["nodes"]["base"]["params"] == want


def test_params_are_checked_like_any_block():
    bad = builder.validate_graph(graph("MobileNetV2", alpha=5, pooling="mean"))
    assert not bad["valid"]
    params = {e.get("param") for e in bad["errors"]}
    assert {"alpha", "pooling"} <= params
    with_top = builder.validate_graph(graph("ResNet50", include_top=True, weights="imagenet"))
    assert {(e.get("param"), e["message"]) for e in with_top["errors"]} == {
        ("include_top", "include_top must be one of false; got true"),
        ("weights", 'weights must be one of null; got "imagenet"'),
    }
    unknown = builder.validate_graph(graph("ResNet50", classes=10))
    assert any("unknown parameter 'classes'" in e["message"] for e in unknown["errors"])


def test_inner_layers_list_the_network(tmp_path):
    layers = block_layers("MobileNetV2", {"alpha": 0.35, "pooling": "avg"}, ((None, 32, 32, 3), "float32"))
    model, want, _, _ = reference("MobileNetV2", (32, 32, 3), alpha=0.35, pooling="avg")
    # The input and the pooling layer are named by Keras's global counters; the rest by the network.
    assert [(e["class_name"], e["params"]) for e in layers] == [
        (type(layer).__name__, layer.count_params()) for layer in model.layers
    ]
    assert [e["name"] for e in layers[1:-1]] == [layer.name for layer in model.layers[1:-1]]
    assert sum(entry["params"] for entry in layers) == want
    first_conv = next(entry for entry in layers if entry["class_name"] == "Conv2D")
    assert first_conv["output_shape"] == [None, 16, 16, 16]


def test_nothing_is_downloaded(tmp_path, monkeypatch):
    """Keras's cache pointed at an empty folder and every connection refused: checking, compiling and
    exporting every Application block fetches and creates nothing."""
    from keras.src.backend import config

    home = tmp_path / "keras-home"
    home.mkdir()
    monkeypatch.setattr(config, "_KERAS_DIR", str(home))
    attempts: list = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError(f"no network in this test: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    for type_name, (_shape, params) in CASES.items():
        doc = graph(type_name, **params)
        assert builder.validate_graph(doc)["valid"]
        builder.export_python(doc)
    builder.compile_graph(graph("MobileNetV2", alpha=0.35))
    assert attempts == []
    assert list(home.iterdir()) == []
    # The guard does refuse: a download would have failed here, not passed unseen.
    with pytest.raises(OSError):
        socket.create_connection(("storage.googleapis.com", 443))
    assert attempts


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> tuple[Path, keras.Model]:
    """A run's model with a MobileNetV2 in it, its weights not the initial ones, saved as a run's .keras is."""
    model = builder.compile_graph(graph("MobileNetV2", alpha=0.35, pooling="avg")).model
    rng = np.random.default_rng(1)
    for w in model.get_layer("base").weights:
        w.assign(rng.normal(size=w.shape).astype("float32"))
    path = tmp_path_factory.mktemp("apps") / "run-5.keras"
    model.save(path)
    return path, model


def run_resolver(path: Path):
    def resolve(kind: str, ident: int) -> Path:
        if (kind, ident) != ("run", 5):
            raise PretrainedError(f"{kind} {ident} not found")
        return path

    return resolve


def test_weights_run_copies_the_trained_network(trained_run):
    path, source = trained_run
    doc = graph("MobileNetV2", alpha=0.35, pooling="max", weights_run=5)  # pooling holds no weight
    doc["nodes"][0]["params"]["shape"] = [48, 48, 3]  # nor does the image size
    with using_resolver(run_resolver(path)):
        result = builder.validate_graph(doc)
        assert result["valid"], result["errors"]
        model = builder.compile_graph(doc).model
    for got, want in zip(model.get_layer("base").weights, source.get_layer("base").weights, strict=True):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_weights_run_refused_when_it_is_not_the_same_network_or_not_theirs(trained_run):
    path, _ = trained_run
    with using_resolver(run_resolver(path)):
        other = builder.validate_graph(graph("MobileNetV2", alpha=0.5, weights_run=5))
        missing = builder.validate_graph(graph("MobileNetV2", alpha=0.35, weights_run=6))
    assert "run 5 has no MobileNetV2 with these settings" in other["errors"][0]["message"]
    assert missing["errors"][0] == {"node": "base", "message": "MobileNetV2: run 6 not found"}
    signed_out = builder.validate_graph(graph("MobileNetV2", alpha=0.35, weights_run=5))
    assert "sign in" in signed_out["errors"][0]["message"]


def test_a_run_trained_with_an_application_serves_as_a_pretrained_block(tmp_path):
    """Its saved network holds EfficientNet's Normalization (no block of its own): accepted inside it."""
    model = builder.compile_graph(graph("EfficientNetB0", pooling="avg")).model
    path = tmp_path / "run-5.keras"
    model.save(path)
    LOADED.clear()
    doc = graph("EfficientNetB0")
    doc["nodes"][1] = {"id": "base", "type": "Pretrained", "params": {"run": 5, "cut_at": "base"}}
    with using_resolver(run_resolver(path)):
        result = builder.validate_graph(doc)
    assert result["valid"], result["errors"]
    assert result["nodes"]["base"]["params"] == model.get_layer("base").count_params()
    assert result["nodes"]["base"]["trainable_params"] == 0


def test_exported_script_builds_the_same_network(tmp_path, trained_run):
    doc = graph("MobileNetV2", alpha=0.35, pooling="avg")
    script = tmp_path / "model.py"
    script.write_text(builder.export_python(doc))
    assert "keras.applications.MobileNetV2(" in script.read_text() and "weights=None" in script.read_text()
    made = runpy.run_path(str(script))["build_model"]()
    assert made.count_params() == builder.compile_graph(doc).model.count_params()
    # weights_run: the script copies them from the run's file, by a path constant.
    path, source = trained_run
    with using_resolver(run_resolver(path)):
        text = builder.export_python(graph("MobileNetV2", alpha=0.35, pooling="avg", weights_run=5))
    assert "BASE_WEIGHTS_PATH = 'run-5.keras'" in text
    assert all(len(line) <= 79 for line in text.splitlines())
    script.write_text(text.replace("'run-5.keras'", repr(str(path))))
    made = runpy.run_path(str(script))["build_model"]()
    np.testing.assert_array_equal(
        made.get_layer("base").weights[0].numpy(), source.get_layer("base").weights[0].numpy()
    )


def test_every_application_param_default_is_keras_own():
    import inspect

    for type_name in CASES:
        signature = inspect.signature(getattr(keras.applications, type_name)).parameters
        for p in get_spec(type_name).params:
            if p.name not in ("weights_run", "include_top", "weights"):  # those two are fixed here, not Keras's
                assert p.default == signature[p.name].default, (type_name, p.name)
    assert json.dumps(catalog_json())  # still plain JSON


@pytest.mark.parametrize("type_name", ["MobileNetV3Small", "EfficientNetB0", "ConvNeXtTiny"])
def test_an_imported_file_holding_a_network_gets_its_block_back(type_name, tmp_path):
    """A nested model that is an Application's network (by layer classes and weight shapes) imports as its
    block with its params; EfficientNet's Normalization and ConvNeXt's LayerScale are accepted inside it."""
    _, params = CASES[type_name]
    doc = graph(type_name, **params)
    path = tmp_path / "model.keras"
    builder.compile_graph(doc).model.save(path)
    imported = builder.import_model(path.read_bytes(), filename="model.keras")
    base = next(n for n in imported["nodes"] if n["id"] == "base")
    assert base["type"] == type_name and base["params"] == params
    assert builder.validate_graph(imported)["total_params"] == builder.validate_graph(doc)["total_params"]
