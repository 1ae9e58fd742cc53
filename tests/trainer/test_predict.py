"""trainer.predict with real models trained here (once per module): arrays, PNG files, raw CSV rows, the cache."""

import io
import json
import os
import threading

import numpy as np
import pytest
from PIL import Image

from trainer.datasets import dataset_from_npz, dataset_to_npz, load_builtin, parse_upload
from trainer.datasets.base import split_indices
from trainer.datasets.builtin import FASHION_CLASSES
from trainer.predict import (
    ModelCache,
    PredictError,
    Predictor,
    images_to_input,
    rows_to_input,
    sample_from_test,
)
from trainer.runner import train

QUICK = {"epochs": 1, "batch_size": 32, "callbacks": {"tensorboard": False}}


def graph(nodes, edges, name="g"):
    return {
        "version": 1,
        "name": name,
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": [dict(zip(("source", "target", "port"), e, strict=False)) for e in edges],
    }


FASHION_GRAPH = graph(
    [
        ("pixels", "Input", {"shape": [784]}),
        ("hidden", "Dense", {"units": 32, "activation": "relu"}),
        ("probs", "Dense", {"units": 10, "activation": "softmax"}),
        ("label", "Output", {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}),
    ],
    [("pixels", "hidden"), ("hidden", "probs"), ("probs", "label")],
    "fashion_small",
)


@pytest.fixture(scope="module")
def fashion():
    return load_builtin("fashion_mnist")


@pytest.fixture(scope="module")
def fashion_model_path(fashion, tmp_path_factory):
    result = train(FASHION_GRAPH, fashion, {**QUICK, "max_samples": 600}, workdir=tmp_path_factory.mktemp("fashion"))
    return result.model_path


@pytest.fixture(scope="module")
def fashion_predictor(fashion, fashion_model_path):
    return Predictor.load(fashion_model_path, fashion.info, FASHION_GRAPH)


def png_of(pixels: np.ndarray) -> bytes:
    """A PNG of a Fashion-MNIST test image (floats value/255 back to the original bytes)."""
    out = io.BytesIO()
    Image.fromarray(np.round(pixels * 255).astype(np.uint8), mode="L").save(out, "PNG")
    return out.getvalue()


INDICES = [0, 1, 2, 3]


