"""CSV uploads: a header row, one sample a row; the chosen target columns become targets."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from pathlib import PurePath

import numpy as np

from .base import (
    Dataset,
    UploadError,
    class_target,
    field_name,
    make_info,
    regression_target,
    split_indices,
    take,
)
from .limits import CappedReader, UploadLimits

MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
MAX_ONE_HOT = 32  # a categorical column with more distinct values is integer-encoded
TEXT_MIN_WORDS = 3  # a string column averaging this many words is text
MAX_VOCAB = 20_000
MAX_SEQUENCE = 256
# Lookup tables kept in the info for predicting from raw rows (larger ones are left out: the info stays small).
MAX_STORED_VALUES = 5_000
PAD, OOV = 0, 1
TOKEN = re.compile(r"\w+", re.UNICODE)


def parse_csv(fileobj, filename: str, options: dict, limits: UploadLimits) -> Dataset:
    targets = _target_option(options)
    header, columns = _read(fileobj, filename, options, limits)
    missing = [t for t in targets if t not in header]
    if missing:
        raise UploadError(
            f"target column {missing[0]!r} is not in {filename}: its columns are {_names(header)}", "targets"
        )
    features = [c for c in header if c not in targets]
    if not features:
        raise UploadError("every column is a target: leave at least one column as input", "targets")
    n = len(columns[header[0]])
    if n < 2:
        raise UploadError(f"{filename} has {n} data row(s): a dataset needs at least 2", "file")

    class_targets = set(options.get("class_targets") or [])
    y_all, target_infos, labels = {}, [], None
    used_names: set[str] = set()
    for column in targets:
        name = _unique(field_name(column), used_names)
        array, class_names = _encode_target(column, columns[column], column in class_targets, limits)
        y_all[name] = array
        if class_names is None:
            target_infos.append(regression_target(name, array))
        else:
            target_infos.append(class_target(name, array, class_names))
            labels = array if len(targets) == 1 else None
        target_infos[-1]["column"] = column
    train, test = split_indices(n, labels)

    x_train, x_test, input_infos = _encode_features(features, columns, train, test, used_names)
    y_train, y_test = take(y_all, train), take(y_all, test)
    stem = PurePath(filename).stem
    info = make_info(
        field_name(options.get("name") or stem),
        options.get("title") or filename,
        "upload",
        f"Uploaded CSV {filename}: {n} rows, targets {', '.join(targets)}. Numeric columns standardised "
        "with the training split's statistics (missing values filled with the mean), categorical ones "
        f"one-hot (up to {MAX_ONE_HOT} values) or integer-encoded, text columns turned into padded token ids. "
        "Fixed 80/20 split, seed 0.",
        input_infos,
        target_infos,
        len(train),
        len(test),
        source={"format": "csv", "filename": filename, "columns": header},
    )
    filled = {c["column"]: c["filled"] for i in input_infos for c in i.get("columns", []) if c.get("filled")}
    if filled:  # said in the dataset's details: how many missing feature values were filled, and how
        info["filled"] = {
            "values": sum(filled.values()),
            "columns": filled,
            "how": "missing numeric values filled with their column's mean on the training split",
        }
    return Dataset(info["name"], info, x_train, y_train, x_test, y_test)


def _target_option(options: dict) -> list[str]:
    targets = options.get("targets")
    if isinstance(targets, str):
        targets = [t.strip() for t in targets.split(",") if t.strip()]
    if not targets or not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise UploadError(
            "choose the target column(s) to predict: options 'targets' is a list of column names", "targets"
        )
    if len(set(targets)) != len(targets):
        raise UploadError("a target column is named twice", "targets")
    return targets


def _names(names: list[str], most: int = 20) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _read(fileobj, filename: str, options: dict, limits: UploadLimits) -> tuple[list[str], dict[str, list[str]]]:
    """Stream the rows, enforcing the byte, row, column and cell limits as they come."""
    raw = io.BufferedReader(CappedReader(fileobj, limits.max_bytes, filename))
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = options.get("delimiter") or _sniff(first)
        header_rows = list(csv.reader([first], delimiter=delimiter))
        if not header_rows or not any(h.strip() for h in header_rows[0]):
            raise UploadError(f"{filename} has no header row: the first line must name the columns", "file")
        header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header_rows[0])]
        if len(header) > limits.max_columns:
            raise UploadError(
                f"{filename} has {len(header)} columns, more than the limit of {limits.max_columns}", "file"
            )
        dupes = [h for h, count in Counter(header).items() if count > 1]
        if dupes:
            raise UploadError(f"column {dupes[0]!r} appears twice in the header: give columns unique names", "file")
        if len(header) < 2:
            raise UploadError(
                f"{filename} has one column (is the delimiter {delimiter!r} right?): it needs inputs and a target",
                "file",
            )
        columns: list[list[str]] = [[] for _ in header]
        max_rows = min(limits.max_rows, max(1, limits.max_cells // len(header)))
        rows = 0
        for line_no, row in enumerate(csv.reader(text, delimiter=delimiter), start=2):
            if len(row) != len(header):
                if not any(v.strip() for v in row):
                    continue  # blank line
                raise UploadError(
                    f"line {line_no} of {filename} has {len(row)} values but the header has {len(header)}", "file"
                )
            rows += 1
            if rows > max_rows:
                raise UploadError(
                    f"{filename} has more than {max_rows:,} rows, the limit for {len(header)} columns", "file"
                )
            for column, value in zip(columns, row, strict=False):
                column.append(value)
    except UnicodeDecodeError:
        raise UploadError(f"{filename} is not UTF-8 text: save it as UTF-8 CSV", "file") from None
    except csv.Error as exc:
        raise UploadError(f"{filename} is not valid CSV: {exc}", "file") from None
    return header, dict(zip(header, columns, strict=False))


def _sniff(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _as_number(value: str) -> float | None:
    """The float in a cell, None when missing; raises ValueError for text."""
    v = value.strip()
    if v.lower() in MISSING:
        return None
    return float(v)


def _numeric(values: list[str]) -> np.ndarray | None:
    """The column as float64 with NaN for missing cells, or None when a cell is not a number."""
    out = np.empty(len(values), dtype=np.float64)
    try:
        for i, v in enumerate(values):
            number = _as_number(v)
            out[i] = np.nan if number is None else number
    except ValueError:
        return None
    return out


def _encode_target(column: str, values: list[str], as_classes: bool, limits: UploadLimits):
    """(array, class_names or None) for a target column."""
    empty = [i for i, v in enumerate(values) if v.strip().lower() in MISSING]
    if empty:
        rows = ", ".join(str(i + 1) for i in empty[:5])
        more = f" and {len(empty) - 5} more" if len(empty) > 5 else ""
        raise UploadError(
            f"target column {column!r} is empty or NaN in data row {rows}{more}: "
            "fill in those values or remove the rows",
            column,
        )
    numbers = None if as_classes else _numeric(values)
    if numbers is not None:
        bad = np.flatnonzero(~np.isfinite(numbers))
        if len(bad):
            raise UploadError(
                f"target column {column!r} is infinite in data row {bad[0] + 1}: fix or remove it", column
            )
        return numbers.astype(np.float32).reshape(-1, 1), None
    cleaned = [v.strip() for v in values]
    class_names = sorted(set(cleaned), key=_natural_key)
    if len(class_names) < 2:
        raise UploadError(
            f"target column {column!r} has a single class {class_names[0]!r}: a classifier needs at least 2", column
        )
    if len(class_names) > limits.max_classes:
        raise UploadError(
            f"target column {column!r} has {len(class_names)} classes, more than the limit of "
            f"{limits.max_classes}: is it an identifier or a number stored as text?",
            column,
        )
    index = {name: i for i, name in enumerate(class_names)}
    return np.array([index[v] for v in cleaned], dtype=np.int32), class_names


def _natural_key(value: str):
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _unique(name: str, used: set[str]) -> str:
    base, i = name, 2
    while name in used:
        name = f"{base}_{i}"
        i += 1
    used.add(name)
    return name


def _encode_features(features, columns, train, test, used_names):
    """Numeric and categorical columns into one 'features' input; each text column an int input of its own."""
    parts_train, parts_test, described = [], [], []
    texts = {}
    for column in features:
        values = columns[column]
        numbers = _numeric(values)
        if numbers is not None:
            tr, te = numbers[train], numbers[test]
            if np.isnan(tr).all():
                described.append({"column": column, "encoding": "dropped (no values)", "width": 0})
                continue
            gaps = int(np.isnan(numbers).sum())
            tr, te, mean, std = _standardise_column(tr, te)
            parts_train.append(tr[:, None])
            parts_test.append(te[:, None])
            described.append({"column": column, "encoding": "numeric", "width": 1, "mean": mean, "std": std})
            if gaps:
                described[-1]["filled"] = gaps  # missing cells, given the training split's mean
            continue
        cleaned = [v.strip() for v in values]
        train_values = [cleaned[i] for i in train]
        distinct = sorted({v for v in train_values if v.lower() not in MISSING}, key=_natural_key)
        words = sum(len(TOKEN.findall(v)) for v in train_values) / max(1, len(train_values))
        if len(distinct) <= MAX_ONE_HOT:
            index = {v: i for i, v in enumerate(distinct)}
            onehot = np.zeros((len(cleaned), len(distinct)), dtype=np.float32)
            for row, v in enumerate(cleaned):
                if v in index:
                    onehot[row, index[v]] = 1.0
            parts_train.append(onehot[train])
            parts_test.append(onehot[test])
            described.append({"column": column, "encoding": "one-hot", "width": len(distinct), "categories": distinct})
        elif words >= TEXT_MIN_WORDS:
            texts[column] = cleaned
        else:
            index = {v: i + 1 for i, v in enumerate(distinct)}  # 0: missing or unseen
            codes = np.array([index.get(v, 0) for v in cleaned], dtype=np.float64)
            tr, te, mean, std = _standardise_column(codes[train], codes[test])
            parts_train.append(tr[:, None])
            parts_test.append(te[:, None])
            entry = {"column": column, "encoding": "integer", "width": 1, "categories": len(distinct)}
            entry.update(mean=mean, std=std)
            if len(distinct) <= MAX_STORED_VALUES:
                entry["values"] = distinct  # code i + 1; 0 for missing or unseen
            described.append(entry)

    x_train: dict[str, np.ndarray] = {}
    x_test: dict[str, np.ndarray] = {}
    infos: list[dict] = []
    if parts_train:
        name = _unique("features", used_names)
        x_train[name] = np.concatenate(parts_train, axis=1).astype(np.float32)
        x_test[name] = np.concatenate(parts_test, axis=1).astype(np.float32)
        infos.append(
            {
                "name": name,
                "shape": [x_train[name].shape[1]],
                "dtype": "float32",
                "modality": "tabular",
                "columns": described,
            }
        )
    for column, cleaned in texts.items():
        name = _unique(field_name(column), used_names)
        ids, vocabulary, length = _vectorise([cleaned[i] for i in train], cleaned)
        vocab_size = len(vocabulary) + 2
        x_train[name], x_test[name] = ids[train], ids[test]
        infos.append(
            {
                "name": name,
                "shape": [length],
                "dtype": "int32",
                "modality": "text",
                "column": column,
                "vocab_size": vocab_size,
                "sequence_length": length,
                "description": f"token ids of column {column!r}: 0 padding, 1 unknown word, "
                f"{vocab_size} ids in all (Embedding input_dim)",
            }
        )
        if len(vocabulary) <= MAX_STORED_VALUES:
            infos[-1]["vocabulary"] = vocabulary  # word i has id i + 2
    if not infos:
        raise UploadError("no input column has any value", "file")
    return x_train, x_test, infos


def _standardise_column(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Both splits standardised with the train split's mean and deviation (kept in the info), NaN as the mean."""
    mean = float(np.nanmean(train))
    std = float(np.nanstd(train)) or 1.0
    if not math.isfinite(mean) or not math.isfinite(std):
        raise UploadError("a numeric column holds infinite values: fix them", "file")
    return standardise_values(train, mean, std), standardise_values(test, mean, std), mean, std


