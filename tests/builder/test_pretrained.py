"""Pretrained blocks in builder/: resolved through the installed resolver, cut, frozen, counted, built with the
trained weights, exported as a script that loads the file."""

import json
import runpy
from pathlib import Path

import keras
import numpy as np
import pytest

import builder
from builder.pretrained import LOADED, inner_layers, using_resolver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, keras.Model]:
    """fashion_cnn's model, with weights of its own, saved as a run's .keras would be."""
    doc = json.loads((ROOT / "builder" / "examples" / "fashion_cnn.json").read_text())
    model = builder.compile_graph(doc).model
    for w in model.weights:  # not the initial values: weights a build could not make up
        w.assign(np.random.default_rng(0).normal(size=w.shape).astype("float32"))
    path = tmp_path_factory.mktemp("pretrained") / "run-1.keras"
    model.save(path)
    return path, model


def head_graph(**params) -> dict:
    return {
        "version": 1,
        "nodes": [
            {"id": "image", "type": "Input", "params": {"shape": [28, 28, 1]}},
            {"id": "base", "type": "Pretrained", "params": {"run": 1, "cut_at": "drop", **params}},
            {"id": "head", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
            {"id": "label", "type": "Output", "params": {"loss": "sparse_categorical_crossentropy"}},
        ],
        "edges": [
            {"source": "image", "target": "base"},
            {"source": "base", "target": "head"},
            {"source": "head", "target": "label"},
        ],
    }


def resolver(path: Path):
    def resolve(kind: str, ident: int) -> Path:
        if (kind, ident) != ("run", 1):
            raise builder.pretrained.PretrainedError(f"{kind} {ident} not found")
        return path

    return resolve


def params_of(model: keras.Model, names: list[str]) -> int:
    return sum(model.get_layer(n).count_params() for n in names)


def test_frozen_base_counts_only_the_head_as_trainable(trained):
    path, model = trained
    with using_resolver(resolver(path)):
        result = builder.validate_graph(head_graph())
    assert result["valid"], result["errors"]
    base = params_of(model, ["conv1", "conv2"])
    assert result["nodes"]["base"] == {"output_shape": [None, 1600], "params": base, "trainable_params": 0, "macs": 0}
    assert result["nodes"]["head"]["trainable_params"] == 1600 * 3 + 3
    assert result["trainable_params"] == 1600 * 3 + 3
    assert result["total_params"] == base + 1600 * 3 + 3


def test_trainable_and_trainable_from(trained):
    path, model = trained
    with using_resolver(resolver(path)):
        everything = builder.validate_graph(head_graph(trainable=True))
        partial = builder.validate_graph(head_graph(trainable_from="conv2"))
        whole = builder.validate_graph(head_graph(cut_at=None, trainable_from="probs"))
    assert everything["nodes"]["base"]["trainable_params"] == params_of(model, ["conv1", "conv2"])
    assert partial["nodes"]["base"]["trainable_params"] == params_of(model, ["conv2"])
    assert whole["nodes"]["base"]["output_shape"] == [None, 10]
    assert whole["nodes"]["base"]["trainable_params"] == params_of(model, ["probs"])


def test_refusals_name_the_problem(trained):
    path, _ = trained
    nobody = builder.validate_graph(head_graph())
    assert [e["node"] for e in nobody["errors"]] == ["base"]
    assert "sign in" in nobody["errors"][0]["message"]
    with using_resolver(resolver(path)):
        other = builder.validate_graph(
            {
                **head_graph(),
                "nodes": [{**n, "params": {"run": 2}} if n["id"] == "base" else n for n in head_graph()["nodes"]],
            }
        )
        missing = builder.validate_graph(head_graph(cut_at="nope"))
        bad_from = builder.validate_graph(head_graph(trainable_from="probs"))  # after the cut
        both = builder.validate_graph(head_graph(upload=3))
        wrong_shape = builder.validate_graph(
            {
                **head_graph(),
                "nodes": [
                    {"id": "image", "type": "Input", "params": {"shape": [32, 32, 3]}},
                    *head_graph()["nodes"][1:],
                ],
            }
        )
    assert "run 2 not found" in other["errors"][0]["message"]
    assert "no layer 'nope'" in missing["errors"][0]["message"] and "conv1" in missing["errors"][0]["message"]
    assert "trainable_from" in bad_from["errors"][0]["message"]
    assert "exactly one" in both["errors"][0]["message"]
    assert "(None, 28, 28, 1)" in wrong_shape["errors"][0]["message"]


def test_memo_never_skips_the_resolver(trained):
    """A checked outcome is memoised, but the next check without access is refused all the same."""
    path, _ = trained
    with using_resolver(resolver(path)):
        assert builder.validate_graph(head_graph())["valid"]
    assert not builder.validate_graph(head_graph())["valid"]


def test_compiled_model_has_the_trained_weights_frozen(trained):
    path, model = trained
    with using_resolver(resolver(path)):
        compiled = builder.compile_graph(head_graph(trainable_from="conv2"))
    base = compiled.model.get_layer("base")
    for name in ("conv1", "conv2"):
        for got, want in zip(base.get_layer(name).weights, model.get_layer(name).weights, strict=True):
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert not base.get_layer("conv1").trainable and base.get_layer("conv2").trainable
    assert len(compiled.model.trainable_weights) == 4  # conv2's kernel and bias, the head's
    # A fresh copy: the checking cache's model is not the one built.
    assert all(layer is not base for m in LOADED.data.values() for layer in m.layers)


@keras.saving.register_keras_serializable(package="test_pretrained")
class Doubling(keras.layers.Layer):
    """A custom layer: it loads (registered, no lambda), but no block is made of it."""

    def call(self, x):
        return x * 2


def test_catalog_only(tmp_path):
    outside = Doubling
    x = keras.Input((4,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="d")(outside(name="odd")(x)))
    path = tmp_path / "odd.keras"
    model.save(path)
    doc = head_graph(cut_at=None)
    doc["nodes"][0]["params"]["shape"] = [4]
    with using_resolver(lambda kind, ident: path):
        result = builder.validate_graph(doc)
    assert f"outside the block catalog: 'odd' ({outside.__name__})" in result["errors"][0]["message"]


def test_inner_layers_list(trained):
    path, model = trained
    listed = inner_layers(LOADED.get(path))
    assert [entry["name"] for entry in listed] == [layer.name for layer in model.layers]
    conv1 = next(e for e in listed if e["name"] == "conv1")
    assert conv1 == {
        "name": "conv1",
        "class_name": "Conv2D",
        "output_shape": [None, 26, 26, 32],
        "params": model.get_layer("conv1").count_params(),
    }


def test_exported_script_loads_the_file(trained, tmp_path, monkeypatch):
    path, _ = trained
    with using_resolver(resolver(path)):
        script = builder.export_python(head_graph(trainable_from="conv2"))
        expected = builder.compile_graph(head_graph(trainable_from="conv2")).model
    assert "BASE_PATH = 'run-1.keras'" in script
    (tmp_path / "model.py").write_text(script)
    (tmp_path / "run-1.keras").write_bytes(path.read_bytes())
    monkeypatch.chdir(tmp_path)
    model = runpy.run_path(str(tmp_path / "model.py"))["build_model"]()
    assert model.count_params() == expected.count_params()
    assert len(model.trainable_weights) == len(expected.trainable_weights)
