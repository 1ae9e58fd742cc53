"""Predictions over HTTP on a warm server: latency for one image and throughput for batches of 256,
against the same model called in process.

Starts redis-server, daphne and a Celery worker itself (as the tests do) on a fresh SQLite file,
trains one small Fashion-MNIST model (mnist_mlp, --samples samples, one epoch) through the API,
then, once the model is loaded in the web process (one GET /api/runs/{id}/predict and a few warm-up
predictions):

- latency of `POST /api/runs/{id}/predict` with one image, as JSON arrays and as one PNG file
  (sequential requests on one keep-alive connection): p50, p95;
- throughput of batches of 256 images as JSON (samples/s);
- the same model (the downloaded .keras) in this process: `model.predict(x)` and `model(x)` for one
  image and for 256, and the ratio HTTP / in process.

Goal: p95 under 30 ms for one image here.

    .venv/bin/python bench/predict.py [--requests 300] [--batches 20] [--samples 2000]
"""

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.services import (  # noqa: E402
    Api,
    create_token,
    migrate,
    redis_server,
    start_celery_worker,
    start_daphne,
    webapp_env,
)

GOAL_P95_MS = 30.0
EXAMPLE = ROOT / "builder" / "examples" / "mnist_mlp.json"


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


class Client:
    """One keep-alive HTTP connection with the bench's token: (status, seconds) per request."""

    def __init__(self, url: str, token: str):
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
        self.auth = f"Bearer {token}"

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, float, bytes]:
        started = time.perf_counter()
        self.conn.request("POST", path, body=body, headers={"Authorization": self.auth, "Content-Type": content_type})
        response = self.conn.getresponse()
        data = response.read()
        return response.status, time.perf_counter() - started, data


def timed(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def png(pixels) -> bytes:
    import numpy as np
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.round(pixels * 255).astype(np.uint8), mode="L").save(out, "PNG")
    return out.getvalue()


