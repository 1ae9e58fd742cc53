"""Hyperparameter sweeps: a search space over a graph's block parameters and the training settings,
checked against the block catalog and the settings declaration, searched with Optuna.

space: parse and check a request, apply a suggestion to a graph and settings.
study: samplers, pruners, objective values, best trials and importances.
local: a whole sweep in this process (the `manage.py sweep` command, benchmarks, notebooks).
"""

from .space import MAX_TRIALS, PRUNERS, SAMPLERS, Dimension, Objective, Spec, SweepError, apply, parse_spec
from .study import best_numbers, distributions, importances, make_pruner, make_sampler, objective_values

__all__ = [
    "MAX_TRIALS",
    "PRUNERS",
    "SAMPLERS",
    "Dimension",
    "Objective",
    "Spec",
    "SweepError",
    "apply",
    "best_numbers",
    "distributions",
    "importances",
    "make_pruner",
    "make_sampler",
    "objective_values",
    "parse_spec",
]
