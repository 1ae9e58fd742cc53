"""The catalog's shape: which blocks, their params, defaults and JSON form."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from builder import catalog
from builder.catalog.registry import block_defs, to_json
from builder.catalog.specs import ALWAYS_HIDDEN, KINDS, MISSING, signature_defaults

LAYER_SPECS = [s for s in catalog.all_specs() if s.cls is not None]
LAYER_IDS = [s.type for s in LAYER_SPECS]


def test_keras_version_is_pinned():
    # Defaults, choices and config round trips are checked against this
    # version; upgrading Keras means re-running and re-reading these tests.
    assert keras.__version__ == "3.15.1"


def test_catalog_has_the_required_blocks():
    types = {s.type for s in catalog.all_specs()}
    required = [
        "Dense",
        "Activation",
        "Dropout",
        "Flatten",
        "Reshape",
        "Permute",
        "RepeatVector",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv2D",
        "Conv2DTranspose",
        "Conv1DTranspose",
        "MaxPooling1D",
        "MaxPooling2D",
        "AveragePooling1D",
        "AveragePooling2D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "LSTM",
        "GRU",
        "SimpleRNN",
        "Bidirectional",
        "TimeDistributed",
        "Embedding",
        "BatchNormalization",
        "LayerNormalization",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "GaussianNoise",
        "GaussianDropout",
        "ActivityRegularization",
        "Concatenate",
        "Add",
        "Subtract",
        "Multiply",
        "Average",
        "Maximum",
        "Minimum",
        "Dot",
        "MultiHeadAttention",
        "Attention",
        "Rescaling",
        "Resizing",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "Cropping1D",
        "Cropping2D",
        "UpSampling1D",
        "UpSampling2D",
        "Input",
        "Output",
    ]
    assert not set(required) - types
    assert len(LAYER_SPECS) >= 45


def test_markers():
    inp, out = catalog.get_spec("Input"), catalog.get_spec("Output")
    assert inp.cls is None and out.cls is None
    assert inp.category == out.category == "io"
    assert (inp.min_inputs, inp.max_inputs) == (0, 0)
    assert (out.min_inputs, out.max_inputs) == (1, 1)
    shape = inp.param("shape")
    assert shape.kind == "shape" and shape.required and shape.default is None
    dtype = inp.param("dtype")
    assert dtype.default == "float32" and set(dtype.choices) == {"float32", "int32"}
    loss = out.param("loss")
    assert loss.required and loss.default is None and "required" in loss.doc
    assert {
        "sparse_categorical_crossentropy",
        "categorical_crossentropy",
        "binary_crossentropy",
        "mse",
        "mae",
        "huber",
    } <= set(loss.choices)
    assert out.param("loss_weight").default == 1.0 and out.param("loss_weight").min == 0
    metrics = out.param("metrics")
    assert metrics.kind == "string_list" and to_json(metrics.default) == []
    assert {"accuracy", "mae", "mse", "auc", "precision", "recall", "top_k_categorical_accuracy"} <= set(
        metrics.choices
    )


def test_losses_and_metrics_are_keras_names():
    out = catalog.get_spec("Output")
    for name in out.param("loss").choices:
        assert keras.losses.get(name) is not None, name
    for name in out.param("metrics").choices:
        assert keras.metrics.get(name) is not None, name


@pytest.mark.parametrize(
    "type_name, arity",
    [
        ("Dense", (1, 1)),
        ("Concatenate", (2, None)),
        ("Add", (2, None)),
        ("Multiply", (2, None)),
        ("Average", (2, None)),
        ("Maximum", (2, None)),
        ("Minimum", (2, None)),
        ("Subtract", (2, 2)),
        ("Dot", (2, 2)),
        ("MultiHeadAttention", (2, 3)),
    ],
)
def test_input_arity(type_name, arity):
    spec = catalog.get_spec(type_name)
    assert (spec.min_inputs, spec.max_inputs) == arity


def test_unknown_types_are_not_looked_up():
    assert catalog.get_spec("Lambda") is None
    assert catalog.get_spec("dense") is None
    assert catalog.get_spec("__class__") is None
    assert catalog.get_spec(None) is None


@pytest.mark.parametrize(
    "type_name, param",
    [
        ("Dense", "units"),
        ("Conv2D", "filters"),
        ("Conv2D", "kernel_size"),
        ("Conv1D", "kernel_size"),
        ("Reshape", "target_shape"),
        ("Embedding", "input_dim"),
        ("Embedding", "output_dim"),
        ("MultiHeadAttention", "num_heads"),
        ("MultiHeadAttention", "key_dim"),
        ("Rescaling", "scale"),
        ("Resizing", "height"),
        ("Resizing", "width"),
        ("RandomRotation", "factor"),
        ("Bidirectional", "layer"),
        ("TimeDistributed", "layer"),
    ],
)
def test_required_params(type_name, param):
    spec = catalog.get_spec(type_name).param(param)
    assert spec.required and spec.default is None


@pytest.mark.parametrize(
    "type_name, param, maximum",
    [
        ("Dense", "units", 1_000_000),
        ("Conv2D", "filters", 65_536),
        ("Conv2D", "kernel_size", 1024),
        ("Conv1D", "kernel_size", 1024),
        ("Embedding", "input_dim", 10_000_000),
        ("LSTM", "units", 1_000_000),
    ],
)
def test_absurd_sizes_are_bounded(type_name, param, maximum):
    spec = catalog.get_spec(type_name).param(param)
    assert spec.min == 1 and spec.max == maximum


def test_every_spec_is_well_formed():
    categories = [name for name, _ in catalog.CATEGORIES]
    used = set()
    for spec in catalog.all_specs():
        assert spec.category in categories, spec.type
        used.add(spec.category)
        assert spec.doc and "\n" not in spec.doc, spec.type
        assert spec.min_inputs >= 0
        assert spec.max_inputs is None or spec.max_inputs >= spec.min_inputs
        names = [p.name for p in spec.params]
        assert len(names) == len(set(names)), spec.type
        for p in spec.params:
            where = f"{spec.type}.{p.name}"
            assert p.kind in KINDS, where
            assert p.doc and "\n" not in p.doc, where
            if p.required:
                assert p.default is None, where
            if p.kind in ("choice", "layer"):
                assert p.choices, where
            if p.kind == "choice" and not p.required:
                assert any(p.default == c and type(p.default) is type(c) for c in p.choices), where
            if p.kind == "choice":
                assert p.nullable == (None in p.choices), where
            if p.kind in ("int_tuple", "float_or_tuple"):
                assert p.length, where
            if p.kind == "layer":
                for inner in p.choices:
                    inner_spec = catalog.get_spec(inner)
                    assert inner_spec is not None and inner_spec.cls is not None, (where, inner)
            if not p.required:
                # The default passes the catalog's own checks.
                _cleaned, problems = catalog.check_params(spec.type, _with_required(spec, {p.name: to_json(p.default)}))
                assert not problems, (where, problems)
    assert used == set(categories), "every category holds a block"


def _with_required(spec, params):
    from builder.catalog.samples import SAMPLE_PARAMS

    sample = SAMPLE_PARAMS.get(spec.type, {})
    base = {p.name: sample[p.name] for p in spec.params if p.required and p.name in sample}
    if spec.type == "Output":
        base["loss"] = "mse"
    if spec.type == "Input":
        base["shape"] = [3]
    return {**base, **params}


def test_blocks_are_ordered_by_category():
    order = [name for name, _ in catalog.CATEGORIES]
    positions = [order.index(s.category) for s in catalog.all_specs()]
    assert positions == sorted(positions)
    assert catalog.all_specs()[0].type == "Input"


def test_each_keras_class_backs_one_block():
    classes = [s.cls for s in LAYER_SPECS]
    assert len(classes) == len(set(classes))
    for spec in LAYER_SPECS:
        # by the class's own name, or by the block's where Keras exports an alias
        # (GroupQueryAttention is keras.layers' name for GroupedQueryAttention)
        assert spec.cls in (getattr(keras.layers, spec.cls.__name__, None), getattr(keras.layers, spec.type, None))


@pytest.mark.parametrize("spec", LAYER_SPECS, ids=LAYER_IDS)
def test_defaults_are_kerass(spec):
    """Each default is the constructor's own, unless overridden on purpose."""
    d = block_defs()[spec.type]
    sig = signature_defaults(spec.cls)
    for p in spec.params:
        if p.name in d.overrides:
            continue
        keras_default = sig[p.name]
        if keras_default is MISSING:
            assert p.required and p.default is None, p.name
        else:
            assert not p.required, p.name
            assert to_json(p.default) == to_json(keras_default), p.name


