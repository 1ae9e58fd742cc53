"""Checking a run request before anything is queued: the graph, the dataset, the settings, the binding.

Each check raises the error the person sees (400 with per-node errors or the field at fault; 404 for
a project or upload that is not theirs); nothing is written until every check has passed.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse

from webapp.errors import FieldError
from webapp.graphs_api import MAX_GRAPH_BYTES
from webapp.limits import check_model_size


class CheckFailed(Exception):
    """Carries a ready response (the graph's per-node errors, in the shape /api/graphs/validate uses)."""

    def __init__(self, body: dict, status: int = 400):
        super().__init__(body.get("detail"))
        self.body = body
        self.status = status

    def response(self) -> HttpResponse:
        return HttpResponse(json.dumps(self.body), status=self.status, content_type="application/json")


def check_graph(graph) -> dict:
    """The validation result of a graph that can be trained; CheckFailed/FieldError otherwise."""
    import builder
    from builder.validate import errors_summary

    if not isinstance(graph, dict):
        raise FieldError("graph: send a graph document (an object)", "graph")
    if len(json.dumps(graph)) > MAX_GRAPH_BYTES:
        raise FieldError(f"graph: too large (at most {MAX_GRAPH_BYTES} bytes)", "graph", status_code=413)
    result = builder.validate_graph(graph)
    if not result.get("valid"):
        errors = result.get("errors") or []
        raise CheckFailed(
            {
                "detail": errors_summary(errors),
                "errors": errors,
                "warnings": result.get("warnings", []),
            }
        )
    # The model size cap (webapp/limits.py), on the checking walk's counts: nothing is allocated yet.
    check_model_size(result, status_code=400, cap=min(settings.MAX_TRAIN_PARAMS, settings.MAX_MODEL_PARAMS))
    return result


def check_training(training) -> dict:
    from trainer.settings import SettingsError, parse_training

    try:
        return parse_training(training)
    except SettingsError as exc:
        field = exc.field if exc.field == "training" else f"training.{exc.field}"
        raise FieldError(f"training.{exc}" if exc.field != "training" else str(exc), field) from None


def graph_io(graph: dict, result: dict) -> tuple[list[dict], list[dict]]:
    """The graph's inputs and outputs as trainer.binding wants them, from the validation result
    (no model is built, no weight allocated)."""
    nodes = {n["id"]: n for n in graph.get("nodes", []) if isinstance(n, dict) and "id" in n}
    shapes = result.get("nodes") or {}
    inputs, outputs = [], []
    for node_id, node in nodes.items():
        params = node.get("params") or {}
        if node.get("type") == "Input":
            inputs.append({"name": node_id, "shape": params.get("shape"), "dtype": params.get("dtype") or "float32"})
        elif node.get("type") == "Output":
            shape = (shapes.get(node_id) or {}).get("output_shape")
            if shape is None:  # an Output's shape is its source's
                source = next((e.get("source") for e in graph.get("edges", []) if e.get("target") == node_id), None)
                shape = (shapes.get(source) or {}).get("output_shape")
            shape = list(shape[1:]) if isinstance(shape, (list, tuple)) and shape else []
            outputs.append(
                {
                    "name": node_id,
                    "shape": shape,
                    "loss": params.get("loss"),
                    "loss_weight": params.get("loss_weight", 1),
                    "metrics": params.get("metrics") or [],
                }
            )
    return inputs, outputs


def check_binding(graph: dict, result: dict, info: dict) -> list[dict]:
    """Which field each Input/Output block is bound to (trainer.binding.bindings); CheckFailed when
    a block cannot be fed."""
    from trainer.binding import binding_warnings as warnings_of
    from trainer.binding import bindings
    from trainer.binding import check_binding as binding_errors

    inputs, outputs = graph_io(graph, result)
    errors = binding_errors(inputs, outputs, info)
    if errors:
        first = errors[0]
        body = {
            "detail": f"the graph does not fit dataset {info.get('name', '')!r}: {first['message']}",
            "errors": errors,
        }
        warnings = warnings_of(outputs, info)
        if warnings:  # shown beside the errors (more units than classes)
            body["warnings"] = warnings
        raise CheckFailed(body)
    return bindings(inputs, outputs, info)


def binding_warnings(graph: dict, result: dict, info: dict) -> list[dict]:
    """What trains but is likely a slip (trainer.binding.binding_warnings): more units than classes."""
    from trainer.binding import binding_warnings as warnings_of

    _, outputs = graph_io(graph, result)
    return warnings_of(outputs, info)
