"""Overhead of trainer.train over a plain model.fit script: the same mnist_mlp, data and settings.

Trains builder/examples/mnist_mlp.json on N Fashion-MNIST samples for E epochs
through trainer.train (publisher: a no-op; defaults otherwise, TensorBoard
logs included) and through a plain `model.compile; model.fit; model.evaluate;
model.save` script, in the same process, after a warm-up; alternates them
`--repeat` times and prints the best time of each and their ratio.

    .venv/bin/python bench/train_overhead.py [--samples 6000] [--epochs 3] [--batch-size 32] [--repeat 2]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def plain_fit(graph: dict, ds, samples: int, epochs: int, batch_size: int, workdir: Path) -> float:
    """What a person would write by hand, timed from the loaded dataset to the saved model."""
    import keras

    from trainer.runner import compile_graph

    started = time.perf_counter()
    keras.utils.set_random_seed(0)
    compiled = compile_graph(graph)
    model = compiled.model
    model.compile(optimizer=keras.optimizers.Adam(0.001), **compiled.compile_kwargs())
    x = ds.x_train["image"][:samples].reshape(samples, 784)
    y = ds.y_train["label"][:samples]
    # one Output: the model takes its targets as one array, as a hand-written one does
    model.fit({"pixels": x}, y, batch_size=batch_size, epochs=epochs, validation_split=0.1, verbose=0)
    model.evaluate(
        {"pixels": ds.x_test["image"].reshape(-1, 784)}, ds.y_test["label"], batch_size=batch_size, verbose=0
    )
    model.save(workdir / "plain.keras")
    return time.perf_counter() - started


def trainer_fit(graph: dict, ds, samples: int, epochs: int, batch_size: int, workdir: Path) -> float:
    from trainer.runner import train

    started = time.perf_counter()
    train(
        graph,
        ds,
        {"epochs": epochs, "batch_size": batch_size, "max_samples": samples},
        workdir=workdir,
        publish=lambda event: None,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from trainer.datasets import load_builtin
    from trainer.device import configure_device

    device = configure_device()
    graph = json.loads((ROOT / "builder" / "examples" / "mnist_mlp.json").read_text())
    ds = load_builtin("fashion_mnist")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plain_fit(graph, ds, 512, 1, args.batch_size, tmp)  # warm-up: TensorFlow's first-use costs
        trainer_fit(graph, ds, 512, 1, args.batch_size, tmp / "warm")
        plain, ours = [], []
        for i in range(args.repeat):
            plain.append(plain_fit(graph, ds, args.samples, args.epochs, args.batch_size, tmp))
            ours.append(trainer_fit(graph, ds, args.samples, args.epochs, args.batch_size, tmp / f"run{i}"))
    print(
        f"mnist_mlp, {args.samples} samples x {args.epochs} epochs, batch {args.batch_size}, on {device['device']}"
        f"{' (mixed precision)' if device['mixed_precision'] else ''}; best of {args.repeat}"
    )
    print(f"plain model.fit : {min(plain):.2f} s   (all: {', '.join(f'{t:.2f}' for t in plain)})")
    print(f"trainer.train   : {min(ours):.2f} s   (all: {', '.join(f'{t:.2f}' for t in ours)})")
    print(f"ratio           : {min(ours) / min(plain):.2f}x")


if __name__ == "__main__":
    main()
