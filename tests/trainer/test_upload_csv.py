import io
import json

import numpy as np
import pytest

from trainer.datasets import UploadError, UploadLimits, parse_upload

WORDS = ["good", "bad", "movie", "plot", "actor", "boring", "great", "long", "music", "scene"]


def make_csv(rows: int = 60, target: str = "label") -> str:
    lines = ["age,city,review,price,label"]
    for i in range(rows):
        review = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 5 + i % 3)) + f" word{i}"
        lines.append(f"{20 + i % 30},{['paris', 'rome', 'oslo'][i % 3]},{review},{i * 1.5},{['yes', 'no'][i % 2]}")
    return "\n".join(lines) + "\n"


def parse(text: str | bytes, options=None, limits=None, name="data.csv"):
    data = text.encode() if isinstance(text, str) else text
    return parse_upload(io.BytesIO(data), name, options if options is not None else {"targets": ["label"]}, limits)


def test_good_csv_classification():
    ds = parse(make_csv())
    info = ds.info
    assert info["kind"] == "upload" and info["task"] == "classification"
    assert [f["name"] for f in info["inputs"]] == ["features", "review"]
    features = info["inputs"][0]
    # age and price numeric, city one-hot with 3 values
    assert features["shape"] == [5]
    assert [c["encoding"] for c in features["columns"]] == ["numeric", "one-hot", "numeric"]
    text = info["inputs"][1]
    assert text["modality"] == "text" and text["dtype"] == "int32"
    assert ds.x_train["review"].dtype == np.int32 and ds.x_train["review"].shape[1] == text["sequence_length"]
    assert ds.x_train["review"].max() < text["vocab_size"]
    target = info["targets"][0]
    assert target["class_names"] == ["no", "yes"] and target["classes"] == 2 and target["shape"] == []
    assert info["train_size"] == 48 and info["test_size"] == 12
    np.testing.assert_allclose(ds.x_train["features"][:, 0].mean(), 0, atol=1e-5)
    assert set(np.unique(ds.y_test["label"])) == {0, 1}


def test_numeric_target_is_regression_with_missing_inputs_filled():
    text = "a,b,y\n" + "\n".join(f"{i},{'' if i % 7 == 0 else i * 2},{i / 3}" for i in range(40))
    ds = parse(text, {"targets": ["y"]})
    assert ds.info["task"] == "regression"
    assert ds.y_train["y"].shape == (32, 1) and ds.y_train["y"].dtype == np.float32
    assert np.isfinite(ds.x_train["features"]).all()


def test_the_info_says_how_many_missing_values_were_filled_and_how():
    text = "a,b,y\n" + "\n".join(f"{'NA' if i == 3 else i},{'' if i % 7 == 0 else i * 2},{i / 3}" for i in range(40))
    ds = parse(text, {"targets": ["y"]})
    # b is empty on rows 0, 7, 14, 21, 28, 35; a is NA on row 3
    assert ds.info["filled"] == {
        "values": 7,
        "columns": {"a": 1, "b": 6},
        "how": "missing numeric values filled with their column's mean on the training split",
    }
    columns = {c["column"]: c for c in ds.info["inputs"][0]["columns"]}
    assert columns["b"]["filled"] == 6 and columns["a"]["filled"] == 1
    assert "filled" not in parse(make_csv()).info  # nothing missing: nothing said


def test_semicolon_csv_and_class_targets_option():
    text = "x;grade\n" + "\n".join(f"{i};{i % 3}" for i in range(30))
    ds = parse(text, {"targets": ["grade"], "class_targets": ["grade"]})
    assert ds.info["targets"][0]["class_names"] == ["0", "1", "2"]


def test_missing_target_column_names_the_columns():
    with pytest.raises(UploadError, match=r"'price_usd' is not in data.csv: its columns are 'age', 'city'") as e:
        parse(make_csv(), {"targets": ["price_usd"]})
    assert e.value.field == "targets"


def test_no_target_chosen():
    with pytest.raises(UploadError, match="choose the target") as e:
        parse(make_csv(), {})
    assert e.value.field == "targets"


@pytest.mark.parametrize("bad", ["", "NaN", "nan", "NA"])
def test_nan_or_empty_target_is_refused(bad):
    text = make_csv().replace(",yes\n", f",{bad}\n", 1)
    with pytest.raises(UploadError, match="target column 'label' is empty or NaN in data row 1") as e:
        parse(text)
    assert e.value.field == "label"


def test_ragged_row_is_refused_with_its_line():
    text = make_csv().replace("\n", "\n1,2\n", 3).replace("\n1,2\n", "\n", 2)
    with pytest.raises(UploadError, match=r"line \d+ of data.csv has 2 values but the header has 5"):
        parse(text)


