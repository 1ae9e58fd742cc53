"""A run as a standalone Python script or Jupyter notebook that reproduces it.

run_script() and run_notebook() write out, step by step, what train() does
for a run: load the same data (the built-in sets from where the worker reads
them, an upload from the .npz that upload_npz_bytes() makes), subsample and
split it the same way, feed the same fields to the same blocks, build the
model with builder/export.py's code, compile and fit it with the run's
settings, seed and callbacks, evaluate it on the test split and save it.
The result needs only keras, tensorflow, numpy (and scikit-learn for its
sets): nothing of builder/, trainer/ or webapp/.

On a CPU worker the reproduction is exact (same seed, same batches, same
initial weights); a GPU worker trains in mixed precision, so a script run in
float32 lands close to, not exactly on, the run's figures.
"""

from __future__ import annotations

import ast
import io
import json
import re
import textwrap
from dataclasses import dataclass

import numpy as np

from .binding import BINARY_LOSSES, CATEGORICAL_LOSSES, SPARSE_LOSSES, BindingError, check_binding, loss_name
from .datasets import Dataset, DatasetError, list_builtin
from .datasets.builtin import FASHION_DIR, FASHION_FILES, SKLEARN_SETS
from .datasets.storage import INFO_KEY, PARTS
from .settings import parse_training

__all__ = ["data_filename", "run_notebook", "run_script", "upload_npz_bytes"]

SCRIPT_DATA_FLAG = "--data"
BEST_WEIGHTS = "best.weights.h5"
MODEL_FILE = "model.keras"


# ---------------------------------------------------------------- public


def upload_npz_bytes(ds: Dataset) -> bytes:
    """The uploaded dataset's parsed arrays as a compressed .npz, for the script's `--data`.

    Keys are `x_train/NAME`, `y_train/NAME`, `x_test/NAME`, `y_test/NAME` (the layout of
    trainer.datasets.storage, so a stored dataset file serves as well), plus the info as JSON."""
    arrays = {INFO_KEY: np.array(json.dumps({"name": ds.name, "info": ds.info}))}
    for part in PARTS:
        for name, array in getattr(ds, part).items():
            arrays[f"{part}/{name}"] = np.ascontiguousarray(array)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def data_filename(dataset: str | dict | Dataset) -> str:
    """The file name the script and notebook expect for an upload's .npz, e.g. `reviews.npz`."""
    info = _dataset_info(dataset)
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(info.get("name") or "dataset")).strip("_-")
    return f"{name or 'dataset'}.npz"


def run_script(
    graph: dict,
    dataset: str | dict | Dataset,
    settings: dict | None,
    *,
    data_path: str | None = None,
    run_test: dict | None = None,
    filename: str = "reproduce.py",
) -> str:
    """A standalone script that reproduces the run: `python script.py [--epochs N] [--data FILE.npz]`.

    `dataset` is a built-in dataset's name, a dataset info (the run's `dataset_info`) or a Dataset;
    `settings` the run's training settings (parsed again here); `data_path` the upload's .npz name
    (default data_filename()); `run_test` the run's test metrics, quoted for comparison; `filename`
    the script's own name, for its usage line. Raises builder.GraphInvalid, BindingError or
    SettingsError as train() would."""
    plan = _plan(graph, dataset, settings, data_path, run_test)
    return _script(plan, filename)


def run_notebook(
    graph: dict,
    dataset: str | dict | Dataset,
    settings: dict | None,
    *,
    data_path: str | None = None,
    run_test: dict | None = None,
) -> str:
    """The same steps as run_script() as a Jupyter notebook (.ipynb JSON): a parameters cell
    (EPOCHS, the data path) at the top, then one markdown header and one code cell per step,
    with the training history drawn by matplotlib."""
    plan = _plan(graph, dataset, settings, data_path, run_test)
    return _notebook(plan)


# ---------------------------------------------------------------- the plan


@dataclass
class _Plan:
    graph: dict
    info: dict
    settings: dict
    inputs: list[dict]
    outputs: list[dict]
    compile_kwargs: dict
    model_source: str
    data_path: str
    run_test: dict | None
    title: str

    @property
    def kind(self) -> str:
        if self.info.get("kind") == "builtin":
            return "fashion" if self.info["name"] == "fashion_mnist" else "sklearn"
        return "upload"


