"""Pick the device once per worker process: GPU memory growth and mixed precision, or plain CPU."""

from __future__ import annotations

import logging
import threading
from typing import TypedDict

log = logging.getLogger(__name__)


class _State(TypedDict):
    device: str
    mixed_precision: bool
    capable: bool


_state: _State | None = None
_lock = threading.Lock()


def configure_device(mixed_precision: bool | None = None) -> dict:
    """{"device": "GPU:0" | "CPU", "mixed_precision": bool}. Idempotent.

    On a GPU: memory growth on every GPU (so one process does not grab all
    memory), and the mixed_float16 policy unless `mixed_precision` is False
    or the GPU predates tensor cores (compute capability < 7). On a CPU,
    nothing, unless mixed_precision=True is asked for explicitly. The
    runner keeps the model's outputs in float32 under mixed precision.

    Keras's global dtype policy is set again on every call when it is not the
    one chosen: keras.backend.clear_session() (before each run) resets it."""
    global _state
    with _lock:
        if _state is None:
            _state = _detect()
            # the default, chosen once: mixed precision on a GPU with tensor cores
            _state["mixed_precision"] = _state["device"] != "CPU" and _state["capable"]
        if mixed_precision is not None:
            _state["mixed_precision"] = bool(mixed_precision)
        _apply_policy(_state["mixed_precision"])
        return {"device": _state["device"], "mixed_precision": _state["mixed_precision"]}


def _detect() -> _State:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except (RuntimeError, ValueError) as exc:  # already initialised: keep what it has
            log.info("memory growth not set on %s: %s", gpu.name, exc)
    capable = False
    if gpus:
        try:
            details = tf.config.experimental.get_device_details(gpus[0])
            capable = tuple(details.get("compute_capability") or (0, 0)) >= (7, 0)
        except Exception:  # details are best effort
            capable = True
    return {"device": "GPU:0" if gpus else "CPU", "mixed_precision": False, "capable": capable}


def _apply_policy(mixed: bool) -> None:
    import keras

    wanted = "mixed_float16" if mixed else "float32"
    if keras.mixed_precision.global_policy().name != wanted:
        keras.mixed_precision.set_global_policy(wanted)


def _reset_for_tests() -> None:
    """Back to float32 and unconfigured (tests that forced mixed precision on CPU)."""
    global _state
    import keras

    keras.mixed_precision.set_global_policy("float32")
    _state = None
