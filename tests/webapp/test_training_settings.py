"""GET /api/training/settings: the declaration the Train panel renders, the very one POST /api/runs checks."""

import json
import re

import pytest
from django.test import Client

from tests.webapp.conftest import example
from trainer.settings import DEFAULTS, SettingsError, declaration, parse_training

pytestmark = pytest.mark.django_db


def leaves(tree: dict, prefix: str = "") -> dict:
    """{"callbacks.early_stopping.patience": 3, ...} from a nested settings object."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def nest(flat: dict) -> dict:
    out: dict = {}
    for name, value in flat.items():
        *path, leaf = name.split(".")
        node = out
        for key in path:
            node = node.setdefault(key, {})
        node[leaf] = value
    return out


def another_value(field: dict):
    """A valid value of the field other than its default, from the declaration alone."""
    kind, default = field["kind"], field["default"]
    if kind == "bool":
        return not default
    if kind == "choice":
        return next(c for c in field["choices"] if c != default)
    if kind == "string":
        value = "loss"  # no val_ prefix: it needs no validation data
        assert re.match(field["pattern"], value)
        return value
    low, high = field["min"], field["max"]
    if kind == "int":
        return low + 1 if default is None or default == low else low
    return low + (high - low) / 4


@pytest.fixture
def listed() -> dict:
    r = Client().get("/api/training/settings")  # no account
    assert r.status_code == 200, r.content
    return r.json()


def test_it_lists_every_setting_runs_accept_with_its_kind_and_default(listed):
    assert listed == declaration()
    fields = {f["name"]: f for f in listed["fields"]}
    assert len(fields) == len(listed["fields"])
    # Every setting parse_training fills in, in the `training` object's order, and nothing else.
    assert list(fields) == list(leaves(parse_training({})))
    assert {name: f["default"] for name, f in fields.items()} == leaves(DEFAULTS)
    assert fields["learning_rate"]["kind"] == "float" and fields["learning_rate"]["log"] is True
    assert fields["optimizer"]["kind"] == "choice" and "adam" in fields["optimizer"]["choices"]
    assert fields["callbacks.early_stopping.patience"]["applies_when"] == {"callbacks.early_stopping.enabled": True}
    groups = [g["name"] for g in listed["groups"]]
    for f in listed["fields"]:
        assert f["kind"] in {"int", "float", "bool", "choice", "string"}, f
        assert f["group"] in groups and f["label"] and f["doc"], f
        for other, value in (f["applies_when"] or {}).items():
            assert other in fields and other != f["name"], f
            assert value in ([True, False] if fields[other]["kind"] == "bool" else fields[other]["choices"]), f
    searchable = {name for name, f in fields.items() if f["searchable"]}
    assert {"learning_rate", "batch_size", "epochs", "optimizer", "validation_split"} <= searchable
    assert "seed" not in searchable


def test_each_listed_setting_is_checked_by_its_declaration(listed):
    for f in listed["fields"]:
        name = f["name"]
        assert leaves(parse_training(nest({name: f["default"]})))[name] == f["default"]
        value = another_value(f)
        assert leaves(parse_training(nest({name: value})))[name] == value, name
        bad = "not-a-number" if f["kind"] in ("int", "float", "bool") else 12
        with pytest.raises(SettingsError) as e:
            parse_training(nest({name: bad}))
        assert e.value.field == name
        if f["min"] is not None:
            below = f["min"] if f["min_open"] else f["min"] - 1
            with pytest.raises(SettingsError) as e:
                parse_training(nest({name: below}))
            assert e.value.field == name
        if f["max"] is not None:
            above = f["max"] if f["max_open"] else f["max"] + 1
            with pytest.raises(SettingsError) as e:
                parse_training(nest({name: above}))
            assert e.value.field == name


def post_run(client, training):
    body = {"graph": example("mnist_mlp"), "dataset": "fashion_mnist", "training": training}
    return client.post("/api/runs", body, content_type="application/json")


def test_a_run_with_no_settings_holds_exactly_the_listed_defaults(api, queued, listed):
    r = post_run(api, {})
    assert r.status_code == 201, r.content
    stored = api.get(f"/api/runs/{r.json()['id']}").json()["training"]
    assert stored == nest({f["name"]: f["default"] for f in listed["fields"]})


def test_a_run_takes_every_listed_setting(api, queued, listed):
    chosen = {f["name"]: another_value(f) for f in listed["fields"]}
    r = post_run(api, nest(chosen))
    assert r.status_code == 201, r.content
    stored = api.get(f"/api/runs/{r.json()['id']}").json()["training"]
    assert leaves(stored) == chosen
    r = post_run(api, {"callbacks": {"reduce_lr": {"cooldown": 1}}})
    assert r.status_code == 400 and r.json()["field"] == "training.callbacks.reduce_lr.cooldown"


def test_openapi_describes_the_answer():
    schema = Client().get("/api/openapi.json").json()
    op = schema["paths"]["/api/training/settings"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    out = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(out["properties"]) == {"groups", "fields"}
    item = schema["components"]["schemas"]["TrainingSettingOut"]
    assert {"name", "kind", "default", "min", "max", "log", "doc", "group", "choices", "applies_when"} <= set(
        item["properties"]
    )
    assert "searchable" in item["properties"]


def test_the_front_ends_fixture_is_this_answer(listed):
    """frontend/src/test-fixtures/training-settings.json (scripts/gen_settings_fixture.py) is what the
    unit tests of the Train panel build their forms from: it must be the live declaration."""
    from scripts.gen_settings_fixture import FIXTURE, training_settings_fixture

    assert json.loads(FIXTURE.read_text()) == listed
    assert training_settings_fixture() == {FIXTURE: FIXTURE.read_text()}
