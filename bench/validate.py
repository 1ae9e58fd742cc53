"""p50/p95 of POST /api/graphs/validate over HTTP, 10-node and 150-node graphs.

Starts a real daphne server on a free port, sends each graph N times over one
keep-alive connection, prints the figures. Goals: p95 <= 15 ms (10 nodes) and
<= 100 ms (150 nodes).

    .venv/bin/python bench/validate.py [--requests 200]

With --concurrency N, N clients at once (each its own keep-alive connection, 10-node graphs, every
block new) go through nginx to the production stack (scripts/prodstack.py, no worker), first with one
daphne process behind it, then with two (--web 1,2): p50, p95, max and requests a second of each.

    .venv/bin/python bench/validate.py --concurrency 50 [--per-client 20] [--web 1,2]
"""

import argparse
import http.client
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import free_port, service_env, stop_process, wait_for_port  # noqa: E402


def chain_graph(n_nodes: int, salt: int = 0) -> dict:
    """Input, n-2 distinct Dense/Dropout/BatchNormalization blocks, Output."""
    nodes = [{"id": "x", "type": "Input", "params": {"shape": [64 + salt]}}]
    # Every block differs (units, rates) so that no per-block memo can answer from an earlier block.
    for i in range(n_nodes - 2):
        kind = ("Dense", "Dropout", "BatchNormalization")[i % 3]
        params = {
            "Dense": {"units": 32 + i + 1000 * salt, "activation": "relu"},
            "Dropout": {"rate": round(0.05 + 0.001 * i + 1e-6 * salt, 6)},
            "BatchNormalization": {"momentum": round(0.9 + 0.0001 * i + 1e-7 * salt, 7)},
        }[kind]
        nodes.append({"id": f"n{i}", "type": kind, "params": params})
    nodes.append({"id": "y", "type": "Output", "params": {"loss": "mse"}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": f"chain{n_nodes}", "nodes": nodes, "edges": edges}


def edited(graph: dict, i: int) -> dict:
    last_dense = [n for n in graph["nodes"] if n["type"] == "Dense"][-1]
    last_dense["params"]["units"] = 1000 + i
    return graph


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def measure(port: int, make_graph, requests: int) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for i in range(requests + 10):
        body = json.dumps(make_graph(i))
        start = time.perf_counter()
        conn.request("POST", "/api/graphs/validate", body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        elapsed = (time.perf_counter() - start) * 1000
        if resp.status != 200 or not json.loads(data)["valid"]:
            raise SystemExit(f"unexpected answer {resp.status}: {data[:300]!r}")
        if i >= 10:  # warm-up requests are not counted
            times.append(elapsed)
    conn.close()
    return statistics.median(times), percentile(times, 0.95)


def measure_concurrent(port: int, clients: int, per_client: int, nodes: int = 10, salt0: int = 0) -> dict:
    """`clients` threads, each on its own keep-alive connection, `per_client` requests each, all at once;
    every graph distinct (salts from `salt0`, kept under the validator's 10^6 units)."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client(c: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        bodies = [
            json.dumps(chain_graph(nodes, salt=1 + (salt0 + c * per_client + i) % 990)) for i in range(per_client)
        ]
        start_line.wait()
        for body in bodies:
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/graphs/validate", body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
            except OSError as exc:
                with lock:
                    errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if resp.status == 200 and json.loads(data)["valid"]:
                    times.append(elapsed)
                else:
                    errors.append(f"{resp.status}: {data[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    start_line.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
        "rps": len(times) / wall,
        "ok": len(times),
        "errors": errors,
    }


def concurrent_through_nginx(args) -> None:
    from scripts.prodstack import ProdStack

    print(f"validate, 10 nodes, {args.concurrency} clients at once x {args.per_client} requests, through nginx")
    for web in (int(w) for w in args.web.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-validate-prod-") as tmp:
            stack = ProdStack(Path(tmp), port=free_port(), web=web, workers=0, quiet=True)
            stack.start()
            try:
                measure_concurrent(stack.port, min(args.concurrency, 2 * web), 10, salt0=950)  # warm each process
                row = measure_concurrent(stack.port, args.concurrency, args.per_client)
            finally:
                stack.stop()
        print(
            f"  {web} daphne: p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  max {row['max']:7.1f} ms  "
            f"{row['rps']:6.1f} req/s  ({row['ok']} ok, {len(row['errors'])} errors{': ' + row['errors'][0] if row['errors'] else ''})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=0, help="clients at once, through nginx (0: one client)")
    parser.add_argument("--per-client", type=int, default=20, help="requests each concurrent client sends")
    parser.add_argument("--web", default="1,2", help="daphne processes behind nginx, one stack each")
    args = parser.parse_args()
    if args.concurrency:
        concurrent_through_nginx(args)
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = service_env(DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", DEBUG="0")
        env.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port), "webapp.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, timeout=120, proc=proc)
            for n, goal in ((10, 15), (150, 100)):
                # cold: every block of every request differs from all earlier ones, so each is made and called
                p50, p95 = measure(port, lambda i, n=n: chain_graph(n, salt=1 + i), args.requests)
                verdict = "ok" if p95 <= goal else "over goal"
                print(
                    f"validate {n:>3} nodes, cold:      p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (goal p95 <= {goal} ms: {verdict})"
                )
                # editing: the same graph with the last Dense's units changed each time, as the editor sends it
                p50, p95 = measure(port, lambda i, n=n: edited(chain_graph(n), i), args.requests)
                print(f"validate {n:>3} nodes, one edit:  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        finally:
            stop_process(proc)


if __name__ == "__main__":
    main()
