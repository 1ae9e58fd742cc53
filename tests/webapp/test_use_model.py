"""Using a trained run's model over HTTP, in process: a real model trained here once (Fashion-MNIST, a
few hundred samples), stored in the test's MEDIA_ROOT as the worker stores it. Describe, predict (JSON
arrays, PNG files), the field named by every bad request, the one model load per process, a test
sample, the export list, the script, notebook and data file, a conversion past its time limit.
Exports of a trained run and the scripts run end to end are in test_use_model_live.py."""

import io
import json

import nbformat
import numpy as np
import pytest
from django.core.files import File
from PIL import Image

from tests.webapp.conftest import example
from trainer.datasets import load_builtin
from trainer.datasets.builtin import FASHION_CLASSES
from webapp.runs import checks, use
from webapp.runs.models import Run

pytestmark = pytest.mark.django_db

GRAPH = example("mnist_mlp_tiny")
TRAINING = {"epochs": 1, "max_samples": 300, "batch_size": 32, "callbacks": {"tensorboard": False}}


@pytest.fixture(scope="module")
def fashion():
    return load_builtin("fashion_mnist")


@pytest.fixture(scope="module")
def model_path(fashion, tmp_path_factory):
    from trainer.runner import train

    return train(GRAPH, fashion, TRAINING, workdir=tmp_path_factory.mktemp("train")).model_path


def make_run(user, fashion, model_path=None, status=Run.Status.SUCCEEDED) -> Run:
    run = Run.objects.create(
        owner=user,
        dataset_builtin="fashion_mnist",
        dataset_info=fashion.info,
        graph=GRAPH,
        training=checks.check_training(TRAINING),
        status=status,
        test={"loss": 2.0, "accuracy": 0.3},
    )
    if model_path is not None:
        with open(model_path, "rb") as f:
            run.model_file.save("model.keras", File(f), save=True)
    return run


@pytest.fixture
def run(alice, fashion, model_path):
    use.model_cache().clear()
    return make_run(alice, fashion, model_path)


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.round(pixels * 255).astype(np.uint8), mode="L").save(out, "PNG")
    return out.getvalue()


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def post_json(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_describe_says_what_the_model_takes(api, run):
    body = api.get(f"/api/runs/{run.pk}/predict").json()
    assert body["max_samples"] == 256
    (entry,) = body["inputs"]
    assert entry["name"] == "pixels" and entry["kind"] == "image" and entry["shape"] == [784]
    assert entry["image"] == {"width": 28, "height": 28, "channels": 1}
    assert entry["accepts"] == ["samples", "files"] and entry["field"] == "image"
    (output,) = body["outputs"]
    assert output["name"] == "label" and output["kind"] == "classification"
    assert output["classes"] == list(FASHION_CLASSES)


def test_predict_arrays_and_png_files_agree_with_the_model(api, run, fashion, model_path):
    import keras

    loads = use.model_cache().loads
    images = fashion.x_test["image"][:4]
    model = keras.saving.load_model(model_path, compile=False)
    raw = model.predict_on_batch(images.reshape(4, 784))
    expected = np.asarray(raw["label"] if isinstance(raw, dict) else raw)  # a dict or, one Output, an array
    as_arrays = post_json(api, f"/api/runs/{run.pk}/predict", {"inputs": {"pixels": images.tolist()}})
    assert as_arrays.status_code == 200, as_arrays.json()
    answer = as_arrays.json()["outputs"]["label"]
    np.testing.assert_allclose(answer["values"], expected, atol=1e-5)
    assert [top[0]["class"] for top in answer["top"]] == expected.argmax(1).tolist()
    assert answer["top"][0][0]["name"] == FASHION_CLASSES[expected[0].argmax()] and len(answer["top"][0]) == 5

    files = [named(png(img), f"img{i}.png") for i, img in enumerate(images)]
    as_files = api.post(f"/api/runs/{run.pk}/predict", data={"files": files})
    assert as_files.status_code == 200, as_files.json()
    assert as_files.json() == as_arrays.json()  # a PNG gives exactly the dataset's numbers
    assert api.get(f"/api/runs/{run.pk}/predict").status_code == 200
    assert use.model_cache().loads == loads + 1  # arrays, files and describe: one model load


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"inputs": {"pixels": [[0.5] * 10]}}, "inputs.pixels", "shape"),
        ({"inputs": {"image": [[0.5] * 784]}}, "inputs.image", "no such input"),
        ({"inputs": {"pixels": [[2.0] * 784]}}, "inputs.pixels", "[0, 1]"),
        ({"inputs": {}}, "inputs.pixels", "missing"),
        ({"rows": "a,b\n1,2"}, "rows", "send the inputs as arrays"),
        ({"columns": [1, 2]}, "columns", "object"),
        ({"pixels": [[0.5] * 784]}, "body", "exactly one of"),
        ([1, 2], "body", "object"),
    ],
)
def test_bad_requests_name_the_field(api, run, body, field, words):
    response = post_json(api, f"/api/runs/{run.pk}/predict", body)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field and words in response.json()["detail"]


