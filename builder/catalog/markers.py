"""The Input and Output markers. They are not layers: Input becomes a
keras.Input, Output names a model output and carries its loss and metrics."""

from __future__ import annotations

from .common import MAX_DIM, P
from .specs import BlockDef, declare_block

LOSSES = (
    "sparse_categorical_crossentropy",
    "categorical_crossentropy",
    "binary_crossentropy",
    "mean_squared_error",
    "mse",
    "mean_absolute_error",
    "mae",
    "huber",
    "log_cosh",
    "mean_absolute_percentage_error",
    "mape",
    "mean_squared_logarithmic_error",
    "msle",
    "kl_divergence",
    "poisson",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "cosine_similarity",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
)

METRICS = (
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "auc",
    "precision",
    "recall",
    "mae",
    "mse",
    "mape",
    "msle",
    "root_mean_squared_error",
    "r2_score",
)

INPUT_DTYPES = ("float32", "int32")

# The markers' type names: the graph's ends are found by these.
INPUT = "Input"
OUTPUT = "Output"
# A group of blocks (builder/document.py): no catalog block, a node holding an inner graph whose
# Input and Output markers are its ports; it becomes a nested keras.Model.
GROUP = "Group"


def blocks() -> list[BlockDef]:
    return [
        declare_block(
            INPUT,
            None,
            "io",
            "A model input; its id is the input's name, bound to the dataset field of that name.",
            [
                P(
                    "shape",
                    "shape",
                    "Shape of one sample, without the batch axis; null entries for variable lengths, e.g. [null] for sequences.",
                    required=True,
                    null_entries=True,
                    min=1,
                    max=MAX_DIM,
                ),
                P(
                    "dtype",
                    "choice",
                    "Data type: float32, or int32 for ids fed to an Embedding.",
                    choices=INPUT_DTYPES,
                    default="float32",
                ),
            ],
            inputs=(0, 0),
        ),
        declare_block(
            OUTPUT,
            None,
            "io",
            "A model output; its id is the output's name, the key of its loss, metrics and dataset target.",
            [
                P(
                    "loss",
                    "choice",
                    "Loss to minimise for this output; required, there is no default.",
                    choices=LOSSES,
                    required=True,
                ),
                P(
                    "loss_weight",
                    "float",
                    "Weight of this output's loss in the total loss.",
                    default=1.0,
                    min=0.0,
                    max=1e6,
                ),
                P("metrics", "string_list", "Metrics reported for this output.", choices=METRICS, default=()),
            ],
            inputs=(1, 1),
        ),
    ]
