"""Structural checks: every error collected, each on the node it is about."""

import copy
import json
from pathlib import Path

import pytest

from builder import validate_graph
from builder.document import MAX_EDGES, MAX_NODES

INVALID_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "graphs" / "invalid"
INVALID_EXPECTED = json.loads((INVALID_DIR / "expected.json").read_text())

MLP = {
    "version": 1,
    "name": "mlp",
    "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [8]}},
        {"id": "h", "type": "Dense", "params": {"units": 4, "activation": "relu"}},
        {"id": "y", "type": "Output", "params": {"loss": "mse"}},
    ],
    "edges": [{"source": "x", "target": "h"}, {"source": "h", "target": "y"}],
}


def mlp() -> dict:
    return copy.deepcopy(MLP)


def errors_on(result: dict, node) -> list[str]:
    return [e["message"] for e in result["errors"] if e["node"] == node]


@pytest.mark.parametrize("name", sorted(INVALID_EXPECTED), ids=str)
def test_every_broken_fixture_is_refused_on_its_nodes(name):
    result = validate_graph(json.loads((INVALID_DIR / f"{name}.json").read_text()))
    assert result["valid"] is False and result["errors"]
    named = {e["node"] for e in result["errors"]}
    assert set(INVALID_EXPECTED[name]["error_nodes"]) <= named
    if not INVALID_EXPECTED[name]["error_nodes"]:
        assert named == {None}


def test_the_valid_mlp_is_valid():
    result = validate_graph(mlp())
    assert result["valid"], result["errors"]
    assert result["nodes"]["h"]["output_shape"] == [None, 4]
    assert result["nodes"]["x"]["output_shape"] == [None, 8]
    assert result["total_params"] == 36


@pytest.mark.parametrize(
    "doc",
    [None, 3, "graph", [], True, {"nodes": "x"}, {"version": 1, "nodes": [1, 2], "edges": [None]}, {"version": 1}],
)
def test_wrong_types_are_errors_without_a_node(doc):
    result = validate_graph(doc)
    assert result["valid"] is False
    assert result["errors"] and all(e["node"] is None for e in result["errors"])
    json.dumps(result)


@pytest.mark.parametrize("version", [None, 3, "1", True, 1.5])
def test_version_must_be_1(version):  # or 2, which only says the graph may hold groups
    doc = mlp()
    doc["version"] = version
    result = validate_graph(doc)
    assert [e["message"] for e in result["errors"]] == [f"version must be 1 or 2; got {json.dumps(version)}"]


@pytest.mark.parametrize("bad_id", ["", "a b", "x" * 65, 7, None, "é"])
def test_node_ids_follow_the_rules(bad_id):
    doc = mlp()
    doc["nodes"].append({"id": bad_id, "type": "Dense", "params": {"units": 1}})
    result = validate_graph(doc)
    assert not result["valid"]
    assert any("must be 1 to 64 letters, digits" in e["message"] for e in result["errors"])


def test_duplicate_ids_are_an_error_on_that_id():
    doc = mlp()
    doc["nodes"].append({"id": "h", "type": "Dense", "params": {"units": 2}})
    result = validate_graph(doc)
    assert any("used by blocks 2 and 4" in m for m in errors_on(result, "h"))


def test_unknown_type_suggests_the_closest_name():
    doc = mlp()
    doc["nodes"][1]["type"] = "dense"
    assert errors_on(validate_graph(doc), "h") == ["unknown block type 'dense': did you mean 'Dense'?"]
    doc["nodes"][1]["type"] = "Conv2d"
    assert "did you mean 'Conv2D'?" in errors_on(validate_graph(doc), "h")[0]
    doc["nodes"][1]["type"] = "Lambda"
    (message,) = errors_on(validate_graph(doc), "h")
    assert "Lambda" in message and "catalog" in message
    doc["nodes"][1]["type"] = 12
    assert "type must be a block name" in errors_on(validate_graph(doc), "h")[0]


