"""trainer.sweeps without Django: targets inside wrappers and tuple entries, applying a suggestion,
grids, enqueued trials, objective values, and seeded samplers that repeat their suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

import builder
from trainer.settings import parse_training
from trainer.sweeps import SweepError, apply, distributions, make_sampler, parse_spec
from trainer.sweeps.study import objective_values, tell

EXAMPLES = Path(__file__).resolve().parents[2] / "builder" / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


TRAINING = parse_training({"epochs": 2})


def spec_of(space, graph, **over):
    return parse_spec({"space": space, **over}, graph, TRAINING)


def node(graph: dict, node_id: str) -> dict:
    return next(n for n in graph["nodes"] if n["id"] == node_id)


def test_a_tuple_param_takes_one_number_for_every_entry_or_one_entry_by_index():
    graph = example("fashion_cnn")
    spec = spec_of(
        [
            {"target": "nodes.conv1.kernel_size", "kind": "int", "low": 2, "high": 5},
            {"target": "nodes.conv2.kernel_size.1", "kind": "choice", "choices": [1, 3]},
            {"target": "nodes.pool1.pool_size.0", "kind": "int", "low": 1, "high": 3},
        ],
        graph,
    )
    g, _ = apply(spec, graph, TRAINING, {"nodes.conv1.kernel_size": 5, "nodes.conv2.kernel_size.1": 1})
    assert node(g, "conv1")["params"]["kernel_size"] == 5
    assert node(g, "conv2")["params"]["kernel_size"] == [3, 1]  # the other entry keeps the block's value
    assert node(graph, "conv2")["params"]["kernel_size"] == 3  # the base graph is untouched
    assert builder.validate_graph(g)["valid"]
    with pytest.raises(SweepError, match="entries 0 to 1") as bad:
        spec_of([{"target": "nodes.conv1.kernel_size.2", "kind": "int", "low": 1, "high": 2}], graph)
    assert bad.value.field == "space[0].target"
    with pytest.raises(SweepError, match="has no entries"):
        spec_of([{"target": "nodes.conv1.filters.0", "kind": "int", "low": 1, "high": 2}], graph)


def test_a_wrapper_inner_block_is_reachable_through_layer():
    graph = example("bidirectional_gru")
    spec = spec_of([{"target": "nodes.bigru.layer.units", "kind": "int", "low": 8, "high": 32}], graph)
    g, _ = apply(spec, graph, TRAINING, {"nodes.bigru.layer.units": 12})
    assert node(g, "bigru")["params"]["layer"] == {"type": "GRU", "params": {"units": 12, "return_sequences": True}}
    with pytest.raises(SweepError, match="has no parameter 'colour'"):
        spec_of([{"target": "nodes.bigru.layer.colour", "kind": "int", "low": 1, "high": 2}], graph)
    with pytest.raises(SweepError, match="not a wrapper"):
        spec_of([{"target": "nodes.gru.layer.units", "kind": "int", "low": 1, "high": 2}], graph)


def test_choices_switch_an_activation_or_the_optimizer_and_settings_are_checked_again():
    graph = example("mnist_mlp")
    spec = spec_of(
        [
            {"target": "nodes.hidden.activation", "kind": "choice", "choices": ["relu", "tanh", None]},
            {"target": "training.optimizer", "kind": "choice", "choices": ["ADAM", "sgd"]},
            {"target": "training.callbacks.reduce_lr.factor", "kind": "float", "low": 0.1, "high": 0.9},
        ],
        graph,
    )
    assert spec.space[1].choices == ("adam", "sgd")  # lowered like the setting itself
    g, t = apply(spec, graph, TRAINING, {"nodes.hidden.activation": None, "training.optimizer": "sgd"})
    assert node(g, "hidden")["params"]["activation"] is None and t["optimizer"] == "sgd"
    # An open bound (0, 1) is refused on its open side.
    with pytest.raises(SweepError, match=r"\(0, 1\)") as bad:
        spec_of([{"target": "training.callbacks.reduce_lr.factor", "kind": "float", "low": 0, "high": 0.5}], graph)
    assert bad.value.field == "space[0].low"


def test_a_grid_lists_every_point_and_caps_the_trials():
    graph = example("mnist_mlp")
    spec = spec_of(
        [
            {"target": "nodes.hidden.units", "kind": "int", "low": 16, "high": 64, "step": 16},
            {"target": "training.learning_rate", "kind": "float", "low": 0.001, "high": 0.003, "step": 0.001},
        ],
        graph,
        sampler="grid",
        trials=100,
    )
    assert spec.space[0].grid() == [16, 32, 48, 64] and spec.space[1].grid() == [0.001, 0.002, 0.003]
    assert spec.trials == 12
    study = optuna.create_study(direction="maximize")
    seen = set()
    for number in range(spec.trials):
        study.sampler = make_sampler(spec, number)
        trial = study.ask(distributions(spec))
        seen.add(tuple(trial.params.values()))
        tell(study, trial, 0.5)
    assert len(seen) == 12


def test_the_same_seed_gives_the_same_suggestions():
    graph = example("mnist_mlp")
    space = [
        {"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 512, "log": True},
        {"target": "training.learning_rate", "kind": "float", "low": 1e-4, "high": 0.1, "log": True},
    ]

    def suggestions(seed, sampler):
        spec = spec_of(space, graph, sampler=sampler, seed=seed, trials=12)
        study = optuna.create_study(direction="maximize")
        out = []
        for number in range(12):
            study.sampler = make_sampler(spec, number)
            trial = study.ask(distributions(spec))
            out.append(dict(trial.params))
            study.tell(trial, trial.params["training.learning_rate"])  # a deterministic objective
        return out

    for sampler in ("random", "tpe", "cmaes"):  # cmaes: every dimension here is a number
        first = suggestions(4, sampler)
        assert suggestions(4, sampler) == first
        assert suggestions(5, sampler) != first
        assert len({p["nodes.hidden.units"] for p in first}) > 3


def test_objective_values_at_best_or_last_and_the_derived_ones():
    graph = example("mnist_mlp")
    history = [
        {"metrics": {"val_accuracy": 0.5, "val_loss": 1.0}},
        {"metrics": {"val_accuracy": 0.9, "val_loss": 0.4}},
        {"metrics": {"val_accuracy": 0.8, "val_loss": None}},
    ]
    spec = spec_of(
        [{"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 64}],
        graph,
        objectives=[{"metric": "val_accuracy", "at": "best"}, {"metric": "val_loss", "at": "last"}],
    )
    assert [o.direction for o in spec.objectives] == ["maximize", "minimize"] and spec.sampler == "nsga2"
    assert objective_values(spec, history) == [0.9, None]
    spec = spec_of(
        [{"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 64}],
        graph,
        objectives=[{"metric": "params", "direction": "minimize"}, {"metric": "test_accuracy"}],
    )
    assert objective_values(spec, history, test={"accuracy": 0.7}, params=1234) == [1234.0, 0.7]


def test_enqueued_trials_must_lie_in_the_space():
    graph = example("mnist_mlp")
    space = [{"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 64}]
    assert spec_of(space, graph, enqueue=[{"nodes.hidden.units": 8}]).enqueue == ({"nodes.hidden.units": 8},)
    for bad in ([{"nodes.hidden.units": 65}], [{"nodes.probs.units": 9}], [{"nodes.hidden.units": 9.5}]):
        with pytest.raises(SweepError) as err:
            spec_of(space, graph, enqueue=bad)
        assert err.value.field == "enqueue[0]"
