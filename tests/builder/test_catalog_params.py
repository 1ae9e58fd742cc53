"""check_params: what a block's JSON params may hold, and what is said when
they do not fit."""

import json
import math
from pathlib import Path

import pytest

from builder.catalog import ParamProblem, check_params


def problems_of(type_name, params):
    _cleaned, problems = check_params(type_name, params)
    return problems


def only_problem(type_name, params) -> ParamProblem:
    problems = problems_of(type_name, params)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_params_are_cleaned():
    cleaned, problems = check_params("Dense", {"units": 10, "activation": "softmax"})
    assert problems == []
    assert cleaned == {"units": 10, "activation": "softmax"}


def test_only_given_params_are_returned():
    cleaned, problems = check_params("Conv2D", {"filters": 8, "kernel_size": 3})
    assert problems == []
    assert cleaned == {"filters": 8, "kernel_size": (3, 3)}


def test_params_must_be_an_object():
    for bad in ([1, 2], "units=3", None, 7):
        problem = only_problem("Dense", bad)
        assert problem.param is None
        assert "Dense" in problem.message and "object" in problem.message


def test_unknown_type():
    problem = only_problem("Lambda", {"function": "lambda t: t"})
    assert problem.param is None
    assert "'Lambda'" in problem.message or '"Lambda"' in problem.message
    assert "not in the catalog" in problem.message


def test_unknown_param_suggests_a_close_match():
    problem = only_problem("Dense", {"units": 3, "unitz": 4})
    assert problem.param == "unitz"
    assert problem.message.startswith("unknown parameter 'unitz' for Dense")
    assert "did you mean 'units'" in problem.message
    assert "known: units, activation, use_bias" in problem.message


def test_unknown_param_on_a_block_without_params():
    problem = only_problem("Add", {"axis": 1})
    assert problem.param == "axis"
    assert "takes no parameters" in problem.message


@pytest.mark.parametrize("value", ["8", 8.0, 8.5, [8], {"n": 8}])
def test_wrong_type(value):
    problem = only_problem("Dense", {"units": value})
    assert problem.param == "units"
    assert problem.message.startswith("units must be an integer between 1 and 1000000; got ")


def test_bool_is_not_an_int_nor_a_number():
    assert only_problem("Dense", {"units": True}).message == "units must be an integer between 1 and 1000000; got true"
    assert only_problem("Dropout", {"rate": False}).param == "rate"
    assert only_problem("Conv2D", {"filters": 2, "kernel_size": [True, 3]}).param == "kernel_size"
    assert only_problem("Dense", {"units": 3, "use_bias": 1}).message == "use_bias must be true or false; got 1"


@pytest.mark.parametrize("value, shown", [(-3, "-3"), (0, "0"), (10**12, "1000000000000")])
def test_out_of_bounds(value, shown):
    problem = only_problem("Dense", {"units": value})
    assert problem.param == "units"
    assert problem.message == f"units must be an integer between 1 and 1000000; got {shown}"


def test_absurd_sizes_elsewhere():
    assert only_problem("Conv2D", {"filters": 70_000, "kernel_size": 3}).param == "filters"
    assert only_problem("Conv2D", {"filters": 8, "kernel_size": 5000}).param == "kernel_size"
    assert only_problem("Embedding", {"input_dim": 10**8, "output_dim": 8}).param == "input_dim"
    assert only_problem("Input", {"shape": [10**9]}).param == "shape"


def test_floats():
    cleaned, problems = check_params("Dropout", {"rate": 0})
    assert problems == [] and cleaned == {"rate": 0.0} and isinstance(cleaned["rate"], float)
    assert only_problem("Dropout", {"rate": 1.5}).message == "rate must be a number between 0 and 1; got 1.5"
    assert only_problem("Dropout", {"rate": math.nan}).param == "rate"
    assert only_problem("Dropout", {"rate": "0.5"}).param == "rate"


