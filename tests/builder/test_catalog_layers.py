"""Blocks to Keras layers and back: make_layer, the config round trip that
Keras's own tests do, and layer_to_block for import."""

import json

import keras
import pytest

from builder import catalog
from builder.catalog import ParamsError, UnsupportedLayer, bridge, layer_to_block, make_layer
from builder.catalog.registry import to_json
from builder.catalog.samples import SAMPLES

LAYER_TYPES = [s.type for s in catalog.all_specs() if s.cls is not None]


def config_of(layer) -> dict:
    """A layer's config as it would be saved (JSON), names and seeds left out
    (RandomCrop draws a seed when given none)."""
    config = json.loads(json.dumps(to_json(layer.get_config())))
    return _without_names(config)


def _without_names(value):
    if isinstance(value, dict):
        return {k: _without_names(v) for k, v in value.items() if k not in ("name", "seed")}
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


def cleaned(type_name, params):
    out, problems = catalog.check_params(type_name, params)
    assert problems == []
    return out


def test_every_block_has_a_sample():
    assert set(SAMPLES) == set(LAYER_TYPES)


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_block_builds_and_runs_symbolically(type_name):
    params, inputs = SAMPLES[type_name]
    layer = make_layer(type_name, cleaned(type_name, params), "node_1")
    assert isinstance(layer, catalog.get_spec(type_name).cls)
    assert layer.name == "node_1"
    with keras.StatelessScope(initialize_variables=False):
        tensors = [keras.Input(shape=shape, dtype=dtype) for shape, dtype in inputs]
        out = catalog.apply_layer(type_name, layer, tensors)
    assert isinstance(out, keras.KerasTensor)
    assert out.shape[0] is None  # the batch axis stays free


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_config_round_trip(type_name):
    """get_config -> JSON -> from_config -> the same config (as Keras's own
    layer tests do)."""
    params, _ = SAMPLES[type_name]
    layer = make_layer(type_name, cleaned(type_name, params), "node_1")
    saved = json.loads(json.dumps(to_json(layer.get_config())))
    again = type(layer).from_config(saved)
    assert to_json(again.get_config()) == to_json(layer.get_config())


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_graph_to_keras_to_graph(type_name):
    params, _ = SAMPLES[type_name]
    layer = make_layer(type_name, cleaned(type_name, params), "node_1")
    block = layer_to_block(layer)
    assert block["type"] == type_name
    json.dumps(block, allow_nan=False)
    assert cleaned(type_name, block["params"]) == cleaned(type_name, params)
    # and once more, the block builds the same layer
    assert config_of(make_layer(type_name, block["params"], "node_1")) == config_of(layer)


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_import_after_the_layer_was_called(type_name):
    """A built layer (as in a loaded model) reads back the same."""
    params, inputs = SAMPLES[type_name]
    layer = make_layer(type_name, cleaned(type_name, params), "node_1")
    with keras.StatelessScope(initialize_variables=False):
        catalog.apply_layer(type_name, layer, [keras.Input(shape=s, dtype=d) for s, d in inputs])
    assert cleaned(type_name, layer_to_block(layer)["params"]) == cleaned(type_name, params)


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_defaults_given_explicitly_change_nothing(type_name):
    """What the catalog shows as a default is what Keras does without it."""
    spec = catalog.get_spec(type_name)
    params, _ = SAMPLES[type_name]
    required = {p.name: params[p.name] for p in spec.params if p.required}
    explicit = dict(required)
    for p in spec.params:
        if not p.required:
            explicit[p.name] = to_json(p.default)
    implicit_layer = make_layer(type_name, cleaned(type_name, required), "node_1")
    explicit_layer = make_layer(type_name, cleaned(type_name, explicit), "node_1")
    assert config_of(explicit_layer) == config_of(implicit_layer)
    assert layer_to_block(explicit_layer)["params"] == layer_to_block(implicit_layer)["params"]
    assert cleaned(type_name, layer_to_block(implicit_layer)["params"]) == cleaned(type_name, required)


