"""Limits on everything a request can ask for, in one place.

- Strict JSON: `NaN`, `Infinity` and numbers beyond float range are refused (Python's json module
  takes them, the database's JSON columns do not), as are bodies nested too deeply and strings too
  long; every refusal names where in the body it is (`graph.nodes[3].params.rate`).
- The model size cap (settings.MAX_MODEL_PARAMS) for validate, export, import and training: checked
  on the checking walk's counts (builder/check.py runs in a StatelessScope, no weight allocated),
  before anything builds a model.
- Graphs stored in projects: the validator's block and edge limits (builder/document.py), counting the
  blocks and edges inside groups too.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from ninja.parser import Parser

from builder.document import MAX_EDGES, MAX_NODES
from builder.limits import over_cap_message
from webapp.errors import FieldError

# Graph documents are a few levels deep (graph.nodes[i].params.shape[j]); predict's inputs are
# nested arrays (an image batch: 5 levels). 64 leaves room and keeps every walk shallow.
MAX_JSON_DEPTH = 64
# The longest string a JSON body may hold (a description, a text sample); a graph's whole document
# is capped at MAX_GRAPH_BYTES anyway.
MAX_STRING_CHARS = 100_000


class JsonRefused(FieldError):
    """A JSON body that parses but that the server does not take (400, naming where)."""


def _where(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the body"


def check_json_value(value: Any, root: str = "") -> None:
    """Refuse non-finite numbers, nesting past MAX_JSON_DEPTH and strings past MAX_STRING_CHARS
    anywhere in `value` (iteratively: no recursion on the client's structure)."""
    stack: list[tuple[Any, list, int]] = [(value, [root] if root else [], 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                shown = "NaN" if math.isnan(item) else ("Infinity" if item > 0 else "-Infinity")
                raise JsonRefused(
                    f"{_where(path)}: {shown} is not a JSON number (numbers must be finite, within ±1.8e308)",
                    _where(path),
                )
        elif isinstance(item, str):
            if len(item) > MAX_STRING_CHARS:  # too large, like a body past its limit: 413
                raise JsonRefused(
                    f"{_where(path)}: a string of {len(item):,} characters; at most {MAX_STRING_CHARS:,}",
                    _where(path),
                    status_code=413,
                )
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise JsonRefused(f"{_where(path)}: nested more than {MAX_JSON_DEPTH} levels deep", _where(path))
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and len(key) > MAX_STRING_CHARS:
                    raise JsonRefused(
                        f"{_where(path)}: a key of {len(key):,} characters", _where(path), status_code=413
                    )
                stack.append((child, [*path, key], depth + 1))


def loads_strict(body: bytes | str, root: str = "") -> Any:
    """The body as JSON, checked by check_json_value; JsonRefused (400) otherwise."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise JsonRefused(f"the body is nested more than {MAX_JSON_DEPTH} levels deep", root or None) from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, or an integer of over 4300 digits
        raise JsonRefused(f"body is not valid JSON: {exc}", root or None) from None
    check_json_value(value, root)
    return value


class StrictParser(Parser):
    """Ninja's body parser, strict (see loads_strict)."""

    def parse_body(self, request):
        return loads_strict(request.body)


# --- the model size cap -----------------------------------------------------------------------------


def max_model_params() -> int:
    return int(settings.MAX_MODEL_PARAMS)


def over_cap(result: dict, cap: int | None = None) -> str | None:
    """The refusal for a checked graph (validate_graph's answer) over the model size cap, or None."""
    cap = max_model_params() if cap is None else cap
    params = result.get("total_params")
    if cap and isinstance(params, int) and params > cap:
        return over_cap_message(params, cap)
    return None


def mark_over_cap(result: dict) -> dict:
    """validate's answer with a graph-wide warning when the model is over the cap (validate builds
    nothing, so it still answers; export, import and training refuse such a model)."""
    message = over_cap(result)
    if message is not None:
        result.setdefault("warnings", []).insert(0, {"node": None, "message": message})
    return result


def check_model_size(result: dict, status_code: int = 413, cap: int | None = None) -> None:
    """FieldError (413 by default, naming the size and the cap) for a model over the cap."""
    message = over_cap(result, cap)
    if message is not None:
        raise FieldError(message, "graph", status_code=status_code, params=result.get("total_params"))


# --- graphs kept in projects ----------------------------------------------------------------------


def graph_size(graph: dict) -> tuple[int, int]:
    """Blocks and edges of a graph document, those inside its groups (`node.graph`, nested) too: the
    counts the validator limits (an iterative walk; the strict parser bounds the nesting)."""
    count = links = 0
    stack = [graph]
    while stack:
        level = stack.pop()
        nodes, edges = level.get("nodes"), level.get("edges")
        if isinstance(nodes, list):
            count += len(nodes)
            stack.extend(n["graph"] for n in nodes if isinstance(n, dict) and isinstance(n.get("graph"), dict))
        if isinstance(edges, list):
            links += len(edges)
    return count, links


def check_stored_graph(graph: Any, field: str = "graph") -> None:
    """A graph a project keeps must be one the editor can open: at most the validator's MAX_NODES
    blocks and MAX_EDGES edges (413 otherwise); depth and strings are checked by the strict parser."""
    if not isinstance(graph, dict):
        return
    count, links = graph_size(graph)
    if count > MAX_NODES or links > MAX_EDGES:
        raise FieldError(
            f"{field}: too large for the editor: {count:,} blocks and {links:,} edges (those inside groups too); "
            f"at most {MAX_NODES:,} blocks and {MAX_EDGES:,} edges",
            field,
            status_code=413,
        )
    check_json_value(graph, field)


MAX_LIST = 1000  # the most rows one list answer (runs, sweeps, ensembles, cross-validations) gives


def list_size(limit: int) -> int:
    """A list endpoint's `limit` kept within 1..MAX_LIST."""
    return max(1, min(limit, MAX_LIST))
