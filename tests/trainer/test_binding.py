import numpy as np
import pytest

from trainer.binding import BindingError, binding_warnings, bindings, check_binding, loss_name, prepare
from trainer.datasets import load_builtin


def inp(name, shape, dtype="float32"):
    return {"name": name, "shape": shape, "dtype": dtype}


def out(name, shape, loss, metrics=("accuracy",)):
    return {"name": name, "shape": shape, "loss": loss, "loss_weight": 1.0, "metrics": list(metrics)}


@pytest.fixture(scope="module")
def fashion():
    return load_builtin("fashion_mnist")


@pytest.fixture(scope="module")
def fashion_info():
    from trainer.datasets import list_builtin

    return next(i for i in list_builtin() if i["name"] == "fashion_mnist")


def test_mnist_mlp_binds_with_the_documented_reshape(fashion_info):
    inputs = [inp("pixels", [784])]
    outputs = [out("label", [10], "sparse_categorical_crossentropy")]
    assert check_binding(inputs, outputs, fashion_info) == []


def test_bindings_name_each_blocks_field_and_how(fashion_info):
    inputs = [inp("pixels", [784])]
    outputs = [out("label", [10], "sparse_categorical_crossentropy")]
    assert bindings(inputs, outputs, fashion_info) == [
        {"node": "pixels", "kind": "input", "field": "image", "how": "only"},
        {"node": "label", "kind": "output", "field": "label", "how": "name"},
    ]
    two = {"inputs": [{"name": "a", "shape": [1]}, {"name": "b", "shape": [1]}], "targets": []}
    assert bindings([inp("c", [1])], [out("y", [1], "mse")], two) == [
        {"node": "c", "kind": "input", "field": None, "how": None},
        {"node": "y", "kind": "output", "field": None, "how": None},
    ]


def test_prepare_reshapes_28x28_to_784(fashion):
    inputs = [inp("pixels", [784])]
    outputs = [out("label", [10], "sparse_categorical_crossentropy")]
    x, y = prepare(inputs, outputs, fashion, "test")
    assert x["pixels"].shape == (10000, 784) and x["pixels"].dtype == np.float32
    np.testing.assert_array_equal(x["pixels"][3], fashion.x_test["image"][3].reshape(-1))
    assert y["label"].shape == (10000,) and y["label"].dtype == np.int32


def test_prepare_adds_the_channel_axis_for_a_convnet(fashion):
    x, _ = prepare(
        [inp("image", [28, 28, 1])], [out("label", [10], "sparse_categorical_crossentropy")], fashion, "test"
    )
    assert x["image"].shape == (10000, 28, 28, 1)


def test_wrong_input_shape_names_block_field_and_fix(fashion_info):
    errors = check_binding(
        [inp("pixels", [32, 32, 3])], [out("label", [10], "sparse_categorical_crossentropy")], fashion_info
    )
    assert errors == [
        {
            "node": "pixels",
            "field": "image",
            "message": (
                "Input 'pixels' has shape (32, 32, 3) but field 'image' of fashion_mnist is (28, 28): set the Input's "
                "shape to [28, 28] (or any shape of 784 elements)."
            ),
        }
    ]


def test_units_must_match_the_classes(fashion_info):
    [error] = check_binding(
        [inp("pixels", [784])], [out("label", [5], "sparse_categorical_crossentropy")], fashion_info
    )
    assert error["node"] == "label" and error["field"] == "label"
    assert "5 units" in error["message"] and "10 classes" in error["message"] and "Dense of 10" in error["message"]


def test_more_units_than_classes_trains_with_a_warning(fashion_info):
    inputs = [inp("pixels", [784])]
    for loss in ("sparse_categorical_crossentropy", "categorical_crossentropy"):
        outputs = [out("label", [12], loss)]
        assert check_binding(inputs, outputs, fashion_info) == []
        [warning] = binding_warnings(outputs, fashion_info)
        assert warning["node"] == "label" and warning["field"] == "label"
        assert "12 units" in warning["message"] and "10 classes" in warning["message"]
        assert "2 extra units are never the answer" in warning["message"]
    assert binding_warnings([out("label", [10], "sparse_categorical_crossentropy")], fashion_info) == []


