"""Websocket fan-out of one run's events: latency and losses with 1, 10 and 100 viewers.

Starts redis-server and daphne itself (as the tests do) on a fresh SQLite file,
makes a user, a token and a run row, connects N concurrent websocket viewers of
that run, then publishes events with trainer.events.RedisPublisher, as the
worker does on a fast run: 500 batches a second through BatchThrottle, an
epoch event each 500 batches. Measures, per viewer count, the
latency from each event's "t" to its receipt (p50, p95), the events lost, and
the batch events per second a viewer sees. Goals: p95 <= 50 ms with 100
viewers, 0 lost, <= ~10 batch events a second.

    .venv/bin/python bench/stream_latency.py [--viewers 1,10,100] [--seconds 5] [--batch-rate 500]
        [--steps 500] [--client-procs 2]

With --through-nginx the production stack (scripts/prodstack.py: nginx, --web daphne processes,
PostgreSQL, Redis; no worker) is started instead and the viewers connect through nginx, spread over
the daphne processes by its round robin. Goals there: p95 <= 100 ms with 1,000 viewers, 0 lost.

    .venv/bin/python bench/stream_latency.py --through-nginx [--viewers 1000] [--web 2]
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

from tests.services import create_token, manage, migrate, redis_server, start_daphne, webapp_env  # noqa: E402
from trainer.events import BatchThrottle, RedisPublisher, event, run_group  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def publish_stream(redis_url: str, run_id: int, seconds: float, batch_rate: float, steps: int) -> dict:
    """Publish like a worker on a fast run: `batch_rate` batches a second for `seconds`, epochs of `steps`
    batches; every batch goes through BatchThrottle (so about 10 a second, plus each epoch's last), and
    every epoch's end publishes an epoch event. Runs in its own thread; answers what was sent."""
    publish = RedisPublisher(redis_url, run_group(run_id))
    sent = {"epoch": 0, "batch": 0, "done": 0}
    publish(event("status", status="running"))
    throttle = BatchThrottle()
    start = time.monotonic()
    step, epoch = 0, 1
    next_at = start
    while time.monotonic() - start < seconds:
        step += 1
        if throttle(step, steps):
            publish(event("batch", epoch=epoch, step=step, steps=steps, metrics={"loss": 1.0 / step}))
            sent["batch"] += 1
        if step == steps:
            publish(
                event(
                    "epoch",
                    epoch=epoch,
                    metrics={"loss": 1.0 / epoch, "val_loss": 1.1 / epoch},
                    lr=0.001,
                    seconds=steps / batch_rate,
                )
            )
            sent["epoch"] += 1
            step, epoch = 0, epoch + 1
        next_at += 1.0 / batch_rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    publish(event("done", status="succeeded", test={"loss": 0.1}))
    sent["done"] += 1
    publish.close()
    sent["dropped_by_publisher"] = publish.dropped
    return sent


async def viewers(url: str, token: str, n: int, opened, results) -> None:
    """`n` websocket viewers in this process: each reads its snapshot, reports that it is open, then
    records (type, latency, receipt time) for every event until `done`."""
    from websockets.asyncio.client import connect

    async def one(i: int) -> list:
        received = []
        async with connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, proxy=None, open_timeout=60, max_size=2**24
        ) as ws:
            snapshot = json.loads(await ws.recv())
            assert snapshot["type"] == "snapshot", snapshot
            opened.put(1)
            while True:
                raw = await asyncio.wait_for(ws.recv(), timeout=120)
                now = time.time()
                ev = json.loads(raw)
                received.append((ev["type"], now - ev["t"], now))
                if ev["type"] == "done":
                    return received

    tasks = []
    for i in range(n):  # connect in small waves: a burst of handshakes is not what is measured
        tasks.append(asyncio.create_task(one(i)))
        if i % 10 == 9:
            await asyncio.sleep(0.05)
    results.put(await asyncio.gather(*tasks))


def viewer_process(url, token, n, opened, results) -> None:
    asyncio.run(viewers(url, token, n, opened, results))


