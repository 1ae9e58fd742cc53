"""Transfer learning end to end, with the real worker (redis-server, daphne, a Celery worker): run A trains
fashion_cnn; other graphs use run A as a Pretrained base cut before its classifier, with a new Dense head,
frozen, trainable from a layer, or fine-tuned in two phases. Driven over HTTP only, as a script would."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from tests.services import Api, create_token, migrate, redis_server, start_celery_worker, start_daphne, webapp_env
from tests.webapp.conftest import example
from tests.webapp.test_use_model_live import multipart

pytestmark = [pytest.mark.services, pytest.mark.timeout(600)]

TRAINING = {
    "epochs": 1,
    "max_samples": 300,
    "batch_size": 32,
    "validation_split": 0.1,
    "seed": 3,
    "callbacks": {"tensorboard": False},
}
HEAD = 1600 * 10 + 10  # Dense(10) on the 1600 features at fashion_cnn's "drop"


class Stack:
    def __init__(self, workdir: Path, redis_url: str):
        self.workdir = workdir
        self.env = webapp_env(workdir, redis_url)
        migrate(self.env)
        self.web = start_daphne(self.env, workdir / "daphne.log")
        self.worker = start_celery_worker(self.env, workdir / "worker.log")
        self.web.ready()
        self.worker.ready()
        self.alice = Api(self.web.url, create_token(self.env, "alice"))
        self.bob = Api(self.web.url, create_token(self.env, "bob"))

    def stop(self):
        for service in (self.worker, self.web):
            service.stop()

    def train(self, graph: dict, training: dict | None = None, expect: str = "succeeded") -> dict:
        status, body, _ = self.alice.post(
            "/api/runs", {"graph": graph, "dataset": "fashion_mnist", "training": training or TRAINING}
        )
        assert status == 201, body
        import time

        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            run = self.alice.get(f"/api/runs/{body['id']}")[1]
            if run["status"] in ("succeeded", "failed", "cancelled"):
                assert run["status"] == expect, (run.get("error"), self.worker.log()[-3000:])
                return run
            time.sleep(0.3)
        raise AssertionError(f"run {body['id']} did not finish\n{self.worker.log()[-3000:]}")

    def model(self, run_id: int):
        import keras

        status, data, _ = self.alice.get(f"/api/runs/{run_id}/model")
        assert status == 200
        path = self.workdir / f"run-{run_id}.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path, compile=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with redis_server() as redis_url:
        s = Stack(tmp_path_factory.mktemp("pretrained"), redis_url)
        yield s
        s.stop()


@pytest.fixture(scope="module")
def run_a(stack) -> tuple[int, object]:
    run = stack.train(example("fashion_cnn"))
    return run["id"], stack.model(run["id"])


def transfer_graph(run_id: int, **params) -> dict:
    return {
        "version": 1,
        "name": "transfer",
        "nodes": [
            {"id": "image", "type": "Input", "params": {"shape": [28, 28, 1]}},
            {"id": "base", "type": "Pretrained", "params": {"run": run_id, "cut_at": "drop", **params}},
            {"id": "head", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {
                "id": "label",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "image", "target": "base"},
            {"source": "base", "target": "head"},
            {"source": "head", "target": "label"},
        ],
    }


def weights(layer) -> list[np.ndarray]:
    return [np.asarray(w) for w in layer.get_weights()]


def same(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(weights(a), weights(b), strict=True))


def test_the_transfer_template_is_built_from_alices_run(stack, run_a):
    """First in the module: run A is alice's only succeeded run yet, so her template is built on it."""
    a_id, a = run_a
    status, listed, _ = stack.alice.get("/api/examples")
    assert status == 200
    (entry,) = [e for e in listed if e["name"] == "transfer_learning"]
    assert f"run #{a_id} (fashion_cnn, fashion_mnist)" in entry["description"]
    assert entry["dataset"] == "fashion_mnist"
    nodes = {n["type"]: n for n in entry["graph"]["nodes"]}
    assert nodes["Pretrained"]["params"] == {"run": a_id, "cut_at": "drop", "trainable": False}
    assert nodes["Input"]["params"]["shape"] == [28, 28, 1]
    assert nodes["Dense"]["params"] == {"units": 10, "activation": "softmax"}
    assert nodes["Output"]["params"] == example("fashion_cnn")["nodes"][-1]["params"]
    assert all(isinstance(n["position"], dict) for n in entry["graph"]["nodes"])

    status, result, _ = stack.alice.post("/api/graphs/validate", entry["graph"])
    assert status == 200 and result["valid"], result
    assert result["trainable_params"] == HEAD
    frozen = a.get_layer("conv1").count_params() + a.get_layer("conv2").count_params()
    assert result["total_params"] - result["trainable_params"] == frozen
    assert result["nodes"][nodes["Pretrained"]["id"]]["trainable_params"] == 0

    static = {e["name"] for e in listed} - {"transfer_learning"}
    for other in (stack.bob, Api(stack.web.url)):
        status, theirs, _ = other.get("/api/examples")
        assert status == 200 and {e["name"] for e in theirs} == static