def test_bad_choice_lists_the_choices():
    problem = only_problem("Dense", {"units": 3, "activation": "relux"})
    assert problem.param == "activation"
    assert problem.message.startswith('activation must be one of null, "linear", "relu"')
    assert problem.message.endswith('; got "relux"')
    assert only_problem("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "causal"}).param == "padding"


def test_null_only_where_allowed():
    assert check_params("Dense", {"units": 3, "activation": None}) == ({"units": 3, "activation": None}, [])
    assert only_problem("Activation", {"activation": None}).param == "activation"
    assert only_problem("Dense", {"units": None}).param == "units"
    cleaned, problems = check_params("MaxPooling2D", {"strides": None})
    assert problems == [] and cleaned == {"strides": None}
    assert only_problem("Conv2D", {"filters": 2, "kernel_size": 3, "strides": None}).param == "strides"


def test_regularizer_choices():
    for reg in ("l1", "l2", "l1_l2", None):
        assert problems_of("Dense", {"units": 3, "kernel_regularizer": reg}) == []
    assert only_problem("Dense", {"units": 3, "kernel_regularizer": "l3"}).param == "kernel_regularizer"


@pytest.mark.parametrize("value, expected", [(3, (3, 3)), ([3, 3], (3, 3)), ([3, 5], (3, 5)), ((1, 2), (1, 2))])
def test_int_tuple_forms(value, expected):
    cleaned, problems = check_params("Conv2D", {"filters": 2, "kernel_size": value})
    assert problems == []
    assert cleaned["kernel_size"] == expected and isinstance(cleaned["kernel_size"], tuple)


@pytest.mark.parametrize("value", [[3], [3, 3, 3], [3, 0], [3, "3"], "3", [], [3, None]])
def test_int_tuple_wrong_forms(value):
    problem = only_problem("Conv2D", {"filters": 2, "kernel_size": value})
    assert problem.param == "kernel_size"
    assert "an integer or a list of 2 integers, each between 1 and 1024" in problem.message


def test_int_tuple_of_three():
    cleaned, _problems = check_params("Conv3D", {"filters": 2, "kernel_size": 2})
    assert cleaned["kernel_size"] == (2, 2, 2)
    assert only_problem("Conv3D", {"filters": 2, "kernel_size": [2, 2]}).param == "kernel_size"


def test_one_dimensional_sizes_are_ints():
    cleaned, problems = check_params("Conv1D", {"filters": 2, "kernel_size": 5, "padding": "causal"})
    assert problems == [] and cleaned["kernel_size"] == 5
    assert only_problem("Conv1D", {"filters": 2, "kernel_size": [5, 5]}).param == "kernel_size"


def test_padding_may_be_zero():
    assert problems_of("ZeroPadding2D", {"padding": 0}) == []
    assert only_problem("ZeroPadding2D", {"padding": -1}).param == "padding"


def test_missing_required():
    problem = only_problem("Dense", {})
    assert problem.param == "units"
    assert problem.message == "Dense needs units: an integer between 1 and 1000000; it has no default"
    params = {p.param for p in problems_of("Conv2D", {})}
    assert params == {"filters", "kernel_size"}
    assert only_problem("Output", {"metrics": ["accuracy"]}).param == "loss"


def test_shapes():
    cleaned, problems = check_params("Input", {"shape": [None, 3]})
    assert problems == [] and cleaned == {"shape": (None, 3)}
    for bad in ([], [0], [-1], [3.0], "28,28", [1] * 9, None):
        assert only_problem("Input", {"shape": bad}).param == "shape", bad
    assert "null for a variable length" in only_problem("Input", {"shape": [0]}).message


def test_reshape_allows_one_minus_one():
    assert check_params("Reshape", {"target_shape": [2, -1]}) == ({"target_shape": (2, -1)}, [])
    for bad in ([-1, -1], [None, 2], [0, 2], [-2, 2]):
        assert only_problem("Reshape", {"target_shape": bad}).param == "target_shape", bad


def test_permute_needs_a_permutation():
    assert problems_of("Permute", {"dims": [2, 1]}) == []
    problem = only_problem("Permute", {"dims": [2, 2]})
    assert problem.param == "dims"
    assert problem.message == "dims must be an ordering of 1..2 (each axis once, the batch axis excluded); got [2, 2]"


def test_string_list():
    cleaned, problems = check_params("Output", {"loss": "mse", "metrics": ["mae", "mse"]})
    assert problems == [] and cleaned["metrics"] == ["mae", "mse"]
    for bad in ("accuracy", ["accuracy", "accuracy"], ["nope"], [1]):
        assert only_problem("Output", {"loss": "mse", "metrics": bad}).param == "metrics", bad


def test_output_loss_weight():
    assert only_problem("Output", {"loss": "mse", "loss_weight": -1}).param == "loss_weight"
    assert check_params("Output", {"loss": "mse", "loss_weight": 2})[0]["loss_weight"] == 2.0


def test_float_or_tuple():
    assert check_params("RandomRotation", {"factor": 0.2})[0] == {"factor": 0.2}
    assert check_params("RandomRotation", {"factor": [-0.1, 0.2]})[0] == {"factor": (-0.1, 0.2)}
    for bad in ([0.1], [0.1, 0.2, 0.3], 2.0, "0.1", [True, 0.1]):
        assert only_problem("RandomRotation", {"factor": bad}).param == "factor", bad
    assert only_problem("RandomContrast", {"factor": -0.1}).param == "factor"


def test_value_range_must_be_a_pair():
    assert problems_of("RandomContrast", {"factor": 0.2, "value_range": [0, 1]}) == []
    assert "[low, high]" in only_problem("RandomContrast", {"factor": 0.2, "value_range": 1}).message
    assert only_problem("RandomContrast", {"factor": 0.2, "value_range": [1, 0]}).param == "value_range"


# ---------------------------------------------------------------- wrappers


def test_nested_layer_is_checked_and_cleaned():
    cleaned, problems = check_params(
        "Bidirectional", {"layer": {"type": "LSTM", "params": {"units": 4}}, "merge_mode": "sum"}
    )
    assert problems == []
    assert cleaned == {"layer": {"type": "LSTM", "params": {"units": 4}}, "merge_mode": "sum"}
    cleaned, problems = check_params(
        "TimeDistributed", {"layer": {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}}}
    )
    assert cleaned["layer"]["params"]["kernel_size"] == (3, 3)


