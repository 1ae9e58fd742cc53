"""Using trained models end to end, through real processes (redis-server, daphne, a Celery worker on a
fresh SQLite file; one stack for the module): a Fashion-MNIST run and a CSV-upload run trained by the
worker, then predictions, every export format, and the run's script and notebook, over HTTP only."""

import io
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

from tests.services import redis_server
from tests.webapp.conftest import example
from tests.webapp.test_live import Stack
from trainer.datasets import dataset_from_npz, load_builtin
from trainer.datasets.base import split_indices
from trainer.exports import verify_export

pytestmark = [pytest.mark.services, pytest.mark.timeout(1500)]

FASHION = {"epochs": 1, "max_samples": 300, "batch_size": 32, "validation_split": 0.1}
CSV = {"epochs": 3, "batch_size": 16, "validation_split": 0.1}
TOLERANCE = 0.015  # 1.5 points of accuracy (on a CPU worker the script is exact)
CITIES = ["paris", "rome", "oslo"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with redis_server() as redis_url:
        s = Stack(tmp_path_factory.mktemp("use-live"), redis_url)
        yield s
        s.stop()


def succeeded(stack, run_id: int) -> dict:
    run = stack.wait_status(run_id, {"succeeded", "failed", "cancelled"}, timeout=600)
    assert run["status"] == "succeeded", (run["error"], stack.worker.log()[-3000:])
    return run


@pytest.fixture(scope="module")
def fashion():
    return load_builtin("fashion_mnist")


@pytest.fixture(scope="module")
def fashion_run(stack):
    return succeeded(stack, stack.start_run(example("mnist_mlp_tiny"), training=FASHION))


@pytest.fixture(scope="module")
def downloaded(stack, fashion_run, tmp_path_factory):
    """The run's .keras file as a person downloads it, and the model loaded from it."""
    import keras

    status, data, _ = stack.alice.get(f"/api/runs/{fashion_run['id']}/model")
    assert status == 200
    path = tmp_path_factory.mktemp("downloaded") / "model.keras"
    path.write_bytes(data)
    return path, keras.saving.load_model(path)


def csv_lines(rows: int = 240) -> list[str]:
    lines = ["age,city,shop,price,label"]
    for i in range(rows):
        age = "" if i % 7 == 3 else str(20 + (i * 7) % 30)
        city = CITIES[i % 3]
        label = "yes" if (city == "oslo") != (i % 5 == 0) else "no"
        lines.append(f"{age},{city},s{i % 45},{i * 1.5},{label}")
    return lines


@pytest.fixture(scope="module")
def csv_run(stack):
    lines = csv_lines()
    body, content_type = multipart(
        {"name": "shops", "options": json.dumps({"targets": ["label"]})},
        [("file", "shops.csv", "\n".join(lines).encode())],
    )
    status, info, _ = stack.alice.post("/api/datasets", raw=body, content_type=content_type)
    assert status == 201, info
    (features,) = info["inputs"]
    graph = {
        "version": 1,
        "name": "shops",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": features["shape"]}},
            {"id": "hidden", "type": "Dense", "params": {"units": 16, "activation": "relu"}},
            {"id": "probs", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
            {
                "id": "label",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "probs"},
            {"source": "probs", "target": "label"},
        ],
    }
    run = succeeded(stack, stack.start_run(graph, dataset=info["id"], training=CSV))
    return run, lines


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.round(pixels * 255).astype(np.uint8), mode="L").save(out, "PNG")
    return out.getvalue()