def test_single_class_target_is_refused():
    text = "a,b\n" + "\n".join(f"{i},same" for i in range(10))
    with pytest.raises(UploadError, match="single class"):
        parse(text, {"targets": ["b"]})


def test_not_utf8():
    with pytest.raises(UploadError, match="not UTF-8"):
        parse("a,label\n1,caf\xe9\n2,th\xe9\n".encode("latin-1"))


def test_unsupported_extension():
    with pytest.raises(UploadError, match=r"unsupported file type '\.xlsx'"):
        parse(make_csv(), name="data.xlsx")


class EndlessCSV(io.RawIOBase):
    """A CSV that never ends: a parser that reads it all before checking would never return."""

    HEADER = b"a,b,label\n"
    ROWS = b"1,2,x\n3,4,y\n"

    def __init__(self):
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = len(buffer)
        for i in range(n):
            p = self.position + i
            buffer[i] = self.HEADER[p] if p < len(self.HEADER) else self.ROWS[(p - len(self.HEADER)) % len(self.ROWS)]
        self.position += n
        return n


@pytest.mark.timeout(30)
def test_row_limit_is_enforced_while_reading():
    with pytest.raises(UploadError, match="more than 1,000 rows"):
        parse_upload(EndlessCSV(), "big.csv", {"targets": ["label"]}, UploadLimits(max_rows=1000))


@pytest.mark.timeout(30)
def test_byte_limit_is_enforced_while_reading():
    with pytest.raises(UploadError, match="larger than the limit"):
        parse_upload(EndlessCSV(), "big.csv", {"targets": ["label"]}, UploadLimits(max_bytes=100_000))


def test_byte_limit_from_the_file_size():
    with pytest.raises(UploadError, match="more than the limit") as e:
        parse(make_csv(), limits=UploadLimits(max_bytes=100))
    assert e.value.field == "file"


def test_column_limit():
    header = ",".join(f"c{i}" for i in range(30)) + ",label"
    text = header + "\n" + ",".join(["1"] * 31) + "\n"
    with pytest.raises(UploadError, match="31 columns, more than the limit of 20"):
        parse(text, limits=UploadLimits(max_columns=20))


def test_the_info_keeps_what_scales_and_encodes_a_raw_row():
    from trainer.datasets.base import split_indices
    from trainer.datasets.csv_upload import OOV, standardise_values, tokenize

    text = make_csv()
    ds = parse(text)
    info = json.loads(json.dumps(ds.info))  # what storage and the database keep
    assert info["source"]["columns"] == ["age", "city", "review", "price", "label"]
    assert info["targets"][0]["column"] == "label"
    age, city, price = info["inputs"][0]["columns"]
    assert city["categories"] == ["oslo", "paris", "rome"] and price["std"] > 0
    rows = [line.split(",") for line in text.splitlines()[1:]]
    train, test = split_indices(len(rows), np.array([r[4] == "yes" for r in rows], dtype=np.int32))
    for entry, cell, feature in ((age, 0, 0), (price, 3, 4)):  # csv column, features column (city is 1 to 3)
        scaled = standardise_values(np.array([float(r[cell]) for r in rows]), entry["mean"], entry["std"])
        assert np.array_equal(scaled[train], ds.x_train["features"][:, feature])
        assert np.array_equal(scaled[test], ds.x_test["features"][:, feature])

    review = info["inputs"][1]
    assert review["vocab_size"] == len(review["vocabulary"]) + 2
    ids = {word: i + 2 for i, word in enumerate(review["vocabulary"])}
    length = review["sequence_length"]
    for k, row in enumerate(test):
        tokens = [ids.get(w, OOV) for w in tokenize(rows[row][2])][:length]
        assert ds.x_test["review"][k].tolist() == tokens + [0] * (length - len(tokens))


def test_integer_coded_values_are_kept_up_to_a_limit(monkeypatch):
    from trainer.datasets import csv_upload

    text = "shop,label\n" + "\n".join(f"s{i % 40},{i % 2}" for i in range(100))
    entry = parse(text, {"targets": ["label"], "class_targets": ["label"]}).info["inputs"][0]["columns"][0]
    assert entry["encoding"] == "integer" and entry["categories"] == 40
    assert entry["values"][:3] == ["s0", "s1", "s10"] and len(entry["values"]) == 40 and entry["std"] > 0
    monkeypatch.setattr(csv_upload, "MAX_STORED_VALUES", 10)
    entry = parse(text, {"targets": ["label"], "class_targets": ["label"]}).info["inputs"][0]["columns"][0]
    assert "values" not in entry and entry["categories"] == 40  # too many to keep in the info
