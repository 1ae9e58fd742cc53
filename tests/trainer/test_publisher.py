import asyncio
import logging
import shutil
import subprocess
import time

from channels_redis.core import RedisChannelLayer

from tests.services import free_port, stop_process, wait_for_port
from trainer.events import RedisPublisher, event, run_group


async def subscribe(redis_url: str, group: str):
    layer = RedisChannelLayer(hosts=[redis_url])
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return layer, channel


async def receive(layer, channel, count: int, timeout: float = 10.0) -> list[dict]:
    messages = []
    for _ in range(count):
        messages.append(await asyncio.wait_for(layer.receive(channel), timeout))
    return messages


def test_events_arrive_in_order_on_the_run_group(redis_url):
    group = run_group(41)

    async def scenario():
        layer, channel = await subscribe(redis_url, group)
        publisher = RedisPublisher(redis_url, group)
        sent = [event("status", status="running")]
        sent += [event("batch", epoch=1, step=i, steps=30, metrics={"loss": 1.0 / i}) for i in range(1, 31)]
        sent += [event("epoch", epoch=1, metrics={"loss": 0.1}, lr=0.001, seconds=1.0)]
        # publishing is called from sync code (the training loop), here from a worker thread
        await asyncio.to_thread(lambda: [publisher(ev) for ev in sent])
        messages = await receive(layer, channel, len(sent))
        assert await asyncio.to_thread(publisher.flush)
        publisher.close()
        await layer.close_pools()
        return sent, messages, publisher

    sent, messages, publisher = asyncio.run(scenario())
    assert all(m["type"] == "run.event" for m in messages)
    assert [m["event"] for m in messages] == sent
    assert publisher.sent == len(sent) and publisher.dropped == 0


def test_one_connection_is_reused(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    before = client.info("stats")["total_connections_received"]
    publisher = RedisPublisher(redis_url, run_group(42))
    for _i in range(50):
        publisher(event("status", status="running"))
    assert publisher.flush()
    publisher.close()
    opened = client.info("stats")["total_connections_received"] - before
    assert publisher.sent == 50
    assert opened <= 2


def test_redis_outage_never_raises(caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    publisher = RedisPublisher(dead, run_group(43), send_timeout=1.0)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="trainer.events"):
        for i in range(20):
            publisher(event("batch", epoch=1, step=i + 1, steps=20, metrics={}))
        assert time.monotonic() - started < 0.5  # the training loop never waits on Redis
        assert publisher.flush(timeout=30)
    assert publisher.dropped == 20 and publisher.sent == 0
    assert "dropped" in caplog.text
    publisher.close()


def test_sends_again_once_redis_is_back(tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    group = run_group(44)
    publisher = RedisPublisher(url, group, send_timeout=1.0)
    publisher(event("status", status="running"))  # Redis is down: dropped
    assert publisher.flush(timeout=30)
    assert publisher.dropped == 1

    proc = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc)

        async def scenario():
            layer, channel = await subscribe(url, group)
            await asyncio.to_thread(publisher, event("status", status="succeeded"))
            [message] = await receive(layer, channel, 1)
            await layer.close_pools()
            return message

        assert asyncio.run(scenario())["event"]["status"] == "succeeded"
        assert publisher.sent == 1
        publisher.close()
    finally:
        stop_process(proc)
