"""The account-free graph endpoints over Django's test client: catalog, validate, export, import."""

import io
import json
import zipfile
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = sorted((ROOT / "builder" / "examples").glob("*.json"))
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "graphs" / "expected_valid.json").read_text())
INVALID_DIR = ROOT / "tests" / "fixtures" / "graphs" / "invalid"
INVALID_EXPECTED = json.loads((INVALID_DIR / "expected.json").read_text())


def post_json(client, url, doc):
    return client.post(url, data=json.dumps(doc), content_type="application/json")


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_layers_lists_the_curated_catalog(client):
    resp = client.get("/api/layers")
    assert resp.status_code == 200
    body = resp.json()
    types = {layer["type"] for layer in body["layers"]}
    assert {"Input", "Output", "Dense", "Conv2D", "LSTM", "Bidirectional", "MultiHeadAttention"} <= types
    assert len(types - {"Input", "Output"}) >= 45
    dense = next(layer for layer in body["layers"] if layer["type"] == "Dense")
    units = next(p for p in dense["params"] if p["name"] == "units")
    assert units["kind"] == "int" and units["required"] is True
    assert body["keras_version"] == keras.__version__


def test_layers_carry_the_checkers_rules_and_the_blocks_facts(client):
    """What the front end needs to check a field as the server does (form.ts reads `rules`)."""
    body = client.get("/api/layers").json()
    layers = {layer["type"]: layer for layer in body["layers"]}
    units = next(p for p in layers["Dense"]["params"] if p["name"] == "units")
    assert units["rules"]["expect"] == "an integer between 1 and 1000000"
    assert {"kind", "min", "max", "choices", "length", "nullable", "required", "check"} <= set(units["rules"])
    target = layers["Reshape"]["params"][0]["rules"]
    assert target["entries"]["minus_one"] is True and target["entries"]["null"] is False
    assert layers["Conv2D"]["facts"]["layout"] == "(batch, height, width, channels)"
    # The server's message for a bad value quotes the same `expect`.
    doc = {
        "version": 1,
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [4]}},
            {"id": "d", "type": "Dense", "params": {"units": 0}},
            {"id": "y", "type": "Output", "params": {"loss": "mse"}},
        ],
        "edges": [{"source": "x", "target": "d"}, {"source": "d", "target": "y"}],
    }
    result = post_json(client, "/api/graphs/validate", doc).json()
    assert f"units must be {units['rules']['expect']}; got 0" in [e["message"] for e in result["errors"]]


def test_examples_are_served_as_templates(client):
    body = client.get("/api/examples").json()
    assert sorted(e["name"] for e in body) == sorted(p.stem for p in EXAMPLES)
    assert all(e["description"] for e in body)


@pytest.mark.django_db  # the Bearer token is looked up
def test_anonymous_examples_are_the_static_list_without_transfer_learning(client):
    import builder

    body = client.get("/api/examples").json()
    assert body == json.loads(json.dumps(builder.list_examples()))
    assert "transfer_learning" not in {e["name"] for e in body}
    # An unknown Bearer token reads as nobody: the same list, not an error (the endpoint needs no account).
    with_token = client.get("/api/examples", headers={"Authorization": "Bearer kc_nope"})
    assert with_token.status_code == 200 and with_token.json() == body


def saved_run(user, graph: dict, tmp_path: Path, finished_minute: int):
    """A succeeded run of `graph` with a freshly built (untrained) model file: no worker involved."""
    import datetime

    from django.core.files import File

    from builder.compile import compile_graph
    from webapp.runs.models import Run

    path = tmp_path / f"model-{finished_minute}.keras"
    compile_graph(graph).model.save(path)
    run = Run.objects.create(
        owner=user,
        dataset_builtin="fashion_mnist",
        graph=graph,
        status=Run.Status.SUCCEEDED,
        finished_at=datetime.datetime(2026, 1, 1, 12, finished_minute, tzinfo=datetime.UTC),
    )
    with open(path, "rb") as f:
        run.model_file.save("model.keras", File(f), save=True)
    return run


