"""errors_summary: the one wording of "the graph has N error(s); first: ..."."""

import pytest

import builder
from builder.validate import errors_summary


def test_errors_summary_names_the_count_the_first_message_and_its_block():
    errors = [{"node": "d1", "message": "units must be an integer"}, {"node": None, "message": "no Output"}]
    assert errors_summary(errors) == "the graph has 2 error(s); first: units must be an integer (block 'd1')"
    assert errors_summary([{"node": None, "message": "no Input"}]) == "the graph has 1 error(s); first: no Input"
    assert errors_summary([]) == "the graph has 0 error(s); first: invalid graph"


def test_graph_invalid_says_the_same():
    doc = {"version": 1, "nodes": [{"id": "x", "type": "Input", "params": {"shape": [0]}}], "edges": []}
    result = builder.validate_graph(doc)
    with pytest.raises(builder.GraphInvalid) as info:
        builder.compile_graph(doc)
    assert str(info.value) == errors_summary(result["errors"])
    assert str(info.value).startswith(f"the graph has {len(result['errors'])} error(s); first: ")
