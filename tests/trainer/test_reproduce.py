"""trainer.reproduce: the run's script and notebook, run for real in fresh processes, reach the run's figures."""

import ast
import io
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.binding import BindingError
from trainer.datasets import dataset_from_npz, list_builtin, load_builtin, parse_upload
from trainer.reproduce import data_filename, run_notebook, run_script, upload_npz_bytes
from trainer.runner import train

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "builder" / "examples"
RUFF = Path(sys.executable).with_name("ruff")
ALLOWED_IMPORTS = {"argparse", "gzip", "math", "pathlib", "keras", "numpy", "tensorflow", "sklearn", "matplotlib"}
TOLERANCE = 0.015  # 1.5 points of accuracy; on a CPU the reproduction is exact


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def chain(input_id: str, shape: list, layers: list, output_id: str, output: dict) -> dict:
    """A graph document: Input -> layers in a row -> Output."""
    nodes = [{"id": input_id, "type": "Input", "params": {"shape": shape}}]
    nodes += [{"id": f"l{i}", "type": kind, "params": params} for i, (kind, params) in enumerate(layers)]
    nodes.append({"id": output_id, "type": "Output", "params": output})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)]
    return {"version": 1, "name": "chain", "nodes": nodes, "edges": edges}


def run_python(script: Path, *args: str, cwd: Path) -> str:
    """`python script.py args` in a fresh, isolated interpreter (-I: neither the repository nor
    PYTHONPATH on sys.path, so importing builder/trainer/webapp would fail); its stdout."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-I", str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"the script failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def printed_metrics(stdout: str) -> dict[str, float]:
    """The `test NAME: VALUE` lines the script prints after evaluating."""
    return {m[1]: float(m[2]) for m in re.finditer(r"^test (\S+): (\S+)$", stdout, re.MULTILINE)}


def lint(source: str, name: str = "reproduce_script.py") -> None:
    """ruff check with the project's rules, the text read from stdin."""
    done = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--stdin-filename", name, "-"],
        input=source,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


@pytest.fixture(scope="module")
def fashion():
    return load_builtin("fashion_mnist")


def test_fashion_mnist_script_reaches_the_runs_test_accuracy(fashion, tmp_path):
    graph = example("mnist_mlp")
    settings = {"epochs": 2, "max_samples": 2000, "batch_size": 32, "callbacks": {"tensorboard": False}}
    result = train(graph, fashion, settings, workdir=tmp_path / "run")

    source = run_script(graph, "fashion_mnist", settings, run_test=result.test, filename="mnist_mlp.py")
    lint(source)
    assert imported_modules(source) <= ALLOWED_IMPORTS
    assert "Usage: python mnist_mlp.py [--epochs N]" in source
    assert "--data" not in source  # a built-in set: nothing to download beside the script
    assert f"accuracy {result.test['accuracy']:.4f}" in source  # the run's figure, quoted for comparison
    script = tmp_path / "mnist_mlp.py"
    script.write_text(source)
    stdout = run_python(script, cwd=tmp_path)

    reproduced = printed_metrics(stdout)
    print(f"run accuracy {result.test['accuracy']:.4f}, script accuracy {reproduced['accuracy']:.4f}")
    assert set(reproduced) == set(result.test)
    assert abs(reproduced["accuracy"] - result.test["accuracy"]) <= TOLERANCE
    assert "Epoch 2/2" in stdout and "trained for 2 epochs" in stdout
    assert "training samples: 2000" in stdout and "fit on 1800 samples, validate on 200" in stdout
    assert (tmp_path / "model.keras").stat().st_size > 0


def upload_csv(rows: int = 400) -> bytes:
    """Two numeric columns decide a yes/no label; a city column (one-hot) and a short text column."""
    rng = np.random.default_rng(7)
    words = ["good", "bad", "plot", "actor", "boring", "great", "long", "music"]
    lines = ["a,b,city,review,label"]
    for i in range(rows):
        a, b = rng.normal(size=2)
        review = " ".join(words[(i * k) % len(words)] for k in range(1, 5 + i % 3)) + f" word{i}"
        label = "yes" if a + 0.5 * b + rng.normal(scale=0.3) > 0 else "no"
        lines.append(f"{a:.4f},{b:.4f},{['paris', 'rome', 'oslo'][i % 3]},{review},{label}")
    return ("\n".join(lines) + "\n").encode()


