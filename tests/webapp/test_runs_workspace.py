"""The runs workspace (issue 15) in process: rename, tag and annotate a run (PATCH), delete several
(POST /api/runs/delete), and the list's filters by status, tag and text. Someone else's run is a 404
(or `not_found`), and nothing of theirs changes."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.webapp.conftest import example, token_client
from webapp.projects.models import Project
from webapp.runs.models import Run

pytestmark = pytest.mark.django_db


def make_run(owner, graph="mnist_mlp", **fields) -> Run:
    fields.setdefault("dataset_builtin", "fashion_mnist")
    fields.setdefault("dataset_info", {"name": "fashion_mnist", "title": "Fashion-MNIST"})
    fields.setdefault("training", {"epochs": 1})
    return Run.objects.create(owner=owner, graph=example(graph), **fields)


def patch(client, run_id, body):
    return client.patch(f"/api/runs/{run_id}", body, content_type="application/json")


def delete_many(client, ids):
    return client.post("/api/runs/delete", {"ids": ids}, content_type="application/json")


def test_rename_tag_and_note_are_kept_and_shown(api, alice):
    run = make_run(alice, status="succeeded")
    r = patch(api, run.pk, {"name": "  wide lr sweep  ", "tags": [" baseline ", "fast", "baseline"], "note": "**ok**"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["name"], body["graph_name"]) == ("wide lr sweep", "mnist_mlp")
    assert body["tags"] == ["baseline", "fast"] and body["note"] == "**ok**"
    assert body["graph"]["name"] == "mnist_mlp"  # a RunDetail
    run.refresh_from_db()
    assert (run.name, run.tags, run.note) == ("wide lr sweep", ["baseline", "fast"], "**ok**")

    # Only the keys sent change.
    r = patch(api, run.pk, {"note": "second thoughts"})
    assert r.status_code == 200 and r.json()["tags"] == ["baseline", "fast"]
    assert r.json()["name"] == "wide lr sweep" and r.json()["note"] == "second thoughts"
    listed = api.get("/api/runs").json()[0]
    assert (listed["name"], listed["tags"], listed["note"]) == (
        "wide lr sweep",
        ["baseline", "fast"],
        "second thoughts",
    )

    # An empty name (or null) gives the graph's name back; empty tags clear them.
    r = patch(api, run.pk, {"name": "", "tags": []})
    assert r.json()["name"] == "mnist_mlp" and r.json()["tags"] == []
    assert patch(api, run.pk, {"name": None}).json()["name"] == "mnist_mlp"
    assert patch(api, run.pk, {}).json()["note"] == "second thoughts"


def test_the_limits_are_inclusive(api, alice):
    run = make_run(alice)
    tags = [f"t{i}" for i in range(20)] + ["t0", " t1 "]  # 20 once duplicates are dropped
    r = patch(api, run.pk, {"name": "n" * 200, "tags": [*tags, "x" * 40], "note": "z" * 20_000})
    assert r.status_code == 400 and r.json()["field"] == "tags"  # 21 distinct
    r = patch(api, run.pk, {"name": "n" * 200, "tags": tags, "note": "z" * 20_000})
    assert r.status_code == 200, r.content
    assert len(r.json()["tags"]) == 20 and len(r.json()["name"]) == 200 and len(r.json()["note"]) == 20_000
    assert patch(api, run.pk, {"tags": ["x" * 40]}).json()["tags"] == ["x" * 40]


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"name": "n" * 201}, "name", "200"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags", "20"),
        ({"tags": ["ok", "   "]}, "tags", "tags[1]"),
        ({"tags": ["x" * 41]}, "tags", "40"),
        ({"note": "z" * 20_001}, "note", "20000"),
    ],
)
def test_bad_values_are_400_naming_the_field(api, alice, body, field, words):
    run = make_run(alice, name="kept", tags=["a"], note="n")
    r = patch(api, run.pk, body)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field and words in r.json()["detail"]
    run.refresh_from_db()
    assert (run.name, run.tags, run.note) == ("kept", ["a"], "n")


@pytest.mark.parametrize(
    "body, words",
    [
        ({"name": 5}, "name"),
        ({"tags": "a,b"}, "tags"),
        ({"tags": [1]}, "tags.0"),
        ({"note": ["x"]}, "note"),
        ({"nmae": "typo"}, "nmae"),
    ],
)
def test_wrong_types_and_unknown_keys_are_400(api, alice, body, words):
    run = make_run(alice, name="kept")
    r = patch(api, run.pk, body)
    assert r.status_code == 400, r.content
    assert words in r.json()["detail"]
    run.refresh_from_db()
    assert run.name == "kept"


def test_someone_elses_run_is_404_and_untouched(api, other, bob, alice):
    theirs = make_run(bob, name="bob's", tags=["b"], status="succeeded")
    r = patch(api, theirs.pk, {"name": "mine now", "tags": ["x"], "note": "hi"})
    assert r.status_code == 404 and r.json()["detail"]
    assert patch(api, theirs.pk, {"name": "n" * 500}).status_code == 404  # the 404 first, whatever the body
    assert patch(api, 10**6, {"name": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.tags, theirs.note) == ("bob's", ["b"], "")
    # The list shows nobody else's runs, whatever the filter.
    assert api.get("/api/runs?tag=b").json() == []
    assert api.get("/api/runs?q=bob").json() == []
    assert [r["id"] for r in other.get("/api/runs?tag=b").json()] == [theirs.pk]


def test_anonymous_is_401(client, alice):
    run = make_run(alice)
    assert client.patch(f"/api/runs/{run.pk}", {"name": "x"}, content_type="application/json").status_code == 401
    assert delete_many(client, [run.pk]).status_code == 401
    assert Run.objects.filter(pk=run.pk).exists()


def test_bulk_delete_removes_mine_with_their_files_and_reports_the_rest(api, alice, bob, media_root, events_redis):
    done = make_run(alice, status="succeeded")
    done.model_file.save("model.keras", ContentFile(b"keras bytes"), save=False)
    done.tensorboard_file.save("tensorboard.zip", ContentFile(b"PK"), save=False)
    done.save()
    failed = make_run(alice, status="failed")
    running = make_run(alice, status="running", started_at=timezone.now(), heartbeat_at=timezone.now())
    queued = make_run(alice)
    theirs = make_run(bob, status="succeeded")
    theirs.model_file.save("model.keras", ContentFile(b"bob's"), save=True)
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 3

    ids = [done.pk, theirs.pk, failed.pk, 10**7, done.pk, running.pk, queued.pk, 2**70]
    r = delete_many(api, ids)
    assert r.status_code == 200, r.content
    assert r.json() == {"deleted": [done.pk, failed.pk, running.pk, queued.pk], "not_found": [theirs.pk, 10**7, 2**70]}
    assert list(Run.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert [p.read_bytes() for p in media_root.rglob("*") if p.is_file()] == [b"bob's"]
    assert api.get(f"/api/runs/{done.pk}").status_code == 404

    # Again: nothing left to delete, nothing of bob's touched.
    assert delete_many(api, [done.pk, theirs.pk]).json() == {"deleted": [], "not_found": [done.pk, theirs.pk]}
    assert Run.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    "body, words",
    [
        ({"ids": []}, "ids"),
        ({"ids": list(range(1, 1002))}, "1000"),
        ({"ids": ["1"]}, "ids.0"),
        ({"ids": [True]}, "ids.0"),
        ({}, "ids"),
        ({"ids": [1], "all": True}, "all"),
    ],
)
def test_bulk_delete_bad_input_is_400(api, alice, body, words):
    run = make_run(alice)
    r = api.post("/api/runs/delete", body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert words in r.json()["detail"]
    assert Run.objects.filter(pk=run.pk).exists()


def test_list_filters_by_status_tag_and_text(api, alice):
    project = Project.objects.create(owner=alice, name="Shoe classifier", graph=example("mnist_mlp"))
    a = make_run(alice, status="succeeded", name="first try", tags=["baseline", "lr-1e-3"], project=project)
    b = make_run(alice, status="failed", tags=["baseline"], graph="fashion_cnn")
    c = make_run(
        alice,
        status="succeeded",
        dataset_builtin="",
        dataset_info={"name": "housing.csv", "title": "housing.csv"},
        worker="host-7:123",
        history=[
            {"epoch": 1, "metrics": {"loss": 2.0, "val_loss": 2.5}},
            {"epoch": 2, "metrics": {"loss": 1.0, "val_loss": 1.5}},
        ],
    )

    def ids(query=""):
        r = api.get(f"/api/runs{query}")
        assert r.status_code == 200, r.content
        return sorted(run["id"] for run in r.json())

    assert ids() == sorted([a.pk, b.pk, c.pk])
    assert ids("?status=succeeded") == sorted([a.pk, c.pk])
    assert ids("?tag=baseline") == sorted([a.pk, b.pk])
    assert ids("?tag=%20lr-1e-3%20") == [a.pk]
    assert ids("?tag=base") == []  # a tag matches whole
    assert ids("?tag=baseline&status=failed") == [b.pk]
    assert ids("?q=FIRST") == [a.pk]  # the run's own name, any case
    assert ids("?q=cnn") == [b.pk]  # its graph's name
    assert ids("?q=shoe") == [a.pk]  # its project's
    assert ids("?q=housing") == [c.pk]  # its dataset's
    assert ids("?q=fashion") == sorted([a.pk, b.pk])
    assert ids(f"?q=first&project={project.pk}&tag=baseline&status=succeeded") == [a.pk]
    assert ids("?q=%20%20") == sorted([a.pk, b.pk, c.pk])  # blank: no filter
    assert ids("?q=nothing-like-it") == []

    listed = {r["id"]: r for r in api.get("/api/runs").json()}
    assert listed[c.pk]["worker"] == "host-7:123"
    assert listed[c.pk]["final"] == {"loss": 1.0, "val_loss": 1.5}
    assert listed[a.pk]["final"] is None and listed[a.pk]["worker"] == ""
    # The detail is unchanged: no `final` there (its history has every epoch).
    assert "final" not in api.get(f"/api/runs/{c.pk}").json()


def test_a_token_of_someone_else_cannot_bulk_delete(alice, bob):
    mine = make_run(alice, status="succeeded")
    r = delete_many(token_client(bob), [mine.pk])
    assert r.status_code == 200 and r.json() == {"deleted": [], "not_found": [mine.pk]}
    assert Run.objects.filter(pk=mine.pk).exists()
