"""trainer.exports: every deployment format of real example graphs, loaded in a fresh process with the format's
own runtime (onnxruntime, tf.lite.Interpreter, tf.saved_model.load) and compared with Keras; the real
conversion failures (a recurrent block in TFLite, a resizing ONNX or TFLite cannot convert) as messages.

Conversions are slow on a shared CPU: each (example, format) file is made once per module and shared."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from builder import compile_graph
from trainer.exports import (
    FILENAMES,
    ExportError,
    export_in_subprocess,
    export_model,
    verify_export,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "builder" / "examples"
TOLERANCE = 1e-4
SEQUENCE_LENGTH = 300  # social_three_outputs' convolutions and poolings need at least 269 steps


def example(name: str, **changes: dict) -> dict:
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    for node in doc["nodes"]:
        node["params"].update(changes.get(node["id"], {}))
    return doc


def sample(model, rows: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    """Random inputs by Input id: floats in [0, 1), or token ids below 1000 for an int32 Input."""
    rng = np.random.default_rng(seed)
    out = {}
    for tensor in model.inputs:
        shape = [rows] + [SEQUENCE_LENGTH if d is None else int(d) for d in tensor.shape[1:]]
        if "int" in str(tensor.dtype):
            out[tensor.name] = rng.integers(0, 1000, shape).astype("int32")
        else:
            out[tensor.name] = rng.random(shape, dtype=np.float32)
    return out


def untrained(doc: dict, seed: int = 0):
    keras.utils.set_random_seed(seed)
    return compile_graph(doc).model


@pytest.fixture(scope="module")
def models():
    return {
        "mnist_mlp": untrained(example("mnist_mlp")),
        "fashion_cnn": untrained(example("fashion_cnn")),
        # the multi-output example with a 1000-word vocabulary instead of 50000 (same blocks and outputs,
        # 50 MB less to convert)
        "social_three_outputs": untrained(example("social_three_outputs", embed={"input_dim": 1000})),
    }


@pytest.fixture(scope="module")
def exported(models, tmp_path_factory):
    """exported(name, fmt) -> the file, converted once per module."""
    made: dict[tuple[str, str], Path] = {}

    def get(name: str, fmt: str) -> Path:
        if (name, fmt) not in made:
            made[name, fmt] = export_model(models[name], fmt, tmp_path_factory.mktemp(f"{name}-{fmt}"))
        return made[name, fmt]

    return get


@pytest.mark.parametrize("fmt", ["savedmodel", "onnx", "tflite"])
@pytest.mark.parametrize("name", ["mnist_mlp", "fashion_cnn", "social_three_outputs"])
def test_exported_file_predicts_like_keras_in_a_fresh_process(models, exported, name, fmt):
    path = exported(name, fmt)
    assert path.name == FILENAMES[fmt]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    diff = verify_export(path, fmt, models[name], sample(models[name]))
    assert diff < TOLERANCE


def test_verification_sees_other_weights(models, exported):
    """verify_export measures something: the same graph with other weights is far from the file."""
    other = untrained(example("mnist_mlp"), seed=1)
    assert verify_export(exported("mnist_mlp", "onnx"), "onnx", other, sample(other)) > 1e-3


def test_keras_format_is_the_file_as_is(models, tmp_path):
    model = models["mnist_mlp"]
    saved = tmp_path / "run" / "model.keras"
    saved.parent.mkdir()
    model.save(saved)
    copied = export_model(saved, "keras", tmp_path / "out")
    assert copied == tmp_path / "out" / "model.keras"
    assert copied.read_bytes() == saved.read_bytes()
    assert verify_export(copied, "keras", model, sample(model)) == 0.0


def test_a_keras_path_exports_like_the_model(models, exported, tmp_path):
    """A trained run's .keras file (the web app's case): the same predictions as the in-memory model."""
    model = models["fashion_cnn"]
    saved = tmp_path / "model.keras"
    model.save(saved)
    path = export_model(saved, "onnx", tmp_path / "onnx")
    assert path.read_bytes() != b""
    assert verify_export(path, "onnx", model, sample(model, seed=1)) < TOLERANCE


def test_multi_output_names_are_the_output_ids(exported):
    import onnxruntime
    import tensorflow as tf

    session = onnxruntime.InferenceSession(str(exported("social_three_outputs", "onnx")))
    assert [i.name for i in session.get_inputs()] == ["posts"]
    assert sorted(o.name for o in session.get_outputs()) == ["age", "gender", "income"]

    interpreter = tf.lite.Interpreter(model_path=str(exported("social_three_outputs", "tflite")))
    signature = interpreter.get_signature_list()["serving_default"]
    assert signature["inputs"] == ["posts"]
    assert sorted(signature["outputs"]) == ["age", "gender", "income"]

    with zipfile.ZipFile(exported("social_three_outputs", "savedmodel")) as zf:
        names = zf.namelist()
    assert "savedmodel/saved_model.pb" in names
    assert all(n.startswith("savedmodel/") for n in names)


def test_multi_input_model_takes_inputs_by_input_id(tmp_path):
    model = untrained(example("qa_two_inputs"))
    x = sample(model, rows=3)
    path = export_model(model, "onnx", tmp_path)
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path))
    assert sorted(i.name for i in session.get_inputs()) == ["question", "text"]
    assert [o.name for o in session.get_outputs()] == ["answer"]
    # a list in the model's input order works as the dict does
    assert verify_export(path, "onnx", model, [x[t.name] for t in model.inputs]) < TOLERANCE


def test_lstm_in_tflite_is_a_message_naming_the_block(tmp_path):
    model = untrained(example("lstm_rows"))
    (tmp_path / "model.tflite").write_bytes(b"an older export")
    with pytest.raises(ExportError) as caught:
        export_model(model, "tflite", tmp_path)
    err = caught.value
    assert err.format == "tflite"
    assert err.node == "rnn"
    text = str(err)
    assert "'rnn' (LSTM)" in text and "ONNX or SavedModel" in text and "unroll" in text
    assert "Traceback" not in text and "loc(" not in text
    assert err.as_json() == {"detail": text, "format": "tflite", "node": "rnn"}
    # nothing half-written, the file that was there untouched
    assert [p.name for p in tmp_path.iterdir()] == ["model.tflite"]
    assert (tmp_path / "model.tflite").read_bytes() == b"an older export"


def test_the_unroll_advice_works(tmp_path):
    model = untrained(example("lstm_rows", rnn={"unroll": True}))
    path = export_model(model, "tflite", tmp_path)
    assert verify_export(path, "tflite", model, sample(model)) < TOLERANCE


def test_bidirectional_gru_in_tflite_names_the_wrapper(tmp_path):
    model = untrained(example("bidirectional_gru", embed={"input_dim": 1000}))
    with pytest.raises(ExportError) as caught:
        export_model(model, "tflite", tmp_path)
    assert caught.value.node == "bigru"
    assert "'bigru' (Bidirectional)" in str(caught.value)
    assert "the recurrent layer inside it" in str(caught.value)


def resizing(interpolation: str) -> dict:
    return {
        "version": 1,
        "name": "resize",
        "nodes": [
            {"id": "image", "type": "Input", "params": {"shape": [8, 8, 3]}},
            {"id": "shrink", "type": "Resizing", "params": {"height": 6, "width": 4, "interpolation": interpolation}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "pixels", "type": "Output", "params": {"loss": "mse"}},
        ],
        "edges": [
            {"source": "image", "target": "shrink"},
            {"source": "shrink", "target": "flat"},
            {"source": "flat", "target": "pixels"},
        ],
    }


def test_an_op_onnx_cannot_convert_is_a_message(tmp_path):
    """tf2onnx only logs the ops it cannot convert and writes a file no runtime loads: that is an error."""
    with pytest.raises(ExportError) as caught:
        export_model(untrained(resizing("lanczos3")), "onnx", tmp_path)
    err = caught.value
    assert (err.format, err.node) == ("onnx", "shrink")
    assert "'shrink' (Resizing)" in str(err) and "ScaleAndTranslate" in str(err)
    assert "another interpolation" in str(err) and "export SavedModel" in str(err)
    assert list(tmp_path.iterdir()) == []


def test_an_op_tflite_has_no_builtin_for_is_a_message(tmp_path):
    with pytest.raises(ExportError) as caught:
        export_model(untrained(resizing("area")), "tflite", tmp_path)
    err = caught.value
    assert (err.format, err.node) == ("tflite", "shrink")
    assert "ResizeArea" in str(err) and "another interpolation" in str(err)
    assert list(tmp_path.iterdir()) == []


def test_the_interpolation_advice_works(tmp_path):
    model = untrained(resizing("bilinear"))
    x = sample(model)
    for fmt in ("onnx", "tflite"):
        path = export_model(model, fmt, tmp_path / fmt)
        assert verify_export(path, fmt, model, x) < TOLERANCE


def test_a_plain_tensor_output_is_output_0(tmp_path):
    """A model whose single output is not a dict (the shape a later builder gives one-output graphs)."""
    keras.utils.set_random_seed(0)
    pixels = keras.Input((6,), name="pixels")
    model = keras.Model([pixels], keras.layers.Dense(3, name="probs")(pixels))
    x = sample(model)
    for fmt in ("savedmodel", "onnx", "tflite"):
        path = export_model(model, fmt, tmp_path / fmt)
        assert verify_export(path, fmt, model, x["pixels"]) < TOLERANCE


def test_a_mixed_precision_model_is_exported_in_float32(tmp_path):
    doc = example("mnist_mlp_tiny")
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        from trainer.model import float32_outputs

        mixed = float32_outputs(untrained(doc))
        mixed.save(tmp_path / "model.keras")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    plain = untrained(doc)
    plain.set_weights(mixed.get_weights())
    x = sample(plain)
    path = export_model(tmp_path / "model.keras", "onnx", tmp_path / "onnx")
    assert verify_export(path, "onnx", plain, x) < 1e-5  # float32 arithmetic, the trained weights
    assert verify_export(path, "onnx", mixed, x) < 1e-2  # float16 rounding apart from the mixed model


def test_unknown_format_missing_and_unreadable_files(tmp_path, models):
    with pytest.raises(ExportError, match="unknown export format 'pt'"):
        export_model(models["mnist_mlp"], "pt", tmp_path)
    with pytest.raises(ExportError, match=r"'gone\.keras' is missing"):
        export_model(tmp_path / "gone.keras", "onnx", tmp_path)
    (tmp_path / "bad.keras").write_bytes(b"not a zip file")
    with pytest.raises(ExportError, match=r"'bad\.keras' cannot be read") as caught:
        export_model(tmp_path / "bad.keras", "tflite", tmp_path / "out")
    assert caught.value.format == "tflite"
    assert list((tmp_path / "out").iterdir()) == []


def test_export_in_subprocess(models, tmp_path):
    model = models["mnist_mlp"]
    saved = tmp_path / "model.keras"
    model.save(saved)
    path = export_in_subprocess(saved, "onnx", tmp_path / "out", timeout=300)
    assert path == tmp_path / "out" / "model.onnx"
    assert [p.name for p in path.parent.iterdir()] == ["model.onnx"]
    assert verify_export(path, "onnx", model, sample(model)) < TOLERANCE


def test_export_in_subprocess_passes_the_message_on(tmp_path):
    model = untrained(example("lstm_rows"))
    with pytest.raises(ExportError) as caught:
        export_in_subprocess(model, "tflite", tmp_path, timeout=300)
    assert (caught.value.format, caught.value.node) == ("tflite", "rnn")
    assert "'rnn' (LSTM)" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_export_in_subprocess_stops_a_conversion_past_its_time(models, tmp_path):
    saved = tmp_path / "model.keras"
    models["mnist_mlp"].save(saved)
    with pytest.raises(ExportError, match=r"took more than 1 s and was stopped") as caught:
        export_in_subprocess(saved, "savedmodel", tmp_path / "out", timeout=1)
    assert caught.value.format == "savedmodel"
    assert list((tmp_path / "out").iterdir()) == []