def _dataset_info(dataset: str | dict | Dataset) -> dict:
    builtin = {info["name"]: info for info in list_builtin()}
    if isinstance(dataset, Dataset):
        info = dataset.info
    elif isinstance(dataset, str):
        if dataset not in builtin:
            raise DatasetError(f"unknown dataset {dataset!r}: the built-in ones are {', '.join(builtin)}")
        info = builtin[dataset]
    elif isinstance(dataset, dict):
        info = dataset
    else:
        raise DatasetError("the dataset is a built-in dataset's name, a dataset info or a Dataset")
    if info.get("kind") == "builtin" and info.get("name") not in builtin:
        raise DatasetError(f"unknown built-in dataset {info.get('name')!r}")
    if not info.get("inputs") or not info.get("targets"):
        raise DatasetError("the dataset info lists no inputs or no targets")
    return info


def _plan(graph, dataset, settings, data_path, run_test) -> _Plan:
    import builder

    info = _dataset_info(dataset)
    parsed = parse_training(settings)
    compiled = builder.compile_graph(graph)
    errors = check_binding(compiled.inputs, compiled.outputs, info)
    if errors:
        raise BindingError(errors)
    title = str(graph.get("name") or "model") if isinstance(graph, dict) else "model"
    return _Plan(
        graph=graph,
        info=info,
        settings=parsed,
        inputs=compiled.inputs,
        outputs=compiled.outputs,
        compile_kwargs=compiled.compile_kwargs(),
        model_source=_build_model_source(builder.export_python(graph)),
        data_path=data_path or data_filename(info),
        run_test=run_test,
        title=title,
    )


def _build_model_source(script: str) -> str:
    """builder.export_python()'s build_model() without its model.compile(...): the script compiles
    the model in a step of its own, with the run's optimizer. The whole function when its shape is
    not the expected one (compiling twice does no harm)."""
    tree = ast.parse(script)
    lines = script.splitlines()
    # A graph's groups are functions of their own (def encoder_block():), written before build_model().
    helpers = [
        line
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name != "build_model"
        for line in [*lines[node.lineno - 1 : node.end_lineno], "", ""]
    ]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "build_model":
            body = lines[node.lineno - 1 : node.end_lineno]
            for stmt in node.body:
                call = stmt.value if isinstance(stmt, ast.Expr) else None
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "compile"
                    and stmt.end_lineno is not None
                ):
                    start, end = stmt.lineno - node.lineno, stmt.end_lineno - node.lineno + 1
                    body = body[:start] + body[end:]
                    break
            else:
                return "\n".join(helpers + body)
            text = "\n".join(helpers + body)
            return text.replace(
                '"""The functional model, compiled with its losses and metrics."""',
                '"""The functional model, block by block as the graph draws it."""',
            )
    raise ValueError("builder.export_python() wrote no build_model() function")


# ---------------------------------------------------------------- binding, as trainer.binding does it


def _shape(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in (shape or []))


def _elements(shape: tuple) -> int | None:
    return None if any(d is None for d in shape) else int(np.prod(shape, dtype=np.int64))


def _find(name: str, fields: list[dict]) -> dict | None:
    """The field of the same name, else the only field (trainer.binding's rule)."""
    for field in fields:
        if field["name"] == name:
            return field
    return fields[0] if len(fields) == 1 else None


def _loss_kind(loss) -> str:
    name = loss_name(loss)
    if name in SPARSE_LOSSES:
        return "sparse"
    if name in CATEGORICAL_LOSSES:
        return "categorical"
    if name in BINARY_LOSSES:
        return "binary"
    return "other"


# ---------------------------------------------------------------- steps


@dataclass
class _Step:
    title: str  # a markdown header / a comment banner
    text: str  # markdown for the notebook, comments in the script
    code: str


