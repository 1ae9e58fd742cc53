"""NPZ uploads: named arrays; options name the inputs and targets."""

from __future__ import annotations

import zipfile
import zlib
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
from .limits import ReadBudget, UploadLimits, check_member_header, read_member
from .zip_paths import check_member_name

SPLITS = ("_train", "_test")


def parse_npz(fileobj, filename: str, options: dict, limits: UploadLimits) -> Dataset:
    arrays = read_npz_arrays(fileobj, filename, limits)
    if not arrays:
        raise UploadError(f"{filename} holds no arrays", "file")
    groups = _group(arrays)
    inputs, targets = _choose(groups, options, filename)
    explicit = all("train" in groups[b] for b in inputs + targets)

    x_all, y_all = {}, {}
    input_infos, target_infos, labels = [], [], None
    used: set[str] = set()
    for base in inputs:
        name = _unique(field_name(base), used)
        converted = {part: _input_array(base, arr) for part, arr in groups[base].items()}
        x_all[name] = converted
        sample = next(iter(converted.values()))
        modality = "image" if groups[base][next(iter(groups[base]))].dtype == np.uint8 else "array"
        input_infos.append(
            {
                "name": name,
                "shape": list(sample.shape[1:]),
                "dtype": str(sample.dtype),
                "modality": modality,
                "array": base,
            }
        )
    for base in targets:
        name = _unique(field_name(base), used)
        converted, class_names = _target_arrays(base, groups[base], limits)
        y_all[name] = converted
        sample = next(iter(converted.values()))
        if class_names is None:
            target_infos.append(regression_target(name, sample))
        else:
            target_infos.append(class_target(name, sample, class_names))
            if len(targets) == 1:
                labels = sample if not explicit else None

    if explicit:
        x_train = {k: v["train"] for k, v in x_all.items()}
        x_test = {k: v["test"] for k, v in x_all.items()}
        y_train = {k: v["train"] for k, v in y_all.items()}
        y_test = {k: v["test"] for k, v in y_all.items()}
        _same_length(x_train | y_train, "train")
        _same_length(x_test | y_test, "test")
        split_note = "its own train/test arrays"
    else:
        x = {k: v["all"] for k, v in x_all.items()}
        y = {k: v["all"] for k, v in y_all.items()}
        n = _same_length(x | y, "")
        train, test = split_indices(n, labels)
        x_train, x_test, y_train, y_test = take(x, train), take(x, test), take(y, train), take(y, test)
        split_note = "a fixed 80/20 split, seed 0"
    n_train = len(next(iter(x_train.values())))
    n_test = len(next(iter(x_test.values())))
    info = make_info(
        field_name(options.get("name") or PurePath(filename).stem),
        options.get("title") or filename,
        "upload",
        f"Uploaded NPZ {filename}: inputs {', '.join(inputs)}, targets {', '.join(targets)}; {split_note}. "
        "uint8 arrays are scaled to [0, 1]; integer targets are class ids, float ones regression.",
        input_infos,
        target_infos,
        n_train,
        n_test,
        source={"format": "npz", "filename": filename},
    )
    return Dataset(info["name"], info, x_train, y_train, x_test, y_test)


def read_npz_arrays(fileobj, filename: str, limits: UploadLimits) -> dict[str, np.ndarray]:
    """The arrays of an .npz, in archive order; never unpickles, never reads past the limits."""
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadError(f"{filename} is not a valid .npz file (made by numpy.savez)", "file") from None
    budget = ReadBudget(limits.max_uncompressed)
    arrays = {}
    with zf:
        for info in zf.infolist():
            check_member_name(info.filename)
            if info.is_dir():
                continue
            if not info.filename.endswith(".npy"):
                raise UploadError(f"{info.filename!r} in {filename} is not a .npy array", "file")
            key = info.filename[:-4]
            check_member_header(info, budget, limits, f"array {key!r}")
            try:
                data = read_member(zf, info, budget, limits, f"array {key!r}")
                arrays[key] = _load_npy(data, key)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
                raise UploadError(f"array {key!r} in {filename} is corrupt ({exc})", key) from None
    return arrays


