"""The fit loop's progress: throttled batch and epoch events, the history, cancelling, and stopping on NaN."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from .errors import NaNLoss
from .events import BatchThrottle, batch_event, epoch_event
from .optim import current_lr

log = logging.getLogger(__name__)


def number(value: Any) -> float | None:
    """A metric as a float (the first element of an array); None for NaN and infinities (not JSON)."""
    value = float(np.asarray(value).reshape(-1)[0]) if np.ndim(value) else float(value)
    return value if math.isfinite(value) else None


def metrics(logs: dict | None) -> dict[str, float | None]:
    """Keras's logs as numbers, without the learning rate (an epoch event has it apart)."""
    out: dict[str, float | None] = {}
    for key, value in (logs or {}).items():
        if key == "learning_rate":
            continue
        try:
            out[key] = number(value)
        except (TypeError, ValueError):
            continue
    return out


PruneHook = Callable[[int, dict], bool]
"""(epoch, its metrics) -> whether to stop here: a sweep's pruner (the worker asks Optuna)."""


class ProgressCallback(keras.callbacks.Callback):
    """Publishes throttled batch and epoch events; cancels on should_stop(); raises NaNLoss on a NaN loss;
    stops after an epoch when `prune` says so (`pruned_epoch` is then that epoch, which is kept)."""

    def __init__(
        self,
        publish: Callable[[dict], None],
        should_stop: Callable[[], bool],
        on_epoch: Callable[[dict], None] | None,
        *,
        steps: int,
        epochs: int,
        check_nan: bool = True,
        throttle: BatchThrottle | None = None,
        prune: PruneHook | None = None,
    ):
        super().__init__()
        self.publish = publish
        self.should_stop = should_stop
        self.on_epoch = on_epoch
        self.steps = steps
        self.epochs = epochs
        self.check_nan = check_nan
        self.throttle = throttle or BatchThrottle()
        self.history: list[dict] = []
        self.cancelled = False
        self.prune = prune
        self.pruned_epoch: int | None = None
        self.phase: int | None = None  # fine-tuning's phase (1 frozen, 2 unfrozen); None: one phase
        self._epoch = 0
        self._step = 0
        self._epoch_started = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch + 1
        self._step = 0
        self._epoch_started = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step = batch + 1
        if self.check_nan and logs:
            loss = logs.get("loss")
            if loss is not None and not math.isfinite(float(loss)):
                raise NaNLoss(self._epoch, self._step)
        if self.throttle(self._step, self.steps):
            self.publish(
                dict(  # a plain dict for the publisher
                    batch_event(
                        epoch=self._epoch,
                        step=self._step,
                        steps=self.steps,
                        epochs=self.epochs,
                        metrics=metrics(logs),
                    )
                )
            )
        if not self.cancelled and self._stop_requested():
            self.cancelled = True
            self.model.stop_training = True

    def _stop_requested(self) -> bool:
        try:
            return bool(self.should_stop())
        except Exception:  # a failing check (database away) must not kill the run: ask again next batch
            log.exception("should_stop() failed")
            return False

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.cancelled and self._step < self.steps:
            return  # a cancelled, unfinished epoch is not one of the epochs done
        seconds = time.perf_counter() - self._epoch_started
        ev = dict(
            epoch_event(epoch + 1, metrics(logs), current_lr(self.model), seconds, self.epochs, phase=self.phase)
        )  # plain dict
        self.history.append({k: ev[k] for k in ("epoch", "metrics", "lr", "seconds", "phase") if k in ev})
        # Saved before it is published: a snapshot taken after a viewer saw an epoch holds that epoch.
        if self.on_epoch is not None:
            self.on_epoch(ev)
        self.publish(ev)
        if self.prune is not None and not self.cancelled and self._prune_requested(epoch + 1, metrics(logs)):
            self.pruned_epoch = epoch + 1
            self.model.stop_training = True

    def _prune_requested(self, epoch: int, values: dict) -> bool:
        assert self.prune is not None
        try:
            return bool(self.prune(epoch, dict(values)))
        except Exception:  # a failing pruner (database away) must not kill the run: train on
            log.exception("prune() failed")
            return False