def test_upload_script_with_its_npz_reaches_the_runs_test_accuracy(tmp_path):
    ds = parse_upload(io.BytesIO(upload_csv()), "reviews.csv", {"targets": ["label"]})
    fields = {f["name"]: f for f in ds.info["inputs"]}
    assert set(fields) == {"features", "review"} and fields["review"]["dtype"] == "int32"
    # Two inputs: the numeric features and the embedded text, joined; one sigmoid for the yes/no label.
    graph = {
        "version": 1,
        "name": "reviews",
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": fields["features"]["shape"]}},
            {"id": "review", "type": "Input", "params": {"shape": [None], "dtype": "int32"}},
            {
                "id": "embed",
                "type": "Embedding",
                "params": {"input_dim": fields["review"]["vocab_size"], "output_dim": 4},
            },
            {"id": "pool", "type": "GlobalAveragePooling1D", "params": {}},
            {"id": "joined", "type": "Concatenate", "params": {}},
            {"id": "hidden", "type": "Dense", "params": {"units": 8, "activation": "relu"}},
            {"id": "prob", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"}},
            {"id": "label", "type": "Output", "params": {"loss": "binary_crossentropy", "metrics": ["accuracy"]}},
        ],
        "edges": [
            {"source": "review", "target": "embed"},
            {"source": "embed", "target": "pool"},
            {"source": "features", "target": "joined", "port": 0},
            {"source": "pool", "target": "joined", "port": 1},
            {"source": "joined", "target": "hidden"},
            {"source": "hidden", "target": "prob"},
            {"source": "prob", "target": "label"},
        ],
    }
    settings = {
        "epochs": 2,
        "batch_size": 16,
        "learning_rate": 0.01,
        "callbacks": {"tensorboard": False, "checkpoint_best": {"enabled": True}},
    }
    result = train(graph, ds, settings, workdir=tmp_path / "run")

    assert data_filename(ds) == f"{ds.info['name']}.npz"
    source = run_script(graph, ds.info, settings)
    lint(source)
    assert imported_modules(source) <= ALLOWED_IMPORTS
    assert f'DATA_PATH = "{data_filename(ds)}"' in source
    # The .npz the web app offers beside the script, under another name: --data points at it.
    (tmp_path / "my-data.npz").write_bytes(upload_npz_bytes(ds))
    script = tmp_path / "reviews.py"
    script.write_text(source)
    stdout = run_python(script, "--data", "my-data.npz", cwd=tmp_path)

    reproduced = printed_metrics(stdout)
    print(f"run accuracy {result.test['accuracy']:.4f}, script accuracy {reproduced['accuracy']:.4f}")
    assert abs(reproduced["accuracy"] - result.test["accuracy"]) <= TOLERANCE
    assert (tmp_path / "best.weights.h5").exists() and (tmp_path / "model.keras").exists()


def test_upload_npz_holds_the_parsed_arrays():
    ds = parse_upload(io.BytesIO(upload_csv(60)), "reviews.csv", {"targets": ["label"]})
    back = dataset_from_npz(io.BytesIO(upload_npz_bytes(ds)))
    assert back.info == ds.info
    for part in ("x_train", "y_train", "x_test", "y_test"):
        mine, theirs = getattr(ds, part), getattr(back, part)
        assert set(mine) == set(theirs)
        for name in mine:
            np.testing.assert_array_equal(mine[name], theirs[name])
            assert mine[name].dtype == theirs[name].dtype


DIGITS_GRAPH = chain(
    "features",
    [64],
    [("Dense", {"units": 32, "activation": "relu"}), ("Dense", {"units": 10, "activation": "softmax"})],
    "target",
    {"loss": "categorical_crossentropy", "metrics": ["accuracy"]},
)


def test_digits_script_runs_and_epochs_flag_overrides(tmp_path):
    settings = {
        "epochs": 4,
        "max_samples": 600,
        "callbacks": {"tensorboard": True, "lr_schedule": {"enabled": True}, "early_stopping": {"enabled": True}},
    }
    source = run_script(DIGITS_GRAPH, "digits", settings)
    lint(source)
    assert "from sklearn import datasets" in source and "EPOCHS = 4" in source
    script = tmp_path / "digits.py"
    script.write_text(source)
    stdout = run_python(script, "--epochs", "1", cwd=tmp_path)
    assert "trained for 1 epochs" in stdout and "Epoch 2/" not in stdout
    assert "train: (1438, 64) test: (359, 64)" in stdout
    assert any((tmp_path / "logs").rglob("*tfevents*"))  # TensorBoard on, as in the run

    # --epochs 1 is the run with epochs=1 (the cosine schedule over 1 epoch too)
    result = train(DIGITS_GRAPH, load_builtin("digits"), {**settings, "epochs": 1}, workdir=tmp_path / "run")
    reproduced = printed_metrics(stdout)
    print(f"run accuracy {result.test['accuracy']:.4f}, script accuracy {reproduced['accuracy']:.4f}")
    assert abs(reproduced["accuracy"] - result.test["accuracy"]) <= TOLERANCE