@pytest.mark.django_db
def test_transfer_learning_template_for_a_signed_in_person(client, django_user_model, settings, tmp_path):
    from django.test import Client

    from webapp.accounts.models import ApiToken

    settings.MEDIA_ROOT = str(tmp_path / "media")
    alice = django_user_model.objects.create_user("alice", password="alice-password-1")
    django_user_model.objects.create_user("bob", password="bob-password-1")
    _, raw = ApiToken.objects.issue(alice, "test")
    as_alice = Client(headers={"Authorization": f"Bearer {raw}"})
    static = {e["name"] for e in client.get("/api/examples").json()}
    assert {e["name"] for e in as_alice.get("/api/examples").json()} == static  # no runs yet

    cnn = saved_run(alice, load(ROOT / "builder/examples/fashion_cnn.json"), tmp_path, 1)
    one_layer = {
        "version": 1,
        "name": "one_layer",
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [4]}},
            {"id": "d", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
            {"id": "y", "type": "Output", "params": {"loss": "sparse_categorical_crossentropy"}},
        ],
        "edges": [{"source": "x", "target": "d"}, {"source": "d", "target": "y"}],
    }
    saved_run(alice, one_layer, tmp_path, 2)  # the latest, but nothing is left once its classifier is cut off

    listed = as_alice.get("/api/examples").json()
    (entry,) = [e for e in listed if e["name"] == "transfer_learning"]
    assert {e["name"] for e in listed} == static | {"transfer_learning"}
    assert entry["description"].startswith(f"Transfer learning: your run #{cnn.id} (fashion_cnn, fashion_mnist)")
    assert entry["dataset"] == "fashion_mnist"
    base = next(n for n in entry["graph"]["nodes"] if n["type"] == "Pretrained")
    assert base["params"] == {"run": cnn.id, "cut_at": "drop", "trainable": False}
    result = post_json(as_alice, "/api/graphs/validate", entry["graph"]).json()
    assert result["valid"], result["errors"]
    assert result["trainable_params"] == 1600 * 10 + 10

    session = Client()
    session.force_login(alice)
    assert "transfer_learning" in {e["name"] for e in session.get("/api/examples").json()}
    bob = Client()
    bob.force_login(django_user_model.objects.get(username="bob"))
    assert {e["name"] for e in bob.get("/api/examples").json()} == static


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates_with_the_expected_figures(client, path):
    body = post_json(client, "/api/graphs/validate", load(path)).json()
    expected = EXPECTED[path.stem]
    assert body["valid"] is True, body["errors"]
    assert body["total_params"] == expected["total_params"]
    graph = load(path)
    for output_id, shape in expected["outputs"].items():
        (source,) = [e["source"] for e in graph["edges"] if e["target"] == output_id]
        assert body["nodes"][source]["output_shape"] == shape


@pytest.mark.parametrize("name", sorted(INVALID_EXPECTED), ids=str)
def test_every_broken_graph_names_its_nodes(client, name):
    body = post_json(client, "/api/graphs/validate", load(INVALID_DIR / f"{name}.json")).json()
    assert body["valid"] is False and body["errors"]
    named = {e["node"] for e in body["errors"]}
    assert set(INVALID_EXPECTED[name]["error_nodes"]) <= named


def test_lstm_on_an_image_says_how_to_fix_it(client):
    body = post_json(client, "/api/graphs/validate", load(INVALID_DIR / "lstm_on_image.json")).json()
    (error,) = [e for e in body["errors"] if e["node"] == "rnn"]
    assert "(batch, timesteps, features)" in error["message"]
    assert "Reshape" in error["message"]


@pytest.mark.parametrize(
    "body, content_type",
    [(b"{not json", "application/json"), (b"", "application/json"), (b"\xff\xfe", "application/json")],
)
def test_bad_json_is_a_400_with_a_message(client, body, content_type):
    resp = client.post("/api/graphs/validate", data=body, content_type=content_type)
    assert resp.status_code == 400
    assert resp.json()["detail"]


@pytest.mark.parametrize(
    "doc", [[], 3, "graph", None, {"nodes": "x"}, {"version": 1, "nodes": [1, 2], "edges": [None]}]
)
def test_wrong_types_are_answered_not_crashed(client, doc):
    resp = post_json(client, "/api/graphs/validate", doc)
    assert resp.status_code == 200
    assert resp.json()["valid"] is False