def _q(value) -> str:
    """A Python literal in double quotes (the scripts' own style)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        items = [_q(v) for v in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _parameters(plan: _Plan, notebook: bool) -> str:
    s = plan.settings
    lines = [
        f"EPOCHS = {s['epochs']}",
        f"BATCH_SIZE = {s['batch_size']}",
        f"LEARNING_RATE = {s['learning_rate']!r}",
        f"VALIDATION_SPLIT = {s['validation_split']!r}  # the share of the training samples held out",
    ]
    if s["max_samples"] is not None:
        lines.append(f"MAX_SAMPLES = {s['max_samples']}  # train on at most this many samples")
    lines.append(f"SEED = {s['seed']}  # the same seed, the same weights, batches and splits")
    if plan.kind == "upload":
        where = "this notebook's folder" if notebook else "the current folder"
        lines.append(
            f"DATA_PATH = {_q(plan.data_path)}  # the dataset's arrays, downloaded with this file into {where}"
        )
    elif plan.kind == "fashion":
        lines.append(f"FASHION_DIR = {_q(str(FASHION_DIR))}  # Debian's dataset-fashion-mnist package")
    return "\n".join(lines)


def _imports(plan: _Plan, *, script: bool) -> list[str]:
    stdlib = []
    if script:
        stdlib.append("import argparse")
    if plan.kind == "fashion":
        stdlib.append("import gzip")
    if plan.settings["callbacks"]["lr_schedule"]["enabled"]:
        stdlib.append("import math")
    if plan.kind == "fashion" or plan.settings["callbacks"]["checkpoint_best"]["enabled"]:
        stdlib.append("from pathlib import Path")
    third = ["import keras", "import numpy as np", "import tensorflow as tf"]
    if plan.kind == "sklearn":
        third.append("from sklearn import datasets")
    return [*stdlib, *([""] if stdlib else []), *third]


def _data_step(plan: _Plan) -> _Step:
    info = plan.info
    if plan.kind == "fashion":
        files = {k: FASHION_FILES[k] for k in ("x_train", "y_train", "x_test", "y_test")}
        code = f'''
        def read_idx(path):
            """An IDX file (gzipped) as an array of bytes: a 4-byte header whose last
            byte is the number of axes, one 4-byte big-endian size per axis, the data."""
            with gzip.open(path, "rb") as f:
                data = f.read()
            ndim = data[3]
            shape = np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


        folder = Path(FASHION_DIR)
        # The pixels scaled from 0..255 to [0, 1], the labels as class ids 0..9.
        x_train = {{"image": read_idx(folder / {_q(files["x_train"])}) / np.float32(255)}}
        y_train = {{"label": read_idx(folder / {_q(files["y_train"])}).astype("int32")}}
        x_test = {{"image": read_idx(folder / {_q(files["x_test"])}) / np.float32(255)}}
        y_test = {{"label": read_idx(folder / {_q(files["y_test"])}).astype("int32")}}
        print("train:", x_train["image"].shape, "test:", x_test["image"].shape)
        '''
        text = (
            "Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing, 60,000 to train on and "
            "10,000 to test on, read from the IDX files of Debian's `dataset-fashion-mnist` package "
            "(where the Keras Canvas worker reads them)."
        )
        return _Step("The data", text, _code(code))
    if plan.kind == "sklearn":
        name = info["name"]
        _, loader, _, _, classes, _ = SKLEARN_SETS[name]
        target = "y.astype(np.float32).reshape(-1, 1)" if classes is None else 'y.astype("int32")'
        if classes is None:
            split = [
                "# A seeded random 20% of the samples is the test split.",
                "n_test = min(len(x) - 1, max(1, round(len(x) * 0.2)))",
                "order = np.random.default_rng(0).permutation(len(x))",
                "train, test = np.sort(order[n_test:]), np.sort(order[:n_test])",
            ]
        else:
            split = [
                "# The test split: 20% of the samples, the same share of each class (seed 0).",
                "n_test = min(len(x) - 1, max(1, round(len(x) * 0.2)))",
                "test = stratified_pick(y, n_test, np.random.default_rng(0), keep_one=True)",
                "train = np.setdiff1d(np.arange(len(x)), test)",
            ]
        code = "\n".join(
            [
                f"x, y = datasets.{loader}(return_X_y=True)",
                "x = x.astype(np.float64)",
                *split,
                "",
                "# Each feature scaled to mean 0 and deviation 1 with the training split's statistics.",
                "mean, std = x[train].mean(axis=0), x[train].std(axis=0)",
                "std[std == 0] = 1.0",
                'x_train = {"features": ((x[train] - mean) / std).astype(np.float32)}',
                'x_test = {"features": ((x[test] - mean) / std).astype(np.float32)}',
                f"y = {target}",
                'y_train, y_test = {"target": y[train]}, {"target": y[test]}',
                'print("train:", x_train["features"].shape, "test:", x_test["features"].shape)',
            ]
        )
        text = (f"{info.get('title', name)}, bundled with scikit-learn. {info.get('description', '').strip()}").strip()
        return _Step("The data", text, _code(code))
    inputs = [f["name"] for f in info["inputs"]]
    targets = [f["name"] for f in info["targets"]]
    code = f"""
    # The arrays as Keras Canvas parsed the upload: x_* are the inputs, y_* the targets.
    with np.load(DATA_PATH) as data:
        x_train = {{name: data[f"x_train/{{name}}"] for name in {_q(tuple(inputs))}}}
        y_train = {{name: data[f"y_train/{{name}}"] for name in {_q(tuple(targets))}}}
        x_test = {{name: data[f"x_test/{{name}}"] for name in {_q(tuple(inputs))}}}
        y_test = {{name: data[f"y_test/{{name}}"] for name in {_q(tuple(targets))}}}
    for name, array in {{**x_train, **y_train}}.items():
        print(name, array.shape, array.dtype)
    """
    described = ", ".join(
        f"`{f['name']}` {_fmt(_shape(f['shape'])) if f['shape'] else 'one value'}" for f in info["inputs"]
    )
    goals = ", ".join(f"`{f['name']}` ({_target_kind(f)})" for f in info["targets"])
    text = (
        f"The uploaded dataset *{info.get('title') or info.get('name')}*, as Keras Canvas parsed it (encoded, "
        f"standardised and split 80/20 into train and test): inputs {described}; targets {goals}. "
        f"Its arrays are in `{plan.data_path}`, downloaded with this file."
    )
    return _Step("The data", text, _code(code))


def _target_kind(target: dict) -> str:
    return f"{target['classes']} classes" if target.get("classes") else "a regression target"


STRATIFIED = '''
def stratified_pick(labels, n_pick, rng, keep_one):
    """Sorted indices of n_pick samples keeping each class's share of `labels`
    (the largest remainders round up). Every class gets at least one pick and,
    with keep_one, keeps at least one sample out of it."""
    classes, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse)
    most = counts - 1 if keep_one else counts
    share = counts * n_pick / len(labels)
    take = np.clip(np.floor(share).astype(int), np.minimum(1, most), most)
    while take.sum() > n_pick and take.max() > 1:  # one per class was too many
        take[np.argmax(take)] -= 1
    short = n_pick - take.sum()
    order = np.argsort(-(share - take), kind="stable")
    while short > 0 and (take < most).any():
        for c in order:
            if short > 0 and take[c] < most[c]:
                take[c] += 1
                short -= 1
    picked = [
        rng.permutation(np.flatnonzero(inverse == c))[: take[c]]
        for c in range(len(classes))
    ]
    return np.sort(np.concatenate(picked))
'''


def _primary_target(info: dict) -> dict | None:
    """The single classification target that stratifies the subsample (as base.primary_labels)."""
    targets = info["targets"]
    if len(targets) == 1 and targets[0].get("task") == "classification":
        return targets[0]
    return None


def _needs_stratified(plan: _Plan) -> bool:
    if plan.kind == "sklearn" and SKLEARN_SETS[plan.info["name"]][4] is not None:
        return True
    return plan.settings["max_samples"] is not None and _primary_target(plan.info) is not None


def _subsample_step(plan: _Plan) -> _Step | None:
    if plan.settings["max_samples"] is None:
        return None
    target = _primary_target(plan.info)
    if target is None:
        code = """
        # The first MAX_SAMPLES training samples.
        n = len(next(iter(x_train.values())))
        if n > MAX_SAMPLES:
            keep = np.arange(MAX_SAMPLES)
            x_train = {name: array[keep] for name, array in x_train.items()}
            y_train = {name: array[keep] for name, array in y_train.items()}
        """
        text = "The run trained on at most `MAX_SAMPLES` samples: the first ones of the training split."
    else:
        name = _q(target["name"])
        code = f"""
        labels = y_train[{name}].reshape(len(y_train[{name}]), -1)[:, 0]
        if len(labels) > MAX_SAMPLES:
            if len(np.unique(labels)) <= MAX_SAMPLES:  # the same share of each class
                keep = stratified_pick(labels, MAX_SAMPLES, np.random.default_rng(SEED), keep_one=False)
            else:  # fewer samples than classes: the first ones
                keep = np.arange(MAX_SAMPLES)
            x_train = {{name: array[keep] for name, array in x_train.items()}}
            y_train = {{name: array[keep] for name, array in y_train.items()}}
        print("training samples:", len(next(iter(y_train.values()))))
        """
        text = (
            "The run trained on at most `MAX_SAMPLES` samples of the training split, chosen with the seed so "
            "that each class keeps its share of them. The test split stays whole."
        )
    return _Step("A smaller training set", text, _code(code))


def _input_line(block: dict, field: dict) -> tuple[str, str]:
    """(the dict entry feeding an Input block, what it does to the field)."""
    want, have = _shape(block.get("shape")), _shape(field["shape"])
    expr = f"x[{_q(field['name'])}]"
    notes = []
    if not any(d is None for d in want) and want != have:
        expr += f".reshape(-1, {', '.join(str(d) for d in want)})"
        notes.append(f"{_fmt(have)} reshaped to {_fmt(want)}")
    dtype = "int32" if str(block.get("dtype") or "float32").startswith("int") else "float32"
    if str(field.get("dtype")) != dtype:
        expr += f'.astype("{dtype}")'
        notes.append(f"{field.get('dtype')} to {dtype}")
    note = ", ".join(notes) or "as it is"
    return f"{_q(block['name'])}: {expr},  # {note}", note


def _target_line(block: dict, target: dict) -> tuple[str, str]:
    """(the dict entry a target feeds an Output block with, what it does to the target)."""
    out = _shape(block.get("shape"))
    have = _shape(target["shape"])
    kind = _loss_kind(block.get("loss"))
    classes = target.get("classes")
    expr = f"y[{_q(target['name'])}]"
    if classes and kind == "categorical":
        width = max(classes, out[-1]) if out and isinstance(out[-1], int) else classes  # as trainer.binding
        expr = f"keras.utils.to_categorical({expr}, {width})"
        note = f"class ids as one-hot rows, for {loss_name(block.get('loss'))}"
    elif classes and kind == "sparse":
        if str(target.get("dtype")) != "int32":
            expr += '.astype("int32")'
        note = "class ids, as they are"
    else:
        note = "class ids as numbers" if classes else "values as float32"
        expr += ".astype(np.float32)"
        reshaped = not any(d is None for d in out) and out != have and _elements(out) == (_elements(have) or 1)
        if reshaped:
            expr += f".reshape(-1, {', '.join(str(d) for d in out)})"
            note += f", shaped {_fmt(out)} like the output"
    return f"{_q(block['name'])}: {expr},  # {note}", note


def _fmt(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _binding_step(plan: _Plan) -> _Step:
    info = plan.info
    input_lines, target_lines, told = [], [], []
    for block in plan.inputs:
        field = _find(block["name"], info["inputs"])
        assert field is not None  # check_binding passed
        line, note = _input_line(block, field)
        input_lines.append(line)
        told.append(f"the Input `{block['name']}` takes field `{field['name']}` ({note})")
    for block in plan.outputs:
        target = _find(block["name"], info["targets"])
        assert target is not None
        line, note = _target_line(block, target)
        target_lines.append(line)
        told.append(f"the Output `{block['name']}` learns target `{target['name']}` ({note})")
    body = "\n".join(
        [
            "def to_model(x, y):",
            '    """The dataset\'s fields as the model\'s inputs and targets, by block name."""',
            "    inputs = {",
            *(f"        {line}" for line in input_lines),
            "    }",
            "    targets = {",
            *(f"        {line}" for line in target_lines),
            "    }",
            "    return inputs, targets",
            "",
            "",
            "x_train, y_train = to_model(x_train, y_train)",
            "x_test, y_test = to_model(x_test, y_test)",
        ]
    )
    text = (
        "Each Input block of the graph takes the dataset field of its name (or the only field there is), "
        f"each Output block the target of its name: {'; '.join(told)}."
    )
    return _Step("Data to model: inputs and targets", text, body)