def test_fashion_arrays_and_pngs_give_the_saved_models_classes(fashion, fashion_model_path, fashion_predictor):
    import keras

    images = fashion.x_test["image"][INDICES]
    saved = keras.saving.load_model(fashion_model_path)  # as a person would load it, compiled
    expected = saved.predict({"pixels": images.reshape(len(INDICES), 784)}, verbose=0)  # one Output: an array
    classes = expected.argmax(1).tolist()
    assert len(set(classes)) >= 2  # the model tells images apart: the comparison below means something

    as_images = fashion_predictor.predict({"pixels": images.tolist()})  # 28x28 samples, the dataset's shape
    as_flat = fashion_predictor.predict({"pixels": images.reshape(len(INDICES), 784).tolist()})
    as_png = fashion_predictor.predict_images([png_of(image) for image in images])
    for answer in (as_images, as_flat, as_png):
        label = answer["outputs"]["label"]
        assert [top[0]["class"] for top in label["top"]] == classes
        np.testing.assert_allclose(label["values"], expected, atol=2e-6)
    assert as_png == as_images

    top = as_png["outputs"]["label"]["top"][0]
    assert len(top) == 5 and [t["name"] for t in top] == [FASHION_CLASSES[t["class"]] for t in top]
    probabilities = [t["probability"] for t in top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert top[0]["probability"] == round(float(expected[0].max()), 4)
    assert sum(as_png["outputs"]["label"]["values"][0]) == pytest.approx(1, abs=1e-4)


def test_a_larger_or_colour_png_is_converted_like_the_dataset(fashion, fashion_predictor):
    image = fashion.x_test["image"][5]
    grey = np.round(image * 255).astype(np.uint8)
    rgb = io.BytesIO()
    Image.fromarray(np.stack([grey] * 3, axis=-1), mode="RGB").save(rgb, "PNG")  # colour, same greys
    answer = fashion_predictor.predict_images([rgb.getvalue(), png_of(image)], names=["a.png", "b.png"])
    values = answer["outputs"]["label"]["values"]
    assert values[0] == values[1]

    big = io.BytesIO()
    Image.fromarray(grey).resize((56, 56), Image.Resampling.NEAREST).save(big, "PNG")
    resized = fashion_predictor.predict_images([big.getvalue()])["outputs"]["label"]
    assert len(resized["values"][0]) == 10 and len(resized["top"][0]) == 5


def test_image_zip_files_are_converted_as_the_upload_was():
    import zipfile

    rng = np.random.default_rng(0)
    members = {}
    for i in range(8):
        pixels = rng.integers(0, 256, (30 + i, 20 + 2 * i, 3), dtype=np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG" if i % 2 else "PNG")
        members[f"{['cats', 'dogs'][i % 2]}/{i}.{'jpg' if i % 2 else 'png'}"] = out.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    names = sorted(members)  # the parser's order
    labels = np.array([0 if n.startswith("cats") else 1 for n in names])
    train_rows, test_rows = split_indices(len(names), labels)
    for color, size in (("rgb", [12, 10]), ("grayscale", [9, 9])):
        buffer.seek(0)
        ds = parse_upload(buffer, "pets.zip", {"image_size": size, "color": color})
        field = ds.field("image")
        converted = images_to_input([members[n] for n in names], field)
        assert converted.shape == (len(names), *field["shape"])
        assert np.array_equal(converted[train_rows], ds.x_train["image"])
        assert np.array_equal(converted[test_rows], ds.x_test["image"])
    with pytest.raises(PredictError, match="takes no image files") as e:
        images_to_input([members[names[0]]], load_builtin("iris").field("features"))
    assert field_of(e) == "files"


def test_the_model_never_trains(fashion, fashion_predictor):
    model = fashion_predictor.model
    before = [w.copy() for w in model.get_weights()]
    fashion_predictor.predict({"pixels": fashion.x_test["image"][:8].tolist()})
    assert model.trainable is False and getattr(model, "optimizer", None) is None  # loaded without compiling
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_positional_outputs_take_the_graphs_output_ids(fashion, fashion_predictor):
    import keras

    model = fashion_predictor.model
    pixels = fashion.x_test["image"][:3].reshape(3, 784).tolist()
    want = fashion_predictor.predict({"pixels": pixels})
    assert not isinstance(model.output, dict) and model.output_names == ["label"]  # one Output: one tensor
    tensor = model.get_layer("label").input  # before the Identity that names the output: another layer's name
    single = keras.Model(model.inputs, tensor)  # a plain array out
    listed = keras.Model(model.inputs, [tensor])  # a list of arrays out
    assert single.output_names != ["label"]  # so the names below come from the graph
    for plain in (single, listed):
        predictor = Predictor(plain, fashion.info, FASHION_GRAPH)
        assert [o.name for o in predictor.outputs] == ["label"]
        assert predictor.predict({"pixels": pixels}) == want


def field_of(excinfo) -> str:
    return excinfo.value.field


def test_bad_json_inputs_name_the_input(fashion, fashion_predictor):
    good = fashion.x_test["image"][:1].tolist()
    with pytest.raises(PredictError) as e:
        fashion_predictor.predict({"pixels": [np.zeros((27, 28)).tolist()]})
    assert field_of(e) == "inputs.pixels"
    assert str(e.value) == "inputs.pixels: each sample must have shape (784,) (or 28x28), got (27, 28)"

    cases = [
        ({"pixel": good}, "inputs.pixel", "the model has no such input: its inputs are pixels"),
        ({}, "inputs.pixels", "is missing"),
        ({"pixels": good * 257}, "inputs.pixels", "at most 256 samples per request, got 257"),
        ({"pixels": []}, "inputs.pixels", "send at least one sample"),
        ({"pixels": [[[0.5] * 28] * 27 + [[0.5] * 27]]}, "inputs.pixels", "not a rectangular list of numbers"),
        ({"pixels": [["a"] * 784]}, "inputs.pixels", "must hold numbers only"),
        ({"pixels": [[255.0] * 784]}, "inputs.pixels", "scaled to [0, 1]"),
        ({"pixels": "0,0,0"}, "inputs.pixels", "must be a list of samples"),
        ([1, 2], "inputs", "must be an object"),
    ]
    for inputs, field, words in cases:
        with pytest.raises(PredictError, match=None) as e:
            fashion_predictor.predict(inputs)
        assert field_of(e) == field and words in str(e.value), (inputs if len(str(inputs)) < 80 else field, e.value)

    small = Predictor(fashion_predictor.model, fashion.info, FASHION_GRAPH, max_samples=2)
    with pytest.raises(PredictError, match="at most 2 images per request, got 3") as e:
        small.predict_images([png_of(fashion.x_test["image"][0])] * 3)
    assert field_of(e) == "files"


def test_a_file_that_is_no_image_names_its_index(fashion, fashion_predictor):
    files = [png_of(fashion.x_test["image"][0]), b"%PDF-1.4 not an image"]
    with pytest.raises(PredictError, match=r"^files\[1\]: .*not an image that can be read") as e:
        fashion_predictor.predict_images(files)
    assert field_of(e) == "files[1]"
    with pytest.raises(PredictError) as e:
        fashion_predictor.predict_images([])
    assert field_of(e) == "files"
    with pytest.raises(PredictError, match="no input 'photo'") as e:
        fashion_predictor.predict_images(files[:1], input="photo")
    assert field_of(e) == "input"


def test_sample_from_test_feeds_predict(fashion, fashion_predictor):
    sample = sample_from_test(fashion, 7, fashion_predictor)
    assert sample["index"] == 7 and set(sample["inputs"]) == {"pixels"} and len(sample["inputs"]["pixels"]) == 784
    assert sample["label"] == int(fashion.y_test["label"][7])
    assert sample["name"] == FASHION_CLASSES[sample["label"]]
    assert sample["targets"] == {"label": {"label": sample["label"], "name": sample["name"]}}
    assert sample["image"].startswith("data:image/png;base64,")
    # through JSON and back: the same numbers as the array
    answer = fashion_predictor.predict(json.loads(json.dumps({"pixels": [sample["inputs"]["pixels"]]})))
    direct = fashion_predictor.predict({"pixels": [fashion.x_test["image"][7].tolist()]})
    assert answer == direct

    raw = sample_from_test(fashion, 7)  # without a predictor: the dataset's field names and shapes
    assert np.array_equal(np.array(raw["inputs"]["image"], np.float32), fashion.x_test["image"][7])
    random = sample_from_test(fashion, None, seed=3)
    assert 0 <= random["index"] < fashion.test_size
    with pytest.raises(PredictError, match="from 0 to 9999") as e:
        sample_from_test(fashion, 10_000)
    assert field_of(e) == "index"


def test_cache_loads_once_and_evicts_the_oldest(fashion, fashion_predictor, fashion_model_path):
    cache = ModelCache(max_models=2)
    loads = []

    def loader(run_id):
        def load():
            loads.append(run_id)
            return Predictor(fashion_predictor.model, fashion.info, FASHION_GRAPH)

        return load

    first = cache.get(1, fashion_model_path, loader(1))
    assert cache.get(1, fashion_model_path, loader(1)) is first and loads == [1]
    cache.get(2, fashion_model_path, loader(2))
    cache.get(1, fashion_model_path, loader(1))  # 1 is now the most recently used
    cache.get(3, fashion_model_path, loader(3))  # so 2 goes
    assert loads == [1, 2, 3] and 1 in cache and 2 not in cache and len(cache) == 2
    cache.get(2, fashion_model_path, loader(2))
    assert loads == [1, 2, 3, 2] and 3 in cache and 1 not in cache

    stat = os.stat(fashion_model_path)
    os.utime(fashion_model_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a new model file
    assert cache.get(2, fashion_model_path, loader(2)) is not None and loads[-1] == 2 and len(loads) == 5

    # concurrent first requests for one run: one load, the same predictor for all
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get(9, fashion_model_path, loader(9)))) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads.count(9) == 1 and len({id(p) for p in got}) == 1 and cache.loads == 6

    real = ModelCache(max_models=1).get(5, fashion_model_path, lambda: Predictor.load(fashion_model_path, fashion.info))
    assert real.predict({"pixels": fashion.x_test["image"][:1].tolist()})["outputs"]["label"]["top"]
    with pytest.raises(PredictError) as e:
        cache.get(4, fashion_model_path.with_name("gone.keras"), loader(4))
    assert field_of(e) == "model"


# ---- a CSV upload: numeric (with gaps), one-hot, integer-coded and text columns ----

WORDS = ["good", "bad", "movie", "plot", "actor", "boring", "great", "long", "music", "scene"]
CITIES = ["paris", "rome", "oslo"]


def csv_lines(rows: int = 90) -> list[str]:
    lines = ["age,city,shop,review,price,label"]
    for i in range(rows):
        age = "" if i % 7 == 3 else str(20 + (i * 7) % 30)
        review = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 5 + i % 3)) + f" word{i % 50}"
        label = "yes" if (i % 3 == 0) != (i % 11 == 0) else "no"
        lines.append(f"{age},{CITIES[i % 3]},s{i % 45},{review},{i * 1.5},{label}")
    return lines


