"""trainer.ensemble with real trained members: the checks, the weights, the one-model ensemble (saved, loaded
in a fresh process, no custom objects), the metrics, and that fitting the weights never reads the test split."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.datasets import Dataset, load_builtin
from trainer.ensemble import EnsembleError, Member, check_members, evaluate, parse_weights, validation_rows
from trainer.folds import assign_folds, class_labels, fold_indices
from trainer.pipeline import split_validation
from trainer.runner import train

ROOT = Path(__file__).resolve().parents[2]
TRAINING = {"epochs": 2, "batch_size": 32, "validation_split": 0.2, "callbacks": {"tensorboard": False}}


def digits_graph(units: int = 16, loss: str = "sparse_categorical_crossentropy", output: str = "target") -> dict:
    return {
        "version": 1,
        "name": "digits_mlp",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}},
            {"id": "hidden", "type": "Dense", "params": {"units": units, "activation": "relu"}},
            {"id": "probs", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {"id": output, "type": "Output", "params": {"loss": loss, "metrics": ["accuracy"]}},
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "probs"},
            {"source": "probs", "target": output},
        ],
    }


@pytest.fixture(scope="module")
def digits():
    return load_builtin("digits")


@pytest.fixture(scope="module")
def members(digits, tmp_path_factory) -> list[Member]:
    out = []
    for run, seed in ((1, 1), (2, 2), (3, 3)):
        training = {**TRAINING, "seed": seed}
        work = tmp_path_factory.mktemp(f"member{run}")
        result = train(digits_graph(), digits, training, workdir=work, figures=False)
        out.append(Member(run=run, graph=digits_graph(), training=training, model_path=result.model_path))
    return out


class Tripwire(dict):
    """A split's arrays that record every read of their contents."""

    def __init__(self, data: dict, reads: list):
        super().__init__(data)
        self.reads = reads

    def __getitem__(self, key):
        self.reads.append(key)
        return super().__getitem__(key)

    def values(self):
        self.reads.append("values")
        return super().values()

    def items(self):
        self.reads.append("items")
        return super().items()

    def get(self, key, default=None):
        self.reads.append(key)
        return super().get(key, default)