def test_more_units_than_classes_prepares_wide_one_hot_rows():
    ds = load_builtin("iris")
    inputs, outputs = [inp("features", [4])], [out("target", [5], "categorical_crossentropy")]
    assert check_binding(inputs, outputs, ds.info) == []
    _, y = prepare(inputs, outputs, ds)
    assert y["target"].shape[1:] == (5,) and np.all(y["target"].sum(axis=1) == 1)
    assert np.all(y["target"][:, 3:] == 0)


def test_binary_loss_needs_two_classes_and_one_unit():
    iris = load_builtin("iris").info
    cancer = load_builtin("breast_cancer").info
    [error] = check_binding([inp("features", [4])], [out("target", [1], "binary_crossentropy")], iris)
    assert "needs 2 classes" in error["message"] and "sparse_categorical_crossentropy" in error["message"]
    assert check_binding([inp("features", [30])], [out("target", [1], "binary_crossentropy")], cancer) == []
    [error] = check_binding([inp("features", [30])], [out("target", [2], "binary_crossentropy")], cancer)
    assert "needs 1 unit" in error["message"]


def test_categorical_loss_gets_one_hot_targets():
    ds = load_builtin("iris")
    inputs, outputs = [inp("features", [4])], [out("target", [3], "CategoricalCrossentropy")]
    assert check_binding(inputs, outputs, ds.info) == []
    _, y = prepare(inputs, outputs, ds, "train")
    assert y["target"].shape == (120, 3) and y["target"].dtype == np.float32
    np.testing.assert_array_equal(y["target"].argmax(1), ds.y_train["target"])


def test_regression_needs_a_matching_shape():
    ds = load_builtin("diabetes")
    assert check_binding([inp("features", [10])], [out("target", [1], "mse", ["mae"])], ds.info) == []
    [error] = check_binding([inp("features", [10])], [out("target", [4], "mse", ["mae"])], ds.info)
    assert "shape (4,)" in error["message"] and "(1,)" in error["message"]
    [error] = check_binding([inp("features", [10])], [out("target", [1], "sparse_categorical_crossentropy")], ds.info)
    assert "regression target" in error["message"]


def test_names_bind_first_and_the_only_field_otherwise():
    info = {
        "name": "two",
        "inputs": [{"name": "a", "shape": [3], "dtype": "float32"}, {"name": "b", "shape": [5], "dtype": "float32"}],
        "targets": [{"name": "y", "shape": [1], "dtype": "float32", "classes": None, "task": "regression"}],
    }
    outputs = [out("anything", [1], "mse")]  # the only target
    assert check_binding([inp("b", [5]), inp("a", [3])], outputs, info) == []
    [error] = check_binding([inp("c", [3])], outputs, info)
    assert error == {
        "node": "c",
        "message": "Input 'c' matches no input field of two: its inputs are "
        "'a' (3,), 'b' (5,). Rename the Input block to one of them.",
    }


def test_int_input_needs_int_field():
    [error] = check_binding(
        [inp("features", [4], "int32")],
        [out("target", [3], "sparse_categorical_crossentropy")],
        load_builtin("iris").info,
    )
    assert "dtype to float32" in error["message"]


def test_variable_length_input_binds_to_same_rank():
    info = {
        "name": "txt",
        "inputs": [{"name": "words", "shape": [40], "dtype": "int32"}],
        "targets": [{"name": "label", "shape": [], "dtype": "int32", "classes": 2, "task": "classification"}],
    }
    assert (
        check_binding([inp("words", [None], "int32")], [out("label", [2], "sparse_categorical_crossentropy")], info)
        == []
    )


def test_binding_error_reads_well():
    error = BindingError([{"node": "a", "message": "first."}, {"node": "b", "message": "second."}])
    assert str(error) == "a: first; b: second."
    assert error.errors[0]["node"] == "a"


def test_loss_names():
    assert loss_name("SparseCategoricalCrossentropy") == "sparse_categorical_crossentropy"
    assert loss_name("mse") == "mean_squared_error"
    assert loss_name(None) is None