def test_overrides_are_few_and_explained():
    overrides = {(t, name): why for t, d in block_defs().items() for name, why in d.overrides.items()}
    assert set(overrides) == {
        ("Cropping2D", "cropping"),
        ("Cropping3D", "cropping"),
        ("CategoryEncoding", "num_tokens"),
        ("Discretization", "bin_boundaries"),
        ("ZeroPadding3D", "padding"),
        ("PReLU", "alpha_initializer"),
    }
    assert all(overrides.values())


@pytest.mark.parametrize("spec", LAYER_SPECS, ids=LAYER_IDS)
def test_every_constructor_argument_is_shown_or_hidden_on_purpose(spec):
    """A Keras upgrade that adds an argument fails here until it is curated."""
    d = block_defs()[spec.type]
    shown = {p.name for p in spec.params}
    accounted = shown | d.hidden | ALWAYS_HIDDEN
    assert set(signature_defaults(spec.cls)) - accounted == set()
    assert not shown & d.hidden
    assert d.hidden <= set(signature_defaults(spec.cls))


def test_catalog_json():
    data = catalog.catalog_json()
    assert catalog.catalog_json() is data  # computed once
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data  # plain JSON: no tuples, no objects
    assert data["keras_version"] == keras.__version__
    assert data["categories"][0] == {"name": "io", "label": "Input / Output"}
    assert [c["name"] for c in data["categories"]] == [n for n, _ in catalog.CATEGORIES]
    layers = {entry["type"]: entry for entry in data["layers"]}
    assert set(layers) == {s.type for s in catalog.all_specs()}
    dense = layers["Dense"]
    assert dense["category"] == "core" and dense["inputs"] == {"min": 1, "max": 1}
    units = dict(dense["params"][0])
    rules = units.pop("rules")
    assert units == {
        "name": "units",
        "kind": "int",
        "default": None,
        "required": True,
        "nullable": False,
        "choices": None,
        "min": 1,
        "max": 1_000_000,
        "length": None,
        "doc": units["doc"],
    }
    assert rules == {
        "kind": "int",
        "expect": "an integer between 1 and 1000000",
        "required": True,
        "nullable": False,
        "min": 1,
        "max": 1_000_000,
        "length": None,
        "choices": None,
        "check": None,
    }
    assert dense["facts"] == {"layout": None, "counts_macs": True}
    assert layers["Conv2D"]["facts"]["layout"] == "(batch, height, width, channels)"
    shape = layers["Reshape"]["params"][0]["rules"]
    assert shape["entries"] == {"null": False, "minus_one": True, "min_count": 1, "max_count": 8}
    assert layers["Input"]["params"][0]["rules"]["entries"]["null"] is True
    assert layers["Permute"]["params"][0]["rules"]["check"] == "permutation"
    strides = next(p for p in layers["Conv2D"]["params"] if p["name"] == "strides")
    assert strides["default"] == [1, 1] and strides["kind"] == "int_tuple" and strides["length"] == 2
    assert layers["Concatenate"]["inputs"] == {"min": 2, "max": None}
    activation = next(p for p in dense["params"] if p["name"] == "activation")
    assert None in activation["choices"] and "relu" in activation["choices"]
    reg = next(p for p in dense["params"] if p["name"] == "kernel_regularizer")
    assert reg["choices"] == [None, "l1", "l2", "l1_l2"]


def test_importing_the_catalog_does_not_load_keras():
    # builder/__init__.py is stubbed out: only the catalog's own imports count.
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, types; pkg = types.ModuleType('builder'); pkg.__path__ = ['builder']; "
        "sys.modules['builder'] = pkg; import builder.catalog; "
        "assert 'keras' not in sys.modules, 'keras loaded on import'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)