def test_uniform_ensemble_is_one_model_that_loads_without_custom_objects(members, digits, tmp_path):
    result = evaluate(members, digits, "uniform", tmp_path, name="three digits")
    assert result.weights == pytest.approx([1 / 3] * 3) and result.weights_from == "uniform"
    assert [m["run"] for m in result.members] == [1, 2, 3]
    assert set(result.test) == {"loss", "accuracy"}
    best = max(m["test"]["accuracy"] for m in result.members)
    assert result.gain["best_member"] == best
    assert result.gain["value"] == pytest.approx(result.test["accuracy"] - best)
    matrix = np.array(result.confusion["matrix"])
    assert matrix.sum() == digits.test_size
    assert np.trace(matrix) / digits.test_size == pytest.approx(result.test["accuracy"])
    # Majority wrong and the ensemble right (and the reverse) are what they say.
    for entry in result.disagreements["ensemble_right"]:
        assert entry["ensemble"] == entry["truth"]
        assert sum(not m["correct"] for m in entry["members"]) >= 2
    for entry in result.disagreements["ensemble_wrong"]:
        assert entry["ensemble"] != entry["truth"]
        assert sum(m["correct"] for m in entry["members"]) >= 2

    # A fresh process: plain keras.saving.load_model, the structure promised, and the very same accuracy.
    script = f"""
import json, sys
import numpy as np, keras
from trainer.datasets import load_builtin
model = keras.saving.load_model({str(result.model_path)!r})
ds = load_builtin("digits")
pred = model.predict(ds.x_test["features"].astype("float32"), verbose=0)
acc = float(np.mean(pred.argmax(-1) == ds.y_test["target"].reshape(-1)))
print(json.dumps({{"acc": acc, "outputs": model.output_names, "inputs": [t.name for t in model.inputs],
                   "layers": [l.name for l in model.layers], "shape": list(pred.shape)}}))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["acc"] == result.test["accuracy"]
    assert seen["outputs"] == ["target"] and seen["inputs"] == ["features"]
    assert {"member_1", "member_2", "member_3"} <= set(seen["layers"])
    assert seen["shape"] == [digits.test_size, 10]


def test_given_weights_are_normalised_and_weigh_the_members(members, digits, tmp_path):
    only_first = evaluate(members, digits, [1, 0, 0], tmp_path / "a")
    assert only_first.weights == [1.0, 0.0, 0.0] and only_first.weights_from == "given"
    assert only_first.test["accuracy"] == only_first.members[0]["test"]["accuracy"]
    assert only_first.test["loss"] == pytest.approx(only_first.members[0]["test"]["loss"], rel=1e-5)


def test_optimised_weights_come_from_the_validation_split_and_never_read_the_test_split(members, digits, tmp_path):
    reads: list = []
    guarded = Dataset(
        digits.name,
        digits.info,
        digits.x_train,
        digits.y_train,
        Tripwire(digits.x_test, reads),
        Tripwire(digits.y_test, reads),
    )
    from trainer import ensemble

    sig = check_members(members, digits.info)
    models = [ensemble.load_member(m.model_path, m.run) for m in members]
    weights, validation = ensemble.optimise(guarded, members, models, sig)
    assert reads == []  # not one read of the test split while fitting
    assert sum(weights) == pytest.approx(1.0) and all(w >= 0 for w in weights)
    # Different seeds: different validation splits, their union is fitted on (and said so).
    rows = [validation_rows(digits, m, sig) for m in members]
    assert validation["samples"] == len(np.unique(np.concatenate(rows))) and validation["shared"] is False
    # The rows are the very samples the runner validated on (same subsample, split and seed).
    x = {"features": digits.x_train["features"], "row": np.arange(digits.train_size)}
    _, (x_val, _) = split_validation(x, {"target": digits.y_train["target"]}, 0.2, 1)
    assert np.array_equal(rows[0], x_val["row"])
    # The whole evaluation with "optimize" names the split.
    result = evaluate(members, digits, "optimize", tmp_path)
    assert result.weights_from == "validation" and result.weights == pytest.approx(weights, abs=1e-6)


def test_refusals_name_the_run(members, digits):
    with pytest.raises(EnsembleError, match="at least two"):
        check_members(members[:1], digits.info)
    other = copy.deepcopy(members[1])
    other.graph = digits_graph(output="label")
    with pytest.raises(EnsembleError, match="run 2 has the Outputs 'label'") as exc:
        check_members([members[0], other], digits.info)
    assert exc.value.run == 2
    other.graph = digits_graph(loss="mean_squared_error")
    other.graph["nodes"][2]["params"]["units"] = 1
    with pytest.raises(EnsembleError, match="run 2"):
        check_members([members[0], other], digits.info)
    for bad, words in (([1, -1, 1], "must not be negative"), ([0, 0, 0], "all zero"), ([1, 1], "one number per run")):
        with pytest.raises(EnsembleError, match=words) as exc:
            parse_weights(bad, [1, 2, 3])
        assert exc.value.field == "weights"
    no_validation = copy.deepcopy(members[0])
    no_validation.training = {**TRAINING, "validation_split": 0.0}
    from trainer.ensemble import check_can_optimize

    with pytest.raises(EnsembleError, match="run 1 was trained without a validation split"):
        check_can_optimize([no_validation, members[1]])


def test_folds_partition_the_training_split_and_keep_class_shares(digits):
    labels = digits.y_train["target"].reshape(-1)
    n = len(labels)
    assigned = assign_folds(n, 3, seed=5, labels=labels)
    seen = np.zeros(n, dtype=int)
    for k in range(3):
        fit, val = fold_indices(n, 3, k, 5, labels)
        assert len(np.intersect1d(fit, val)) == 0 and len(fit) + len(val) == n
        seen[val] += 1
        for c in np.unique(labels):  # stratified: each class's share within one sample
            assert abs((labels[val] == c).sum() - (labels == c).sum() / 3) <= 1
    assert (seen == 1).all() and set(np.bincount(assigned)) <= {n // 3, n // 3 + 1}
    assert class_labels({"t": labels}) is not None and class_labels({"t": np.eye(3)[[0, 1, 2]]}) is not None
    assert class_labels({"a": labels, "b": labels}) is None
    x = {"f": np.arange(n)}
    _, (val_x, _) = split_validation(x, {"t": labels}, 0.1, 5, {"folds": 3, "fold": 1, "stratified": True})
    assert np.array_equal(val_x["f"], fold_indices(n, 3, 1, 5, labels)[1])
