"""/api/openapi.json describes every answer: each operation that answers JSON names the properties of
its success body (through $refs), each 4xx it declares is the Error schema, and the websocket's
events are components of their own."""

import json

import pytest

import builder
from trainer import events

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def spec():
    from django.test import Client

    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    return schema


def named_objects(spec: dict, schema: dict) -> list[dict]:
    """The object schemas a body can be (an array's items, each branch of a union), resolved."""
    schema = resolve(spec, schema)
    if schema.get("type") == "array":
        return named_objects(spec, schema["items"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [o for branch in schema[key] for o in named_objects(spec, branch)]
    return [schema]


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def success(operation: dict) -> tuple[str, dict]:
    codes = [c for c in operation["responses"] if c.startswith("2")]
    assert len(codes) == 1, codes
    return codes[0], operation["responses"][codes[0]]


def test_every_json_answer_has_a_schema_with_named_properties(spec):
    json_answers = 0
    for name, operation in operations(spec):
        code, answer = success(operation)
        content = answer.get("content")
        if code == "204":
            assert not content, name
            continue
        assert content, f"{name}: its {code} answer declares no content"
        if "application/json" not in content:
            assert all(t != "application/json" for t in content), name  # a file (script, .keras, CSV, zip)
            continue
        json_answers += 1
        for obj in named_objects(spec, content["application/json"]["schema"]):
            assert obj.get("type") == "object" and obj.get("properties"), f"{name}: a free-form {code} answer"
            assert obj.get("required"), f"{name}: every key of its {code} answer is optional"
    assert json_answers >= 25


def test_every_declared_4xx_is_the_error_schema(spec):
    declared = 0
    for name, operation in operations(spec):
        for code, answer in operation["responses"].items():
            if code.startswith("4"):
                declared += 1
                assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (name, code)
                assert answer["description"], (name, code)
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"] and {"detail", "field", "errors", "node"} <= error["properties"].keys()
    assert declared >= 60


@pytest.mark.parametrize(
    "operation, codes",
    [
        ("POST /api/graphs/validate", {"400", "413"}),
        ("GET /api/runs/{run_id}", {"400", "401", "404"}),
        ("POST /api/runs", {"400", "401", "403", "404", "413"}),
        ("POST /api/runs/{run_id}/cancel", {"401", "404", "409"}),
        ("PUT /api/projects/{project_id}", {"401", "403", "404", "409", "413"}),
        ("GET /api/datasets/{dataset_id}/preview", {"404", "410"}),
    ],
)
def test_operations_declare_the_errors_they_give(spec, operation, codes):
    found = dict(operations(spec))[operation]
    assert codes <= set(found["responses"]), sorted(found["responses"])


def test_private_operations_declare_401_and_public_ones_do_not(spec):
    public = ("/api/layers", "/api/examples", "/api/graphs/", "/api/auth/", "/api/training/")
    for name, operation in operations(spec):
        path = name.split(" ", 1)[1]
        if path.startswith(public):
            assert "401" not in operation["responses"], name
        else:
            assert "401" in operation["responses"] and operation.get("security"), name


def test_the_websocket_events_are_components(spec):
    schemas = spec["components"]["schemas"]
    union = schemas["RunEvent"]
    assert union["discriminator"]["propertyName"] == "type"
    assert set(union["discriminator"]["mapping"]) == set(events.EVENT_TYPES)
    for type_name, typed in events.EVENT_TYPES.items():
        component = schemas[typed.__name__]
        assert component["properties"]["type"]["const"] == type_name
        assert set(component["properties"]) == set(typed.__annotations__)
        assert set(component["required"]) == set(typed.__required_keys__)
    assert schemas["SnapshotEvent"]["properties"]["run"] == {"$ref": "#/components/schemas/RunDetail"}
    assert "epochs" not in schemas["EpochEvent"]["required"]  # sent by the trainer, not by every producer


def test_the_catalog_goes_through_its_schema_whole(client):
    """The catalog's schema keeps every key builder sends (and any a later catalog adds)."""
    assert client.get("/api/layers").json() == json.loads(json.dumps(builder.catalog_json()))


def test_an_optional_key_stays_absent_rather_than_null(client):
    body = client.get("/api/auth/me").json()
    assert body == {"authenticated": False}
    problems = client.post(
        "/api/graphs/validate",
        data=json.dumps({"version": 1, "nodes": [{"id": "x", "type": "Nope"}], "edges": []}),
        content_type="application/json",
    ).json()["errors"]
    assert problems and all("param" not in p or p["param"] is not None for p in problems)


def test_the_event_constructors_match_the_components(spec):
    """What the constructors build validates against the components the front end's types come from."""
    import jsonschema

    schemas = spec["components"]["schemas"]
    built = [
        events.status_event("running"),
        events.batch_event(1, 3, 10, {"loss": 0.5, "accuracy": float("nan")}, epochs=2),
        events.batch_event(1, 3, 3, {}),
        events.epoch_event(1, {"loss": 0.4, "val_loss": 0.5}, 0.001, 1.5, epochs=2),
        events.done_event("succeeded", {"loss": 0.3}),
        events.done_event("cancelled"),
        events.error_event("boom"),
    ]
    for ev in built:
        component = schemas[events.EVENT_TYPES[ev["type"]].__name__]
        jsonschema.validate(json.loads(json.dumps(ev)), {**component, "components": spec["components"]})
