"""The validation memo never changes an answer (speed itself is measured in bench/validate.py)."""

import itertools

from builder import validate_graph
from builder.validate import OUTCOMES


def chain_graph(n_nodes: int) -> dict:
    """Input, n-2 Dense/Dropout/BatchNormalization blocks, Output (as bench/validate.py)."""
    nodes = [{"id": "x", "type": "Input", "params": {"shape": [64]}}]
    kinds = [("Dense", {"units": 64, "activation": "relu"}), ("Dropout", {"rate": 0.1}), ("BatchNormalization", {})]
    for i in range(n_nodes - 2):
        kind, params = kinds[i % len(kinds)]
        nodes.append({"id": f"n{i}", "type": kind, "params": params})
    nodes.append({"id": "y", "type": "Output", "params": {"loss": "mse"}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": f"chain{n_nodes}", "nodes": nodes, "edges": edges}


def unique_graph(n_nodes: int) -> dict:
    """A chain whose blocks all differ, so that nothing is memoised within a call."""
    nodes = [{"id": "x", "type": "Input", "params": {"shape": [32]}}]
    for i in range(n_nodes - 2):
        nodes.append({"id": f"d{i}", "type": "Dense", "params": {"units": 32 + i}})
    nodes.append({"id": "y", "type": "Output", "params": {"loss": "mse"}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "nodes": nodes, "edges": edges}


def test_the_memo_gives_the_same_answer_as_a_fresh_build():
    graph = unique_graph(12)
    OUTCOMES.clear()
    fresh = validate_graph(graph)
    again = validate_graph(graph)
    assert again == fresh


def test_failures_are_not_memoised_and_name_their_own_node():
    def lstm_on(node_id):
        return {
            "version": 1,
            "nodes": [
                {"id": "img", "type": "Input", "params": {"shape": [4, 4, 1]}},
                {"id": node_id, "type": "LSTM", "params": {"units": 2}},
                {"id": "y", "type": "Output", "params": {"loss": "mse"}},
            ],
            "edges": [{"source": "img", "target": node_id}, {"source": node_id, "target": "y"}],
        }

    first = validate_graph(lstm_on("first"))
    second = validate_graph(lstm_on("second"))
    assert [e["node"] for e in first["errors"]] == ["first"]
    assert [e["node"] for e in second["errors"]] == ["second"]


def test_checks_leave_no_deferred_variables_behind():
    # Keras lists every variable made in StatelessScope(initialize_variables=False)
    # for a later initialisation; validation must not let that list grow.
    from keras.src.backend.common import global_state

    OUTCOMES.clear()
    validate_graph(unique_graph(5))
    before = len(global_state.get_global_attribute("uninitialized_variables", []) or [])
    OUTCOMES.clear()
    validate_graph(unique_graph(20))
    after = len(global_state.get_global_attribute("uninitialized_variables", []) or [])
    assert after == before
