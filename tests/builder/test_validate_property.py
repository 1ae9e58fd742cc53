"""Property tests: validate_graph never raises, always answers the schema, and
its shapes are the compiled model's."""

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import builder
from builder import validate_graph

SIZES = st.sampled_from([2, 3, 4])

SINGLE = {
    "Dense": st.fixed_dictionaries(
        {"units": st.sampled_from([2, 4])}, optional={"activation": st.sampled_from([None, "relu", "softmax"])}
    ),
    "Dropout": st.fixed_dictionaries({"rate": st.floats(0, 0.9)}),
    "Activation": st.fixed_dictionaries({"activation": st.sampled_from(["relu", "tanh", "sigmoid"])}),
    "Reshape": st.fixed_dictionaries({"target_shape": st.sampled_from([[-1], [2, -1], [4]])}),
    "Flatten": st.just({}),
    "Conv1D": st.fixed_dictionaries(
        {"filters": st.sampled_from([2, 4]), "kernel_size": st.integers(1, 3)},
        optional={"padding": st.sampled_from(["same", "valid"])},
    ),
    "LayerNormalization": st.just({}),
    "BatchNormalization": st.just({}),
    "GlobalAveragePooling1D": st.just({}),
    "RepeatVector": st.fixed_dictionaries({"n": st.integers(1, 3)}),
    "LSTM": st.fixed_dictionaries({"units": st.sampled_from([2, 3])}, optional={"return_sequences": st.booleans()}),
}
MERGE = {
    "Concatenate": st.fixed_dictionaries({}, optional={"axis": st.sampled_from([-1, 1])}),
    "Add": st.just({}),
    "Multiply": st.just({}),
    "Average": st.just({}),
    "Maximum": st.just({}),
}


@st.composite
def random_dag(draw) -> dict:
    """Inputs, blocks each fed by earlier nodes, then Outputs. Shapes may or
    may not fit: Keras decides, and both answers are checked."""
    nodes, edges = [], []
    for i in range(draw(st.integers(1, 2))):
        shape = draw(st.lists(SIZES, min_size=1, max_size=2))
        nodes.append({"id": f"in{i}", "type": "Input", "params": {"shape": shape}})
    for i in range(draw(st.integers(1, 7))):
        node_id = f"n{i}"
        if len(nodes) >= 2 and draw(st.integers(0, 4)) == 0:
            type_name = draw(st.sampled_from(sorted(MERGE)))
            params = draw(MERGE[type_name])
            sources = draw(st.lists(st.sampled_from([n["id"] for n in nodes]), min_size=2, max_size=3))
        else:
            type_name = draw(st.sampled_from(sorted(SINGLE)))
            params = draw(SINGLE[type_name])
            # mostly a chain, sometimes a branch from anywhere earlier
            sources = [nodes[-1]["id"] if draw(st.booleans()) else draw(st.sampled_from([n["id"] for n in nodes]))]
        nodes.append({"id": node_id, "type": type_name, "params": params})
        for port, s in enumerate(sources):
            edge = {"source": s, "target": node_id}
            if len(sources) > 1:
                edge["port"] = port
            edges.append(edge)
    layers = [n["id"] for n in nodes]
    ends = {nodes[-1]["id"]} | set(draw(st.lists(st.sampled_from(layers), max_size=1)))
    for j, source in enumerate(sorted(ends)):
        nodes.append({"id": f"out{j}", "type": "Output", "params": {"loss": "mse"}})
        edges.append({"source": source, "target": f"out{j}"})
    return {"version": 1, "name": "random", "nodes": nodes, "edges": edges}