def _split_step(plan: _Plan) -> _Step:
    code = """
    n = len(next(iter(x_train.values())))
    n_val = int(n * VALIDATION_SPLIT)
    if VALIDATION_SPLIT > 0 and n_val == 0 and n >= 2:
        n_val = 1
    order = np.random.default_rng(SEED).permutation(n)
    val, fit = np.sort(order[:n_val]), np.sort(order[n_val:])
    x_val = {name: array[val] for name, array in x_train.items()}
    y_val = {name: array[val] for name, array in y_train.items()}
    x_fit = {name: array[fit] for name, array in x_train.items()}
    y_fit = {name: array[fit] for name, array in y_train.items()}
    print("fit on", len(fit), "samples, validate on", len(val))
    """
    text = (
        "A seeded random `VALIDATION_SPLIT` of the training samples is held out to watch the model, after each "
        "epoch, on data it does not learn from. The test split stays untouched until the end."
    )
    return _Step("Validation split", text, _code(code))


def _pipeline_step(plan: _Plan) -> _Step:
    single = len(plan.outputs) == 1
    pick = f"[{_q(plan.outputs[0]['name'])}]" if single else ""
    targets = "# The model has one output, so it takes its targets as one array (not a dict).\n" if single else ""
    code = '''
    def batches(x, y, batch_size, shuffle=False):
        """(inputs, targets) batches as the Keras Canvas worker makes them: the
        sample indices shuffled with the seed (anew each epoch) and batched, each
        batch gathered from the arrays in one step."""
        n = len(next(iter(x.values())))
        indices = tf.data.Dataset.range(n)
        if shuffle:
            indices = indices.shuffle(n, seed=SEED, reshuffle_each_iteration=True)
        arrays = tf.data.Dataset.from_tensors((x, y)).repeat()

        def gather(index, arrays):
            return tf.nest.map_structure(lambda a: tf.gather(a, index), arrays)

        pairs = tf.data.Dataset.zip((indices.batch(batch_size), arrays))
        return pairs.map(gather).prefetch(tf.data.AUTOTUNE)


    # No gradients are kept when evaluating: larger batches, fewer steps.
    EVAL_BATCH_SIZE = max(BATCH_SIZE, min(256, 4 * BATCH_SIZE))
    {targets}fit_data = batches(x_fit, y_fit{pick}, BATCH_SIZE, shuffle=True)
    val_data = batches(x_val, y_val{pick}, EVAL_BATCH_SIZE) if len(val) else None
    test_data = batches(x_test, y_test{pick}, EVAL_BATCH_SIZE)
    '''
    code = _code(code).replace("{targets}", targets).replace("{pick}", pick)
    text = (
        "`tf.data` pipelines of batches. `model.fit(x, y, batch_size=...)` would do as well; these shuffle "
        "exactly as the run did, so the script reaches the run's figures."
    )
    return _Step("Batches", text, code)