def run_python(script: Path, *args: str, cwd: Path) -> str:
    """`python script.py args` in a fresh, isolated interpreter (no repository on sys.path)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-I", str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"the script failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def printed_metrics(stdout: str) -> dict[str, float]:
    return {m[1]: float(m[2]) for m in re.finditer(r"^test (\S+): (\S+)$", stdout, re.MULTILINE)}


# --- predictions -------------------------------------------------------------------------------------


def test_images_as_arrays_and_png_files_give_the_downloaded_models_classes(stack, fashion_run, downloaded, fashion):
    _, model = downloaded
    images = fashion.x_test["image"][:4]
    expected = model.predict(images.reshape(4, 784), verbose=0)
    assert isinstance(expected, np.ndarray) and expected.shape == (4, 10)  # one Output: a plain array

    path = f"/api/runs/{fashion_run['id']}/predict"
    status, as_arrays, _ = stack.alice.post(path, {"inputs": {"pixels": images.tolist()}})
    assert status == 200, as_arrays
    answer = as_arrays["outputs"]["label"]
    assert [top[0]["class"] for top in answer["top"]] == expected.argmax(1).tolist()
    np.testing.assert_allclose(answer["values"], expected, atol=1e-5)

    body, content_type = multipart({}, [("files", f"{i}.png", png(img)) for i, img in enumerate(images)])
    status, as_files, _ = stack.alice.post(path, raw=body, content_type=content_type)
    assert status == 200, as_files
    assert [top[0]["class"] for top in as_files["outputs"]["label"]["top"]] == expected.argmax(1).tolist()
    assert as_files == as_arrays

    status, sample, _ = stack.alice.get(f"/api/runs/{fashion_run['id']}/test-sample?index=3")
    assert status == 200 and sample["label"] == int(fashion.y_test["label"][3])
    status, one, _ = stack.alice.post(path, {"inputs": sample["inputs"]})  # a batch of one, as it is
    assert status == 200 and one["outputs"]["label"]["values"][0] == answer["values"][3]


def test_bad_requests_are_400s_naming_the_field_and_others_get_404(stack, fashion_run, csv_run):
    path = f"/api/runs/{fashion_run['id']}/predict"
    cases = [
        ({"inputs": {"pixels": [[0.5] * 783]}}, "inputs.pixels"),
        ({"inputs": {"pixels": [[0.0] * 784] * 257}}, "inputs.pixels"),
        ({"columns": {"age": [1]}}, "rows"),
    ]
    for body, field in cases:
        status, answer, _ = stack.alice.post(path, body)
        assert (status, answer["field"]) == (400, field), answer
    body, content_type = multipart({}, [("files", "notes.txt", b"not an image at all")])
    status, answer, _ = stack.alice.post(path, raw=body, content_type=content_type)
    assert (status, answer["field"]) == (400, "files[0]"), answer

    run, _ = csv_run
    status, answer, _ = stack.alice.post(f"/api/runs/{run['id']}/predict", {"rows": "age,planet\n3,mars"})
    assert (status, answer["field"]) == (400, "columns.planet"), answer
    status, answer, _ = stack.alice.post(f"/api/runs/{run['id']}/predict", {"rows": "age,city\n3,rome"})
    assert status == 400 and answer["field"].startswith("columns."), answer

    for method, p in [("GET", path), ("POST", path), ("GET", f"/api/runs/{fashion_run['id']}/export?format=onnx")]:
        status, answer, _ = stack.bob.request(method, p, {"inputs": {}} if method == "POST" else None)
        assert status == 404, answer


def test_raw_csv_rows_predict_as_the_training_pipeline(stack, csv_run, tmp_path):
    run, lines = csv_run
    status, data, _ = stack.alice.get(f"/api/runs/{run['id']}/data.npz")
    assert status == 200
    ds = dataset_from_npz(io.BytesIO(data))  # the arrays the worker trained on
    labels = np.array([0 if line.endswith(",no") else 1 for line in lines[1:]])
    _, test_rows = split_indices(len(labels), labels)
    assert len(test_rows) == ds.test_size

    path = f"/api/runs/{run['id']}/predict"
    csv_text = "\n".join([lines[0]] + [lines[1 + i] for i in test_rows])
    status, from_rows, _ = stack.alice.post(path, {"rows": csv_text})
    assert status == 200, from_rows
    status, from_arrays, _ = stack.alice.post(path, {"inputs": {"features": ds.x_test["features"].tolist()}})
    assert status == 200, from_arrays
    assert from_rows == from_arrays  # a raw row gives exactly the numbers it gave in training

    import keras

    status, keras_bytes, _ = stack.alice.get(f"/api/runs/{run['id']}/export?format=keras")
    assert status == 200
    (tmp_path / "m.keras").write_bytes(keras_bytes)
    expected = keras.saving.load_model(tmp_path / "m.keras").predict(ds.x_test["features"], verbose=0)
    np.testing.assert_allclose(from_rows["outputs"]["label"]["values"], expected, atol=1e-5)
    names = [top[0]["name"] for top in from_rows["outputs"]["label"]["top"]]
    assert set(names) <= {"no", "yes"}


# --- exports -----------------------------------------------------------------------------------------


def test_every_export_format_downloads_converted_once(stack, fashion_run, downloaded, fashion, tmp_path):
    run_id = fashion_run["id"]
    _, model = downloaded
    x = fashion.x_test["image"][:16].reshape(16, 784)
    media = stack.workdir / "media" / "runs" / str(run_id)
    status, listed, _ = stack.alice.get(f"/api/runs/{run_id}/exports")
    assert status == 200 and [f["size"] for f in listed["formats"][1:]] == [None, None, None]

    for fmt, filename in [
        ("keras", "model.keras"),
        ("savedmodel", "savedmodel.zip"),
        ("onnx", "model.onnx"),
        ("tflite", "model.tflite"),
    ]:
        started = time.monotonic()
        status, data, headers = stack.alice.get(f"/api/runs/{run_id}/export?format={fmt}", timeout=600)
        first = time.monotonic() - started
        assert status == 200, data
        assert f'filename="{filename}"' in headers["Content-Disposition"]
        path = tmp_path / filename
        path.write_bytes(data)
        if fmt != "keras":
            worst = verify_export(path, fmt, model, x)
            assert worst < 1e-4, (fmt, worst)
            stored = media / filename
            assert stored.is_file() and (media / f"export-{fmt}.json").is_file()
            mtime = stored.stat().st_mtime_ns
            started = time.monotonic()
            status, again, _ = stack.alice.get(f"/api/runs/{run_id}/export?format={fmt}")
            second = time.monotonic() - started
            assert status == 200 and again == data
            assert stored.stat().st_mtime_ns == mtime  # served from storage, not converted again
            assert second < min(2.0, first / 3), (fmt, first, second)
            print(f"{fmt}: first download {first:.1f} s (conversion), second {second * 1000:.0f} ms")

    log = stack.web.log()
    for fmt in ("savedmodel", "onnx", "tflite"):
        assert len(re.findall(rf"run {run_id}: {fmt} export converted", log)) == 1, fmt
    status, listed, _ = stack.alice.get(f"/api/runs/{run_id}/exports")
    assert all(f["size"] and f["error"] is None for f in listed["formats"]), listed


# --- reproducing the run -----------------------------------------------------------------------------


def test_the_script_reaches_the_runs_test_accuracy_and_the_notebook_is_valid(stack, fashion_run, tmp_path):
    run_id = fashion_run["id"]
    status, source, headers = stack.alice.get(f"/api/runs/{run_id}/script")
    assert status == 200 and headers["Content-Type"].startswith("text/x-python")
    script = tmp_path / f"mnist_mlp_tiny-run{run_id}.py"
    script.write_bytes(source)
    reproduced = printed_metrics(run_python(script, "--epochs", str(FASHION["epochs"]), cwd=tmp_path))
    print(f"run accuracy {fashion_run['test']['accuracy']:.4f}, script {reproduced['accuracy']:.4f}")
    assert abs(reproduced["accuracy"] - fashion_run["test"]["accuracy"]) <= TOLERANCE

    status, notebook, headers = stack.alice.get(f"/api/runs/{run_id}/notebook")
    assert status == 200 and headers["Content-Type"] == "application/x-ipynb+json"
    nbformat.validate(nbformat.reads(notebook.decode(), as_version=4))
    status, answer, _ = stack.alice.get(f"/api/runs/{run_id}/data.npz")
    assert status == 404 and "built-in" in answer["detail"]


def test_the_upload_runs_script_reaches_its_accuracy_with_data_npz(stack, csv_run, tmp_path):
    run, _ = csv_run
    status, source, _ = stack.alice.get(f"/api/runs/{run['id']}/script")
    assert status == 200
    status, data, headers = stack.alice.get(f"/api/runs/{run['id']}/data.npz")
    assert status == 200 and 'filename="shops.npz"' in headers["Content-Disposition"]
    (tmp_path / "shops.npz").write_bytes(data)  # the name the script expects: no --data needed
    script = tmp_path / "shops.py"
    script.write_bytes(source)
    reproduced = printed_metrics(run_python(script, "--epochs", str(CSV["epochs"]), cwd=tmp_path))
    print(f"run accuracy {run['test']['accuracy']:.4f}, script {reproduced['accuracy']:.4f}")
    assert abs(reproduced["accuracy"] - run["test"]["accuracy"]) <= TOLERANCE
    status, notebook, _ = stack.alice.get(f"/api/runs/{run['id']}/notebook")
    assert status == 200
    nbformat.validate(nbformat.reads(notebook.decode(), as_version=4))
