"""The worker's side without a worker: failure messages are written for people, never tracebacks."""

from webapp.runs.execution import BatchLog, expected, readable


def test_readable_messages():
    from trainer.binding import BindingError
    from trainer.runner import TrainingError

    assert readable(TrainingError("loss became NaN at epoch 1")) == "loss became NaN at epoch 1"
    assert readable(BindingError([{"node": "x", "message": "bad shape"}])) == "x: bad shape."
    message = readable(KeyError("weights\nTraceback (most recent call last):\n  File 'x.py'"))
    assert message.startswith("training stopped on an unexpected error (KeyError") and "\n" not in message
    assert expected(TrainingError("x")) and not expected(KeyError("x"))


def test_batch_log_keeps_the_whole_run_in_bounded_space():
    log = BatchLog(limit=100)
    for i in range(1, 1001):
        log.add(
            {
                "type": "batch",
                "t": 0.0,
                "epoch": 1 + (i - 1) // 100,
                "step": 1 + (i - 1) % 100,
                "steps": 100,
                "metrics": {"loss": 1.0 / i},
            }
        )
    points = log.points()
    assert len(points) <= 100
    assert points[0] == {"epoch": 1, "step": 1, "steps": 100, "metrics": {"loss": 1.0}}
    assert points[-1]["epoch"] == 10  # the last epoch is still there
    order = [(p["epoch"], p["step"]) for p in points]
    assert order == sorted(order)