def _model_step(plan: _Plan) -> _Step:
    code = "\n".join(
        [
            plan.model_source,
            "",
            "",
            "# Seeded just before the layers are made: the same initial weights as the run",
            "# (and, below, the same shuffled batches).",
            "keras.utils.set_random_seed(SEED)",
            "model = build_model()",
            "model.summary()",
        ]
    )
    description = plan.graph.get("description") if isinstance(plan.graph, dict) else None
    text = "The functional model, written out block by block from the graph."
    if description:
        text += f" {' '.join(str(description).split())}"
    return _Step("The model", text, code)


def _optimizer_source(name: str) -> str:
    if name == "sgd":
        return "keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=0.9)"
    classes = {"rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad", "nadam": "Nadam"}
    return f"keras.optimizers.{classes[name]}(learning_rate=LEARNING_RATE)"


def _dict_lines(key: str, values: dict) -> list[str]:
    one = f"    {key}={_q(values)},"
    if len(one) <= 88:
        return [one]
    return [f"    {key}={{", *(f"        {_q(k)}: {_q(v)}," for k, v in values.items()), "    },"]


def _compile_step(plan: _Plan) -> _Step:
    kwargs = plan.compile_kwargs
    lines = [
        f"optimizer = {_optimizer_source(plan.settings['optimizer'])}",
        "model.compile(",
        "    optimizer=optimizer,",
        *_dict_lines("loss", kwargs["loss"]),
        *_dict_lines("loss_weights", kwargs["loss_weights"]),
        *_dict_lines("metrics", kwargs["metrics"]),
        ")",
    ]
    text = (
        f"The optimizer ({plan.settings['optimizer']}, learning rate `LEARNING_RATE`) and, for each Output "
        "block, its loss, its weight in the total loss and the metrics to report."
    )
    return _Step("Compile", text, "\n".join(lines))


