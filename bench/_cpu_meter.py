"""Per-stage CPU attribution for bench/edge_throughput.py (bench-only code).

MediaPipe graphs and the TFLite detector compute on native worker threads that Python did not start,
so the calling thread's CPU time misses most of a model's cost. Each model's worker threads are found
by diffing /proc/self/task around its construction and a warm-up call; a call is then charged the
calling thread's CPU (time.thread_time) plus its own workers' CPU (/proc/.../schedstat, ns). A
camera's MediaPipe graphs are its own, so their workers run only inside its calls; the shared
detector is measured inside its lock, so another camera's detector call is never charged here.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TASKS = Path("/proc/self/task")


def rss_mb() -> float:
    """This process's resident memory (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tids() -> set[int]:
    return {int(p.name) for p in TASKS.iterdir()}


def thread_cpu_s(tid: int) -> float:
    """CPU seconds of one thread (schedstat: ns on the CPU; 0 once the thread has gone)."""
    try:
        return int((TASKS / str(tid) / "schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def threads_cpu_s(ids: set[int] | frozenset[int]) -> float:
    return sum(thread_cpu_s(t) for t in ids)


class StageCpu:
    """CPU seconds and calls per stage of one camera (thread-safe: the stats are read from another thread)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.inline = 0.0  # the part spent on the calling (analysis) thread, over all stages
        self._lock = threading.Lock()

    def add(self, stage: str, cpu_s: float, inline_s: float | None = None) -> None:
        with self._lock:
            self.cpu[stage] += cpu_s
            self.calls[stage] += 1
            self.inline += cpu_s if inline_s is None else inline_s

    def snapshot(self) -> tuple[dict[str, float], dict[str, int], float]:
        with self._lock:
            return dict(self.cpu), dict(self.calls), self.inline


class MeteredModel:
    """A per-camera model (pose/face/hands): `process` is charged to `stage`."""

    def __init__(self, model: Any, workers: set[int], meter: StageCpu, stage: str) -> None:
        self.model, self.workers, self.meter, self.stage = model, frozenset(workers), meter, stage

    def process(self, *args: Any, **kwargs: Any) -> Any:
        t0, w0 = time.thread_time(), threads_cpu_s(self.workers)
        try:
            return self.model.process(*args, **kwargs)
        finally:
            own = time.thread_time() - t0
            self.meter.add(self.stage, own + threads_cpu_s(self.workers) - w0, own)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


class MeteredDetector:
    """One camera's view of the shared LockedDetector: a full-frame call is `people`, a crop `detector`."""

    def __init__(self, locked: Any, workers: set[int], meter: StageCpu) -> None:
        self.locked, self.workers, self.meter = locked, frozenset(workers), meter

    @property
    def labels(self) -> list[str]:
        return self.locked.labels

    def _call(self, stage: str, name: str, *args: Any, **kwargs: Any) -> Any:
        with self.locked._lock:  # measured inside the lock: no other camera's call runs on these workers
            det = self.locked._get()
            t0, w0 = time.thread_time(), threads_cpu_s(self.workers)
            try:
                return getattr(det, name)(*args, **kwargs)
            finally:
                own = time.thread_time() - t0
                self.meter.add(stage, own + threads_cpu_s(self.workers) - w0, own)

    def detect(self, frame: Any, roi: Any = None, **kwargs: Any) -> Any:
        return self._call("people" if roi is None else "detector", "detect", frame, roi=roi, **kwargs)


def new_workers(build: Any) -> tuple[Any, set[int]]:
    """Run `build()` and return its result and the threads it started (Python-named threads excluded)."""
    before = tids()
    out = build()
    named = {t.native_id for t in threading.enumerate()}
    return out, tids() - before - named