CSV_GRAPH = graph(
    [
        ("features", "Input", {"shape": [6]}),
        ("dense", "Dense", {"units": 8, "activation": "relu"}),
        ("review", "Input", {"shape": [None], "dtype": "int32"}),
        ("embed", "Embedding", {"input_dim": 512, "output_dim": 4}),
        ("pool", "GlobalAveragePooling1D", {}),
        ("joined", "Concatenate", {"axis": -1}),
        ("probs", "Dense", {"units": 2, "activation": "softmax"}),
        ("label", "Output", {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}),
    ],
    [
        ("features", "dense"),
        ("review", "embed"),
        ("embed", "pool"),
        ("dense", "joined", 0),
        ("pool", "joined", 1),
        ("joined", "probs"),
        ("probs", "label"),
    ],
    "csv_small",
)


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory):
    lines = csv_lines()
    parsed = parse_upload(io.BytesIO("\n".join(lines).encode()), "shop.csv", {"targets": ["label"]})
    stored = io.BytesIO()
    dataset_to_npz(parsed, stored)
    stored.seek(0)
    ds = dataset_from_npz(stored)  # what the web app keeps and trains on
    result = train(CSV_GRAPH, ds, QUICK, workdir=tmp_path_factory.mktemp("csv"))
    return lines, ds, Predictor.load(result.model_path, ds.info, CSV_GRAPH)


