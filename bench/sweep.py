"""Sweeps through the app against a bare Optuna + Keras script.

Default: the same seeded 20-trial random search on `digits` (a Dense's units, a Dropout's rate, the
learning rate on a log scale; 3 epochs) run
- through the app: redis-server, daphne and --workers Celery workers on a fresh SQLite file, warmed by a
  short sweep of one one-epoch trial per worker (untimed, as the bare script's imports and data load),
  then the sweep POSTed to /api/sweeps with `parallel` = workers, timed from the POST until it has ended;
- as a bare script in this process: optuna.create_study + study.optimize, each trial a plain
  keras.Sequential fitted on the same arrays;
and prints the trials per minute of each and their ratio (goal: the app >= 0.9 of the bare script; the
bare script runs before and after the app, and the faster of its two runs is the one compared).
With --workers 2 it also runs the app with one worker and prints the two-worker speed-up.

--fashion: a 30-trial TPE sweep of the Fashion-MNIST MLP through the app (units of three Dense
layers, dropout, learning rate, batch size; 10 epochs with early stopping), reporting the best trial's
test accuracy next to the benchmark table's MLP row (256-128-100: 0.883) and the time it took.

    .venv/bin/python bench/sweep.py [--trials 20] [--workers 1|2] [--epochs 3] [--fashion]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import Api, celery_worker, create_token, daphne_server, migrate, redis_server, webapp_env  # noqa: E402

SPACE = [
    {"target": "nodes.hidden.units", "kind": "int", "low": 8, "high": 64},
    {"target": "nodes.drop.rate", "kind": "float", "low": 0.0, "high": 0.5},
    {"target": "training.learning_rate", "kind": "float", "low": 0.0005, "high": 0.05, "log": True},
]


def chain(name: str, input_shape: list[int], layers: list[tuple[str, str, dict]], metrics=("accuracy",)) -> dict:
    nodes = [{"id": "x", "type": "Input", "params": {"shape": input_shape}}]
    nodes += [{"id": i, "type": t, "params": p} for i, t, p in layers]
    nodes.append(
        {"id": "y", "type": "Output", "params": {"loss": "sparse_categorical_crossentropy", "metrics": list(metrics)}}
    )
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": name, "nodes": nodes, "edges": edges}


def digits_graph() -> dict:
    return chain(
        "digits_mlp",
        [64],
        [
            ("hidden", "Dense", {"units": 32, "activation": "relu"}),
            ("drop", "Dropout", {"rate": 0.1}),
            ("probs", "Dense", {"units": 10, "activation": "softmax"}),
        ],
    )


def fashion_graph() -> dict:
    return chain(
        "fashion_mlp",
        [28, 28],
        [
            ("flat", "Flatten", {}),
            ("d1", "Dense", {"units": 256, "activation": "relu"}),
            ("drop", "Dropout", {"rate": 0.2}),
            ("d2", "Dense", {"units": 128, "activation": "relu"}),
            ("d3", "Dense", {"units": 100, "activation": "relu"}),
            ("probs", "Dense", {"units": 10, "activation": "softmax"}),
        ],
    )


@contextlib.contextmanager
def app(workers: int):
    workdir = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    # A temporary folder of its own: a worker of another stack on this machine, starting, removes the
    # `run-<id>-*` work folders of runs its own database does not have running, whatever stack made them.
    (workdir / "tmp").mkdir()
    with redis_server() as redis_url:
        env = webapp_env(workdir, redis_url, SWEEP_MAX_PARALLEL=str(max(1, workers)), TMPDIR=str(workdir / "tmp"))
        migrate(env)
        token = create_token(env, "bench")
        with contextlib.ExitStack() as stack:
            web = stack.enter_context(daphne_server(env, workdir / "daphne.log"))
            for i in range(workers):
                stack.enter_context(celery_worker(env, workdir / f"worker{i}.log"))
            yield Api(web.url, token)


def sweep_through_app(api: Api, body: dict, timeout: float = 7200) -> tuple[dict, float]:
    """The ended sweep, and the seconds from its POST until the server marked it ended (its finished_at,
    on this machine's clock: the half-second polling here adds nothing)."""
    started = time.monotonic()
    started_at = time.time()
    status, sweep, _ = api.post("/api/sweeps", body)
    assert status == 201, sweep
    while time.monotonic() - started < timeout:
        status, sweep, _ = api.get(f"/api/sweeps/{sweep['id']}")
        if sweep["status"] != "running":
            if sweep.get("finished_at"):
                return sweep, datetime.fromisoformat(sweep["finished_at"]).timestamp() - started_at
            return sweep, time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"sweep {sweep['id']} not done after {timeout}s")


