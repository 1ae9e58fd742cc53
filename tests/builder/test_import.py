"""import_model: .keras files and model JSON back to graph documents."""

import io
import json
import zipfile

import keras
import pytest

import builder
from builder.catalog import check_params
from builder.catalog.registry import to_json
from builder.export import non_default
from builder.templates import example_paths, load_example

NAMES = [p.stem for p in example_paths()]


def meaning(graph: dict) -> tuple[dict, set]:
    """Nodes (type and non-default cleaned params) and edges (ports only into
    multi-input blocks) of a graph, to compare two graphs by what they mean."""
    nodes = {}
    multi = set()
    for n in graph["nodes"]:
        if n["type"] == "Group":  # no catalog block: its params, and its inner blocks and wires
            inner = n.get("graph") or {"nodes": [], "edges": []}
            blocks = sorted((m["id"], m["type"]) for m in inner["nodes"])
            wires = sorted((e["source"], e["target"], e.get("port", 0)) for e in inner["edges"])
            nodes[n["id"]] = ("Group", json.dumps([n["params"], blocks, wires], sort_keys=True))
            continue
        cleaned, problems = check_params(n["type"], n.get("params", {}))
        assert not problems, (n, problems)
        if n["type"] == "Input":
            params = {"shape": to_json(cleaned["shape"]), "dtype": cleaned.get("dtype", "float32")}
        elif n["type"] == "Output":
            params = {
                "loss": cleaned["loss"],
                "loss_weight": cleaned.get("loss_weight", 1.0),
                "metrics": to_json(cleaned.get("metrics", [])),
            }
        else:
            params = to_json(non_default(n["type"], cleaned))
        nodes[n["id"]] = (n["type"], json.dumps(params, sort_keys=True))
        if n["type"] in (
            "Concatenate",
            "Add",
            "Subtract",
            "Multiply",
            "Average",
            "Maximum",
            "Minimum",
            "Dot",
            "MultiHeadAttention",
            "Attention",
            "AdditiveAttention",
        ):
            multi.add(n["id"])
    by_target: dict = {}
    for e in graph["edges"]:
        by_target.setdefault(e["target"], []).append(e)
    edges = set()
    for target, es in by_target.items():
        es = sorted(es, key=lambda e: e.get("port", 0))
        for i, e in enumerate(es):
            edges.add((e["source"], target, i if target in multi else None))
    return nodes, edges


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_through_a_keras_file(name):
    graph = load_example(name)
    imported = builder.import_model(builder.export_keras(graph), filename=f"{name}.keras")
    assert meaning(imported) == meaning(graph)
    assert all({"x", "y"} == set(n["position"]) for n in imported["nodes"])
    assert imported["version"] == graph["version"] and imported["name"] == name  # 2: it has groups
    assert builder.validate_graph(imported)["valid"]


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_through_model_json(name):
    graph = load_example(name)
    text = builder.compile_graph(graph).model.to_json()
    imported = builder.import_model(text.encode(), filename=f"{name}.json")
    nodes, edges = meaning(imported)
    want_nodes, want_edges = meaning(graph)
    assert edges == want_edges
    # model JSON carries no compile config: only the Outputs' losses may differ
    layers = {k: v for k, v in nodes.items() if v[0] != "Output"}
    assert layers == {k: v for k, v in want_nodes.items() if v[0] != "Output"}
    assert {k for k, v in nodes.items() if v[0] == "Output"} == {k for k, v in want_nodes.items() if v[0] == "Output"}


def test_sequential_models_import():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="seq",
    )
    graph = builder.import_model(model.to_json().encode())
    assert [n["type"] for n in graph["nodes"]] == ["Input", "Conv2D", "Flatten", "Dense", "Output"]
    output = graph["nodes"][-1]
    assert output["params"]["loss"] == "categorical_crossentropy"  # a softmax output, no compile config
    result = builder.validate_graph(graph)
    assert result["valid"] and result["total_params"] == model.count_params()