def test_every_bad_param_is_an_error_naming_it():
    doc = mlp()
    doc["nodes"][1]["params"] = {"units": "many", "activation": "relux", "bogus": 1}
    result = validate_graph(doc)
    params = {e.get("param") for e in result["errors"] if e["node"] == "h"}
    assert params == {"units", "activation", "bogus"}
    # the broken block and what follows get no shape, without further errors
    assert result["nodes"]["h"]["output_shape"] is None
    assert result["nodes"]["y"]["output_shape"] is None
    assert result["nodes"]["x"]["output_shape"] == [None, 8]
    assert len(result["errors"]) == 3


def test_missing_required_params_and_missing_params_object():
    doc = mlp()
    del doc["nodes"][1]["params"]
    result = validate_graph(doc)
    assert [e.get("param") for e in result["errors"]] == ["units"]
    doc = mlp()
    doc["nodes"][2]["params"] = {}
    assert [e.get("param") for e in validate_graph(doc)["errors"]] == ["loss"]
    doc = mlp()
    doc["nodes"][0]["params"] = {"shape": [0]}
    assert [e.get("param") for e in validate_graph(doc)["errors"]] == ["shape"]


def test_edges_to_unknown_nodes_self_loops_and_duplicates():
    doc = mlp()
    doc["edges"] += [
        {"source": "ghost", "target": "h"},
        {"source": "h", "target": "h"},
        {"source": "x", "target": "h"},
        {"source": "x"},
        "edge",
    ]
    result = validate_graph(doc)
    messages = errors_on(result, "h")
    assert any('source "ghost"' in m and "no block" in m for m in messages)
    assert any("connected to itself" in m for m in messages)
    assert any("connected to 'h' twice" in m for m in messages)
    assert len([e for e in result["errors"] if e["node"] is None]) == 1  # the string edge
    assert any("target null" in e["message"] for e in result["errors"] if e["node"] == "x")


@pytest.mark.parametrize("port", [-1, "0", 1.5, True, 64])
def test_bad_ports_are_errors(port):
    doc = mlp()
    doc["edges"][0]["port"] = port
    result = validate_graph(doc)
    assert any("port must be an integer" in m for m in errors_on(result, "h"))


def test_ports_order_the_inputs_of_a_merge():
    doc = {
        "version": 1,
        "nodes": [
            {"id": "a", "type": "Input", "params": {"shape": [3]}},
            {"id": "b", "type": "Input", "params": {"shape": [5]}},
            {"id": "j", "type": "Concatenate", "params": {}},
            {"id": "s", "type": "Subtract", "params": {}},
            {"id": "y", "type": "Output", "params": {"loss": "mse"}},
        ],
        "edges": [
            {"source": "b", "target": "j", "port": 1},
            {"source": "a", "target": "j", "port": 0},
            {"source": "j", "target": "y"},
        ],
    }
    result = validate_graph(doc)
    assert result["nodes"]["j"]["output_shape"] == [None, 8]
    # a port beyond a merge's inputs is an error
    doc["edges"] += [{"source": "a", "target": "s", "port": 0}, {"source": "a", "target": "s", "port": 5}]
    result = validate_graph(doc)
    assert any("port 5" in m and "ports 0 to 1" in m for m in errors_on(result, "s"))


def test_a_cycle_is_named_on_every_node_of_it():
    doc = mlp()
    doc["nodes"][1:1] = [
        {"id": "dense_a", "type": "Dense", "params": {"units": 8}},
        {"id": "dense_b", "type": "Dense", "params": {"units": 8}},
        {"id": "dense_c", "type": "Dense", "params": {"units": 8}},
    ]
    doc["edges"] += [
        {"source": "h", "target": "dense_a"},
        {"source": "dense_a", "target": "dense_b"},
        {"source": "dense_b", "target": "dense_c"},
        {"source": "dense_c", "target": "dense_a"},
    ]
    result = validate_graph(doc)
    for node in ("dense_a", "dense_b", "dense_c"):
        assert any("dense_a -> dense_b -> dense_c -> dense_a" in m for m in errors_on(result, node)), node
    assert result["nodes"]["h"]["output_shape"] == [None, 4]  # the rest still gets shapes


