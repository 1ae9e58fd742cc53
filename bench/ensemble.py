"""An ensemble of five Fashion-MNIST MLPs through the app, against its members.

Starts redis-server, daphne and a Celery worker on a fresh SQLite file; POSTs five runs of the same MLP
(784-128-10, seeds 1..5, a sample limit that keeps the whole a few minutes), waits for them, POSTs their
uniform ensemble (and, with --optimize, an optimised one), and prints each member's test accuracy, the
ensemble's, and the gain over the best member (all on the full 10,000-image test split).

    .venv/bin/python bench/ensemble.py [--members 5] [--samples 12000] [--epochs 4] [--optimize]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import Api, celery_worker, create_token, daphne_server, migrate, redis_server, webapp_env  # noqa: E402


def fashion_mlp(units: int) -> dict:
    return {
        "version": 1,
        "name": "fashion_mlp",
        "nodes": [
            {"id": "image", "type": "Input", "params": {"shape": [784]}},
            {"id": "hidden", "type": "Dense", "params": {"units": units, "activation": "relu"}},
            {"id": "drop", "type": "Dropout", "params": {"rate": 0.2}},
            {"id": "probs", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {
                "id": "label",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "image", "target": "hidden"},
            {"source": "hidden", "target": "drop"},
            {"source": "drop", "target": "probs"},
            {"source": "probs", "target": "label"},
        ],
    }


def wait(api: Api, path: str, statuses: tuple[str, ...], timeout: float = 1800) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body, _ = api.get(path)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body}")
        if body["status"] in statuses:
            return body
        time.sleep(1.0)
    raise TimeoutError(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--samples", type=int, default=12000, help="max_samples of each run")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--optimize", action="store_true", help="also an ensemble with optimised weights")
    args = parser.parse_args()
    training = {
        "epochs": args.epochs,
        "batch_size": 64,
        "validation_split": 0.1,
        "max_samples": args.samples,
        "callbacks": {"tensorboard": False},
    }
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ensemble-")))
        redis_url = stack.enter_context(redis_server())
        env = webapp_env(workdir, redis_url)
        migrate(env)
        api_token = create_token(env, "bench")
        web = stack.enter_context(daphne_server(env, workdir / "daphne.log"))
        stack.enter_context(celery_worker(env, workdir / "worker.log"))
        api = Api(web.url, api_token)

        started = time.monotonic()
        run_ids = []
        for seed in range(1, args.members + 1):
            status, body, _ = api.post(
                "/api/runs",
                {"graph": fashion_mlp(args.units), "dataset": "fashion_mnist", "training": {**training, "seed": seed}},
            )
            if status != 201:
                raise RuntimeError(f"POST /api/runs: {status} {body}")
            run_ids.append(body["id"])
        for run_id in run_ids:
            run = wait(api, f"/api/runs/{run_id}", ("succeeded", "failed", "cancelled"))
            if run["status"] != "succeeded":
                raise RuntimeError(f"run {run_id} {run['status']}: {run['error']}")
        trained = time.monotonic() - started
        print(
            f"{args.members} runs of a 784-{args.units}-10 MLP, {args.samples} samples, {args.epochs} epochs: "
            f"{trained:.0f} s"
        )

        for weights in ("uniform", "optimize") if args.optimize else ("uniform",):
            t = time.monotonic()
            status, body, _ = api.post("/api/ensembles", {"runs": run_ids, "weights": weights, "name": weights})
            if status != 201:
                raise RuntimeError(f"POST /api/ensembles: {status} {body}")
            ensemble = wait(api, f"/api/ensembles/{body['id']}", ("succeeded", "failed"))
            if ensemble["status"] != "succeeded":
                raise RuntimeError(f"ensemble {body['id']} failed: {ensemble['error']}")
            print(f"\n{weights} ensemble (evaluated in {time.monotonic() - t:.1f} s):")
            for member in ensemble["members"]:
                print(
                    f"  run {member['run']} (seed {member['seed']}): test accuracy {member['test']['accuracy']:.4f}"
                    f"  weight {member['weight']:.3f}"
                )
            gain = ensemble["gain"]
            print(f"  ensemble:              test accuracy {ensemble['test']['accuracy']:.4f}")
            print(
                f"  gain over the best member (run {gain['best_run']}, {gain['best_member']:.4f}): "
                f"{gain['value'] * 100:+.2f} points; test loss {ensemble['test']['loss']:.4f}"
            )
            counts = ensemble["disagreements"]["counts"]
            print(
                f"  most members wrong, ensemble right: {counts['ensemble_right']}; "
                f"most right, ensemble wrong: {counts['ensemble_wrong']}"
            )


if __name__ == "__main__":
    main()