def test_foreign_compile_config_and_list_outputs(tmp_path):
    x = keras.Input((4,), name="features")
    h = keras.layers.Dense(3, name="hidden layer")(x)
    a = keras.layers.Dense(2, activation="softmax", name="a")(h)
    b = keras.layers.Dense(1, name="b")(h)
    model = keras.Model(x, [a, b])
    model.compile(
        loss=[keras.losses.SparseCategoricalCrossentropy(), "mae"],
        loss_weights=[1.0, 0.5],
        metrics=[[keras.metrics.SparseCategoricalAccuracy()], ["mae"]],
    )
    path = tmp_path / "m.keras"
    model.save(path)
    graph = builder.import_model(path.read_bytes())
    ids = [n["id"] for n in graph["nodes"]]
    assert "hidden_layer" in ids  # sanitised to the id rules
    outputs = {n["id"]: n["params"] for n in graph["nodes"] if n["type"] == "Output"}
    assert outputs == {
        "a_out": {"loss": "sparse_categorical_crossentropy", "metrics": ["sparse_categorical_accuracy"]},
        "b_out": {"loss": "mae", "loss_weight": 0.5, "metrics": ["mae"]},
    }
    assert builder.validate_graph(graph)["total_params"] == model.count_params()


def test_lambda_layers_are_refused_by_name():
    x = keras.Input((4,))
    y = keras.layers.Lambda(lambda t: t * 2, name="lambda_3")(x)
    text = keras.Model(x, keras.layers.Dense(1)(y)).to_json()
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(text.encode())
    assert str(info.value) == "layer 'lambda_3' (Lambda) is not in the catalog and cannot be imported"


def test_settings_the_catalog_cannot_show_are_refused():
    x = keras.Input((4,))
    y = keras.layers.Dense(2, kernel_constraint="non_neg", name="constrained")(x)
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(keras.Model(x, y).to_json().encode())
    assert "constrained" in str(info.value)


def test_shared_layers_are_refused():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = keras.layers.Dense(2, name="shared")
    model = keras.Model([a, b], keras.layers.Add()([shared(a), shared(b)]))
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(model.to_json().encode())
    assert "'shared'" in str(info.value) and "shared layer" in str(info.value)


def test_code_from_other_modules_is_refused():
    x = keras.Input((4,))
    config = json.loads(keras.Model(x, keras.layers.Dense(1, name="d")(x)).to_json())
    config["config"]["layers"][1]["module"] = "os"
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(json.dumps(config).encode())
    assert "module 'os'" in str(info.value)


def zip_bytes(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, says",
    [
        (b"this is not a model", "neither a .keras file"),
        (b"", "empty"),
        (b"\x89HDF\r\n\x1a\n" + b"\0" * 20, "HDF5"),
        (b'{"hello": 1}', "not a Keras model"),
        (b"[1, 2]", "not a Keras model"),
        (b"PK\x03\x04garbage", "cannot be read"),
        (zip_bytes({"readme.txt": "no model here"}), "no config.json"),
        (zip_bytes({"config.json": "{not json"}), "not valid JSON"),
        (
            zip_bytes({"config.json": json.dumps({"class_name": "Dense", "config": {}})}),
            "not a Functional or Sequential",
        ),
    ],
)
def test_garbage_is_refused_with_a_message(data, says):
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(data, filename="upload.keras")
    assert says in str(info.value)


def test_a_keras_zip_without_weights_is_refused_readably():
    x = keras.Input((4,))
    config = keras.Model(x, keras.layers.Dense(1)(x)).to_json()
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(zip_bytes({"config.json": config}), filename="m.keras")
    assert str(info.value).startswith("the .keras file could not be loaded")


def test_sequential_without_an_input_layer():
    model = keras.Sequential([keras.layers.Dense(3, name="d")])
    with pytest.raises(builder.ModelImportError) as info:
        builder.import_model(model.to_json().encode())
    assert "no input shape" in str(info.value)
    model.build((None, 5))
    graph = builder.import_model(model.to_json().encode())
    assert graph["nodes"][0]["type"] == "Input" and graph["nodes"][0]["params"]["shape"] == [5]
    assert builder.validate_graph(graph)["total_params"] == 18


def _graph(nodes, edges):
    return {"version": 1, "name": "extra", "nodes": nodes, "edges": edges}