def check_schema(result) -> None:
    assert set(result) == {
        "valid",
        "errors",
        "warnings",
        "nodes",
        "edges",
        "total_params",
        "trainable_params",
        "total_macs",
    }
    assert isinstance(result["valid"], bool)
    assert result["valid"] == (not result["errors"])
    for item in result["errors"] + result["warnings"]:
        assert set(item) <= {"node", "param", "message"} and {"node", "message"} <= set(item)
        assert item["node"] is None or isinstance(item["node"], str)
        assert isinstance(item["message"], str) and item["message"]
        assert isinstance(item.get("param", ""), str)
    for node_id, info in result["nodes"].items():
        assert isinstance(node_id, str)
        assert set(info) == {"output_shape", "params", "trainable_params", "macs"}
        shape = info["output_shape"]
        assert shape is None or (
            shape[0] is None and all(d is None or (isinstance(d, int) and d > 0) for d in shape[1:])
        )
        assert 0 <= info["trainable_params"] <= info["params"]
        assert info["macs"] >= 0
    for edge in result["edges"]:
        assert set(edge) == {"source", "target", "shape"}
    assert 0 <= result["trainable_params"] <= result["total_params"]
    assert result["total_macs"] >= 0
    json.dumps(result, allow_nan=False)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_dag())
def test_random_dags_shapes_match_the_compiled_model(doc):
    result = validate_graph(doc)
    check_schema(result)
    assert set(result["nodes"]) == {n["id"] for n in doc["nodes"]}
    if not result["valid"]:
        assert all(e["node"] in result["nodes"] for e in result["errors"])
        return
    model = builder.compile_graph(doc).model
    assert result["total_params"] == model.count_params()
    for layer in model.layers:
        assert result["nodes"][layer.name]["output_shape"] == list(layer.output.shape), layer.name
        assert result["nodes"][layer.name]["params"] == layer.count_params()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
BAD_VALUES = st.sampled_from([-1, 0, "x", None, 1.5, [], {}, True, 10**15])


@st.composite
def broken(draw) -> tuple[dict | object, bool]:
    """A graph broken in one way, and whether the break must make it invalid."""
    doc = draw(random_dag())
    nodes = [n for n in doc["nodes"] if n["type"] not in ("Input", "Output")]
    kind = draw(
        st.sampled_from(
            [
                "param",
                "unknown_param",
                "ghost_edge",
                "self_loop",
                "cycle",
                "garbage_doc",
                "garbage_node",
                "garbage_edge",
                "garbage_params",
                "type",
            ]
        )
    )
    target = draw(st.sampled_from(nodes))
    if kind == "param":
        key = "units" if target["type"] in ("Dense", "LSTM") else next(iter(target["params"]), "rate")
        target["params"][key] = draw(BAD_VALUES)
        return doc, False  # a bad value may still be accepted by some params (None where nullable)
    if kind == "unknown_param":
        target["params"]["no_such_param"] = 1
    elif kind == "ghost_edge":
        doc["edges"].append({"source": "ghost", "target": target["id"]})
    elif kind == "self_loop":
        doc["edges"].append({"source": target["id"], "target": target["id"]})
    elif kind == "cycle":
        first = nodes[0]["id"]
        doc["edges"].append({"source": nodes[-1]["id"], "target": first, "port": 7})
    elif kind == "type":
        target["type"] = draw(st.sampled_from(["Lambda", "dense", "", "Conv9D"]))
    elif kind == "garbage_doc":
        return draw(JSON), True
    elif kind == "garbage_node":
        doc["nodes"][draw(st.integers(0, len(doc["nodes"]) - 1))] = draw(JSON)
        return doc, False
    elif kind == "garbage_edge":
        doc["edges"].append(draw(JSON.filter(lambda v: not isinstance(v, dict))))
    elif kind == "garbage_params":
        target["params"] = draw(JSON.filter(lambda v: not isinstance(v, dict) and v is not None))
    return doc, True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_broken_graphs_are_answered_never_raised(case):
    doc, must_fail = case
    before = copy.deepcopy(doc)
    result = validate_graph(doc)
    check_schema(result)
    assert doc == before  # the document is not changed
    if must_fail:
        assert result["valid"] is False