def measure(ws_url: str, token: str, redis_url: str, run_id: int, n: int, args) -> dict:
    """Viewers spread over a few client processes (real viewers are on machines of their own: the
    clients' own parsing should weigh as little as possible in what is measured)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    opened, results = ctx.Queue(), ctx.Queue()
    procs = max(1, min(args.client_procs, n))
    shares = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
    url = f"{ws_url}/ws/runs/{run_id}/"
    workers = [ctx.Process(target=viewer_process, args=(url, token, k, opened, results), daemon=True) for k in shares]
    for w in workers:
        w.start()
    for _ in range(n):
        opened.get(timeout=120)
    time.sleep(0.5)  # every viewer has joined
    sent = publish_stream(redis_url, run_id, args.seconds, args.batch_rate, args.steps)
    received = [r for _ in workers for r in results.get(timeout=180)]
    for w in workers:
        w.join(10)
    expected = 1 + sent["epoch"] + sent["batch"] + sent["done"]  # status + epochs + batches + done
    latencies = [lat * 1000 for r in received for (_, lat, _) in r]
    lost = sum(max(0, expected - len(r)) for r in received)
    batch_rates = []
    for r in received:
        times = [at for (kind, _, at) in r if kind == "batch"]
        if len(times) > 1:
            batch_rates.append((len(times) - 1) / (times[-1] - times[0]))
    return {
        "viewers": n,
        "events_per_viewer": expected,
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "max_ms": round(max(latencies), 2),
        "lost": lost,
        "batch_per_s": round(max(batch_rates), 2) if batch_rates else 0.0,
    }


RUN_ROW = (
    "from django.contrib.auth.models import User; from webapp.runs.models import Run; "
    "print(Run.objects.create(owner=User.objects.get(username='bench'), dataset_builtin='iris', "
    "graph={'name': 'bench'}, status='running').id)"
)
HEADER = f"{'viewers':>8} {'events':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'lost':>5} {'batch/s':>8}"


def print_row(row: dict) -> None:
    print(
        f"{row['viewers']:>8} {row['events_per_viewer']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} "
        f"{row['max_ms']:>8} {row['lost']:>5} {row['batch_per_s']:>8}",
        flush=True,
    )


def through_nginx(counts: list[int], args) -> int:
    """The same measure through nginx in front of `args.web` daphne processes (the production stack)."""
    from scripts.prodstack import ProdStack, free_port

    with tempfile.TemporaryDirectory(prefix="bench-stream-prod-") as tmp:
        stack = ProdStack(Path(tmp), port=free_port(), web=args.web, workers=0, quiet=True)
        stack.start()
        try:
            token = stack.manage("create_token", "bench", "--name", "bench", "--create-user").splitlines()[-1]
            run_id = int(stack.manage("shell", "-c", RUN_ROW).splitlines()[-1])
            print(f"through nginx, {args.web} daphne process(es), PostgreSQL")
            print(HEADER)
            ok = True
            for n in counts:
                row = measure(stack.ws_url, token, stack.env["REDIS_URL"], run_id, n, args)
                print_row(row)
                ok &= row["lost"] == 0 and row["batch_per_s"] <= 12
                if n >= 1000:
                    ok &= row["p95_ms"] <= 100
            print("goals (p95 <= 100 ms at 1,000 viewers, 0 lost, <= ~10 batch/s):", "met" if ok else "NOT met")
            return 0 if ok else 1
        finally:
            stack.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", default=None, help="viewer counts (1,10,100; 1000 with --through-nginx)")
    parser.add_argument("--through-nginx", action="store_true", help="nginx and --web daphne processes")
    parser.add_argument("--web", type=int, default=2, help="daphne processes behind nginx (--through-nginx)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the event stream")
    parser.add_argument("--batch-rate", type=float, default=500.0, help="training batches a second")
    parser.add_argument("--steps", type=int, default=500, help="batches an epoch")
    parser.add_argument("--client-procs", type=int, default=2, help="processes the viewers are spread over")
    args = parser.parse_args()
    counts = [int(v) for v in (args.viewers or ("1000" if args.through_nginx else "1,10,100")).split(",")]
    if args.through_nginx:
        return through_nginx(counts, args)
    with redis_server() as redis_url, tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
        workdir = Path(tmp)
        env = webapp_env(workdir, redis_url)
        migrate(env)
        token = create_token(env, "bench")
        run_id = int(manage(env, "shell", "-c", RUN_ROW).splitlines()[-1])
        web = start_daphne(env, workdir / "daphne.log")
        try:
            web.ready()
            print(HEADER)
            ok = True
            for n in counts:
                row = measure(web.ws_url, token, redis_url, run_id, n, args)
                print_row(row)
                ok &= row["lost"] == 0 and row["batch_per_s"] <= 12
                if n >= 100:
                    ok &= row["p95_ms"] <= 50
            print("goals (p95 <= 50 ms at 100 viewers, 0 lost, <= ~10 batch/s):", "met" if ok else "NOT met")
            return 0 if ok else 1
        finally:
            web.stop()


if __name__ == "__main__":
    raise SystemExit(main())
