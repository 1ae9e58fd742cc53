"""Issue 14, finding 5: sockets follow permissions. Real redis-server and daphne (no worker: the runs
stay queued, their sockets open); a revoked token, a logout, a deleted user close the socket with
4401, a deleted run with 4404, within a few seconds; a socket whose permissions hold stays open."""

import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.services import Api, manage, migrate, redis_server, start_daphne, webapp_env
from tests.webapp.conftest import example

pytestmark = [pytest.mark.services, pytest.mark.timeout(300)]

WITHIN = 6.0  # seconds: the re-check runs every 2 s (SOCKET_RECHECK_SECONDS)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir: Path = tmp_path_factory.mktemp("hardening-live")
    with redis_server() as redis_url:
        env = webapp_env(workdir, redis_url, RUN_WATCHDOG="0")
        migrate(env)
        web = start_daphne(env, workdir / "daphne.log").ready()
        try:
            yield {"env": env, "web": web}
        finally:
            web.stop()


def signed_up(stack, username: str) -> Api:
    api = Api(stack["web"].url)
    api.get("/api/auth/me")  # the csrftoken cookie
    status, body, _ = api.post("/api/auth/signup", {"username": username, "password": f"{username}-password-1"})
    assert status == 200, body
    return api


def new_token(api: Api) -> tuple[int, str]:
    status, body, _ = api.post("/api/tokens", {"name": "socket"})
    assert status == 201, body
    return body["id"], body["token"]


def start_run(api: Api) -> int:
    status, body, _ = api.post("/api/runs", {"graph": example("mnist_mlp"), "dataset": "fashion_mnist"})
    assert status == 201, body
    return body["id"]


def open_socket(stack, run_id: int, token: str | None = None, session: Api | None = None):
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if session is not None:
        headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    ws = connect(
        f"{stack['web'].ws_url}/ws/runs/{run_id}/",
        additional_headers=headers,
        origin=stack["web"].url if session is not None else None,
        open_timeout=20,
        proxy=None,
        max_size=2**24,
    )
    first = ws.recv(timeout=20)
    assert '"snapshot"' in first, first[:200]
    return ws


def closed_within(ws, seconds: float) -> tuple[int, float]:
    """(close code, seconds it took) once the server closes the socket; fails past `seconds`."""
    start = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() - start < seconds:
            ws.recv(timeout=max(0.1, seconds - (time.monotonic() - start)))
    return closed.value.rcvd.code, time.monotonic() - start


def still_open(ws, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.send('{"type": "ping"}')
        assert '"pong"' in ws.recv(timeout=5)
        time.sleep(0.5)


def test_a_revoked_token_closes_its_socket(stack):
    alice = signed_up(stack, "alice")
    token_id, token = new_token(alice)
    _, other = new_token(alice)
    run_id = start_run(Api(stack["web"].url, token))
    ws = open_socket(stack, run_id, token=token)
    kept = open_socket(stack, run_id, token=other)
    still_open(ws, 3)  # nothing changed: it stays open past a re-check
    status, _, _ = alice.delete(f"/api/tokens/{token_id}")
    assert status == 204
    code, took = closed_within(ws, WITHIN)
    assert code == 4401 and took < WITHIN
    still_open(kept, 1)  # the other token's socket is not affected
    kept.close()


def test_a_logout_closes_the_sessions_socket(stack):
    bob = signed_up(stack, "bob")
    run_id = start_run(bob)
    ws = open_socket(stack, run_id, session=bob)
    still_open(ws, 2.5)
    status, body, _ = bob.post("/api/auth/logout")
    assert status == 200 and body == {"authenticated": False}
    code, _ = closed_within(ws, WITHIN)
    assert code == 4401


def test_a_deleted_run_closes_its_socket_with_4404(stack):
    carol = signed_up(stack, "carol")
    _, token = new_token(carol)
    script = Api(stack["web"].url, token)
    run_id = start_run(script)
    ws = open_socket(stack, run_id, token=token)
    status, _, _ = script.delete(f"/api/runs/{run_id}")
    assert status == 204
    code, _ = closed_within(ws, WITHIN)
    assert code == 4404


def test_a_deleted_user_closes_their_sockets(stack):
    dave = signed_up(stack, "dave")
    _, token = new_token(dave)
    run_id = start_run(dave)
    by_token = open_socket(stack, run_id, token=token)
    by_session = open_socket(stack, run_id, session=dave)
    manage(
        stack["env"],
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; get_user_model().objects.filter(username='dave').delete()",
    )
    assert closed_within(by_token, WITHIN)[0] == 4401
    assert closed_within(by_session, WITHIN)[0] == 4401
