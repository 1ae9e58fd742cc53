"""The same run on one warm worker, again and again, and in `manage.py train`: the same numbers.

Real processes (redis-server, daphne, a Celery worker with the solo pool), driven over HTTP. Three runs of
one small config, one after another, with an unrelated run before the third; each must give the history
and test metrics that `python manage.py train` prints for that config in a fresh process."""

import itertools
import json
import os
import subprocess
import time

import pytest

from tests.services import (
    PYTHON,
    ROOT,
    Api,
    celery_worker,
    create_token,
    daphne_server,
    migrate,
    redis_server,
    webapp_env,
)

pytestmark = [pytest.mark.services, pytest.mark.timeout(300)]

TRAINING = {
    "epochs": 2,
    "max_samples": 300,
    "batch_size": 32,
    "validation_split": 0.2,
    "seed": 0,
    "callbacks": {"tensorboard": False},
}


def chain(layers, name):
    nodes = [{"id": "features", "type": "Input", "params": {"shape": [64]}}]
    nodes += [{"id": f"layer{i}", "type": kind, "params": params} for i, (kind, params) in enumerate(layers)]
    nodes.append(
        {
            "id": "target",
            "type": "Output",
            "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
        }
    )
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": name, "nodes": nodes, "edges": edges}


GRAPH = chain(
    [
        ("Dense", {"units": 24, "activation": "relu"}),
        ("Dropout", {"rate": 0.3}),
        ("Dense", {"units": 10, "activation": "softmax"}),
    ],
    "same_seed",
)
OTHER = chain(
    [("Dense", {"units": 9, "activation": "tanh"}), ("Dense", {"units": 10, "activation": "softmax"})], "other"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("determinism")
    with redis_server() as redis_url:
        env = webapp_env(workdir, redis_url)
        if os.environ.get("DATASET_CACHE_DIR"):
            env["DATASET_CACHE_DIR"] = os.environ["DATASET_CACHE_DIR"]
        migrate(env)
        token = create_token(env, "alice")
        with daphne_server(env, workdir / "daphne.log") as web, celery_worker(env, workdir / "worker.log") as worker:
            yield {"env": env, "api": Api(web.url, token), "worker": worker, "workdir": workdir}


def run_on_worker(stack, graph, training=TRAINING) -> dict:
    status, body, _ = stack["api"].post("/api/runs", {"graph": graph, "dataset": "digits", "training": training})
    assert status == 201, body
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, run, _ = stack["api"].get(f"/api/runs/{body['id']}")
        assert status == 200, run
        if run["status"] in ("succeeded", "failed", "cancelled"):
            assert run["status"] == "succeeded", (run.get("error"), stack["worker"].log()[-3000:])
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {body['id']} not done after 120s\n{stack['worker'].log()[-3000:]}")


def figures(history: list[dict], test: dict) -> dict:
    """What must repeat exactly: each epoch's number, metrics and learning rate, and the test metrics."""
    return {"history": [{k: h[k] for k in ("epoch", "metrics", "lr")} for h in history], "test": test}


def manage_py_train(stack, graph) -> dict:
    """`python manage.py train` in a fresh process (its one JSON line on stdout)."""
    workdir = stack["workdir"]
    path = workdir / "graph.json"
    path.write_text(json.dumps(graph))
    proc = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "train",
            str(path),
            "--dataset",
            "digits",
            "--training",
            json.dumps(TRAINING),
            "--out",
            str(workdir / "cli.keras"),
            "--quiet",
        ],
        cwd=ROOT,
        env=stack["env"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["status"] == "succeeded"
    return result


def test_one_config_gives_one_result_on_a_warm_worker_and_in_manage_py_train(stack):
    runs = [run_on_worker(stack, GRAPH), run_on_worker(stack, GRAPH)]
    other = run_on_worker(stack, OTHER, {**TRAINING, "seed": 5, "batch_size": 16})
    runs.append(run_on_worker(stack, GRAPH))
    assert len({run["worker"] for run in [*runs, other]}) == 1  # one worker process trained them all

    first = figures(runs[0]["history"], runs[0]["test"])
    assert len(first["history"]) == 2 and set(first["test"]) == {"loss", "accuracy"}
    assert figures(other["history"], other["test"]) != first
    for run in runs[1:]:
        assert figures(run["history"], run["test"]) == first

    cli = manage_py_train(stack, GRAPH)
    assert figures(cli["history"], cli["test"]) == first