def test_cycle_fixture_names_the_cycle():
    result = validate_graph(json.loads((INVALID_DIR / "cycle.json").read_text()))
    assert any("dense_a -> dense_b -> dense_a" in m for m in errors_on(result, "dense_a"))
    assert any("dense_a -> dense_b -> dense_a" in m for m in errors_on(result, "dense_b"))


def test_blocks_not_reached_from_an_input():
    doc = mlp()
    doc["nodes"] += [
        {"id": "lonely", "type": "Dense", "params": {"units": 3}},
        {"id": "after", "type": "Dense", "params": {"units": 3}},
    ]
    doc["edges"].append({"source": "lonely", "target": "after"})
    result = validate_graph(doc)
    for node in ("lonely", "after"):
        assert errors_on(result, node) == [f"'{node}' is not connected to any Input: connect it or delete it"]


def test_input_counts_follow_the_catalog():
    doc = mlp()
    doc["nodes"].insert(2, {"id": "cat", "type": "Concatenate", "params": {}})
    doc["edges"] = [{"source": "x", "target": "h"}, {"source": "h", "target": "cat"}, {"source": "cat", "target": "y"}]
    assert errors_on(validate_graph(doc), "cat") == ["Concatenate needs at least 2 inputs; got 1 (from 'h')"]
    doc = mlp()
    doc["nodes"].insert(1, {"id": "x2", "type": "Input", "params": {"shape": [8]}})
    doc["edges"].append({"source": "x2", "target": "h"})
    assert errors_on(validate_graph(doc), "h") == ["Dense takes exactly 1 input; got 2 (from 'x', 'x2')"]


def test_output_rules():
    doc = mlp()
    doc["nodes"].append({"id": "z", "type": "Dense", "params": {"units": 1}})
    doc["edges"].append({"source": "y", "target": "z"})
    assert any("remove the edge to 'z'" in m for m in errors_on(validate_graph(doc), "y"))
    doc = mlp()
    doc["nodes"].insert(2, {"id": "h2", "type": "Dense", "params": {"units": 1}})
    doc["edges"] += [{"source": "x", "target": "h2"}, {"source": "h2", "target": "y"}]
    assert any("exactly one input" in m for m in errors_on(validate_graph(doc), "y"))
    doc = mlp()
    doc["edges"].append({"source": "h", "target": "x"})
    assert any("Input takes no inputs" in m for m in errors_on(validate_graph(doc), "x"))


def test_a_model_needs_an_input_and_an_output():
    result = validate_graph({"version": 1, "nodes": [], "edges": []})
    messages = [e["message"] for e in result["errors"]]
    assert any("no Input" in m for m in messages) and any("no Output" in m for m in messages)
    assert all(e["node"] is None for e in result["errors"])


def test_absurd_sizes_are_an_error_not_a_crash():
    doc = {
        "version": 1,
        "nodes": [{"id": f"d{i}", "type": "Dense", "params": {"units": 1}} for i in range(MAX_NODES + 1)],
    }
    doc["edges"] = []
    result = validate_graph(doc)
    assert result["valid"] is False and "too large" in result["errors"][0]["message"]
    doc = mlp()
    doc["edges"] = [{"source": "x", "target": "h"}] * (MAX_EDGES + 1)
    assert "too large" in validate_graph(doc)["errors"][0]["message"]
    doc = mlp()
    doc["nodes"][1]["params"]["units"] = 10**12
    result = validate_graph(doc)
    assert result["errors"][0]["param"] == "units"


def test_all_errors_are_collected_not_only_the_first():
    doc = mlp()
    doc["version"] = 3
    doc["nodes"][1]["params"]["units"] = 0
    doc["nodes"].append({"id": "q", "type": "Nope", "params": {}})
    doc["edges"].append({"source": "x", "target": "nowhere"})
    result = validate_graph(doc)
    nodes = [e["node"] for e in result["errors"]]
    assert None in nodes and "h" in nodes and "q" in nodes and "x" in nodes
