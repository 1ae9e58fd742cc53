"""The example graphs in builder/examples/*.json, served as templates."""

from __future__ import annotations

import json
from pathlib import Path

from .layout import layout

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

# The built-in dataset (trainer/datasets/builtin.py) a template trains on, where
# its inputs fit one; the files stay plain graph documents.
DATASETS: dict[str, str] = {
    "keras_mnist_convnet": "fashion_mnist",
    "small_vgg": "fashion_mnist",
    "small_resnet": "fashion_mnist",
    "tabular_breast_cancer": "breast_cancer",
    "regression_diabetes": "diabetes",
}


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.json"))


def load_example(name: str) -> dict:
    """One example graph by file stem, as stored."""
    path = EXAMPLES_DIR / f"{name}.json"
    if path.parent != EXAMPLES_DIR or not path.is_file():
        raise KeyError(name)
    return json.loads(path.read_text())


def with_positions(graph: dict) -> dict:
    """The graph with a canvas position for every node that has none."""
    nodes = graph.get("nodes", [])
    if all(isinstance(n.get("position"), dict) for n in nodes):
        return graph
    placed = layout([n["id"] for n in nodes], [(e["source"], e["target"]) for e in graph.get("edges", [])])
    return {**graph, "nodes": [{**n, "position": n.get("position") or placed[n["id"]]} for n in nodes]}


def list_examples() -> list[dict]:
    """[{"name", "description", "graph", "dataset"?}], by name; read from disk on each
    call (a few small files), laid out for the canvas."""
    out = []
    for path in example_paths():
        graph = json.loads(path.read_text())
        dataset = DATASETS.get(path.stem)
        entry = {"name": path.stem, "description": graph.get("description", ""), "graph": with_positions(graph)}
        if dataset is not None:
            entry["dataset"] = dataset
        out.append(entry)
    return out
