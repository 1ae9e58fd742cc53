"""Sign up, log in and out, CSRF on the session, personal API tokens and the create_token command."""

import io

import pytest
from django.core.management import call_command

from tests.webapp.conftest import SessionClient, token_client
from webapp.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def test_me_sets_the_csrf_cookie_and_says_anonymous():
    client = SessionClient()
    response = client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json() == {"authenticated": False}
    assert "csrftoken" in client.cookies


def test_signup_logs_in_and_logout_ends_the_session():
    client = SessionClient()
    r = client.post(
        "/api/auth/signup", {"username": "carol", "password": "a-long-passphrase"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"authenticated": True, "username": "carol"}
    assert client.get("/api/auth/me").json()["username"] == "carol"
    assert client.get("/api/projects").status_code == 200
    assert client.post("/api/auth/logout").json() == {"authenticated": False}
    assert client.get("/api/projects").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "dave", "password": "short"}, "password"),
        ({"username": "dave", "password": "password"}, "password"),
        ({"username": "bad name!", "password": "a-long-passphrase"}, "username"),
        ({"username": "ALICE", "password": "a-long-passphrase"}, "username"),
    ],
)
def test_signup_validation_errors_are_400_with_the_field(alice, body, field):
    r = SessionClient().post("/api/auth/signup", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["field"] == field
    assert r.json()["detail"]


def test_login_and_wrong_password(alice):
    client = SessionClient()
    bad = client.post("/api/auth/login", {"username": "alice", "password": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "wrong" in bad.json()["detail"]
    ok = client.post(
        "/api/auth/login", {"username": "alice", "password": "alice-password-1"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["username"] == "alice"


def test_login_needs_the_csrf_token(alice):
    client = SessionClient()
    r = client.post(
        "/api/auth/login",
        {"username": "alice", "password": "alice-password-1"},
        content_type="application/json",
        no_csrf=True,
    )
    assert r.status_code == 403


def test_session_needs_csrf_on_unsafe_methods_but_not_on_reads(alice):
    client = SessionClient(alice)
    assert client.get("/api/projects").status_code == 200
    r = client.post("/api/projects", {"name": "p"}, content_type="application/json", no_csrf=True)
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]
    assert client.post("/api/projects", {"name": "p"}, content_type="application/json").status_code == 201


def test_anonymous_unsafe_request_is_401_not_403():
    r = SessionClient().post("/api/projects", {"name": "p"}, content_type="application/json", no_csrf=True)
    assert r.status_code == 401
    assert r.json() == {"detail": "authentication required"}


def test_tokens_are_shown_once_stored_hashed_and_revocable(alice, bob):
    client = SessionClient(alice)
    r = client.post("/api/tokens", {"name": "laptop"}, content_type="application/json")
    assert r.status_code == 201
    created = r.json()
    raw = created["token"]
    assert raw.startswith("kc_") and raw.startswith(created["prefix"])
    row = ApiToken.objects.get(pk=created["id"])
    assert row.key_hash == hash_token(raw) and raw not in (row.key_hash, row.prefix)
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["laptop"] and all("token" not in t for t in listed)

    script = token_client(bob)  # bob cannot see or revoke alice's token
    assert all(t["id"] != created["id"] for t in script.get("/api/tokens").json())
    assert script.delete(f"/api/tokens/{created['id']}").status_code == 404

    from django.test import Client

    bearer = Client(headers={"Authorization": f"Bearer {raw}"})
    assert bearer.get("/api/projects").status_code == 200
    assert bearer.post("/api/projects", {"name": "no csrf needed"}, content_type="application/json").status_code == 201
    assert client.delete(f"/api/tokens/{created['id']}").status_code == 204
    assert bearer.get("/api/projects").status_code == 401
    assert Client(headers={"Authorization": "Bearer kc_wrong"}).get("/api/projects").status_code == 401


def test_create_token_command_prints_a_working_token(alice):
    out = io.StringIO()
    call_command("create_token", "alice", "--name", "ci", stdout=out)
    raw = out.getvalue().strip()
    from django.test import Client

    r = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/auth/me")
    assert r.json() == {"authenticated": True, "username": "alice"}
    assert ApiToken.objects.get(user=alice).name == "ci"
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/tokens").json()[0]["name"] == "ci"


def test_admin_lists_projects_datasets_runs_and_tokens(admin_client, api):
    api.post("/api/projects", {"name": "p"}, content_type="application/json")
    for path in (
        "/admin/projects/project/",
        "/admin/datasets/uploadeddataset/",
        "/admin/runs/run/",
        "/admin/accounts/apitoken/",
    ):
        assert admin_client.get(path).status_code == 200, path