def _callbacks_step(plan: _Plan) -> _Step:
    s = plan.settings
    cfg = s["callbacks"]
    has_val = s["validation_split"] > 0
    lines: list[str] = []
    told: list[str] = []
    if cfg["lr_schedule"]["enabled"]:
        schedule = cfg["lr_schedule"]
        if schedule["kind"] == "cosine":
            lines += [
                "def schedule(epoch, lr):",
                '    """Cosine decay from LEARNING_RATE towards 0 over EPOCHS (epoch counts from 0)."""',
                "    return float(LEARNING_RATE * 0.5 * (1 + math.cos(math.pi * epoch / max(1, EPOCHS))))",
            ]
            told.append("the learning rate follows a cosine decay")
        else:
            lines += [
                "def schedule(epoch, lr):",
                f'    """LEARNING_RATE times {schedule["gamma"]!r} every {schedule["step_size"]} epochs."""',
                f"    return float(LEARNING_RATE * {schedule['gamma']!r} ** (epoch // {schedule['step_size']}))",
            ]
            told.append("the learning rate drops in steps")
        lines += ["", ""]
    lines.append("callbacks = [")
    if cfg["terminate_on_nan"]:
        lines.append("    keras.callbacks.TerminateOnNaN(),  # stop at the first NaN loss")
        told.append("training stops at a NaN loss")
    if cfg["lr_schedule"]["enabled"]:
        lines.append("    keras.callbacks.LearningRateScheduler(schedule),")
    if cfg["reduce_lr"]["enabled"]:
        monitor = "val_loss" if has_val else "loss"
        lines.append(
            f"    keras.callbacks.ReduceLROnPlateau(monitor={_q(monitor)}, "
            f"factor={cfg['reduce_lr']['factor']!r}, patience={cfg['reduce_lr']['patience']}),"
        )
        told.append(f"the learning rate shrinks when {monitor} stops improving")
    if cfg["early_stopping"]["enabled"]:
        es = cfg["early_stopping"]
        lines += [
            "    keras.callbacks.EarlyStopping(",
            f"        monitor={_q(es['monitor'])}, patience={es['patience']}, restore_best_weights=True",
            "    ),",
        ]
        told.append(f"training stops early when {es['monitor']} stops improving, keeping the best weights")
    if cfg["checkpoint_best"]["enabled"]:
        monitor = cfg["checkpoint_best"]["monitor"]
        lines += [
            "    keras.callbacks.ModelCheckpoint(",
            f"        {_q(BEST_WEIGHTS)}, monitor={_q(monitor)}, save_best_only=True, save_weights_only=True",
            "    ),",
        ]
        told.append(f"the weights of the best epoch by {monitor} are kept in `{BEST_WEIGHTS}`")
    if cfg["tensorboard"]:
        lines += [
            "    # `tensorboard --logdir logs` draws the curves",
            '    keras.callbacks.TensorBoard(log_dir="logs", write_graph=False, profile_batch=0),',
        ]
        told.append("TensorBoard logs go to `logs/`")
    lines.append("]")
    text = "Callbacks, as the run had them: " + ("; ".join(told) if told else "none") + "."
    return _Step("Callbacks", text, "\n".join(lines))


