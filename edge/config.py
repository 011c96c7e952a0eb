"""The edge box's YAML config (`counterwatch edge run --config EDGE.yaml`), validated with pydantic.

Errors name the file, the field and the fix (see `load_edge_config`). Relative paths in the file
(counter files, spool, snapshots, TLS files, video files) are resolved against the file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator

from counterwatch.configfile import load_yaml_model


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrokerConfig(Strict):
    url: str = "mqtt://127.0.0.1:1883"  # mqtt://host:port or mqtts://host:port (TLS)
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None  # CA that signed the broker's certificate (mqtts://)
    cert_file: str | None = None  # client certificate, for brokers that require one
    key_file: str | None = None
    keepalive_s: int = Field(15, ge=5, le=600)  # the Last Will fires after ~1.5x this without traffic
    embedded: bool = False  # start an in-process amqtt broker at `url` (the demo: no broker installed)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        u = urlparse(v)
        if u.scheme not in ("mqtt", "mqtts") or not u.hostname:
            raise ValueError("broker url must look like mqtt://HOST:PORT or mqtts://HOST:PORT")
        return v

    @property
    def tls(self) -> bool:
        return urlparse(self.url).scheme == "mqtts"

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlparse(self.url).port or (8883 if self.tls else 1883)


class SpoolConfig(Strict):
    path: str = "edge-spool.sqlite"
    max_messages: int = Field(100_000, ge=10)  # full policy: see edge/spool.py and docs/edge.md


class SnapshotConfig(Strict):
    dir: str = "snapshots"
    blur_faces: bool = True  # privacy default; set false only where the site's rules allow it
    max_mb: float = Field(500.0, gt=0)
    max_age_h: float = Field(72.0, gt=0)
    publish: bool = True  # also publish the JPEG on the snapshot topic
    jpeg_quality: int = Field(80, ge=30, le=100)


class CameraConfig(Strict):
    counter: str  # path of the counter calibration YAML (calibration/config.py)
    source: str | int | None = None  # file, rtsp://, USB index, or frames dir; default: the counter file's
    loop: bool = True  # for a file source: loop it (a demo) or play it once
    fps: float = Field(5.0, gt=0, le=60)  # analysis rate
    stall_s: float = Field(5.0, gt=0)  # no frame for this long: reconnect
    reconnect_max_s: float = Field(1.0, gt=0, le=60)  # backoff cap; 1 s keeps a camera's return under 5 s
    realtime: bool = True  # file/dir sources: pace decoding at the clip's frame rate
    # Every frame is decoded (H.264 needs it) but only the frames analysis asks for are converted to BGR,
    # plus retrieve_fps per second in the background (the watchdog and snapshots see a recent frame even
    # when analysis lags). 0 = convert every decoded frame.
    retrieve_fps: float = Field(1.0, ge=0)


class EdgeConfig(Strict):
    hall_id: str = "hall"
    edge_id: str = "edge"
    broker: BrokerConfig = Field(default_factory=BrokerConfig)
    spool: SpoolConfig = Field(default_factory=SpoolConfig)
    snapshots: SnapshotConfig = Field(default_factory=SnapshotConfig)
    cameras: list[CameraConfig] = Field(min_length=1)
    # "module:function" returning a CounterPipeline for a CounterConfig; default pipelines.pipeline.
    pipeline_factory: str | None = None
    stats_interval_s: float = Field(10.0, gt=0)
    # Camera analyses that may run at once (None: one per usable core; 0: no limit). More than the cores
    # only adds contention: MediaPipe and TFLite already use several threads per call.
    max_parallel_analyses: int | None = Field(None, ge=0)
    # PipelineSettings overrides for every camera's pipeline (pipelines/pipeline.py), e.g. {pose_complexity: 0}
    # on a box that must carry more cameras (see docs/performance.md: what each costs, what it changes).
    pipeline_settings: dict[str, Any] = Field(default_factory=dict)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("edge_id", "hall_id")
    @classmethod
    def _topic_safe(cls, v: str) -> str:
        if not v or any(c in v for c in "/+#"):
            raise ValueError("must be non-empty and contain none of / + # (it becomes part of MQTT topics)")
        return v


class EdgeConfigError(ValueError):
    """An edge config file that does not validate. The message names file, field and fix."""


def load_edge_config(path: str | Path) -> EdgeConfig:
    path = Path(path)
    cfg = load_yaml_model(path, EdgeConfig, EdgeConfigError, "edge YAML file (see docs/edge.md)")
    if cfg.pipeline_settings:
        from edge.pipeline import make_settings

        try:
            make_settings(cfg.pipeline_settings, cfg.pipeline_factory)
        except ValueError as exc:
            raise EdgeConfigError(f"{path}: {exc}") from None
    return resolve_paths(cfg, path.parent)


def resolve_paths(cfg: EdgeConfig, base: Path) -> EdgeConfig:
    """Make relative paths relative to the config file's folder, and check the ones that must exist."""

    def res(p: str | None) -> str | None:
        return None if p is None or "://" in p or Path(p).is_absolute() else str((base / p).resolve())

    b = cfg.broker
    b.ca_file, b.cert_file, b.key_file = res(b.ca_file), res(b.cert_file), res(b.key_file)
    for name in ("ca_file", "cert_file", "key_file"):
        p = getattr(b, name)
        if p and not Path(p).exists():
            raise EdgeConfigError(f"field 'broker.{name}': {p} does not exist. Fix: correct the path.")
    if b.tls and (b.cert_file is None) != (b.key_file is None):
        raise EdgeConfigError("field 'broker.cert_file'/'key_file': give both or neither.")
    cfg.spool.path = res(cfg.spool.path) or cfg.spool.path
    cfg.snapshots.dir = res(cfg.snapshots.dir) or cfg.snapshots.dir
    for i, cam in enumerate(cfg.cameras):
        cam.counter = res(cam.counter) or cam.counter
        if not Path(cam.counter).exists():
            raise EdgeConfigError(
                f"field 'cameras.{i}.counter': {cam.counter} does not exist. "
                "Fix: give the path of the counter's calibration YAML (relative to the edge config)."
            )
        if isinstance(cam.source, str) and not cam.source.isdigit():
            cam.source = res(cam.source) or cam.source
    return cfg