def multipart_png(data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def ms(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, percentile(values, 0.95) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="one-image requests timed (each kind)")
    parser.add_argument("--batches", type=int, default=20, help="batches of 256 timed")
    parser.add_argument("--samples", type=int, default=2000, help="training samples of the model")
    args = parser.parse_args()

    import numpy as np

    from trainer.datasets import load_builtin

    fashion = load_builtin("fashion_mnist")
    one = fashion.x_test["image"][:1].reshape(1, 784)
    batch = fashion.x_test["image"][:256].reshape(256, 784)
    one_json = json.dumps({"inputs": {"pixels": one.tolist()}}).encode()
    batch_json = json.dumps({"inputs": {"pixels": batch.tolist()}}).encode()
    one_png, png_type = multipart_png(png(fashion.x_test["image"][0]))

    with redis_server() as redis_url, tempfile.TemporaryDirectory(prefix="bench-predict-") as tmp:
        workdir = Path(tmp)
        env = webapp_env(workdir, redis_url)
        migrate(env)
        token = create_token(env, "bench")
        web = start_daphne(env, workdir / "daphne.log")
        worker = start_celery_worker(env, workdir / "worker.log")
        try:
            web.ready()
            worker.ready()
            url = str(getattr(web, "url"))  # noqa: B009 -- Service sets it at start
            api = Api(url, token)
            graph = json.loads(EXAMPLE.read_text())
            training = {"epochs": 1, "max_samples": args.samples, "batch_size": 32, "callbacks": {"tensorboard": False}}
            status, created, _ = api.post(
                "/api/runs", {"graph": graph, "dataset": "fashion_mnist", "training": training}
            )
            assert status == 201, created
            run_id = created["id"]
            started = time.monotonic()
            while True:
                status, run, _ = api.get(f"/api/runs/{run_id}")
                if run["status"] in ("succeeded", "failed", "cancelled"):
                    break
                if time.monotonic() - started > 600:
                    raise RuntimeError(f"run {run_id} still {run['status']} after 600 s")
                time.sleep(0.5)
            if run["status"] != "succeeded":
                raise RuntimeError(f"run {run_id} {run['status']}: {run['error']}\n{worker.log()[-3000:]}")
            print(f"trained run {run_id} in {time.monotonic() - started:.1f} s: test {run['test']}", flush=True)

            started = time.monotonic()
            status, described, _ = api.get(f"/api/runs/{run_id}/predict")
            assert status == 200, described
            print(f"model loaded in the web process in {time.monotonic() - started:.2f} s (first GET predict)")

            client = Client(url, token)
            path = f"/api/runs/{run_id}/predict"
            for _ in range(20):  # warm: the first calls of a Keras model trace it
                status, _, data = client.post(path, one_json, "application/json")
                assert status == 200, data[:500]
                client.post(path, one_png, png_type)
            json_one = [client.post(path, one_json, "application/json")[1] for _ in range(args.requests)]
            png_one = [client.post(path, one_png, png_type)[1] for _ in range(args.requests)]
            status, _, data = client.post(path, batch_json, "application/json")
            assert status == 200, data[:500]
            http_batch = [client.post(path, batch_json, "application/json")[1] for _ in range(args.batches)]

            status, keras_bytes, _ = api.get(f"/api/runs/{run_id}/model")
            assert status == 200
        finally:
            worker.stop()
            web.stop()

    import keras

    local = Path(tempfile.mkdtemp(prefix="bench-model-")) / "model.keras"
    local.write_bytes(keras_bytes)
    model = keras.saving.load_model(local, compile=False)
    x1, x256 = {"pixels": one}, {"pixels": batch}
    for _ in range(20):
        model.predict(x1, verbose=0)
        model(x1, training=False)
        model.predict_on_batch(x1)
    predict_one = timed(lambda: model.predict(x1, verbose=0), args.requests)
    call_one = timed(lambda: np.asarray(model(x1, training=False)), args.requests)
    on_batch_one = timed(lambda: model.predict_on_batch(x1), args.requests)
    predict_batch = timed(lambda: model.predict(x256, verbose=0, batch_size=256), args.batches)
    call_batch = timed(lambda: np.asarray(model(x256, training=False)), args.batches)

    rows = [
        ("HTTP POST predict, 1 image as JSON", json_one),
        ("HTTP POST predict, 1 PNG file", png_one),
        ("in process model.predict(x), 1 image", predict_one),
        ("in process model.predict_on_batch(x), 1 image", on_batch_one),
        ("in process model(x), 1 image", call_one),
    ]
    print(f"\n{'one image':<48} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in rows:
        p50, p95 = ms(values)
        print(f"{name:<48} {p50:>8.2f} {p95:>8.2f}")
    http_p50, http_p95 = ms(json_one)
    print(
        f"ratio HTTP JSON / model.predict p50: {http_p50 / ms(predict_one)[0]:.2f}; "
        f"/ model(x) p50: {http_p50 / ms(call_one)[0]:.2f}"
    )

    def rate(values: list[float]) -> float:
        return 256 / statistics.median(values)

    print(f"\n{'batches of 256':<48} {'samples/s':>10}")
    for name, values in [
        ("HTTP POST predict, JSON", http_batch),
        ("in process model.predict(x)", predict_batch),
        ("in process model(x)", call_batch),
    ]:
        print(f"{name:<48} {rate(values):>10.0f}")
    print(
        f"ratio HTTP / model.predict: {rate(http_batch) / rate(predict_batch):.2f}; "
        f"/ model(x): {rate(http_batch) / rate(call_batch):.2f}"
    )
    ok = http_p95 < GOAL_P95_MS
    print(
        f"\ngoal (p95 under {GOAL_P95_MS:g} ms for one image as JSON): {'met' if ok else 'NOT met'} ({http_p95:.1f} ms)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
