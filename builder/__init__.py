"""The model builder: graph documents to validated graphs, Keras models,
scripts and files, and Keras models back to graph documents.

A plain library (no Django, no Celery). Importing it imports Keras, once:
the web process does so at start-up rather than on a person's first click.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402,F401  - loaded here, once

from .catalog import catalog_json  # noqa: E402
from .compile import CompiledGraph, compile_graph  # noqa: E402
from .export import export_keras, export_python, normalise_graph  # noqa: E402
from .importer import ModelImportError, import_model  # noqa: E402
from .templates import list_examples  # noqa: E402
from .validate import GraphInvalid, validate_graph  # noqa: E402

__all__ = [
    "CompiledGraph",
    "GraphInvalid",
    "ModelImportError",
    "catalog_json",
    "compile_graph",
    "export_keras",
    "export_python",
    "import_model",
    "list_examples",
    "normalise_graph",
    "validate_graph",
]
