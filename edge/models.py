"""Models the runtime shares across the cameras of one edge box.

`pipelines.pipeline.make_pipeline(counter, models=shared)` uses what `shared` holds and loads the
object detector into it when missing, so every pipeline given the same dict shares one; the MediaPipe
graphs are loaded per pipeline and never put in it. Only stateless models may be shared: the MediaPipe pose, hands
and face graphs run in video mode, which tracks one person from frame to frame, so each camera
needs its own. The object detector (TFLite SSD) is stateless, but one interpreter must not run two
inferences at once, so the shared one is behind a lock (the analysis threads take turns; on a small
box the detector's own threads use the cores anyway).
"""

from __future__ import annotations

import threading
from typing import Any


class LockedDetector:
    """One detector for every camera, loaded on first use; `detect` calls are serialised."""

    def __init__(self, model_id: str, threads: int = 2) -> None:
        self.model_id = model_id
        self.threads = threads
        self._lock = threading.Lock()
        self._detector: Any = None

    def _get(self) -> Any:
        if self._detector is None:
            from vision.detector import load_detector

            self._detector = load_detector(self.model_id, threads=self.threads)
        return self._detector

    @property
    def labels(self) -> list[str]:
        """The detector's class names (the pipeline asks whether it knows a class before cropping for it)."""
        return self._get().labels

    def detect(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._get().detect(*args, **kwargs)


def default_shared_models(detector_threads: int = 2, detector_model: str | None = None) -> dict[str, Any]:
    """What the default pipeline can share: the object detector of its settings (`detector_model`, default
    PipelineSettings'). (1 vs 2 TFLite threads measured the same CPU per frame; 2 gives the shorter
    detector latency.)"""
    from pipelines.pipeline import PipelineSettings

    return {"detector": LockedDetector(detector_model or PipelineSettings().detector_model, detector_threads)}