def test_absurd_sizes_are_refused(client):
    huge = {"version": 1, "nodes": [{"id": "x", "type": "Input", "params": {"shape": [4]}}], "edges": []}
    huge["nodes"] += [{"id": f"d{i}", "type": "Dense", "params": {"units": 1}} for i in range(60_000)]
    resp = post_json(client, "/api/graphs/validate", huge)
    assert resp.status_code == 413
    big_units = load(INVALID_DIR / "bad_param.json")
    big_units["nodes"][1]["params"]["units"] = 10**12
    body = post_json(client, "/api/graphs/validate", big_units).json()
    assert body["valid"] is False and body["errors"][0]["param"] == "units"


def test_export_python_is_an_attachment_that_builds_the_model(client):
    resp = post_json(client, "/api/graphs/export?format=python", load(ROOT / "builder/examples/mnist_mlp.json"))
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'attachment; filename="mnist_mlp.py"'
    namespace: dict = {"__name__": "exported"}
    exec(compile(resp.content.decode(), "mnist_mlp.py", "exec"), namespace)
    assert namespace["build_model"]().count_params() == 407050


def test_export_keras_and_json(client, tmp_path):
    graph = load(ROOT / "builder/examples/fashion_cnn.json")
    resp = post_json(client, "/api/graphs/export?format=keras", graph)
    assert resp.status_code == 200
    path = tmp_path / "m.keras"
    path.write_bytes(resp.content)
    assert keras.saving.load_model(path).count_params() == EXPECTED["fashion_cnn"]["total_params"]
    normal = post_json(client, "/api/graphs/export?format=json", graph).json()
    assert normal["version"] == 1
    assert {n["id"] for n in normal["nodes"]} == {n["id"] for n in graph["nodes"]}


def test_export_of_a_broken_graph_is_a_400_with_node_errors(client):
    resp = post_json(client, "/api/graphs/export?format=python", load(INVALID_DIR / "cycle.json"))
    assert resp.status_code == 400
    body = resp.json()
    assert body["detail"] and {"dense_a", "dense_b"} <= {e["node"] for e in body["errors"]}
    assert (
        post_json(client, "/api/graphs/export?format=zip", load(ROOT / "builder/examples/mnist_mlp.json")).status_code
        == 400
    )


def test_import_roundtrip_through_a_keras_file(client):
    graph = load(ROOT / "builder/examples/residual_block.json")
    keras_bytes = post_json(client, "/api/graphs/export?format=keras", graph).content
    upload = io.BytesIO(keras_bytes)
    upload.name = "residual_block.keras"
    resp = client.post("/api/graphs/import", {"file": upload})
    assert resp.status_code == 200, resp.content
    imported = resp.json()
    assert {n["id"] for n in imported["nodes"]} == {n["id"] for n in graph["nodes"]}
    assert all("position" in n for n in imported["nodes"])
    again = post_json(client, "/api/graphs/validate", imported).json()
    assert again["valid"] and again["total_params"] == EXPECTED["residual_block"]["total_params"]


def test_import_refuses_garbage_with_a_message(client):
    upload = io.BytesIO(b"this is not a model")
    upload.name = "x.keras"
    resp = client.post("/api/graphs/import", {"file": upload})
    assert resp.status_code == 400 and resp.json()["detail"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "no model here")
    buf.seek(0)
    buf.name = "fake.keras"
    assert client.post("/api/graphs/import", {"file": buf}).status_code == 400


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/graphs/validate" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_import_without_a_file_or_with_a_broken_multipart_body_is_a_400(client):
    resp = client.post("/api/graphs/import", {"other": "field"})
    assert resp.status_code == 400 and "'file'" in resp.json()["detail"]
    resp = client.post("/api/graphs/import", data=b"--x\r\nnot multipart", content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.json()["detail"]
    resp = client.post("/api/graphs/import", data=b"{not json", content_type="application/json")
    assert resp.status_code == 400 and resp.json()["detail"]
