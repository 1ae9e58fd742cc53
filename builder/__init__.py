"""The model builder: graph documents to validated graphs, Keras models,
scripts and files, and Keras models back to graph documents.

A plain library (no Django, no Celery). Importing it imports Keras, once:
the web process does so at start-up rather than on a person's first click.
"""

import keras  # noqa: F401  - loaded here, once

from .catalog import catalog_json
from .compile import CompiledGraph, compile_graph
from .export import export_keras, export_python, normalise_graph
from .importer import ModelImportError, import_model
from .templates import list_examples
from .validate import GraphInvalid, errors_summary, validate_graph

__all__ = [
    "CompiledGraph",
    "GraphInvalid",
    "ModelImportError",
    "catalog_json",
    "compile_graph",
    "errors_summary",
    "export_keras",
    "export_python",
    "import_model",
    "list_examples",
    "normalise_graph",
    "validate_graph",
]
