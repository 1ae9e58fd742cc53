import json
import subprocess
import sys
from pathlib import Path

from tests.services import ROOT, service_env
from trainer.cli import main

IRIS_GRAPH = {
    "version": 1,
    "name": "iris_mlp",
    "nodes": [
        {"id": "features", "type": "Input", "params": {"shape": [4]}},
        {"id": "hidden", "type": "Dense", "params": {"units": 8, "activation": "relu"}},
        {"id": "probs", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
        {
            "id": "species",
            "type": "Output",
            "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
        },
    ],
    "edges": [
        {"source": "features", "target": "hidden"},
        {"source": "hidden", "target": "probs"},
        {"source": "probs", "target": "species"},
    ],
}


def test_manage_py_train_prints_one_json_line(tmp_path, dataset_cache):
    graph = tmp_path / "iris.json"
    graph.write_text(json.dumps(IRIS_GRAPH))
    out = tmp_path / "iris.keras"
    proc = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "train",
            str(graph),
            "--dataset",
            "iris",
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=service_env(DATASET_CACHE_DIR=str(dataset_cache)),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    result = json.loads(lines[0])
    assert result["status"] == "succeeded" and result["epochs"] == 2
    assert [h["epoch"] for h in result["history"]] == [1, 2]
    assert set(result["test"]) == {"loss", "accuracy"}
    assert result["model"] == str(out) and out.exists()
    assert "epoch 2/2" in proc.stderr  # the progress goes to stderr


def test_errors_are_one_json_line_too(tmp_path, capfd):
    graph = tmp_path / "iris.json"
    graph.write_text(json.dumps(IRIS_GRAPH))
    code = main([str(graph), "--dataset", "diabetes", "--epochs", "1", "--quiet", "--out", str(tmp_path / "m.keras")])
    captured = capfd.readouterr()
    assert code == 1
    [line] = captured.out.splitlines()
    result = json.loads(line)
    assert result["status"] == "failed"
    assert "Input 'features' has shape (4,) but field 'features' of diabetes is (10,)" in result["error"]
    assert "error:" in captured.err
    assert not Path(tmp_path / "m.keras").exists()