@pytest.mark.parametrize("name", [info["name"] for info in list_builtin() if info["name"] != "fashion_mnist"])
def test_every_sklearn_set_gets_a_clean_script(name):
    info = next(i for i in list_builtin() if i["name"] == name)
    features = info["inputs"][0]["shape"][0]
    target = info["targets"][0]
    if target["classes"]:
        head = ("Dense", {"units": target["classes"], "activation": "softmax"})
        loss = "sparse_categorical_crossentropy"
    else:
        head, loss = ("Dense", {"units": 1}), "mse"
    graph = chain("features", [features], [head], "target", {"loss": loss})
    source = run_script(graph, name, {"validation_split": 0, "callbacks": {"reduce_lr": {"enabled": True}}})
    lint(source)
    assert f"datasets.{'load_' + name}(return_X_y=True)" in source
    assert 'monitor="loss"' in source  # no validation split: ReduceLROnPlateau watches the training loss
    assert ("stratified_pick" in source) == bool(target["classes"])


def test_a_graph_that_does_not_fit_the_dataset_is_refused():
    graph = chain("pixels", [100], [("Dense", {"units": 10, "activation": "softmax"})], "label", {"loss": "mse"})
    with pytest.raises(BindingError, match="shape"):
        run_script(graph, "fashion_mnist", {})


@pytest.fixture
def python3_kernel(tmp_path, monkeypatch):
    """A `python3` kernelspec that starts this interpreter (the venv's), found first on JUPYTER_PATH."""
    folder = tmp_path / "jupyter" / "kernels" / "python3"
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (test)",
        "language": "python",
        "env": {"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    from jupyter_client.kernelspec import KernelSpecManager

    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
    return "python3"


def test_notebook_executes_top_to_bottom(python3_kernel, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    settings = {"epochs": 3, "max_samples": 300, "callbacks": {"tensorboard": False}}
    text = run_notebook(example("mnist_mlp_tiny"), "fashion_mnist", settings)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    (tmp_path / "run.ipynb").write_text(text)
    lint(text, "reproduce_notebook.ipynb")

    code = [c for c in nb.cells if c.cell_type == "code"]
    headers = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert headers[0].startswith("# Reproducing a Keras Canvas run")
    for step in ("The data", "The model", "Compile", "Fit", "Training curves", "Evaluate", "Save"):
        assert any(h.startswith("## ") and h.endswith(step) for h in headers), step
    parameters = code[0]
    assert parameters.metadata["tags"] == ["parameters"] and "EPOCHS = 3" in parameters.source
    assert "argparse" not in text
    parameters.source = parameters.source.replace("EPOCHS = 3", "EPOCHS = 1")  # a short run

    client = NotebookClient(
        nb, kernel_name=python3_kernel, timeout=600, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert not [o for o in outputs if o.output_type == "error"]
    assert "trained for 1 epochs" in printed and "Epoch 2/" not in printed
    assert "training samples: 300" in printed
    accuracy = printed_metrics(printed)["accuracy"]
    assert 0.0 < accuracy <= 1.0
    assert any("image/png" in o.get("data", {}) for o in outputs if o.output_type == "display_data")  # the curves
    assert (tmp_path / "model.keras").stat().st_size > 0


def test_upload_notebook_takes_its_data_path_in_the_parameters_cell():
    ds = parse_upload(io.BytesIO(upload_csv(60)), "reviews.csv", {"targets": ["label"]})
    graph = chain(
        "features",
        ds.info["inputs"][0]["shape"],
        [("Dense", {"units": 2, "activation": "softmax"})],
        "label",
        {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    )
    text = run_notebook(graph, ds.info, {"max_samples": 30}, data_path="reviews-data.npz")
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert 'DATA_PATH = "reviews-data.npz"' in first.source and "MAX_SAMPLES = 30" in first.source
    assert "np.load(DATA_PATH)" in text