@pytest.mark.parametrize("type_name", LAYER_TYPES)
def test_python_call_builds_the_same_layer(type_name):
    params, _ = SAMPLES[type_name]
    source = catalog.python_call(type_name, params, "node_1")
    assert source.startswith(f"keras.layers.{bridge.keras_name(type_name)}(")
    assert getattr(keras.layers, bridge.keras_name(type_name)) is catalog.get_spec(type_name).cls
    rebuilt = eval(source, {"keras": keras})  # our own generated source
    assert config_of(rebuilt) == config_of(make_layer(type_name, params, "node_1"))


# ---------------------------------------------------------------- make_layer


def test_make_layer_names_and_converts():
    layer = make_layer("Conv2D", cleaned("Conv2D", {"filters": 4, "kernel_size": 3}), "conv_a")
    assert layer.name == "conv_a" and layer.kernel_size == (3, 3)
    reg = make_layer("Dense", {"units": 2, "kernel_regularizer": "l1_l2"}, "d").kernel_regularizer
    assert isinstance(reg, keras.regularizers.L1L2)
    assert reg.get_config() == pytest.approx({"l1": 0.01, "l2": 0.01})


def test_wrapped_layer_is_named_after_the_wrapper():
    layer = make_layer("TimeDistributed", {"layer": {"type": "Dense", "params": {"units": 2}}}, "td")
    assert layer.layer.name == "td_inner" and layer.layer.units == 2
    bi = make_layer("Bidirectional", {"layer": {"type": "GRU", "params": {"units": 3}}}, "bi")
    assert bi.name == "bi" and bi.forward_layer.units == 3


def test_make_layer_refuses_bad_params():
    with pytest.raises(ParamsError) as err:
        make_layer("Dense", {"units": -3}, "d")
    assert isinstance(err.value, ValueError)
    assert err.value.problems[0].param == "units"
    assert "got -3" in str(err.value)


def test_keras_constructor_errors_propagate():
    with pytest.raises(ValueError, match="groups"):
        make_layer("Conv2D", {"filters": 5, "kernel_size": 3, "groups": 2}, "c")


def test_markers_and_unknown_types_are_not_layers():
    with pytest.raises(ValueError, match="marker"):
        make_layer("Input", {"shape": [3]}, "x")
    with pytest.raises(ValueError, match="not in the catalog"):
        make_layer("Lambda", {}, "x")


def test_call_styles():
    assert catalog.call_style("Dense") == "single"
    assert catalog.call_style("Concatenate") == "list"
    assert catalog.call_style("Attention") == "list"
    assert catalog.call_style("MultiHeadAttention") == "positional"


# ---------------------------------------------------------------- layer_to_block


def test_only_non_default_params_are_given():
    assert layer_to_block(keras.layers.Dense(10, activation="relu")) == {
        "type": "Dense",
        "params": {"units": 10, "activation": "relu"},
    }
    assert layer_to_block(keras.layers.Conv2D(8, (3, 3), strides=(2, 2))) == {
        "type": "Conv2D",
        "params": {"filters": 8, "kernel_size": 3, "strides": 2},
    }
    assert layer_to_block(keras.layers.Conv2D(8, (3, 5), data_format="channels_first"))["params"] == {
        "filters": 8,
        "kernel_size": [3, 5],
        "data_format": "channels_first",
    }
    assert layer_to_block(keras.layers.MaxPooling2D()) == {"type": "MaxPooling2D", "params": {}}


def test_initializers_and_regularizers_come_back_as_names():
    layer = keras.layers.Dense(
        4,
        kernel_initializer=keras.initializers.HeNormal(seed=3),
        kernel_regularizer=keras.regularizers.L2(0.01),
        bias_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.01),
        activation="swish",
    )
    assert layer_to_block(layer)["params"] == {
        "units": 4,
        "activation": "silu",
        "kernel_initializer": "he_normal",
        "kernel_regularizer": "l2",
        "bias_regularizer": "l1_l2",
    }
    embedding = keras.layers.Embedding(100, 8)
    assert layer_to_block(embedding)["params"] == {"input_dim": 100, "output_dim": 8}