def split_of(lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
    labels = np.array([0 if line.endswith(",no") else 1 for line in lines[1:]])
    return split_indices(len(labels), labels)


def test_raw_csv_rows_give_the_training_numbers(csv_run):
    lines, ds, _ = csv_run
    encodings = [c["encoding"] for c in ds.field("features")["columns"]]
    assert encodings == ["numeric", "one-hot", "integer", "numeric"]  # the four kinds of columns are here
    train_rows, test_rows = split_of(lines)
    assert len(test_rows) == ds.test_size

    arrays = rows_to_input("\n".join(lines) + "\n", ds.info)  # every row, the target column too
    assert np.array_equal(arrays["features"][train_rows], ds.x_train["features"])
    assert np.array_equal(arrays["features"][test_rows], ds.x_test["features"])
    assert np.array_equal(arrays["review"][train_rows], ds.x_train["review"])
    assert np.array_equal(arrays["review"][test_rows], ds.x_test["review"])
    assert arrays["features"].dtype == np.float32 and arrays["review"].dtype == np.int32

    # {column: [values]} with JSON numbers and nulls, no target column, the columns in another order
    header = lines[0].split(",")
    rows = [lines[1 + i].split(",") for i in test_rows[:5]]
    columns = {h: [r[j] for r in rows] for j, h in enumerate(header) if h != "label"}
    columns = {
        "price": [float(v) for v in columns["price"]],
        "age": [int(v) if v else None for v in columns["age"]],
        **{k: v for k, v in columns.items() if k not in ("price", "age")},
    }
    as_json = rows_to_input(columns, ds.info, fields=["features"])
    assert set(as_json) == {"features"} and np.array_equal(as_json["features"], ds.x_test["features"][:5])


def test_predict_rows_matches_the_model_on_the_training_pipeline(csv_run):
    lines, ds, predictor = csv_run
    _, test_rows = split_of(lines)
    csv_text = "\n".join([lines[0]] + [lines[1 + i] for i in test_rows])
    answer = predictor.predict_rows(csv_text)["outputs"]["label"]
    expected = predictor.model.predict(
        {"features": ds.x_test["features"], "review": ds.x_test["review"]}, verbose=0, batch_size=64
    )  # one Output: an array
    np.testing.assert_allclose(answer["values"], expected, atol=2e-6)
    assert [t[0]["class"] for t in answer["top"]] == expected.argmax(1).tolist()
    assert {t["name"] for t in answer["top"][0]} == {"no", "yes"} and len(answer["top"][0]) == 2

    # the same samples as JSON arrays and id lists
    as_json = predictor.predict(
        {"features": ds.x_test["features"].tolist(), "review": [[int(t) for t in r if t] for r in ds.x_test["review"]]}
    )
    assert as_json["outputs"]["label"] == answer


def test_bad_rows_name_the_column(csv_run):
    lines, ds, predictor = csv_run
    header = lines[0]
    cases = [
        (header + ",colour\n" + lines[1] + ",red", "columns.colour", "is not a column of the dataset"),
        (header.replace("age,", "") + "\n" + lines[1].split(",", 1)[1], "columns.age", "is missing"),
        (
            header + "\n" + "old," + lines[1].split(",", 1)[1],
            "columns.age",
            "row 1 holds 'old': this column takes numbers",
        ),
        (header + "\n" + "\n".join(lines[1:] * 3), "rows", "at most 256 rows per request"),
        (header + "\n" + lines[1] + ",extra", "csv", "line 2 has 7 values but the header has 6"),
        (header + "\n", "rows", "send at least one row"),
        ({"age": [1, 2], "city": ["rome"]}, "columns", "every column needs the same number of values"),
        ({"age": "30"}, "columns.age", "must be a list of values"),
    ]
    for rows, field, words in cases:
        with pytest.raises(PredictError) as e:
            predictor.predict_rows(rows)
        assert field_of(e) == field and words in str(e.value), (field, e.value)

    old = json.loads(json.dumps(ds.info))  # an upload parsed before the statistics were kept
    del old["inputs"][0]["columns"][0]["mean"]
    with pytest.raises(PredictError, match="stored without its mean and deviation") as e:
        rows_to_input("\n".join(lines[:3]), old)
    assert field_of(e) == "columns.age"
    with pytest.raises(PredictError, match="is not a CSV upload") as e:
        rows_to_input("a,b\n1,2", load_builtin("iris").info)
    assert field_of(e) == "rows"


def test_integer_sequences_are_checked_against_the_input(csv_run):
    _, ds, predictor = csv_run
    vocab = ds.field("review")["vocab_size"]
    features = ds.x_test["features"][:1].tolist()
    short = predictor.predict({"features": features, "review": [[2, 3]]})
    padded = predictor.predict({"features": features, "review": [[2, 3, 0, 0, 0]]})
    assert short == padded  # 0 pads
    cases = [
        ([[2.5, 3]], "values must be whole numbers"),
        ([[vocab]], f"ids must be between 0 and {vocab - 1}"),
        ([[-1]], "ids must be between 0"),
        ([[[2, 3]]], "each sample is a list of integer ids, got shape (1, 2)"),
    ]
    for review, words in cases:
        with pytest.raises(PredictError) as e:
            predictor.predict({"features": features, "review": review})
        assert field_of(e) == "inputs.review" and words in str(e.value), e.value
    with pytest.raises(PredictError, match=r"each sample must have shape \(6,\), got \(5,\)") as e:
        predictor.predict({"features": [features[0][:5]], "review": [[2]]})
    assert field_of(e) == "inputs.features"
    with pytest.raises(PredictError, match="same number of samples") as e:
        predictor.predict({"features": features * 2, "review": [[2]]})
    assert field_of(e) == "inputs"


def test_describe_says_what_each_input_takes(csv_run, fashion_predictor):
    _, _, predictor = csv_run
    described = predictor.describe()
    assert [(i["name"], i["field"], i["accepts"]) for i in described["inputs"]] == [
        ("features", "features", ["samples", "rows"]),
        ("review", "review", ["samples", "rows"]),
    ]
    assert described["outputs"] == [
        {"name": "label", "shape": [2], "target": "label", "task": "classification", "class_names": ["no", "yes"]}
    ]
    pixels = fashion_predictor.describe()["inputs"][0]
    assert pixels["shape"] == [784] and pixels["accepts"] == ["samples", "files"]
