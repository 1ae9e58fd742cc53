"""`python manage.py train GRAPH.json --dataset NAME [...]`: one training run in this process.

A progress bar goes to stderr; the result (history, test metrics, model path)
is printed as one JSON line on stdout, also when the run fails. Ctrl-C once
cancels after the current batch (the epochs done are kept); twice aborts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from .settings import OPTIMIZERS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="manage.py train", description="Train a graph document on a dataset.")
    p.add_argument("graph", help="graph document (JSON file)")
    p.add_argument(
        "--dataset",
        required=True,
        help="a built-in dataset (fashion_mnist, digits, iris, wine, breast_cancer, diabetes), "
        "a .npz saved by trainer.datasets.dataset_to_npz, or a .csv/.npz/.zip to parse",
    )
    p.add_argument("--target", action="append", default=None, help="target column of a CSV (repeatable)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--validation-split", type=float)
    p.add_argument("--max-samples", type=int, help="cap on training samples")
    p.add_argument("--seed", type=int)
    p.add_argument(
        "--training",
        "--settings",  # only outside manage.py: Django takes --settings for its own settings module
        dest="settings",
        help="training settings as JSON (the API's `training` object); flags win",
    )
    p.add_argument("--out", help="where to write the trained .keras file (default: GRAPH's name .keras)")
    p.add_argument("--workdir", help="keep the run's files here (TensorBoard logs in workdir/tensorboard)")
    p.add_argument("--max-params", type=int, help="refuse models with more parameters")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def training_settings(args) -> dict:
    settings = json.loads(args.settings) if args.settings else {}
    flags = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "optimizer": args.optimizer,
        "learning_rate": args.lr,
        "validation_split": args.validation_split,
        "max_samples": args.max_samples,
        "seed": args.seed,
    }
    settings.update({k: v for k, v in flags.items() if v is not None})
    callbacks = settings.setdefault("callbacks", {})
    callbacks.setdefault("tensorboard", bool(args.workdir))
    return settings


def load_dataset(spec: str, targets: list[str] | None):
    from .datasets import DatasetError, dataset_from_npz, load_builtin, parse_upload

    path = Path(spec)
    if not path.exists():
        return load_builtin(spec)
    if path.suffix == ".npz":
        with open(path, "rb") as f:
            try:
                return dataset_from_npz(f)
            except DatasetError:
                f.seek(0)
                return parse_upload(f, path.name, {"targets": targets} if targets else {})
    with open(path, "rb") as f:
        return parse_upload(f, path.name, {"targets": targets} if targets else {})


class ProgressBar:
    """Batch and epoch events drawn on stderr: one bar line per epoch."""

    def __init__(self, stream, enabled: bool = True):
        self.stream = stream
        self.enabled = enabled
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, ev: dict) -> None:
        if not self.enabled:
            return
        if ev["type"] == "batch" and self.tty:
            width = 30
            done = int(width * ev["step"] / max(1, ev["steps"]))
            bar = "#" * done + "." * (width - done)
            self.stream.write(
                f"\repoch {ev['epoch']}/{ev.get('epochs', '?')} [{bar}] {ev['step']}/{ev['steps']} "
                f"{_fmt_metrics(ev['metrics'])}\033[K"
            )
            self.stream.flush()
        elif ev["type"] == "epoch":
            prefix = "\r" if self.tty else ""
            self.stream.write(
                f"{prefix}epoch {ev['epoch']}/{ev.get('epochs', '?')} {ev['seconds']:.1f}s "
                f"{_fmt_metrics(ev['metrics'])} lr {ev['lr']:.3g}\033[K\n"
                if self.tty
                else f"epoch {ev['epoch']}/{ev.get('epochs', '?')} {ev['seconds']:.1f}s "
                f"{_fmt_metrics(ev['metrics'])} lr {ev['lr']:.3g}\n"
            )
            self.stream.flush()


def _fmt_metrics(metrics: dict) -> str:
    return " ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, (int, float)))


@contextlib.contextmanager
def stdout_to_stderr():
    """Keep stdout for the one JSON line: anything printed while training (Python or C) goes to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield os.fdopen(os.dup(saved), "w")
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    result: dict = {"status": "failed"}
    stop = {"requested": False}

    def on_sigint(signum, frame):
        if stop["requested"]:
            raise KeyboardInterrupt
        stop["requested"] = True
        sys.stderr.write("\ncancelling after this batch (Ctrl-C again to abort)\n")

    previous = signal.signal(signal.SIGINT, on_sigint) if _main_thread() else None
    with stdout_to_stderr() as out:
        try:
            result = run(args, should_stop=lambda: stop["requested"])
            code = 0
        except Exception as exc:
            message = describe_error(exc)
            if message is None:
                raise
            sys.stderr.write(f"\nerror: {message}\n")
            result = {"status": "failed", "error": message}
            code = 1
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        result["seconds"] = round(time.monotonic() - started, 3)
        out.write(json.dumps(result) + "\n")
        out.flush()
        out.close()
    return code


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def describe_error(exc: Exception) -> str | None:
    """A readable message for the errors a person can fix; None for bugs (re-raised)."""
    from .binding import BindingError
    from .datasets import DatasetError
    from .runner import TrainingError

    if isinstance(exc, (BindingError, DatasetError, TrainingError)):
        return str(exc)
    if isinstance(exc, (OSError, json.JSONDecodeError)):
        return str(exc)
    result = getattr(exc, "result", None)
    if type(exc).__name__ == "GraphInvalid" and isinstance(result, dict):
        errors = result.get("errors") or []
        return "the graph is invalid: " + "; ".join(f"{e.get('node')}: {e.get('message')}" for e in errors)
    return None


def run(args, should_stop) -> dict:
    from .runner import train

    with open(args.graph) as f:
        graph = json.load(f)
    ds = load_dataset(args.dataset, args.target)
    settings = training_settings(args)
    out = Path(args.out or f"{Path(args.graph).stem}.keras")
    tmp = None
    if args.workdir:
        workdir = Path(args.workdir)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="train-")
        workdir = Path(tmp.name)
    try:
        res = train(
            graph,
            ds,
            settings,
            workdir=workdir,
            publish=ProgressBar(sys.stderr, not args.quiet),
            should_stop=should_stop,
            max_params=args.max_params,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(res.model_path, out)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return {
        "status": res.status,
        "dataset": ds.name,
        "epochs": len(res.history),
        "history": res.history,
        "test": res.test,
        "model": str(out),
        "params": res.params,
        "device": res.device,
        "tensorboard": str(res.tensorboard_dir) if args.workdir and res.tensorboard_dir else None,
    }
