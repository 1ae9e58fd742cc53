"""What keeps a sweep's trials cheap (bench/sweep.py measures them): SQLite in write-ahead-log mode for
Django's and Optuna's connections, one kept Redis publisher per sweep group, and importances computed
on a read at most every SWEEP_IMPORTANCES_SECONDS while a sweep runs (always once it has ended)."""

from __future__ import annotations

import asyncio

import pytest

from tests.webapp.conftest import token_client
from tests.webapp.test_sweeps_api import body, finish, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def optuna_file(settings, tmp_path, events_redis):
    settings.SWEEP_OPTUNA_STORAGE = f"sqlite:///{tmp_path / 'optuna.sqlite3'}"
    return settings.SWEEP_OPTUNA_STORAGE


def pragmas(cursor) -> tuple[str, int]:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    return mode, cursor.fetchone()[0]


def test_django_and_optuna_connections_to_a_sqlite_file_use_the_write_ahead_log(tmp_path):
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from webapp.sweeps.services import storage

    wrapper = DatabaseWrapper({**connections["default"].settings_dict, "NAME": str(tmp_path / "django.sqlite3")})
    try:
        with wrapper.cursor() as cursor:
            assert pragmas(cursor) == ("wal", 1)  # synchronous=NORMAL
    finally:
        wrapper.close()
    engine = storage().engine
    raw = engine.raw_connection()
    try:
        assert pragmas(raw.cursor()) == ("wal", 1)
    finally:
        raw.close()


def test_a_running_sweeps_importances_are_recomputed_on_a_read_at_most_every_interval(settings, alice, queued):
    from webapp.sweeps.models import Sweep

    client = token_client(alice)
    settings.SWEEP_IMPORTANCES_SECONDS = 3600
    sweep = post(client, body(trials=4, parallel=4)).json()
    runs = [t["run"] for t in sweep["trials"]]
    assert len(runs) == 4 and sweep["importances"] is None
    finish(runs[0], 0.9)
    finish(runs[1], 0.7)
    first = client.get(f"/api/sweeps/{sweep['id']}").json()  # the first importances: at once
    assert first["importances"] and Sweep.objects.get(pk=sweep["id"]).importances_trials == 2
    finish(runs[2], 0.8)
    again = client.get(f"/api/sweeps/{sweep['id']}").json()  # within the interval: kept
    assert again["importances"] == first["importances"]
    assert Sweep.objects.get(pk=sweep["id"]).importances_trials == 2
    settings.SWEEP_IMPORTANCES_SECONDS = 0
    client.get(f"/api/sweeps/{sweep['id']}")
    assert Sweep.objects.get(pk=sweep["id"]).importances_trials == 3
    settings.SWEEP_IMPORTANCES_SECONDS = 3600
    finish(runs[3], 0.95)  # the last trial: the sweep ends with the importances of every trial
    done = client.get(f"/api/sweeps/{sweep['id']}").json()
    assert done["status"] == "succeeded" and done["importances"]
    assert Sweep.objects.get(pk=sweep["id"]).importances_trials == 4


def test_a_sweeps_events_reuse_one_publisher_and_arrive_in_order(events_redis):
    from channels_redis.core import RedisChannelLayer

    from webapp.sweeps import services

    group = services.sweep_group(987654)

    async def listen() -> list[dict]:
        layer = RedisChannelLayer(hosts=[events_redis])
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: services.publish(987654, {"type": "trial", "n": 1}))
        await loop.run_in_executor(None, lambda: services.publish(987654, {"type": "trial", "n": 2}, {"type": "done"}))
        got = [(await asyncio.wait_for(layer.receive(channel), 10))["event"] for _ in range(3)]
        await layer.group_discard(group, channel)
        return got

    assert asyncio.run(listen()) == [{"type": "trial", "n": 1}, {"type": "trial", "n": 2}, {"type": "done"}]
    assert services._publisher(group) is services._publisher(group)
    kept = [key for key in services._publishers if key[1] == group]
    assert len(kept) == 1
