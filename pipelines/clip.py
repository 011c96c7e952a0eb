"""Analyse a video file with the full pipeline: frames → Observations (optionally recorded) → Events.

The recording is written to a temporary file beside the target and renamed only when the whole clip
was analysed, so a failure never leaves half a stream behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calibration.config import CounterConfig, default_counter, load_counter
from pipelines.events import Event
from pipelines.messages import QueueCall, TerminalState
from pipelines.pipeline import CounterPipelineImpl, PipelineSettings
from vision.observation import Observation


class ClipError(ValueError):
    """A clip that cannot be opened or decoded; names the file and the fix."""


@dataclass
class ClipResult:
    clip: str
    counter: CounterConfig
    frames: int = 0
    fps: float = 0.0
    events: list[tuple[float, Event]] = field(default_factory=list)  # (emitted at clip time, message)
    observations: list[Observation] = field(default_factory=list)


def probe(path: str | Path) -> tuple[Any, float, int, int, int]:
    """(capture, fps, frame count, width, height); ClipError when the file is not a decodable video."""
    import cv2

    p = Path(path)
    if not p.exists():
        raise ClipError(f"{p}: file not found. Fix: pass the path of a video clip (mp4, avi, mkv).")
    cap = cv2.VideoCapture(str(p))
    ok = cap.isOpened()
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if not ok or w <= 0 or h <= 0:
        cap.release()
        raise ClipError(
            f"{p}: cannot be decoded as video (OpenCV/FFmpeg could not open it). "
            "Fix: check the file is a complete video (`ffprobe FILE`), or re-encode it (`ffmpeg -i FILE out.mp4`)."
        )
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    return cap, float(fps), n, w, h


def counter_for(path: str | Path | None, width: int, height: int) -> CounterConfig:
    """The counter file, or the defaults for a camera facing one clerk at this frame size."""
    return load_counter(path) if path else default_counter(width, height)


def analyze_clip(
    clip: str | Path,
    counter_path: str | Path | None = None,
    inbound: Iterable[QueueCall | TerminalState] = (),
    record: str | Path | None = None,
    analyse_fps: float = 10.0,
    settings: PipelineSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
    shared_models: dict[str, Any] | None = None,
    keep_observations: bool = False,
) -> ClipResult:
    cap, fps, n, w, h = probe(clip)
    pipe: CounterPipelineImpl | None = None
    try:
        counter = counter_for(counter_path, w, h)
        pipe = CounterPipelineImpl(
            counter, shared_models=shared_models, settings=settings, wall_clock=False,
            source=str(counter_path or "default counter"),
        )
        step = max(1, round(fps / analyse_fps)) if analyse_fps > 0 else 1
        pending = sorted(inbound, key=lambda m: m.time)
        result = ClipResult(str(clip), counter, fps=fps)
        out = tmp = None
        if record:
            target = Path(record)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            out = os.fdopen(fd, "w", encoding="utf-8")
        try:
            i = k = 0
            while True:
                if i % step:
                    if not cap.grab():
                        break
                    i += 1
                    continue
                ok, frame = cap.read()
                if not ok:
                    break
                t = i / fps
                while k < len(pending) and pending[k].time <= t:
                    msg = pending[k]
                    pipe.on_call(msg) if isinstance(msg, QueueCall) else pipe.on_terminal(msg)
                    k += 1
                obs, events, _ = pipe.process(frame, t)
                result.events += [(t, e) for e in events]
                if out is not None:
                    out.write(obs.to_json() + "\n")
                if keep_observations:
                    result.observations.append(obs)
                result.frames += 1
                i += 1
                if progress:
                    progress(i, n)
            if result.frames == 0:
                raise ClipError(
                    f"{clip}: no frame could be decoded. Fix: check the file with `ffprobe`, or re-encode it."
                )
            end_t = (i - 1) / fps if i else 0.0
            result.events += [(end_t, e) for e in pipe.finish()]
            if out is not None:
                out.close()
                os.replace(tmp, record)  # type: ignore[arg-type]
                out = tmp = None
        finally:
            if out is not None:
                out.close()
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
        return result
    finally:
        cap.release()
        if pipe is not None:
            pipe.close()
