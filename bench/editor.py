"""How fast the editor opens a 300-block graph, and how much JavaScript it ships.

Starts the stack the browser tests use (redis-server, a migrated temporary SQLite file, daphne
serving the built front end; no worker is needed), opens the editor in headless Chromium (Debian's
/usr/bin/chromium) and loads a generated, valid 300-block graph the way a person opens a graph file:
the toolbar's Import... file input (`import-file`) given a graph JSON file, as saved by Export JSON
(positions included). Times are taken inside the page from the input's `change` event:

- render: every one of the 300 blocks is in the DOM and measured (React Flow shows a block once it
  knows its size);
- shapes: every block shows the output shape the server's validation gave it.

Both are the median over --runs fresh loads (a new page each time, after one warm-up). Then the
gzipped size of the built JavaScript: all of frontend/dist/assets/*.js, and the entry chunk alone.
Goals: render < 1 s, shapes < 1 s, JavaScript < 400 KB gzipped.

    .venv/bin/python bench/editor.py [--runs 5] [--nodes 300] [--no-positions] [--build]
"""

import argparse
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import daphne_server, migrate, redis_server, webapp_env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DIST = ROOT / "frontend" / "dist"


def big_graph(n_nodes: int = 300, towers: int = 8, positions: bool = True) -> dict:
    """A valid graph of exactly n_nodes blocks, laid out as a person would (left to right, top down).

    One Input feeds `towers` parallel towers; each tower repeats a cell, Dense -> Dropout ->
    (Dense, Dense) -> Concatenate (a fork and a merge), and every fourth cell adds a skip connection
    (Concatenate with the previous cell's output, then a Dense). A Concatenate of all the towers, a
    Dense(10) and an Output close it. Parameters differ from block to block.
    """
    nodes: list[dict] = []
    edges: list[dict] = []
    rows: dict[str, int] = {}
    cols: dict[str, float] = {}

    def add(node_id: str, kind: str, params: dict, inputs: list[str], col: float) -> str:
        nodes.append({"id": node_id, "type": kind, "params": params})
        for port, source in enumerate(inputs):
            edge = {"source": source, "target": node_id}
            if len(inputs) > 1:
                edge["port"] = port
            edges.append(edge)
        rows[node_id] = max((rows[s] for s in inputs), default=-1) + 1
        cols[node_id] = col
        return node_id

    centre = (towers - 1) * 3 / 2
    x = add("x", "Input", {"shape": [64]}, [], centre)
    budget = n_nodes - 4  # the Input, the joining Concatenate, Dense(10) and the Output
    per_tower = [budget // towers + (1 if t < budget % towers else 0) for t in range(towers)]
    ends = []
    for t, size in enumerate(per_tower):
        base = 3 * t + 1
        last = previous = x
        used, cell = 0, 0
        while size - used >= 5:
            tag = f"t{t}c{cell}"
            k = t * 31 + cell
            d = add(f"{tag}_dense", "Dense", {"units": 48 + k % 7, "activation": "relu"}, [last], base)
            r = add(f"{tag}_drop", "Dropout", {"rate": round(0.05 + 0.01 * (k % 10), 2)}, [d], base)
            a = add(f"{tag}_a", "Dense", {"units": 16 + k % 5, "activation": "relu"}, [r], base - 0.5)
            b = add(f"{tag}_b", "Dense", {"units": 16 + k % 3, "activation": "tanh"}, [r], base + 0.5)
            m = add(f"{tag}_cat", "Concatenate", {}, [a, b], base)
            used += 5
            if cell % 4 == 3 and size - used >= 2 and previous is not x:
                s = add(f"{tag}_skip", "Concatenate", {}, [m, previous], base)
                m = add(f"{tag}_proj", "Dense", {"units": 40 + k % 4}, [s], base)
                used += 2
            previous = last = m
            cell += 1
        for f in range(size - used):  # the rest of this tower's share: BatchNormalization / Dense
            kind = ("BatchNormalization", "Dense")[f % 2]
            last = add(f"t{t}f{f}", kind, {"units": 24 + f} if kind == "Dense" else {}, [last], base)
        ends.append(last)
    joined = add("joined", "Concatenate", {}, ends, centre)
    probs = add("probs", "Dense", {"units": 10, "activation": "softmax"}, [joined], centre)
    add("label", "Output", {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}, [probs], centre)
    assert len(nodes) == n_nodes, len(nodes)
    if positions:
        for node in nodes:
            node["position"] = {"x": round(240 * cols[node["id"]]), "y": 130 * rows[node["id"]]}
    return {"version": 1, "name": f"bench{n_nodes}", "nodes": nodes, "edges": edges}


# Installed before the file is chosen: timestamps at the input's change event, then every animation
# frame until all blocks are rendered and measured, and until all show a shape.
WATCH = """
(expected) => {
  window.__bench = { start: null, render: null, shapes: null };
  const input = document.querySelector('[data-testid="import-file"]');
  input.addEventListener('change', () => { window.__bench.start = performance.now(); }, { capture: true, once: true });
  const tick = () => {
    const b = window.__bench;
    if (b.start !== null) {
      const now = performance.now();
      if (b.render === null) {
        let shown = 0;
        for (const el of document.querySelectorAll('.react-flow__node')) if (el.style.visibility !== 'hidden') shown++;
        if (shown >= expected) b.render = now - b.start;
      }
      if (b.shapes === null) {
        let withShape = 0;
        for (const el of document.querySelectorAll('[data-testid^="node-shape-"]')) if (/^\\(/.test(el.textContent)) withShape++;
        if (withShape >= expected) b.shapes = now - b.start;
      }
      if (b.render !== null && b.shapes !== null) return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def load_once(browser, url: str, graph_file: Path, n_nodes: int, timeout_ms: int = 60_000) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/")
        page.get_by_test_id("palette-Dense").wait_for(timeout=timeout_ms)  # the catalog has arrived
        page.evaluate(WATCH, n_nodes)
        page.get_by_test_id("import-file").set_input_files(str(graph_file))
        page.wait_for_function(
            "() => window.__bench.render !== null && window.__bench.shapes !== null", timeout=timeout_ms
        )
        if errors:
            raise RuntimeError(f"errors in the page: {errors}")
        state = page.get_by_test_id("status-state").inner_text()
        if state != "Model builds":
            raise RuntimeError(
                f"the bench graph does not build: {state}: {page.get_by_test_id('status-errors').inner_text()}"
            )
        result = page.evaluate("() => window.__bench")
        return result["render"], result["shapes"]
    finally:
        context.close()


def js_sizes() -> tuple[int, int, str]:
    """(gzipped bytes of all assets/*.js, gzipped bytes of the entry chunk, the entry's name)."""
    scripts = sorted((DIST / "assets").glob("*.js"))
    if not scripts:
        raise SystemExit("no frontend/dist/assets/*.js: build the front end (cd frontend && npm run build)")
    sizes = {p.name: len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in scripts}
    html = (DIST / "index.html").read_text()
    match = re.search(r'<script[^>]+type="module"[^>]+src="/assets/([^"]+\.js)"', html)
    entry = match.group(1) if match else max(sizes, key=sizes.get)
    return sum(sizes.values()), sizes[entry], entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed loads (after one warm-up)")
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument(
        "--no-positions",
        action="store_true",
        help="a graph file without positions: the editor lays it out (dagre) first",
    )
    parser.add_argument("--build", action="store_true", help="run `npm run build` first")
    args = parser.parse_args()

    if args.build:
        subprocess.run(["npm", "run", "build"], cwd=ROOT / "frontend", check=True, stdout=subprocess.DEVNULL)
    if not (DIST / "index.html").exists():
        raise SystemExit("the front end is not built: cd frontend && npm run build")

    from playwright.sync_api import sync_playwright

    graph = big_graph(args.nodes, positions=not args.no_positions)
    renders: list[float] = []
    shapes: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-editor-") as tmp, redis_server() as redis_url:
        workdir = Path(tmp)
        graph_file = workdir / f"bench{args.nodes}.json"
        graph_file.write_text(json.dumps(graph))
        env = webapp_env(workdir, redis_url)
        migrate(env)
        with daphne_server(env, workdir / "daphne.log") as web, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            try:
                load_once(browser, web.url, graph_file, args.nodes)  # warm-up: server memo, browser caches
                for _ in range(args.runs):
                    render, shown = load_once(browser, web.url, graph_file, args.nodes)
                    renders.append(render)
                    shapes.append(shown)
            finally:
                browser.close()

    total, entry, entry_name = js_sizes()
    how = "import-file input, graph JSON " + (
        "without positions (auto layout)" if args.no_positions else "with positions"
    )
    print(
        f"graph: {args.nodes} blocks, {len(graph['edges'])} edges; loaded through the {how}; "
        f"median of {args.runs} loads"
    )
    print(
        f"render all {args.nodes} blocks: {statistics.median(renders):.0f} ms "
        f"(min {min(renders):.0f}, max {max(renders):.0f}; goal < 1000 ms)"
    )
    print(
        f"validated shapes on all {args.nodes} blocks: {statistics.median(shapes):.0f} ms "
        f"(min {min(shapes):.0f}, max {max(shapes):.0f}; goal < 1000 ms)"
    )
    print(f"javascript gzipped, all chunks: {total / 1024:.1f} KB (goal < 400 KB)")
    print(f"javascript gzipped, entry chunk {entry_name}: {entry / 1024:.1f} KB")


if __name__ == "__main__":
    main()