def bare_script(trials: int, epochs: int, seed: int, training: dict) -> float:
    """The same search as a one-process Optuna + Keras script; its wall time."""
    import keras
    import numpy as np
    import optuna

    from trainer.datasets import load_builtin

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ds = load_builtin("digits")
    x = np.asarray(ds.x_train["features"], dtype="float32")
    y = np.asarray(ds.y_train["target"])
    x_test = np.asarray(ds.x_test["features"], dtype="float32")
    y_test = np.asarray(ds.y_test["target"])

    def objective(trial):
        units = trial.suggest_int("units", 8, 64)
        rate = trial.suggest_float("rate", 0.0, 0.5)
        lr = trial.suggest_float("lr", 0.0005, 0.05, log=True)
        keras.utils.set_random_seed(training["seed"])
        model = keras.Sequential(
            [
                keras.Input((64,)),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dropout(rate),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(
            x,
            y,
            batch_size=training["batch_size"],
            epochs=epochs,
            validation_split=training["validation_split"],
            verbose=0,
        )
        model.evaluate(x_test, y_test, verbose=0)
        return max(history.history["val_accuracy"])

    started = time.monotonic()
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    return time.monotonic() - started


def digits_body(trials: int, epochs: int, parallel: int, seed: int, training: dict) -> dict:
    return {
        "graph": digits_graph(),
        "dataset": "digits",
        "training": {**training, "epochs": epochs},
        "space": SPACE,
        "sampler": "random",
        "trials": trials,
        "parallel": parallel,
        "seed": seed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fashion", action="store_true")
    args = parser.parse_args()
    training = {"batch_size": 32, "validation_split": 0.2, "seed": 0}

    if args.fashion:
        trials = args.trials or 30
        body = {
            "graph": fashion_graph(),
            "dataset": "fashion_mnist",
            "training": {
                "epochs": 10,
                "validation_split": 0.1,
                "callbacks": {"early_stopping": {"enabled": True, "monitor": "val_accuracy", "patience": 2}},
            },
            "space": [
                {"target": "nodes.d1.units", "kind": "int", "low": 64, "high": 512, "log": True},
                {"target": "nodes.d2.units", "kind": "int", "low": 32, "high": 256, "log": True},
                {"target": "nodes.d3.units", "kind": "int", "low": 32, "high": 256, "log": True},
                {"target": "nodes.drop.rate", "kind": "float", "low": 0.0, "high": 0.5},
                {"target": "training.learning_rate", "kind": "float", "low": 1e-4, "high": 1e-2, "log": True},
                {"target": "training.batch_size", "kind": "choice", "choices": [32, 64, 128, 256]},
            ],
            "objectives": [{"metric": "val_accuracy", "direction": "maximize", "at": "best"}],
            "sampler": "tpe",
            "trials": trials,
            "parallel": args.workers,
            "seed": args.seed,
        }
        with app(args.workers) as api:
            sweep, seconds = sweep_through_app(api, body)
            best = sweep["trials"][sweep["best"][0]]
            _, run, _ = api.get(f"/api/runs/{best['run']}")
        accuracy = (run.get("test") or {}).get("accuracy")
        print(f"fashion-mnist MLP, {trials}-trial TPE sweep on {args.workers} worker(s): {seconds / 60:.1f} min")
        print(f"best trial {best['number']}: val_accuracy {best['values'][0]:.4f}, test accuracy {accuracy:.4f}")
        print(f"params {json.dumps(best['params'])}")
        print("benchmark table, MLP 256-128-100: 0.883")
        return 0

    trials = args.trials or 20

    def bare(when: str) -> float:
        seconds = bare_script(trials, args.epochs, args.seed, training)
        rate = trials / seconds * 60
        print(f"bare Optuna + Keras, one process ({when}): {trials} trials in {seconds:.1f}s = {rate:.1f} trials/min")
        return rate

    # The bare script before and after the app, the faster of the two compared: on a shared machine whose
    # load changes meanwhile, the app is never compared with a bare run slowed by someone else's work.
    bare_rates = [bare("before")]
    rates = {}
    for workers in sorted({1, args.workers}):
        with app(workers) as api:
            # Warm the stack first, as the bare script is (its imports and data load are not timed): one
            # short trial per worker imports Optuna and makes its tables, traces TensorFlow's first functions.
            warm_up, warm_seconds = sweep_through_app(api, digits_body(workers, 1, workers, args.seed + 1, training))
            assert warm_up["counts"]["succeeded"] == workers, warm_up["counts"]
            print(f"app, {workers} worker(s): warm-up sweep of {workers} one-epoch trial(s) in {warm_seconds:.1f}s")
            sweep, seconds = sweep_through_app(api, digits_body(trials, args.epochs, workers, args.seed, training))
        assert sweep["counts"]["succeeded"] == trials, sweep["counts"]
        rates[workers] = trials / seconds * 60
        print(f"app, {workers} worker(s): {trials} trials in {seconds:.1f}s = {rates[workers]:.1f} trials/min")
    bare_rates.append(bare("after"))
    print(f"app / bare (1 worker): {rates[1] / max(bare_rates):.2f} (goal >= 0.9)")
    if 2 in rates:
        print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