def test_too_many_samples_bad_json_and_bad_files(api, run, settings):
    settings.PREDICT_MAX_SAMPLES = 3
    path = f"/api/runs/{run.pk}/predict"
    too_many = post_json(api, path, {"inputs": {"pixels": [[0.1] * 784] * 4}})
    assert too_many.status_code == 400 and "at most 3" in too_many.json()["detail"]
    assert too_many.json()["field"].startswith("inputs")
    assert api.get(path).json()["max_samples"] == 3

    bad_json = api.post(path, data=b"{nope", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["field"] == "body"

    not_an_image = api.post(path, data={"files": [named(b"hello, not a picture", "notes.txt")]})
    assert not_an_image.status_code == 400 and not_an_image.json()["field"] == "files[0]"
    none = api.post(path, data={"input": "pixels"})
    assert none.status_code == 400 and none.json()["field"] == "files"
    four = api.post(path, data={"files": [named(png(np.zeros((28, 28))), f"{i}.png") for i in range(4)]})
    assert four.status_code == 400 and four.json()["field"] == "files"

    settings.PREDICT_MAX_FILE_BYTES = 100
    big = np.random.default_rng(0).random((28, 28))
    too_big = api.post(path, data={"files": [named(png(np.zeros((28, 28))), "a.png"), named(png(big), "b.png")]})
    assert too_big.status_code == 413 and too_big.json()["field"] == "files[1]"


def test_owner_only_and_trained_runs_only(api, other, client, run, alice, fashion):
    for path in (f"/api/runs/{run.pk}/predict", f"/api/runs/{run.pk}/test-sample", f"/api/runs/{run.pk}/exports"):
        assert other.get(path).status_code == 404
        assert client.get(path).status_code == 401
    assert post_json(other, f"/api/runs/{run.pk}/predict", {"inputs": {}}).status_code == 404
    queued = make_run(alice, fashion, status=Run.Status.QUEUED)
    response = api.get(f"/api/runs/{queued.pk}/predict")
    assert response.status_code == 409 and "queued" in response.json()["detail"]
    assert api.get(f"/api/runs/{queued.pk}/export?format=onnx").status_code == 404
    assert api.get(f"/api/runs/{run.pk}/export?format=pdf").status_code == 400


def test_a_test_sample_feeds_predict(api, run, fashion):
    sample = api.get(f"/api/runs/{run.pk}/test-sample?index=7").json()
    assert sample["index"] == 7 and sample["label"] == int(fashion.y_test["label"][7])
    assert sample["name"] == FASHION_CLASSES[sample["label"]] and sample["image"].startswith("data:image/png;base64,")
    assert np.allclose(sample["inputs"]["pixels"], fashion.x_test["image"][7].reshape(1, 784))
    answer = post_json(api, f"/api/runs/{run.pk}/predict", {"inputs": sample["inputs"]})  # as it is
    assert answer.status_code == 200 and len(answer.json()["outputs"]["label"]["values"]) == 1
    random = api.get(f"/api/runs/{run.pk}/test-sample").json()
    assert 0 <= random["index"] < fashion.test_size
    out_of_range = api.get(f"/api/runs/{run.pk}/test-sample?index={fashion.test_size}")
    assert out_of_range.status_code == 400 and out_of_range.json()["field"] == "index"


def test_export_list_script_notebook_and_data(api, run):
    formats = api.get(f"/api/runs/{run.pk}/exports").json()["formats"]
    assert [f["format"] for f in formats] == ["keras", "savedmodel", "onnx", "tflite"]
    assert formats[0] == {"format": "keras", "filename": "model.keras", "size": run.model_file.size, "error": None}
    assert all(f["size"] is None and f["error"] is None for f in formats[1:])
    keras_file = api.get(f"/api/runs/{run.pk}/export?format=keras")
    assert keras_file.status_code == 200 and b"".join(keras_file.streaming_content)[:2] == b"PK"
    assert 'filename="model.keras"' in keras_file["Content-Disposition"]

    script = api.get(f"/api/runs/{run.pk}/script")
    text = script.content.decode()
    assert script.status_code == 200 and "--epochs" in text and "fashion" in text.lower()
    assert f'filename="mnist_mlp_tiny-run{run.pk}.py"' in script["Content-Disposition"]
    compile(text, "reproduce.py", "exec")
    notebook = api.get(f"/api/runs/{run.pk}/notebook")
    assert notebook.status_code == 200 and notebook["Content-Type"] == "application/x-ipynb+json"
    nbformat.validate(nbformat.reads(notebook.content.decode(), as_version=4))
    data = api.get(f"/api/runs/{run.pk}/data.npz")
    assert data.status_code == 404 and "built-in" in data.json()["detail"]


def test_a_conversion_past_its_time_limit_is_a_422(api, settings):
    settings.EXPORT_TIMEOUT_S = 0.5  # the child process cannot even import TensorFlow in that time
    response = api.post("/api/graphs/export?format=onnx", data=json.dumps(GRAPH), content_type="application/json")
    assert response.status_code == 422, response.content[:300]
    assert "took more than 0.5 s" in response.json()["detail"] and response.json()["format"] == "onnx"


def test_deleting_a_run_removes_its_export_records(api, run, media_root):
    folder = media_root / "runs" / str(run.id)
    (folder / "export-onnx.json").write_text(json.dumps({"error": "ONNX cannot hold block 'x'", "node": "x"}))
    listed = api.get(f"/api/runs/{run.pk}/exports").json()["formats"]
    assert listed[2]["error"] == "ONNX cannot hold block 'x'"
    refused = api.get(f"/api/runs/{run.pk}/export?format=onnx")  # remembered: no conversion again
    assert refused.status_code == 422 and refused.json() == {
        "detail": "ONNX cannot hold block 'x'",
        "field": None,
        "format": "onnx",
        "node": "x",
    }
    assert api.delete(f"/api/runs/{run.pk}").status_code == 204
    assert not folder.exists() or not any(folder.iterdir())