def test_nested_problem_names_the_inner_param():
    problem = only_problem("Bidirectional", {"layer": {"type": "LSTM", "params": {"units": -1}}})
    assert problem.param == "layer.units"
    assert problem.message == "layer.units must be an integer between 1 and 1000000; got -1"
    problem = only_problem("Bidirectional", {"layer": {"type": "GRU", "params": {"unitz": 4, "units": 4}}})
    assert problem.param == "layer.unitz"
    assert "did you mean 'units'" in problem.message
    problem = only_problem("Bidirectional", {"layer": {"type": "GRU", "params": {}}})
    assert problem.param == "layer.units"
    assert problem.message.startswith("GRU needs layer.units")


def test_nested_twice():
    params = {"layer": {"type": "Bidirectional", "params": {"layer": {"type": "SimpleRNN", "params": {"units": 0}}}}}
    assert only_problem("TimeDistributed", params).param == "layer.layer.units"


def test_nested_type_must_be_allowed():
    problem = only_problem("Bidirectional", {"layer": {"type": "Dense", "params": {"units": 3}}})
    assert problem.param == "layer.type"
    assert problem.message == 'layer.type must be one of LSTM, GRU, SimpleRNN; got "Dense"'
    assert only_problem("TimeDistributed", {"layer": {"type": "Lambda"}}).param == "layer.type"
    assert only_problem("TimeDistributed", {"layer": {"type": "Input", "params": {"shape": [3]}}}).param == "layer.type"


def test_nested_malformed():
    assert only_problem("Bidirectional", {"layer": "LSTM"}).param == "layer"
    assert only_problem("Bidirectional", {"layer": {"params": {"units": 3}}}).param == "layer"
    assert only_problem("Bidirectional", {"layer": {"type": "LSTM", "params": [4]}}).param == "layer.params"
    problem = only_problem("Bidirectional", {"layer": {"type": "LSTM", "params": {"units": 4}, "name": "x"}})
    assert problem.param == "layer" and "unknown keys name" in problem.message
    assert only_problem("Bidirectional", {}).param == "layer"


def test_cleaned_params_check_again_unchanged():
    """make_layer re-checks cleaned params: cleaning must be idempotent."""
    params = {
        "layer": {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3, "strides": [1, 2]}},
    }
    cleaned, _ = check_params("TimeDistributed", params)
    assert check_params("TimeDistributed", cleaned) == (cleaned, [])
    cleaned, _ = check_params("Input", {"shape": [None, 4]})
    assert check_params("Input", cleaned) == (cleaned, [])


# ---------------------------------------------------------------- examples

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "builder" / "examples").glob("*.json"))


def test_the_example_graphs_are_there():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_graphs_use_valid_params(path):
    graph = json.loads(path.read_text())
    nodes = list(graph["nodes"])
    while nodes:
        node = nodes.pop(0)
        if node["type"] == "Group":  # no catalog block: its own blocks are (its ports: tests/builder/test_groups.py)
            nodes += [n for n in node.get("graph", {}).get("nodes", []) if n["type"] not in ("Input", "Output")]
            continue
        _cleaned, problems = check_params(node["type"], node.get("params", {}))
        assert problems == [], (node["id"], problems)