def _fit_step(plan: _Plan) -> _Step:
    code = """
    history = model.fit(
        fit_data,
        validation_data=val_data,
        epochs=EPOCHS,
        callbacks=callbacks,
        verbose=2,
    )
    print("trained for", len(history.epoch), "epochs")
    """
    text = "Training: `EPOCHS` passes over the training batches, each followed by a look at the validation split."
    return _Step("Fit", text, _code(code))


def _plot_step(plan: _Plan) -> _Step:
    code = """
    import matplotlib.pyplot as plt

    curves = [k for k in history.history if not k.startswith("val_") and k != "learning_rate"]
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 3.5), squeeze=False)
    for ax, name in zip(axes[0], curves, strict=True):
        epochs = range(1, len(history.history[name]) + 1)
        ax.plot(epochs, history.history[name], "o-", label="training")
        if "val_" + name in history.history:
            ax.plot(epochs, history.history["val_" + name], "s--", label="validation")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.legend()
    plt.tight_layout()
    plt.show()
    """
    text = (
        "The loss and each metric by epoch, on the training and validation samples: where the validation "
        "curve turns up while the training one goes on down, the model starts to overfit."
    )
    return _Step("Training curves", text, _code(code))


def _evaluate_step(plan: _Plan) -> _Step:
    lines = []
    if plan.settings["callbacks"]["checkpoint_best"]["enabled"]:
        lines += [
            f"if Path({_q(BEST_WEIGHTS)}).exists():  # the best epoch's weights",
            f"    model.load_weights({_q(BEST_WEIGHTS)})",
        ]
    lines += [
        "test_metrics = model.evaluate(test_data, return_dict=True, verbose=0)",
        "for name, value in test_metrics.items():",
        '    print(f"test {name}: {float(value):.4f}")',
    ]
    text = "The model on the test split, which it never saw while training."
    if plan.run_test:
        shown = ", ".join(f"{k} {v:.4f}" for k, v in plan.run_test.items() if isinstance(v, (int, float)))
        if shown:
            text += f" The run on Keras Canvas reported: {shown}."
    return _Step("Evaluate", text, "\n".join(lines))


def _save_step(plan: _Plan) -> _Step:
    code = f"""
    model.save({_q(MODEL_FILE)})
    print("saved {MODEL_FILE}")
    """
    text = f"The trained model, for `keras.saving.load_model({_q(MODEL_FILE)})`."
    return _Step("Save", text, _code(code))


