"""Groups of blocks (docs/DESIGN.md, "Groups"): a Group node holds an inner graph, checked under its
path, compiled to a nested functional keras.Model named after it, shared by `params.shares`, written
out as a function of its own, and read back from a .keras file holding nested models."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path

import keras
import pytest

import builder
from builder.templates import load_example

ROOT = Path(__file__).resolve().parents[2]


def group(gid: str, nodes: list[dict], edges: list[dict], **extra) -> dict:
    return {"id": gid, "type": "Group", "params": {}, "graph": {"nodes": nodes, "edges": edges}, **extra}


def port_in(pid: str = "x", **params) -> dict:
    return {"id": pid, "type": "Input", "params": params}


def port_out(pid: str = "y") -> dict:
    return {"id": pid, "type": "Output", "params": {}}


def dense(nid: str, units: int, **params) -> dict:
    return {"id": nid, "type": "Dense", "params": {"units": units, **params}}


def chain(*ids: str) -> list[dict]:
    return [{"source": a, "target": b} for a, b in itertools.pairwise(ids)]


def model_doc(nodes: list[dict], edges: list[dict], shape=(8,), version: int = 2) -> dict:
    head = {"id": "features", "type": "Input", "params": {"shape": list(shape)}}
    tail = {"id": "label", "type": "Output", "params": {"loss": "mse"}}
    return {"version": version, "name": "grouped", "nodes": [head, *nodes, tail], "edges": edges}


def mlp_group(gid: str = "encoder", units: int = 4) -> dict:
    return group(gid, [port_in(), dense("hidden", units, activation="relu"), port_out()], chain("x", "hidden", "y"))


def simple() -> dict:
    return model_doc(
        [mlp_group(), dense("head", 1)],
        chain("features", "encoder", "head", "label"),
    )


# ---------------------------------------------------------------- checking


def test_a_group_is_checked_under_its_path_and_carries_its_sums():
    result = builder.validate_graph(simple())
    assert result["valid"], result["errors"]
    nodes = result["nodes"]
    assert {"encoder", "encoder/x", "encoder/hidden", "encoder/y"} <= set(nodes)
    assert nodes["encoder/x"]["output_shape"] == [None, 8]  # the shape of the wire into the group
    assert nodes["encoder/hidden"]["params"] == 8 * 4 + 4
    assert nodes["encoder"] == {
        "output_shape": [None, 4],
        "params": 36,
        "trainable_params": 36,
        "macs": 32,
    }
    assert result["total_params"] == 36 + 5 and result["total_macs"] == 32 + 4
    edges = {(e["source"], e["target"]): e["shape"] for e in result["edges"]}
    assert edges[("encoder/x", "encoder/hidden")] == [None, 8]
    assert edges[("encoder", "head")] == [None, 4]


def test_version_1_documents_load_unchanged_and_2_is_taken():
    plain = load_example("mnist_mlp")
    assert plain["version"] == 1
    before = copy.deepcopy(plain)
    assert builder.validate_graph(plain)["valid"] and plain == before
    doc = simple()
    for version in (1, 2):
        doc["version"] = version
        assert builder.validate_graph(doc)["valid"]


def test_nested_groups_are_reported_as_a_b_c():
    inner = group("b", [port_in("i"), dense("c", 3), port_out("o")], chain("i", "c", "o"))
    outer = group("a", [port_in(), inner, port_out()], chain("x", "b", "y"))
    doc = model_doc([outer], chain("features", "a", "label"))
    result = builder.validate_graph(doc)
    assert result["valid"], result["errors"]
    assert result["nodes"]["a/b/c"]["params"] == 8 * 3 + 3
    assert result["nodes"]["a/b"]["params"] == result["nodes"]["a"]["params"] == 27
    assert ("a/b/i", "a/b/c") in {(e["source"], e["target"]) for e in result["edges"]}
    model = builder.compile_graph(doc).model
    a = model.get_layer("a")
    assert isinstance(a, keras.Model) and isinstance(a.get_layer("b"), keras.Model)
    assert model.count_params() == result["total_params"] == 27


def test_an_error_inside_a_group_names_its_path_and_group():
    doc = simple()
    doc["nodes"][1]["graph"]["nodes"][1]["params"]["units"] = 0
    result = builder.validate_graph(doc)
    assert not result["valid"]
    (problem,) = result["errors"]
    assert problem["node"] == "encoder/hidden" and problem["param"] == "units"
    assert problem["message"].startswith("in group encoder: ")
    # nested: "a/b/c", and the message names the inner group by its path
    inner = group("b", [port_in("i"), {"id": "c", "type": "Conv2D", "params": {"filters": 2}}, port_out("o")], [])
    inner["graph"]["edges"] = chain("i", "c", "o")
    outer = group("a", [port_in(), inner, port_out()], chain("x", "b", "y"))
    result = builder.validate_graph(model_doc([outer], chain("features", "a", "label")))
    assert [(e["node"], e["message"][:14]) for e in result["errors"]] == [("a/b/c", "in group a/b: ")]
    assert "kernel_size" in result["errors"][0]["message"]


def test_a_keras_error_inside_a_group_is_on_the_inner_block():
    conv = group(
        "g", [port_in(), {"id": "conv", "type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}}, port_out()], []
    )
    conv["graph"]["edges"] = chain("x", "conv", "y")
    result = builder.validate_graph(model_doc([conv], chain("features", "g", "label")))
    (problem,) = result["errors"]
    assert problem["node"] == "g/conv" and problem["message"].startswith("in group g: ")
    assert result["nodes"]["g/x"]["output_shape"] == [None, 8]  # shapes up to the broken block


@pytest.mark.parametrize(
    ("change", "node", "words"),
    [
        (lambda g: g["graph"]["nodes"].pop(0), "encoder", "no Input block"),
        (lambda g: g["graph"]["nodes"].pop(), "encoder", "no Output block"),
        (lambda g: g.pop("graph"), "encoder", "a Group needs a graph"),
        (lambda g: g["graph"]["nodes"][2].update(params={"loss": "mse"}), "encoder/y", "takes no loss"),
        (lambda g: g["graph"]["nodes"][0].update(params={"shape": [9]}), "encoder/x", "says shape (None, 9)"),
        (lambda g: g["params"].update(units=3), "encoder", "no parameter 'units'"),
    ],
)
def test_a_broken_group_says_what_is_wrong(change, node, words):
    doc = simple()
    change(doc["nodes"][1])
    result = builder.validate_graph(doc)
    assert not result["valid"]
    assert any(e["node"] == node and words in e["message"] for e in result["errors"]), result["errors"]


def test_a_group_takes_one_input_per_port():
    doc = simple()
    doc["edges"].append({"source": "features", "target": "encoder", "port": 1})
    result = builder.validate_graph(doc)
    assert any(
        e["node"] == "encoder" and "takes exactly 1 input (its Input blocks 'x')" in e["message"]
        for e in result["errors"]
    ), result["errors"]


def test_several_ports_in_and_out():
    two = group(
        "split",
        [
            port_in("a"),
            port_in("b"),
            {"id": "join", "type": "Concatenate", "params": {}},
            dense("wide", 6),
            port_out("joined"),
            port_out("narrow"),
        ],
        [
            {"source": "a", "target": "join", "port": 0},
            {"source": "b", "target": "join", "port": 1},
            {"source": "join", "target": "joined"},
            {"source": "join", "target": "wide"},
            {"source": "wide", "target": "narrow"},
        ],
    )
    doc = model_doc(
        [two, dense("head", 1)],
        [
            {"source": "features", "target": "split", "port": 0},
            {"source": "features", "target": "split", "port": 1},
            {"source": "split", "target": "head", "source_port": 1},
            {"source": "head", "target": "label"},
        ],
    )
    result = builder.validate_graph(doc)
    assert result["valid"], result["errors"]
    assert result["nodes"]["split"]["output_shape"] == [None, 16]
    assert result["nodes"]["split"]["output_shapes"] == [[None, 16], [None, 6]]
    assert [e["shape"] for e in result["edges"] if e["source"] == "split"] == [[None, 6]]
    model = builder.compile_graph(doc).model
    assert model.count_params() == result["total_params"] == 16 * 6 + 6 + 6 + 1
    namespace: dict = {"__name__": "exported"}
    exec(compile(builder.export_python(doc), "script.py", "exec"), namespace)
    assert namespace["build_model"]().count_params() == model.count_params()
    normal = builder.normalise_graph(doc)
    assert normal["version"] == 2 and builder.normalise_graph(normal) == normal
    assert {"source": "split", "target": "head", "source_port": 1} in normal["edges"]
    bad = copy.deepcopy(doc)
    bad["edges"][2]["source_port"] = 2
    assert any("group 'split' has 2 output port(s)" in e["message"] for e in builder.validate_graph(bad)["errors"])


def test_trainable_and_frozen_weights_are_summed():
    norm = group(
        "norm",
        [port_in(), {"id": "bn", "type": "BatchNormalization", "params": {}}, port_out()],
        chain("x", "bn", "y"),
    )
    result = builder.validate_graph(model_doc([norm], chain("features", "norm", "label")))
    assert result["nodes"]["norm"]["params"] == 4 * 8 and result["nodes"]["norm"]["trainable_params"] == 2 * 8
    assert (result["total_params"], result["trainable_params"]) == (32, 16)


# ---------------------------------------------------------------- shared groups


def siamese_by_hand() -> keras.Model:
    image = keras.Input((28, 28))
    h = keras.layers.Dense(64, activation="relu")(keras.layers.Flatten()(image))
    encoder = keras.Model(image, keras.layers.Dense(32)(h))
    left, right = keras.Input((28, 28)), keras.Input((28, 28))
    d = keras.layers.Subtract()([encoder(left), encoder(right)])
    score = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Multiply()([d, d]))
    return keras.Model([left, right], score)


def test_a_shared_group_calls_the_same_model_and_counts_its_weights_once():
    graph = load_example("siamese")
    result = builder.validate_graph(graph)
    assert result["valid"], result["errors"]
    assert result["nodes"]["encoder_b"]["params"] == 0  # the weights are the encoder's
    assert result["nodes"]["encoder_b"]["macs"] == result["nodes"]["encoder"]["macs"] > 0  # computed twice
    assert "encoder_b/embed" not in result["nodes"]
    model = builder.compile_graph(graph).model
    assert model.count_params() == result["total_params"] == siamese_by_hand().count_params() == 52353
    encoder = model.get_layer("encoder")
    assert isinstance(encoder, keras.Model) and len(encoder._inbound_nodes) == 2  # called twice
    assert model.get_layer("encoder_b").count_params() == 0  # the call's name (an Identity)


def test_shared_weights_need_inputs_of_the_same_shape():
    graph = load_example("siamese")
    graph["nodes"][1]["params"]["shape"] = [14, 56]
    result = builder.validate_graph(graph)
    (problem,) = result["errors"]
    assert problem["node"] == "encoder_b" and "shared weights need inputs of the same shapes" in problem["message"]


@pytest.mark.parametrize(
    ("shares", "words"),
    [
        ("nothing", "which is no block here"),
        ("left", "which is an Input, not a Group"),
        ("encoder_b", "its own weights"),
    ],
)
def test_shares_must_name_another_group(shares, words):
    graph = load_example("siamese")
    graph["nodes"][3]["params"]["shares"] = shares
    result = builder.validate_graph(graph)
    assert any(e["node"] == "encoder_b" and words in e["message"] for e in result["errors"]), result["errors"]


# ---------------------------------------------------------------- compile, export, import


def test_small_resnet_groups_compile_to_what_hand_written_keras_gives():
    image = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(image)
    for _ in range(2):
        inp = keras.Input((28, 28, 16))
        h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inp)
        h = keras.layers.Conv2D(16, 3, padding="same")(h)
        block = keras.Model(inp, keras.layers.Activation("relu")(keras.layers.Add()([h, inp])))
        x = block(x)
    probs = keras.layers.Dense(10, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x))
    by_hand = keras.Model(image, probs)
    model = builder.compile_graph(load_example("small_resnet")).model
    assert model.count_params() == by_hand.count_params() == 9610
    assert [layer.name for layer in model.layers if isinstance(layer, keras.Model)] == ["res1", "res2"]
    assert [layer.name for layer in model.get_layer("res1").layers][-1] == "y"  # the port's name


@pytest.mark.parametrize("name", ["small_resnet", "siamese"])
def test_the_exported_script_writes_a_function_per_group_and_builds_the_same_count(name):
    graph = load_example(name)
    source = builder.export_python(graph)
    groups = [n["id"] for n in graph["nodes"] if n["type"] == "Group" and "graph" in n]
    for gid in groups:
        assert f"def {gid}_block():" in source
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, "script.py", "exec"), namespace)
    model = namespace["build_model"]()
    compiled = builder.compile_graph(graph).model
    assert model.count_params() == compiled.count_params()
    assert [layer.name for layer in model.layers] == [layer.name for layer in compiled.layers]
    assert all(isinstance(namespace[f"{gid}_block"](), keras.Model) for gid in groups)


def test_a_nested_keras_model_imports_as_a_group(tmp_path):
    inp = keras.Input((6,), name="inner_in")
    block = keras.Model(inp, keras.layers.Dense(3, name="proj")(inp), name="block")
    x = keras.Input((6,), name="x")
    y = keras.layers.Dense(2, activation="softmax", name="probs")(block(x))
    model = keras.Model(x, y, name="outer")
    model.save(tmp_path / "m.keras")
    graph = builder.import_model((tmp_path / "m.keras").read_bytes())
    assert graph["version"] == 2
    (grouped,) = [n for n in graph["nodes"] if n["type"] == "Group"]
    assert grouped["id"] == "block" and grouped["params"] == {}
    inner = grouped["graph"]
    assert [(n["id"], n["type"]) for n in inner["nodes"]] == [
        ("inner_in", "Input"),
        ("proj", "Dense"),
        ("proj_out", "Output"),
    ]
    result = builder.validate_graph(graph)
    assert result["valid"], result["errors"]
    assert result["total_params"] == model.count_params() == 6 * 3 + 3 + 3 * 2 + 2


def test_a_shared_group_survives_a_round_trip_through_keras_and_model_json():
    graph = load_example("siamese")
    for data in (builder.export_keras(graph), builder.compile_graph(graph).model.to_json().encode()):
        imported = builder.import_model(data)
        by_id = {n["id"]: n for n in imported["nodes"]}
        assert by_id["encoder"]["type"] == "Group" and "graph" in by_id["encoder"]
        assert by_id["encoder_b"] == {**by_id["encoder_b"], "type": "Group", "params": {"shares": "encoder"}}
        assert "graph" not in by_id["encoder_b"]
        inner = {n["id"]: n["type"] for n in by_id["encoder"]["graph"]["nodes"]}
        assert inner == {
            "image": "Input",
            "flat": "Flatten",
            "hidden": "Dense",
            "embed": "Dense",
            "embedding": "Output",
        }
        result = builder.validate_graph(imported)
        assert result["valid"] and result["total_params"] == 52353


def test_a_model_called_twice_without_names_still_imports():
    inp = keras.Input((4,))
    shared = keras.Model(inp, keras.layers.Dense(2, name="d")(inp), name="twin")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    out = keras.layers.Add(name="sum")([shared(a), shared(b)])
    model = keras.Model([a, b], out)
    graph = builder.import_model(model.to_json().encode())
    groups = {n["id"]: n["params"] for n in graph["nodes"] if n["type"] == "Group"}
    assert groups == {"twin": {}, "twin_2": {"shares": "twin"}}
    assert builder.validate_graph(graph)["total_params"] == model.count_params() == 10


def test_group_documents_round_trip_through_json():
    graph = json.loads((ROOT / "builder" / "examples" / "small_resnet.json").read_text())
    normal = builder.normalise_graph(graph)
    assert normal["version"] == 2
    res1 = next(n for n in normal["nodes"] if n["id"] == "res1")
    assert next(n["id"] for n in res1["graph"]["nodes"]) == "x" and res1["params"] == {}
    assert builder.validate_graph(normal)["total_params"] == 9610


def test_a_shared_group_with_two_outputs_inside_a_group_goes_everywhere():
    two = group(
        "b",
        [port_in("i"), dense("d1", 3), dense("d2", 2), port_out("o1"), port_out("o2")],
        [
            {"source": "i", "target": "d1"},
            {"source": "i", "target": "d2"},
            {"source": "d1", "target": "o1"},
            {"source": "d2", "target": "o2"},
        ],
    )
    outer = group(
        "a",
        [
            port_in(),
            two,
            {"id": "b2", "type": "Group", "params": {"shares": "b"}},
            {"id": "cat", "type": "Concatenate", "params": {}},
            port_out(),
        ],
        [
            {"source": "x", "target": "b"},
            {"source": "b", "target": "b2", "source_port": 0},
            {"source": "b", "target": "cat", "port": 0, "source_port": 1},
            {"source": "b2", "target": "cat", "port": 1, "source_port": 1},
            {"source": "b2", "target": "cat", "port": 2, "source_port": 0},
            {"source": "cat", "target": "y"},
        ],
    )
    doc = model_doc([outer], chain("features", "a", "label"), shape=(3,))
    result = builder.validate_graph(doc)
    assert result["valid"], result["errors"]
    assert result["nodes"]["a/b2"]["output_shapes"] == [[None, 3], [None, 2]] and result["nodes"]["a/b2"]["params"] == 0
    assert result["nodes"]["a"]["output_shape"] == [None, 7]
    want = 3 * 3 + 3 + 3 * 2 + 2  # b's weights, once
    assert result["total_params"] == builder.compile_graph(doc).model.count_params() == want
    namespace: dict = {"__name__": "exported"}
    exec(compile(builder.export_python(doc), "script.py", "exec"), namespace)
    assert namespace["build_model"]().count_params() == want
    imported = builder.import_model(builder.export_keras(doc))
    (a,) = [n for n in imported["nodes"] if n["id"] == "a"]
    assert {n["id"]: n["params"] for n in a["graph"]["nodes"] if n["type"] == "Group"} == {
        "b": {},
        "b2": {"shares": "b"},
    }
    assert {"source": "b2", "source_port": 1, "target": "cat", "port": 1} in a["graph"]["edges"]
    assert builder.validate_graph(imported)["total_params"] == want


# ---------------------------------------------------------------- warnings inside groups


def test_warnings_reach_blocks_inside_groups_by_path():
    # inside "outer/inner": a Dense that feeds nothing, a Dense on an image (per pixel), an unused port
    deepest = group(
        "inner",
        [port_in(), port_in("spare"), dense("used", 3), dense("dangling", 2), dense("pixels", 2), port_out()],
        [*chain("x", "used", "y"), {"source": "x", "target": "dangling"}, {"source": "x", "target": "pixels"}],
    )
    outer = group(
        "outer",
        [port_in(), port_in("two"), deepest, port_out()],
        [
            {"source": "x", "target": "inner", "port": 0},
            {"source": "two", "target": "inner", "port": 1},
            {"source": "inner", "target": "y"},
        ],
    )
    doc = model_doc(
        [outer],
        [
            {"source": "features", "target": "outer", "port": 0},
            {"source": "features", "target": "outer", "port": 1},
            {"source": "outer", "target": "label"},
        ],
        shape=(4, 4, 3),
    )
    result = builder.validate_graph(doc)
    assert result["valid"], result["errors"]
    by_node: dict[str, list[str]] = {}
    for w in result["warnings"]:
        by_node.setdefault(w["node"], []).append(w["message"])
    assert (
        "in group outer/inner: 'dangling' leads to no Output, so it is left out of the model: "
        "connect it to an Output or delete it"
    ) in by_node["outer/inner/dangling"]
    [spare] = by_node["outer/inner/spare"]
    assert spare.startswith("in group outer/inner: Input 'spare' is not connected to anything")
    assert "the group's input on this port is not used" in spare
    # a block's own rule sees the wire's shape inside the group
    [per_pixel] = by_node["outer/inner/used"]
    assert per_pixel.startswith("in group outer/inner: Dense acts on the last axis only: on (None, 4, 4, 3)")
    assert len(by_node["outer/inner/pixels"]) == 2  # feeds nothing, and per pixel
    # the markers and the groups themselves have none
    assert set(by_node) == {"outer/inner/dangling", "outer/inner/spare", "outer/inner/used", "outer/inner/pixels"}


def test_a_dropout_may_end_a_group_but_not_the_model():
    inner = group(
        "drop", [port_in(), {"id": "d", "type": "Dropout", "params": {"rate": 0.5}}, port_out()], chain("x", "d", "y")
    )
    result = builder.validate_graph(model_doc([inner, dense("head", 1)], chain("features", "drop", "head", "label")))
    assert result["valid"], result["errors"]
    assert result["warnings"] == []
    bare = model_doc([{"id": "d", "type": "Dropout", "params": {"rate": 0.5}}], chain("features", "d", "label"))
    assert [w["node"] for w in builder.validate_graph(bare)["warnings"]] == ["label"]


def test_the_output_warnings_follow_the_wire_into_a_group():
    # the block that ends the model is inside a group (nested): the loss-vs-activation check sees it there
    inner = group("inner", [port_in(), dense("probs", 3), port_out()], chain("x", "probs", "y"))
    outer = group("outer", [port_in(), inner, port_out()], chain("x", "inner", "y"))
    doc = model_doc([outer], chain("features", "outer", "label"))
    doc["nodes"][-1]["params"] = {"loss": "sparse_categorical_crossentropy"}
    result = builder.validate_graph(doc)
    assert result["valid"], result["errors"]
    assert [(w["node"], w["message"]) for w in result["warnings"]] == [
        (
            "label",
            "sparse_categorical_crossentropy expects probabilities, but 'outer/inner/probs' has no activation: "
            "set its activation to softmax",
        )
    ]
    inner["graph"]["nodes"][1]["params"]["activation"] = "softmax"
    assert builder.validate_graph(doc)["warnings"] == []
    # a shared group's last block is its owner's; a Dropout ending the model through a group is named
    dropping = group(
        "enc", [port_in(), {"id": "d", "type": "Dropout", "params": {"rate": 0.5}}, port_out()], chain("x", "d", "y")
    )
    twin = {"id": "twin", "type": "Group", "params": {"shares": "enc"}}
    doc = model_doc([dropping, twin], chain("features", "enc", "twin", "label"))
    [warning] = builder.validate_graph(doc)["warnings"]
    assert warning["node"] == "label" and warning["message"].startswith("'enc/d' is a Dropout right before the Output")
