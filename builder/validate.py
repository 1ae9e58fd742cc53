"""Checking a graph document: the public names, gathered from the modules
that do the work.

- builder/document.py: parse the document, structural errors;
- builder/check.py: the memoised checking walk (Keras shapes, counts, MACs);
- builder/warnings.py: likely mistakes that Keras accepts;
- builder/result.py: validate_graph's answer, errors_summary, GraphInvalid;
- builder/build.py: the real build with weights, for compile_graph.
"""

from __future__ import annotations

from .build import Build, build, in_model
from .check import OUTCOMES, NodeInfo, Outcome, infer
from .result import GraphInvalid, check_graph, check_group, empty_result, errors_summary, shape_json, validate_graph
from .warnings import warnings

__all__ = [
    "OUTCOMES",
    "Build",
    "GraphInvalid",
    "NodeInfo",
    "Outcome",
    "build",
    "check_graph",
    "check_group",
    "empty_result",
    "errors_summary",
    "in_model",
    "infer",
    "shape_json",
    "validate_graph",
    "warnings",
]
