"""Test doubles and helpers for the edge tests (imported by the other tests/test_edge_*.py files).

`FakePipeline` is a deterministic stand-in for pipelines.pipeline: every `every`-th analysed frame opens
a `phone.use` event, the next frame updates it and the one after ends it. `evidence["n"]` numbers the
messages of one counter 0, 1, 2, ... (`evidence["pid"]` tells process runs apart), so a receiver can
check order and completeness.
Edge configs name it as `pipeline_factory: tests.test_edge_fakes:make_fake_pipeline`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import yaml

from calibration.config import CounterConfig
from pipelines.events import Event
from pipelines.messages import CounterStatus
from vision.observation import Observation

FAKE_FACTORY = "tests.test_edge_fakes:make_fake_pipeline"
REPO = Path(__file__).resolve().parents[1]


class FakePipeline:
    def __init__(self, counter_id: str, every: int = 1) -> None:
        self.counter_id, self.every = counter_id, every
        self.frames = 0
        self.n = 0  # messages emitted
        self.open: Event | None = None
        self.inbound: list = []

    def process(self, frame_bgr: np.ndarray, t_wall: float) -> tuple[Observation, list[Event], CounterStatus | None]:
        self.frames += 1
        obs = Observation(self.counter_id, self.frames, float(self.frames), wall_time=t_wall,
                          image_size=(frame_bgr.shape[1], frame_bgr.shape[0]), timings_ms={"fake": 0.1})
        events: list[Event] = []
        if self.open is None and self.frames % self.every == 0:
            self.open = Event.open("phone.use", self.counter_id, t_wall, evidence={"n": self.n, "pid": os.getpid()})
            events.append(self.open)
        elif self.open is not None and self.open.type == "new":
            self.open = self.open.next("update", evidence={"n": self.n, "pid": os.getpid()})
            events.append(self.open)
        elif self.open is not None:
            events.append(self.open.next("end", end_time=t_wall, evidence={"n": self.n, "pid": os.getpid()}))
            self.open = None
        self.n += len(events)
        status = CounterStatus(self.counter_id, "serving", t_wall) if self.frames == 1 else None
        return obs, events, status

    def on_queue_call(self, message) -> None:
        self.inbound.append(message)


def make_fake_pipeline(counter_cfg: CounterConfig) -> FakePipeline:
    return FakePipeline(counter_cfg.counter_id)


def make_clip(path: Path, seconds: float = 4, size: str = "320x240", rate: int = 10) -> Path:
    """A small H.264 test clip made by ffmpeg's test source."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}",
                    "-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", str(rate), str(path)],
                   check=True)
    return path


def write_counter(path: Path, counter_id: str, source: str | None = None) -> Path:
    data: dict = {"counter_id": counter_id, "hall_id": "hall1"}
    if source is not None:
        data["camera"] = {"source": source}
    path.write_text(yaml.safe_dump(data))
    return path


def write_edge_config(tmp: Path, url: str, cameras: list[dict], **extra) -> Path:
    cfg = {"hall_id": "hall1", "edge_id": "edge-t", "broker": {"url": url, "keepalive_s": 5},
           "spool": {"path": str(tmp / "spool.sqlite")}, "snapshots": {"dir": str(tmp / "snaps")},
           "pipeline_factory": FAKE_FACTORY, "stats_interval_s": 1, "cameras": cameras, **extra}
    path = tmp / "edge.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_fake_pipeline_lifecycle_is_deterministic():
    p = FakePipeline("c1")
    img = np.zeros((4, 4, 3), np.uint8)
    out = [p.process(img, float(t))[1] for t in range(6)]
    types = [e[0].type for e in out]
    assert types == ["new", "update", "end", "new", "update", "end"]
    assert [e[0].evidence["n"] for e in out] == list(range(6))
    assert out[0][0].id == out[2][0].id != out[3][0].id
    assert [e[0].revision for e in out[:3]] == [0, 1, 2]