def standardise_values(values: np.ndarray, mean: float, std: float) -> np.ndarray:
    """float64 values (NaN for missing) scaled as at upload: the same numbers for the same cells."""
    return ((np.where(np.isnan(values), mean, values) - mean) / std).astype(np.float32)


def tokenize(text: str) -> list[str]:
    """The words of a text cell, as the vocabulary counts them."""
    return TOKEN.findall(text.lower())


def _vectorise(train_texts: list[str], texts: list[str]) -> tuple[np.ndarray, list[str], int]:
    """Token ids padded (or cut) to the 95th percentile length of the training texts, at most MAX_SEQUENCE."""
    counts: Counter[str] = Counter()
    lengths = []
    for t in train_texts:
        tokens = tokenize(t)
        counts.update(tokens)
        lengths.append(len(tokens))
    vocab = {word: i + 2 for i, (word, _) in enumerate(counts.most_common(MAX_VOCAB))}
    length = int(min(MAX_SEQUENCE, max(1, np.percentile(lengths, 95)))) if lengths else 1
    ids = np.zeros((len(texts), length), dtype=np.int32)
    for row, t in enumerate(texts):
        row_ids = [vocab.get(w, OOV) for w in tokenize(t)[:length]]
        ids[row, : len(row_ids)] = row_ids
    return ids, list(vocab), length
