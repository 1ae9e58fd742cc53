"""`python manage.py sweep GRAPH.json --dataset NAME --space SPACE.json --trials N [--sampler tpe]`.

A whole sweep in this process (trainer.sweeps.local: the same checks, samplers, seeds and objectives
as a sweep over the workers), for scripts and notebooks: prints a table of its trials, then the best
one (or, with two objectives, the Pareto front) as one JSON line. SPACE.json is the `space` list, or
an object with `space` and any of `objectives`, `sampler`, `pruner`, `seed`, `enqueue`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _json_arg(text: str | None, what: str):
    """A JSON value given inline or as a file's path."""
    if text is None:
        return None
    path = Path(text)
    try:
        return json.loads(path.read_text() if path.exists() else text)
    except (OSError, ValueError) as exc:
        raise CommandError(f"{what}: not JSON nor a JSON file ({exc})") from None


class Command(BaseCommand):
    help = "Run a hyperparameter sweep in this process; prints a table of trials and the best as a JSON line."

    def add_arguments(self, parser):
        parser.add_argument("graph", help="graph document (JSON file)")
        parser.add_argument("--dataset", required=True, help="a built-in dataset's name (digits, fashion_mnist...)")
        parser.add_argument("--space", required=True, help="the space (JSON file or inline JSON)")
        parser.add_argument("--trials", type=int, default=20)
        parser.add_argument("--sampler", default=None, help="random, tpe, grid, nsga2, cmaes")
        parser.add_argument("--pruner", default=None, help="none, median, hyperband")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--training", default=None, help="base training settings (JSON file or inline JSON)")
        parser.add_argument("--objective", default=None, help="the metric to optimise (default: val_accuracy)")
        parser.add_argument("--direction", default=None, choices=("maximize", "minimize"))
        parser.add_argument("--at", default=None, choices=("best", "last"))
        parser.add_argument("--storage", default=None, help="an Optuna storage URL (default: in memory)")
        parser.add_argument("--study", default=None, help="the study's name in --storage")

    def handle(self, *args, **options):
        import optuna

        from trainer.datasets import DatasetError, load_builtin
        from trainer.settings import SettingsError, parse_training
        from trainer.sweeps import SweepError, parse_spec
        from trainer.sweeps.local import run_local

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        try:
            graph = json.loads(Path(options["graph"]).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"graph: cannot read {options['graph']}: {exc}") from None
        space = _json_arg(options["space"], "--space")
        data = dict(space) if isinstance(space, dict) else {"space": space}
        for key in ("sampler", "pruner", "seed"):
            if options[key] is not None:
                data[key] = options[key]
        data.setdefault("seed", 0)
        data["trials"] = options["trials"]
        if options["objective"]:
            objective = {"metric": options["objective"]}
            if options["direction"]:
                objective["direction"] = options["direction"]
            if options["at"]:
                objective["at"] = options["at"]
            data["objectives"] = [objective]
        try:
            training = parse_training(_json_arg(options["training"], "--training"))
            spec = parse_spec(data, graph, training, max_parallel=1)
            ds = load_builtin(options["dataset"])
        except SweepError as exc:
            raise CommandError(f"{exc.field}: {exc}") from None
        except SettingsError as exc:
            raise CommandError(f"training.{exc.field}: {exc}") from None
        except DatasetError as exc:
            raise CommandError(str(exc)) from None

        names = [o.metric for o in spec.objectives]
        out = self.stdout
        out.write(f"{'trial':>5}  {'state':<8} {'  '.join(f'{n:>14}' for n in names)}  {'seconds':>8}  params")

        def show(row):
            values = "  ".join(
                "             -" if v is None else f"{v:>14.6g}" for v in row.values or [None] * len(names)
            )
            note = f"  ({row.error})" if row.error else ""
            out.write(f"{row.number:>5}  {row.state:<8} {values}  {row.seconds:>8.2f}  {json.dumps(row.params)}{note}")
            out.flush()

        with tempfile.TemporaryDirectory(prefix="sweep-") as workdir:
            study, rows = run_local(
                spec,
                graph,
                training,
                ds,
                workdir=Path(workdir),
                storage=options["storage"],
                study_name=options["study"],
                on_trial=show,
                max_params=getattr(settings, "MAX_TRAIN_PARAMS", None),
            )
        by_number = {r.number: r for r in rows}
        try:
            best = [by_number[t.number].as_json() for t in study.best_trials]
        except (ValueError, RuntimeError):
            best = []
        if not best:
            out.write(json.dumps({"best": None, "error": "no trial completed"}))
            sys.exit(1)
        out.write(json.dumps(best[0] if len(spec.objectives) == 1 else {"pareto": best}))
