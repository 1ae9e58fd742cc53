"""trainer/system.py: the training process's CPU, memory (and GPU) samples, and their websocket event."""

import json
import os
import threading
import time

import numpy as np
import psutil
import pytest

from trainer import events
from trainer.system import SystemSampler


def busy_until(done, timeout: float = 20.0) -> int:
    """Spin (using CPU) until done() or the timeout."""
    n = 0
    end = time.monotonic() + timeout
    while not done() and time.monotonic() < end:
        n += 1
    return n


def test_the_sampler_reads_this_process_cpu_and_memory():
    got = []
    sampler = SystemSampler(got.append, interval=0.1, first=0.05).start()
    busy_until(lambda: len(got) >= 3)
    samples = sampler.stop()
    assert len(samples) >= 3 and samples == got  # every sample handed over, the last one on stop()
    times = [s["t"] for s in samples]
    assert times == sorted(times) and abs(times[-1] - time.time()) < 5
    rss = psutil.Process().memory_info().rss
    for s in samples:
        assert 0 <= s["cpu"] <= 100 * (os.cpu_count() or 1) + 5
        assert 0.5 * rss < s["memory"] < 2 * rss  # this process's resident memory, in bytes
    assert max(s["cpu"] for s in samples) > 0  # a busy loop shows


def test_memory_follows_an_allocation():
    sampler = SystemSampler(interval=60)
    before = sampler.sample()["memory"]
    block = np.ones(200 * 1024 * 1024 // 8)  # 200 MiB, written
    after = sampler.sample()["memory"]
    assert after - before > 150 * 1024 * 1024, (before, after)
    del block


def test_gpu_keys_only_where_there_is_a_gpu():
    import tensorflow as tf

    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    sample = SystemSampler().sample()
    assert ("gpu_memory" in sample) == has_gpu, sample
    if not has_gpu:
        assert "gpu" not in sample
    else:
        assert sample["gpu_memory"] >= 0 and 0 <= sample.get("gpu", 0) <= 100
    assert "gpu" not in SystemSampler(gpu=False).sample()


def test_a_failing_handler_never_stops_sampling_and_the_exit_hook_runs_in_the_thread():
    calls = []
    exit_thread = []

    def handler(sample):
        calls.append(sample)
        raise RuntimeError("boom")

    sampler = SystemSampler(
        handler, interval=0.05, first=0.01, on_exit=lambda: exit_thread.append(threading.current_thread().name)
    ).start()
    busy_until(lambda: len(calls) >= 3)
    samples = sampler.stop()
    assert len(calls) >= 3 and len(samples) == len(calls)
    assert exit_thread == ["system-sampler"]
    assert sampler.stop() == samples  # a second stop takes no further sample


def test_a_sample_is_a_system_event():
    sample = SystemSampler(gpu=False).sample()
    ev = events.system_event(sample["cpu"], sample["memory"])
    assert ev["type"] == "system" and isinstance(ev["t"], float)
    assert set(ev) == {"type", "t", "cpu", "memory"}  # no GPU keys without a GPU
    gpu = events.system_event(np.float32(12.5), np.int64(1 << 30), gpu=np.float64(40.0), gpu_memory=np.int64(2 << 30))
    assert (gpu["cpu"], gpu["memory"], gpu["gpu"], gpu["gpu_memory"]) == (12.5, 1 << 30, 40.0, 2 << 30)
    assert type(gpu["memory"]) is int and json.loads(json.dumps(gpu, allow_nan=False)) == gpu
    assert events.event("system", cpu=None, memory=None)["cpu"] is None
    with pytest.raises(ValueError, match="needs"):
        events.event("system", cpu=1.0)
    typed = events.EVENT_TYPES["system"]
    assert typed.__required_keys__ <= gpu.keys() <= typed.__annotations__.keys()