def test_frozen_base_keeps_run_a_weights_and_trains_the_head(stack, run_a):
    a_id, a = run_a
    status, result, _ = stack.alice.post("/api/graphs/validate", transfer_graph(a_id))
    assert status == 200 and result["valid"], result
    assert result["trainable_params"] == HEAD
    base_params = a.get_layer("conv1").count_params() + a.get_layer("conv2").count_params()
    assert result["nodes"]["base"]["params"] == base_params
    assert result["nodes"]["base"]["trainable_params"] == 0
    assert result["total_params"] == base_params + HEAD

    run = stack.train(transfer_graph(a_id))
    b = stack.model(run["id"])
    status, script, _ = stack.alice.get(f"/api/runs/{run['id']}/script")
    assert status == 200 and b"keras.saving.load_model(BASE_PATH" in script
    base = b.get_layer("base")
    for name in ("conv1", "conv2"):
        assert same(base.get_layer(name), a.get_layer(name)), name
    # The head trained: its weights are not what the same graph and seed start from.
    initial = initial_model(stack, transfer_graph(a_id), a_id)
    assert not same(b.get_layer("head"), initial.get_layer("head"))
    assert same(initial.get_layer("base").get_layer("conv1"), a.get_layer("conv1"))


def initial_model(stack, graph: dict, a_id: int):
    """The model a run of `graph` starts from (seed TRAINING["seed"]), built here with run A's file."""
    from builder.pretrained import using_resolver
    from trainer.model import build_model, fresh_session

    fresh_session()
    with using_resolver(lambda kind, ident: stack.workdir / f"run-{a_id}.keras"):
        return build_model(graph, TRAINING["seed"]).model


def test_trainable_from_trains_that_layer_on(stack, run_a):
    a_id, a = run_a
    graph = transfer_graph(a_id, trainable_from="conv2")
    result = stack.alice.post("/api/graphs/validate", graph)[1]
    assert result["nodes"]["base"]["trainable_params"] == a.get_layer("conv2").count_params()
    assert result["trainable_params"] == a.get_layer("conv2").count_params() + HEAD
    b = stack.model(stack.train(graph)["id"])
    assert same(b.get_layer("base").get_layer("conv1"), a.get_layer("conv1"))
    assert not same(b.get_layer("base").get_layer("conv2"), a.get_layer("conv2"))


def test_fine_tuning_second_phase_changes_the_base(stack, run_a):
    a_id, a = run_a
    training = copy.deepcopy(TRAINING)
    training["fine_tune"] = {"enabled": True, "epochs": 1, "learning_rate": 1e-3, "from": "conv2"}
    run = stack.train(transfer_graph(a_id), training)
    assert [e["epoch"] for e in run["history"]] == [1, 2]
    assert [e["phase"] for e in run["history"]] == [1, 2]
    b = stack.model(run["id"])
    assert same(b.get_layer("base").get_layer("conv1"), a.get_layer("conv1"))
    assert not same(b.get_layer("base").get_layer("conv2"), a.get_layer("conv2"))
    # A layer the Pretrained model lacks: the run fails before anything trains, saying so.
    training["fine_tune"]["from"] = "nope"
    failed = stack.train(transfer_graph(a_id), training, expect="failed")
    assert "fine_tune.from" in failed["error"] and "conv2" in failed["error"] and failed["history"] == []


def test_nobody_else_can_use_the_run(stack, run_a):
    a_id, _ = run_a
    status, result, _ = stack.bob.post("/api/graphs/validate", transfer_graph(a_id))
    assert status == 200 and not result["valid"]
    assert result["errors"][0]["node"] == "base" and f"run {a_id} not found" in result["errors"][0]["message"]
    status, body, _ = stack.bob.post(
        "/api/runs", {"graph": transfer_graph(a_id), "dataset": "fashion_mnist", "training": TRAINING}
    )
    assert status == 400 and f"run {a_id} not found" in json.dumps(body)
    assert stack.bob.get(f"/api/runs/{a_id}/layers")[0] == 404
    anonymous = Api(stack.web.url).post("/api/graphs/validate", transfer_graph(a_id))[1]
    assert "sign in" in anonymous["errors"][0]["message"]


def test_layers_of_a_run(stack, run_a):
    a_id, a = run_a
    status, body, _ = stack.alice.get(f"/api/runs/{a_id}/layers")
    assert status == 200
    assert [entry["name"] for entry in body["layers"]] == [layer.name for layer in a.layers]
    conv2 = next(e for e in body["layers"] if e["name"] == "conv2")
    assert conv2 == {
        "name": "conv2",
        "class_name": "Conv2D",
        "output_shape": [None, 11, 11, 64],
        "params": a.get_layer("conv2").count_params(),
    }


def test_import_says_the_weights_are_dropped(stack, run_a):
    a_id, _ = run_a
    data = (stack.workdir / f"run-{a_id}.keras").read_bytes()
    body, content_type = multipart({}, [("file", "a.keras", data)])
    status, doc, _ = stack.alice.post("/api/graphs/import", raw=body, content_type=content_type)
    assert status == 200, doc
    assert "carries no weights" in doc["notice"] and "Pretrained" in doc["notice"]
    as_json = stack.alice.post("/api/graphs/import", raw=example_json(), content_type="application/json")[1]
    assert "notice" not in as_json


def example_json() -> bytes:
    from builder.compile import compile_graph

    return compile_graph(example("fashion_cnn")).model.to_json().encode()
