"""A slow perception stage run off the camera's analysis thread (the edge runtime's desk stage).

In service a desk run (100-250 ms wall, every `desk_every` analysed frames) held one of the box's analysis slots
(edge/runtime.py), and the other cameras' ticks queued behind it: 8 cameras at 5 fps lost 0.27 ticks a
camera-second by running over a period late (docs/performance.md, session 27). Here the run takes the CPU the
per-frame path leaves (its thread is niced), one run at a time per camera; its result joins the first observation
analysed after it is done. Offline (`counterwatch analyze`, `eval`) the stage stays inline, so that recorded streams
replay exactly.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger("counterwatch.pipeline")


def _lower_priority(nice: int) -> None:
    """Raise this thread's nice value (Linux schedules threads as tasks; elsewhere nothing happens)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


def _timed(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Any, float]:
    t0 = time.perf_counter()
    return fn(*args, **kwargs), (time.perf_counter() - t0) * 1000


class BackgroundStage:
    """At most one run of a stage at a time on its own niced thread; `take` hands over a finished run once."""

    def __init__(self, name: str, nice: int = 10) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name, initializer=_lower_priority,
                                        initargs=(nice,))
        self._job: Future | None = None
        self._t = 0.0
        self.failures = 0

    def busy(self) -> bool:
        """A run is under way (its inputs may be in use: what shares them must wait or skip)."""
        return self._job is not None and not self._job.done()

    def submit(self, at: float, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Start fn(*args, **kwargs) for the frame at stream time `at`, unless a run is still under way or its result
        not yet taken (then this frame's run is skipped: the stage runs as often as the box allows)."""
        if self._job is not None:
            return False
        self._t = at
        self._job = self._pool.submit(_timed, fn, args, kwargs)
        return True

    def take(self) -> tuple[float, Any, float] | None:
        """(stream time of the frame it ran on, its result, wall ms) once a run is done, else None. A run that
        raised is logged and dropped: the frame analysed now keeps its observation."""
        if self._job is None or not self._job.done():
            return None
        job, self._job = self._job, None
        try:
            result, ms = job.result()
        except Exception:
            self.failures += 1
            log.exception("background stage %s failed on the frame at t=%.2f", self.name, self._t)
            return None
        return self._t, result, ms

    def close(self) -> None:
        """Wait for a run under way, then stop the thread."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._job = None
