"""The templates GET /api/examples serves: at least 20, each described in one
line, each validating, each naming a built-in dataset only where its inputs fit one."""

import pytest

import builder
from builder.templates import DATASETS as DATASET_OF
from builder.templates import example_paths, list_examples
from trainer.datasets.builtin import list_builtin

TEMPLATES = list_examples()
BY_NAME = {t["name"]: t for t in TEMPLATES}
DATASETS = {info["name"]: info for info in list_builtin()}


def test_at_least_twenty_templates_by_name():
    assert len(TEMPLATES) >= 20
    assert [t["name"] for t in TEMPLATES] == [p.stem for p in example_paths()]
    for classic in (
        "keras_mnist_convnet",
        "small_vgg",
        "small_resnet",
        "conv_autoencoder",
        "text_cnn",
        "bilstm_tagger",
        "transformer_encoder",
        "tabular_breast_cancer",
        "regression_diabetes",
        "wide_and_deep",
        "small_unet",
    ):
        assert classic in BY_NAME


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_template_is_described_and_validates(name):
    template = BY_NAME[name]
    description = template["description"]
    assert description and "\n" not in description and len(description) <= 160
    assert template["graph"]["description"] == description
    assert "dataset" not in template["graph"]  # the graph document stays a graph document
    assert set(DATASET_OF) <= set(BY_NAME)
    assert all(isinstance(node["position"], dict) for node in template["graph"]["nodes"])
    result = builder.validate_graph(template["graph"])
    assert result["valid"] is True, result["errors"]
    assert result["total_params"] > 0


def _input_shapes(graph):
    return [node["params"]["shape"] for node in graph["nodes"] if node["type"] == "Input"]


@pytest.mark.parametrize("name", sorted(n for n, t in BY_NAME.items() if "dataset" in t))
def test_a_named_dataset_exists_and_fits_the_inputs(name):
    template = BY_NAME[name]
    info = DATASETS[template["dataset"]]
    (shape,) = _input_shapes(template["graph"])
    (data_input,) = info["inputs"]
    # Images may carry an explicit channel axis of 1; everything else matches exactly.
    assert shape == data_input["shape"] or shape == [*data_input["shape"], 1]


def test_the_new_classics_name_their_datasets():
    assert BY_NAME["tabular_breast_cancer"]["dataset"] == "breast_cancer"
    assert BY_NAME["regression_diabetes"]["dataset"] == "diabetes"
    assert {BY_NAME[n]["dataset"] for n in ("keras_mnist_convnet", "small_vgg", "small_resnet")} == {"fashion_mnist"}
    # No dataset where none fits (two inputs, token ids, masks).
    for name in ("wide_and_deep", "text_cnn", "bilstm_tagger", "small_unet", "conv_autoencoder"):
        assert "dataset" not in BY_NAME[name]
