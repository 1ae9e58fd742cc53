"""System metrics of the training process: its CPU use and resident memory (psutil), and the GPU's
utilisation and memory where there is one, sampled every few seconds by a daemon thread.

A sample is {"t", "cpu", "memory", "gpu"?, "gpu_memory"?} (the run's `system` entries and the
websocket's `system` event without its type): `cpu` is percent of one core since the last sample,
`memory` and `gpu_memory` bytes, `gpu` percent. The GPU is read through NVML (pynvml) when it is
importable and sees a device, else through TensorFlow's memory counters when TensorFlow is already
loaded and has a GPU (memory only); a CPU-only worker sends no GPU keys. Sampling never raises into
the training: a reading that fails is left out.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, NotRequired

from typing_extensions import TypedDict

log = logging.getLogger(__name__)


class Sample(TypedDict):
    t: float
    cpu: float | None
    memory: int | None
    gpu: NotRequired[float]
    gpu_memory: NotRequired[int]


class GpuReader:
    """GPU utilisation (percent) and memory (bytes) of the first visible GPU, or nothing."""

    def __init__(self) -> None:
        self._nvml: Any = None
        self._handle: Any = None
        self._tf_device: str | None = None
        self._tried = False

    def _setup(self) -> None:
        self._tried = True
        try:
            import pynvml  # optional (nvidia-ml-py), where installed

            pynvml.nvmlInit()
            if pynvml.nvmlDeviceGetCount() > 0:
                visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
                index = int(visible) if visible.isdigit() else 0
                self._handle = pynvml.nvmlDeviceGetHandleByIndex(index)
                self._nvml = pynvml
                return
        except Exception as exc:  # no library, no driver, no device: try TensorFlow
            log.debug("NVML not available: %s", exc)
        tf = sys.modules.get("tensorflow")  # never imported here: only read where training loaded it
        if tf is not None:
            try:
                if tf.config.list_physical_devices("GPU"):
                    self._tf_device = "GPU:0"
            except Exception as exc:
                log.debug("TensorFlow's devices not readable: %s", exc)

    def read(self) -> dict[str, float | int]:
        if not self._tried:
            self._setup()
        out: dict[str, float | int] = {}
        if self._nvml is not None:
            try:
                out["gpu"] = float(self._nvml.nvmlDeviceGetUtilizationRates(self._handle).gpu)
            except Exception as exc:
                log.debug("GPU utilisation not readable: %s", exc)
            try:
                mine = [
                    p.usedGpuMemory
                    for p in self._nvml.nvmlDeviceGetComputeRunningProcesses(self._handle)
                    if p.pid == os.getpid() and p.usedGpuMemory is not None
                ]
                used = sum(mine) if mine else self._nvml.nvmlDeviceGetMemoryInfo(self._handle).used
                out["gpu_memory"] = int(used)
            except Exception as exc:
                log.debug("GPU memory not readable: %s", exc)
        elif self._tf_device is not None and (tf := sys.modules.get("tensorflow")) is not None:
            try:
                out["gpu_memory"] = int(tf.config.experimental.get_memory_info(self._tf_device)["current"])
            except Exception as exc:
                log.debug("GPU memory not readable: %s", exc)
        return out


class ProcessReader:
    """This process's CPU percent (of one core, since the previous reading) and resident memory."""

    def __init__(self, pid: int | None = None) -> None:
        import psutil

        self._process = psutil.Process(pid)
        self._process.cpu_percent(None)  # the baseline the first reading is measured from

    def read(self) -> tuple[float | None, int | None]:
        cpu: float | None
        memory: int | None
        try:
            cpu = round(float(self._process.cpu_percent(None)), 1)
        except Exception as exc:
            log.debug("CPU use not readable: %s", exc)
            cpu = None
        try:
            memory = int(self._process.memory_info().rss)
        except Exception as exc:
            log.debug("memory not readable: %s", exc)
            memory = None
        return cpu, memory


class SystemSampler:
    """Calls on_sample(sample) from a daemon thread: `first` seconds after start(), then every
    `interval` seconds, and once more on stop(). `samples` keeps them all (on_sample's errors are
    logged, never raised); `on_exit` runs in the thread as it ends (a database connection to close)."""

    def __init__(
        self,
        on_sample: Callable[[Sample], None] | None = None,
        *,
        interval: float = 2.0,
        first: float = 0.5,
        pid: int | None = None,
        gpu: bool = True,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self.interval = interval
        self.first = first
        self.on_sample = on_sample
        self.on_exit = on_exit
        self.samples: list[Sample] = []
        self._process = ProcessReader(pid)
        self._gpu = GpuReader() if gpu else None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="system-sampler", daemon=True)

    def sample(self) -> Sample:
        """One reading now (also kept and handed to on_sample)."""
        cpu, memory = self._process.read()
        out: Sample = {"t": time.time(), "cpu": cpu, "memory": memory}
        if self._gpu is not None:
            try:
                gpu = self._gpu.read()
            except Exception as exc:
                log.debug("GPU not readable: %s", exc)
                gpu = {}
            if "gpu" in gpu:
                out["gpu"] = float(gpu["gpu"])
            if "gpu_memory" in gpu:
                out["gpu_memory"] = int(gpu["gpu_memory"])
        with self._lock:
            self.samples.append(out)
        if self.on_sample is not None:
            try:
                self.on_sample(out)
            except Exception:
                log.exception("handling a system sample failed")
        return out

    def start(self) -> SystemSampler:
        self._thread.start()
        return self

    def stop(self, final: bool = True, timeout: float = 5.0) -> list[Sample]:
        """Stop the thread (and take a last sample with `final`); answers every sample taken."""
        if not self._stop.is_set():
            self._stop.set()
            if self._thread.is_alive():
                self._thread.join(timeout)
            if final:
                self.sample()
        with self._lock:
            return list(self.samples)

    def _loop(self) -> None:
        try:
            wait = self.first
            while not self._stop.wait(wait):
                self.sample()
                wait = self.interval
        finally:
            if self.on_exit is not None:
                try:
                    self.on_exit()
                except Exception:
                    log.exception("the system sampler's exit hook failed")