def _load_npy(data: bytes, key: str) -> np.ndarray:
    import io

    f = io.BytesIO(data)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    if dtype.hasobject:
        raise UploadError(f"array {key!r} holds Python objects: save plain numeric or string arrays", key)
    count = int(np.prod(shape, dtype=np.int64))
    body = data[f.tell() :]
    if len(body) < count * dtype.itemsize:
        raise ValueError("truncated")
    array = np.frombuffer(body, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _group(arrays: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Arrays by base name: {"x": {"all": a}} or {"x": {"train": a, "test": b}}."""
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key, array in arrays.items():
        for suffix in SPLITS:
            if key.endswith(suffix) and len(key) > len(suffix):
                groups.setdefault(key[: -len(suffix)], {})[suffix[1:]] = array
                break
        else:
            groups.setdefault(key, {})["all"] = array
    for base, parts in groups.items():
        if "all" in parts and len(parts) > 1:
            raise UploadError(f"arrays {base!r} and {base}_train/{base}_test both exist: keep one or the other", base)
        if len(parts) == 1 and "all" not in parts:
            have, other = next(iter(parts)), {"train": "test", "test": "train"}[next(iter(parts))]
            raise UploadError(
                f"array {base}_{have} has no {base}_{other} beside it: add it or rename to {base!r}", base
            )
    return groups


def _choose(groups: dict, options: dict, filename: str) -> tuple[list[str], list[str]]:
    names = list(groups)

    def option(key: str) -> list[str] | None:
        value = options.get(key)
        if value is None or value == [] or value == "":
            return None
        value = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UploadError(f"options {key!r} is a list of array names", key)
        for v in value:
            if v not in groups:
                raise UploadError(
                    f"{filename} has no array named {v!r}: its arrays are {', '.join(repr(n) for n in names)}", key
                )
        return value

    inputs, targets = option("inputs"), option("targets")
    if inputs is None:
        inputs = [n for n in names if n.lower().startswith("x") and n not in (targets or [])]
    if targets is None:
        targets = [n for n in names if n.lower().startswith("y") and n not in inputs]
    if not inputs or not targets:
        rest = [n for n in names if n not in inputs and n not in targets]
        if not inputs and rest:
            inputs = [rest.pop(0)]
        if not targets and rest:
            targets = [rest.pop(0)]
    if not targets:
        raise UploadError(
            f"{filename} needs a target array: name it y (or y_train/y_test), or choose it in "
            f"options 'targets'; its arrays are {', '.join(repr(n) for n in names)}",
            "targets",
        )
    if not inputs:
        raise UploadError(
            f"{filename} needs an input array: name it x (or x_train/x_test), or choose it in options 'inputs'",
            "inputs",
        )
    overlap = set(inputs) & set(targets)
    if overlap:
        raise UploadError(f"array {overlap.pop()!r} is chosen both as input and as target", "targets")
    split_kinds = {("train" in groups[b]) for b in inputs + targets}
    if len(split_kinds) > 1:
        raise UploadError("either every chosen array has _train/_test parts or none has", "file")
    return inputs, targets


def _input_array(base: str, array: np.ndarray) -> np.ndarray:
    if array.ndim == 0:
        raise UploadError(f"array {base!r} is a scalar: an input needs one row per sample", base)
    kind = array.dtype.kind
    if kind == "u" and array.dtype.itemsize == 1:
        out = array.astype(np.float32) / np.float32(255)
    elif kind == "b":
        out = array.astype(np.float32)
    elif kind in "iu":
        out = (
            array.astype(np.int32)
            if array.size == 0 or (array.min() >= -(2**31) and array.max() < 2**31)
            else array.astype(np.float32)
        )
    elif kind == "f":
        out = array.astype(np.float32)
        if not np.isfinite(out).all():
            raise UploadError(f"array {base!r} holds NaN or infinite values: replace them before uploading", base)
    else:
        raise UploadError(f"array {base!r} has dtype {array.dtype}: inputs must be numbers", base)
    return out.reshape(-1, 1) if out.ndim == 1 else out


def _target_arrays(base: str, parts: dict[str, np.ndarray], limits: UploadLimits):
    """Converted parts and class names (None for a regression target)."""
    arrays = list(parts.values())
    kind = arrays[0].dtype.kind
    if any(a.ndim == 0 for a in arrays):
        raise UploadError(f"array {base!r} is a scalar: a target needs one row per sample", base)
    if kind in "US":
        values = np.concatenate([a.reshape(len(a), -1)[:, 0].astype(str) for a in arrays])
        class_names = sorted(set(values.tolist()))
        if "" in class_names:
            raise UploadError(f"target array {base!r} has empty labels: fill them in", base)
        index = {c: i for i, c in enumerate(class_names)}
        out = {
            p: np.array([index[v] for v in a.reshape(len(a), -1)[:, 0].astype(str)], dtype=np.int32)
            for p, a in parts.items()
        }
        _check_classes(base, len(class_names), limits)
        return out, class_names
    if kind in "iub":
        ids = {p: _class_ids(base, a) for p, a in parts.items()}
        flat = {p: v for p, v in ids.items() if v is not None}
        if len(flat) == len(ids):
            top = max(int(v.max()) for v in flat.values() if v.size)
            _check_classes(base, top + 1, limits)
            return flat, [str(i) for i in range(top + 1)]
    if kind in "iubf":
        out = {}
        for p, a in parts.items():
            a = a.astype(np.float32)
            if not np.isfinite(a).all():
                raise UploadError(f"target array {base!r} holds NaN or infinite values: fix or remove those rows", base)
            out[p] = a.reshape(-1, 1) if a.ndim == 1 else a
        return out, None
    raise UploadError(f"target array {base!r} has dtype {arrays[0].dtype}: use integers, floats or strings", base)


def _class_ids(base: str, array: np.ndarray) -> np.ndarray | None:
    """Integer class ids from ids of shape (N,) or (N, 1), or from one-hot rows; None otherwise."""
    if array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1):
        ids = array.reshape(-1).astype(np.int64)
        if ids.size and ids.min() < 0:
            raise UploadError(f"target array {base!r} has negative class ids: classes are 0, 1, 2, ...", base)
        return ids.astype(np.int32)
    if array.ndim == 2 and array.size and set(np.unique(array).tolist()) <= {0, 1} and (array.sum(1) == 1).all():
        return array.argmax(1).astype(np.int32)
    return None


def _check_classes(base: str, classes: int, limits: UploadLimits) -> None:
    if classes < 2:
        raise UploadError(f"target array {base!r} has a single class: a classifier needs at least 2", base)
    if classes > limits.max_classes:
        raise UploadError(
            f"target array {base!r} has {classes} classes, more than the limit of {limits.max_classes}", base
        )


def _same_length(arrays: dict[str, np.ndarray], split: str) -> int:
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        where = f" in the {split} split" if split else ""
        raise UploadError(f"the arrays have different numbers of rows{where} ({detail}): they must match", "file")
    n = next(iter(lengths.values()))
    if n < 2 and not split:
        raise UploadError(f"the arrays have {n} row(s): a dataset needs at least 2", "file")
    if n < 1:
        raise UploadError(f"the {split} arrays are empty", "file")
    return n


def _unique(name: str, used: set[str]) -> str:
    base, i = name, 2
    while name in used:
        name = f"{base}_{i}"
        i += 1
    used.add(name)
    return name
