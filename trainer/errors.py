"""The errors a training run raises for the person who started it (no Keras here)."""

from __future__ import annotations


class TrainingError(Exception):
    """Training could not go on; the message says why and what to change."""


class NaNLoss(Exception):
    """The loss became NaN or infinite at a 1-based epoch and step (the fit turns it into a TrainingError)."""

    def __init__(self, epoch: int, step: int):
        super().__init__(f"NaN loss at epoch {epoch} step {step}")
        self.epoch = epoch
        self.step = step