EXTRA = {
    "attention_with_key": _graph(
        [
            {"id": "q", "type": "Input", "params": {"shape": [5, 8]}},
            {"id": "v", "type": "Input", "params": {"shape": [6, 8]}},
            {"id": "k", "type": "Input", "params": {"shape": [6, 8]}},
            {"id": "mha", "type": "MultiHeadAttention", "params": {"num_heads": 2, "key_dim": 4, "dropout": 0.1}},
            {"id": "att", "type": "Attention", "params": {"use_scale": True}},
            {"id": "sum", "type": "Add", "params": {}},
            {"id": "y", "type": "Output", "params": {"loss": "mse"}},
        ],
        [
            {"source": "q", "target": "mha", "port": 0},
            {"source": "v", "target": "mha", "port": 1},
            {"source": "k", "target": "mha", "port": 2},
            {"source": "q", "target": "att", "port": 0},
            {"source": "v", "target": "att", "port": 1},
            {"source": "mha", "target": "sum", "port": 0},
            {"source": "att", "target": "sum", "port": 1},
            {"source": "sum", "target": "y"},
        ],
    ),
    "time_distributed_and_two_heads": _graph(
        [
            {"id": "frames", "type": "Input", "params": {"shape": [5, 8, 8, 1]}},
            {
                "id": "td",
                "type": "TimeDistributed",
                "params": {"layer": {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}}},
            },
            {"id": "flat", "type": "TimeDistributed", "params": {"layer": {"type": "Flatten", "params": {}}}},
            {"id": "rnn", "type": "GRU", "params": {"units": 4, "dropout": 0.2}},
            {"id": "a", "type": "Output", "params": {"loss": "mae", "loss_weight": 2.0, "metrics": ["mse"]}},
            {"id": "b", "type": "Output", "params": {"loss": "huber"}},
        ],
        [
            {"source": "frames", "target": "td"},
            {"source": "td", "target": "flat"},
            {"source": "flat", "target": "rnn"},
            {"source": "rnn", "target": "a"},
            {"source": "rnn", "target": "b"},
        ],
    ),
    "input_straight_to_output": _graph(
        [
            {"id": "x", "type": "Input", "params": {"shape": [3], "dtype": "int32"}},
            {"id": "y", "type": "Output", "params": {"loss": "mse"}},
        ],
        [{"source": "x", "target": "y"}],
    ),
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_round_trips_of_multi_input_wrapper_and_odd_graphs(name):
    graph = EXTRA[name]
    assert builder.validate_graph(graph)["valid"]
    imported = builder.import_model(builder.export_keras(graph))
    assert meaning(imported) == meaning(graph)
    text = builder.compile_graph(graph).model.to_json()
    assert meaning(builder.import_model(text.encode()))[1] == meaning(graph)[1]


def test_an_identity_that_names_the_one_output_becomes_that_output_block(tmp_path):
    x = keras.Input((4,), name="features")
    h = keras.layers.Dense(3, activation="softmax", name="probs")(x)
    model = keras.Model(x, keras.layers.Identity(name="score")(h), name="named")
    model.compile(loss={"score": "sparse_categorical_crossentropy"}, metrics={"score": ["accuracy"]})
    path = tmp_path / "m.keras"
    model.save(path)
    for data in (path.read_bytes(), model.to_json().encode()):
        graph = builder.import_model(data)
        assert [(n["id"], n["type"]) for n in graph["nodes"]] == [
            ("features", "Input"),
            ("probs", "Dense"),
            ("score", "Output"),
        ]
        assert [(e["source"], e["target"]) for e in graph["edges"]] == [("features", "probs"), ("probs", "score")]
        # the compile config's loss and metrics keyed by the output's name
        assert graph["nodes"][-1]["params"] == {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
        assert builder.validate_graph(graph)["total_params"] == model.count_params()


def test_an_identity_inside_the_model_is_still_refused():
    x = keras.Input((4,))
    y = keras.layers.Dense(2, name="d")(keras.layers.Identity(name="inner")(x))
    with pytest.raises(builder.ModelImportError, match="'inner' \\(Identity\\) is not in the catalog"):
        builder.import_model(keras.Model(x, y).to_json().encode())
    z = keras.layers.Identity(name="tap")(x)  # an output that also feeds another layer
    with pytest.raises(builder.ModelImportError, match="'tap' \\(Identity\\) is not in the catalog"):
        builder.import_model(keras.Model(x, [z, keras.layers.Dense(2, name="e")(z)]).to_json().encode())