def test_wrappers_come_back_nested():
    bi = keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True), merge_mode="ave")
    assert layer_to_block(bi) == {
        "type": "Bidirectional",
        "params": {"layer": {"type": "LSTM", "params": {"units": 16, "return_sequences": True}}, "merge_mode": "ave"},
    }
    td = keras.layers.TimeDistributed(keras.layers.Dense(3))
    assert layer_to_block(td) == {
        "type": "TimeDistributed",
        "params": {"layer": {"type": "Dense", "params": {"units": 3}}},
    }


def test_unknown_class_is_unsupported():
    layer = keras.layers.Lambda(lambda t: t * 2, name="doubler")
    with pytest.raises(UnsupportedLayer) as err:
        layer_to_block(layer)
    assert err.value.class_name == "Lambda"
    assert "doubler" in str(err.value) and "Lambda" in str(err.value) and "not in the block catalog" in str(err.value)


def test_subclasses_are_not_taken_for_their_parent():
    class MyDense(keras.layers.Dense):
        pass

    with pytest.raises(UnsupportedLayer) as err:
        layer_to_block(MyDense(3, name="mine"))
    assert err.value.class_name == "MyDense"


def test_input_layer_is_left_to_the_importer():
    layer = keras.Input(shape=(3,), name="x")._keras_history[0]
    with pytest.raises(UnsupportedLayer, match="InputLayer"):
        layer_to_block(layer)


@pytest.mark.parametrize(
    "layer, mentions",
    [
        (keras.layers.Dense(3, kernel_constraint=keras.constraints.MaxNorm(2.0)), "kernel_constraint"),
        (keras.layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal(stddev=0.5)), "kernel_initializer"),
        (keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(0.5)), "kernel_regularizer"),
        (keras.layers.Dense(2_000_000), "units"),
        (keras.layers.LSTM(3, return_state=True), "return_state"),
        (keras.layers.MultiHeadAttention(2, 4, attention_axes=(1,)), "attention_axes"),
        (keras.layers.ZeroPadding2D(((0, 1), (0, 1))), "uneven"),
        (keras.layers.Embedding(10, 3, activity_regularizer="l2"), "activity_regularizer"),
        (keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode=None), "merge_mode"),
        (keras.layers.TimeDistributed(keras.layers.Embedding(10, 3)), "Embedding"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_settings_the_catalog_cannot_show_are_refused(layer, mentions):
    with pytest.raises(UnsupportedLayer) as err:
        layer_to_block(layer)
    assert mentions in str(err.value)
    assert layer.name in str(err.value)


def test_a_loaded_model_reads_back_the_same():
    """Configs loaded from JSON hold lists where fresh layers hold tuples."""
    blocks = [
        ("conv", "Conv2D", {"filters": 4, "kernel_size": [3, 1], "strides": 2, "padding": "same"}),
        ("pool", "MaxPooling2D", {"pool_size": [2, 1]}),
        ("zoom", "ZeroPadding2D", {"padding": [1, 2]}),
        ("flat", "Flatten", {}),
        ("rep", "RepeatVector", {"n": 3}),
        ("rnn", "Bidirectional", {"layer": {"type": "GRU", "params": {"units": 4}}}),
        ("out", "Dense", {"units": 2, "activation": "softmax", "kernel_regularizer": "l1_l2"}),
    ]
    x = inputs = keras.Input((8, 8, 1), name="x")
    for name, type_name, params in blocks:
        x = make_layer(type_name, params, name)(x)
    model = keras.Model(inputs, x)
    loaded = keras.models.model_from_json(model.to_json())
    for name, type_name, params in blocks:
        block = layer_to_block(loaded.get_layer(name))
        assert block["type"] == type_name
        assert cleaned(type_name, block["params"]) == cleaned(type_name, params), name
