"""The worker's side without a worker: failure messages are written for people, never tracebacks."""

from webapp.runs.execution import expected, readable


def test_readable_messages():
    from trainer.binding import BindingError
    from trainer.runner import TrainingError

    assert readable(TrainingError("loss became NaN at epoch 1")) == "loss became NaN at epoch 1"
    assert readable(BindingError([{"node": "x", "message": "bad shape"}])) == "x: bad shape."
    message = readable(KeyError("weights\nTraceback (most recent call last):\n  File 'x.py'"))
    assert message.startswith("training stopped on an unexpected error (KeyError") and "\n" not in message
    assert expected(TrainingError("x")) and not expected(KeyError("x"))