def _steps(plan: _Plan, notebook: bool) -> list[_Step]:
    steps = [_data_step(plan)]
    subsample = _subsample_step(plan)
    if subsample is not None:
        steps.append(subsample)
    steps += [
        _binding_step(plan),
        _split_step(plan),
        _model_step(plan),
        _compile_step(plan),
        _pipeline_step(plan),
        _callbacks_step(plan),
        _fit_step(plan),
    ]
    if notebook:
        steps.append(_plot_step(plan))
    steps += [_evaluate_step(plan), _save_step(plan)]
    return steps


def _summary(plan: _Plan) -> str:
    s = plan.settings
    dataset = plan.info.get("title") or plan.info.get("name")
    samples = f", at most {s['max_samples']} training samples" if s["max_samples"] is not None else ""
    return (
        f"The model {plan.title!r} trained on {dataset}: {s['epochs']} epochs, batch size {s['batch_size']}, "
        f"{s['optimizer']} at learning rate {s['learning_rate']:g}{samples}, seed {s['seed']}."
    )


# ---------------------------------------------------------------- assembly


def _comment(text: str, width: int = 79) -> list[str]:
    plain = text.replace("`", "").replace("*", "")
    return [f"# {line}" for line in textwrap.wrap(" ".join(plain.split()), width - 2)]


def _script(plan: _Plan, filename: str) -> str:
    upload = plan.kind == "upload"
    usage = f"python {{script}} [--epochs N]{' [--data FILE.npz]' if upload else ''}"
    doc = [
        '"""Reproduce a Keras Canvas run.',
        "",
        *textwrap.wrap(_summary(plan), 79),
        "",
        *textwrap.wrap(
            "The same data, preprocessing, model, settings and seed as the run, step by step. "
            "Needs keras, tensorflow and numpy"
            + (" (and scikit-learn for its dataset)" if plan.kind == "sklearn" else "")
            + ".",
            79,
        ),
        "",
        "Usage: " + usage.format(script=filename),
        '"""',
    ]
    stratified = _needs_stratified(plan)
    parser = [
        "",
        "parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])",
        'parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train (default %(default)s)")',
    ]
    if upload:
        parser.append(
            f'parser.add_argument("{SCRIPT_DATA_FLAG}", default=DATA_PATH, help="the dataset\'s .npz (default %(default)s)")'
        )
    parser.append("args = parser.parse_args()")
    parser.append("EPOCHS = args.epochs")
    if upload:
        parser.append("DATA_PATH = args.data")
    lines = [
        *doc,
        "",
        *_imports(plan, script=True),
        "",
        "# The run's settings (the command line can change EPOCHS" + (" and DATA_PATH)." if upload else ")."),
        _parameters(plan, notebook=False),
        *parser,
    ]
    if stratified:
        lines += ["", "", "# A helper of the data steps below.", STRATIFIED.strip("\n")]
    for number, step in enumerate(_steps(plan, notebook=False), 1):
        banner = "# " + "-" * 77
        lines += ["", "", banner, f"# {number}. {step.title}", *_comment(step.text), banner, step.code]
    return "\n".join(lines).replace("\n\n\n\n", "\n\n\n") + "\n"


def _notebook(plan: _Plan) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    upload = plan.kind == "upload"
    intro = (
        f"# Reproducing a Keras Canvas run: {plan.title}\n\n{_summary(plan)}\n\n"
        "Run the cells from top to bottom. The next cell holds the run's settings: change `EPOCHS` to train "
        "longer or shorter" + (", `DATA_PATH` if the dataset's `.npz` is elsewhere." if upload else ".")
    )
    cells = [nbformat.v4.new_markdown_cell(intro)]
    parameters = nbformat.v4.new_code_cell(_parameters(plan, notebook=True))
    parameters.metadata["tags"] = ["parameters"]
    cells.append(parameters)
    imports = "\n".join(_imports(plan, script=False))
    if _needs_stratified(plan):
        imports += "\n\n\n" + STRATIFIED.strip("\n")
    cells.append(nbformat.v4.new_code_cell(imports))
    for number, step in enumerate(_steps(plan, notebook=True), 1):
        cells.append(nbformat.v4.new_markdown_cell(f"## {number}. {step.title}\n\n{step.text}"))
        cells.append(nbformat.v4.new_code_cell(step.code))
    nb.cells = cells
    for index, cell in enumerate(nb.cells):  # stable ids: the same run, the same file
        cell["id"] = f"cell-{index}"
    nbformat.validate(nb)
    return nbformat.writes(nb)
