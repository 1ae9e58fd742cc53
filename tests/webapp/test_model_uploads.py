"""Uploaded .keras models (POST/GET/DELETE /api/models): checked before Keras loads them (catalog layers only,
safe mode, size caps), listed and inspected by their owner only, and used as Pretrained blocks ({"upload": id})
in validate and in the run check; POST /api/graphs/inner-layers lists a model block's inner layers."""

import io
from pathlib import Path

import keras
import pytest

import builder
from tests.webapp.conftest import example
from webapp.modelfiles.models import UploadedModel

pytestmark = pytest.mark.django_db


def saved(model: keras.Model, tmp_path: Path, name: str = "model.keras") -> bytes:
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def mlp_bytes(tmp_path_factory) -> bytes:
    """mnist_mlp's model, as a person would save theirs."""
    return saved(builder.compile_graph(example("mnist_mlp")).model, tmp_path_factory.mktemp("uploads"))


def upload(client, data: bytes, filename: str = "mlp.keras", **fields):
    f = io.BytesIO(data)
    f.name = filename
    return client.post("/api/models", {"file": f, **fields})


def head_graph(upload_id: int, **params) -> dict:
    return {
        "version": 1,
        "nodes": [
            {"id": "pixels", "type": "Input", "params": {"shape": [784]}},
            {"id": "base", "type": "Pretrained", "params": {"upload": upload_id, "cut_at": "hidden", **params}},
            {"id": "probs", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {"id": "label", "type": "Output", "params": {"loss": "sparse_categorical_crossentropy"}},
        ],
        "edges": [
            {"source": "pixels", "target": "base"},
            {"source": "base", "target": "probs"},
            {"source": "probs", "target": "label"},
        ],
    }


def test_upload_list_and_layers(api, mlp_bytes):
    r = upload(api, mlp_bytes, name="my mlp")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "my mlp" and body["filename"] == "mlp.keras" and body["size"] == len(mlp_bytes)
    assert body["layers"] == 3  # hidden, probs and the Identity naming the output
    assert body["input_shapes"] == [[None, 784]] and body["output_shapes"] == [[None, 10]]
    assert body["params"] == 784 * 512 + 512 + 512 * 10 + 10
    listed = api.get("/api/models").json()
    assert listed == [body]
    layers = api.get(f"/api/models/{body['id']}/layers").json()["layers"]
    assert [(layer["name"], layer["params"]) for layer in layers][1:3] == [("hidden", 784 * 512 + 512), ("probs", 5130)]
    assert api.get(f"/api/models/{body['id']}").json() == body
    download = api.get(f"/api/models/{body['id']}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == mlp_bytes
    assert f'filename="upload-{body["id"]}.keras"' in download["Content-Disposition"]


def test_an_upload_serves_as_a_pretrained_block_in_validate_and_the_run_check(api, mlp_bytes, queued):
    upload_id = upload(api, mlp_bytes).json()["id"]
    graph = head_graph(upload_id)
    r = api.post("/api/graphs/validate", graph, content_type="application/json")
    assert r.status_code == 200 and r.json()["valid"], r.content
    base = r.json()["nodes"]["base"]
    assert base["params"] == 784 * 512 + 512 and base["trainable_params"] == 0 and base["output_shape"] == [None, 512]
    check = api.post("/api/runs/check", {"graph": graph, "dataset": "fashion_mnist"}, content_type="application/json")
    assert check.status_code == 200, check.content
    assert check.json()["ok"] is True and queued == []


def test_inner_layers_of_an_upload_and_of_an_application(api, mlp_bytes):
    upload_id = upload(api, mlp_bytes).json()["id"]
    r = api.post(
        "/api/graphs/inner-layers",
        {"type": "Pretrained", "params": {"upload": upload_id, "cut_at": "hidden"}, "input_shape": [784]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert [layer["class_name"] for layer in r.json()["layers"]] == ["InputLayer", "Dense"]
    app = api.post(
        "/api/graphs/inner-layers",
        {"type": "MobileNetV2", "params": {"alpha": 0.35, "pooling": "avg"}, "input_shape": [32, 32, 3]},
        content_type="application/json",
    )
    assert app.status_code == 200, app.content
    layers = app.json()["layers"]
    checked = api.post(
        "/api/graphs/validate",
        {
            "version": 1,
            "nodes": [
                {"id": "x", "type": "Input", "params": {"shape": [32, 32, 3]}},
                {"id": "base", "type": "MobileNetV2", "params": {"alpha": 0.35, "pooling": "avg"}},
            ],
            "edges": [{"source": "x", "target": "base"}],
        },
        content_type="application/json",
    ).json()
    assert sum(layer["params"] for layer in layers) == checked["nodes"]["base"]["params"]
    assert layers[-1]["output_shape"] == [None, 1280]
    for body, field in [
        ({"type": "Dense", "params": {}, "input_shape": [3]}, "type"),
        ({"type": "MobileNetV2", "params": {"alpha": "wide"}, "input_shape": [32, 32, 3]}, "params"),
        ({"type": "MobileNetV2", "params": {}, "input_shape": [8, 8, 3]}, "params"),
        ({"type": "MobileNetV2", "params": {}, "input_shape": []}, "input_shape"),
    ]:
        bad = api.post("/api/graphs/inner-layers", body, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["field"] == field, (body, bad.content)


def test_a_file_with_a_layer_outside_the_catalog_is_refused_naming_it(api, tmp_path):
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(2)(keras.layers.Normalization(name="scale")(inputs))
    data = saved(keras.Model(inputs, outputs), tmp_path)
    r = upload(api, data)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "file"
    assert "outside the block catalog" in r.json()["detail"] and "'scale' (Normalization)" in r.json()["detail"]
    assert not UploadedModel.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"PK\x03\x04 not really a zip", "broken.keras", "not a .keras file"),
        (b"", "empty.keras", "empty"),
        (b"{}", "model.json", "send a .keras file"),
    ],
)
def test_files_that_are_no_keras_model_are_400(api, data, filename, words):
    r = upload(api, data, filename)
    assert r.status_code == 400 and words in r.json()["detail"], r.content
    assert not UploadedModel.objects.exists()


def test_size_and_parameter_caps(api, mlp_bytes, settings):
    settings.MAX_MODEL_PARAMS = 1000
    r = upload(api, mlp_bytes)
    assert r.status_code == 413 and "more than this server's limit" in r.json()["detail"], r.content
    settings.MAX_MODEL_PARAMS = 10**9
    settings.MAX_UPLOAD_BYTES = len(mlp_bytes) // 2
    r = upload(api, mlp_bytes)
    assert r.status_code == 413, r.content
    assert not UploadedModel.objects.exists()


def test_anyone_elses_upload_is_not_found(api, other, mlp_bytes):
    upload_id = upload(api, mlp_bytes).json()["id"]
    assert other.get(f"/api/models/{upload_id}").status_code == 404
    assert other.get(f"/api/models/{upload_id}/layers").status_code == 404
    assert other.get(f"/api/models/{upload_id}/file").status_code == 404
    assert other.delete(f"/api/models/{upload_id}").status_code == 404
    assert other.get("/api/models").json() == []
    r = other.post("/api/graphs/validate", head_graph(upload_id), content_type="application/json")
    errors = r.json()["errors"]
    assert errors == [{"node": "base", "message": f"Pretrained: upload {upload_id} not found"}]
    missing = api.post("/api/graphs/validate", head_graph(upload_id + 1), content_type="application/json")
    assert missing.json()["errors"][0]["message"] == f"Pretrained: upload {upload_id + 1} not found"
    assert UploadedModel.objects.filter(pk=upload_id).exists()


def test_delete_removes_the_row_and_its_file(api, mlp_bytes, django_capture_on_commit_callbacks):
    body = upload(api, mlp_bytes).json()
    path = Path(UploadedModel.objects.get(pk=body["id"]).file.path)
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        r = api.delete(f"/api/models/{body['id']}")
    assert r.status_code == 204
    assert not UploadedModel.objects.exists() and not path.exists()
    assert api.get(f"/api/models/{body['id']}/layers").status_code == 404


def test_signed_out_is_401(client, mlp_bytes):
    assert client.get("/api/models").status_code == 401
    assert upload(client, mlp_bytes).status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
def test_a_sweeps_trials_resolve_an_upload_as_runs_do(api, queued, tmp_path, settings, events_redis):
    """The sweep's trial graphs are checked under its owner's resolver (webapp/pretrained.py), as a run's are:
    the trials are queued, not failed for want of a signed-in person."""
    from webapp.runs.models import Run

    settings.SWEEP_OPTUNA_STORAGE = f"sqlite:///{tmp_path / 'optuna.sqlite3'}"
    inputs = keras.Input((64,))
    outputs = keras.layers.Dense(10, name="probs")(keras.layers.Dense(16, name="hidden")(inputs))
    upload_id = upload(api, saved(keras.Model(inputs, outputs), tmp_path)).json()["id"]
    graph = head_graph(upload_id)
    graph["nodes"][0]["params"]["shape"] = [64]
    sweep = {
        "graph": graph,
        "dataset": "digits",
        "training": {"epochs": 1},
        "space": [{"target": "training.learning_rate", "kind": "float", "low": 0.001, "high": 0.1, "log": True}],
        "sampler": "random",
        "trials": 2,
        "parallel": 2,
        "seed": 1,
    }
    r = api.post("/api/sweeps", sweep, content_type="application/json")
    assert r.status_code == 201, r.content
    trials = list(Run.objects.filter(sweep_id=r.json()["id"]))
    assert len(trials) == 2 and {t.status for t in trials} == {Run.Status.QUEUED}, [t.error for t in trials]
    assert sorted(queued) == sorted(t.id for t in trials)
