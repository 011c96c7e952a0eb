"""Per-stage wall-clock timing, used to fill Observation.timings_ms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageTimer:
    """Records milliseconds per named stage; a stage timed twice in one frame accumulates."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - start) * 1000.0

    def reset(self) -> None:
        self.ms = {}

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.ms.items()}
