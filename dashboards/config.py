"""The aggregator's YAML configuration (`counterwatch aggregator run --config AGG.yaml`).

Example:

    broker: {url: "mqtt://localhost:1883", username: aggregator, password_file: /etc/cw/mqtt.pw}
    database_url: "sqlite:///var/lib/counterwatch/aggregator.db"
    group: aggregators
    client_id: agg-1
    retention_days: 90
    snapshot_dir: /var/lib/counterwatch/snapshots
    scoring_policy: dashboards/scoring_policy.yaml
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator

from counterwatch.configfile import load_yaml_model

DEFAULT_POLICY = Path(__file__).with_name("scoring_policy.yaml")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file, the field and the fix."""


class TlsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = Field(False, description="skip the host-name check (test brokers only)")


class BrokerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field("mqtt://localhost:1883", description="mqtt://host:port or mqtts://host:port")
    username: str | None = None
    password: str | None = None
    password_file: Path | None = Field(None, description="read the password from this file instead")
    tls: TlsConfig | None = None
    keepalive: int = Field(30, ge=5, le=3600)
    protocol: Literal["5", "3.1.1"] = "5"
    # Several batches' worth, so the broker keeps sending while a batch commits: with 2 batches of
    # 1000 in flight 2 PostgreSQL workers drained a backlog at 9-10 k msg/s, with 8 at 12-16 k
    # (same CPU per message; docs/performance.md).
    receive_maximum: int = Field(
        8000, ge=1, le=65535,
        description="QoS 1 messages in flight to this worker (MQTT 5); keep it several times batch_size",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parsed.hostname:
            raise ValueError(f"'{value}' is not a broker URL; write mqtt://HOST:PORT or mqtts://HOST:PORT")
        return value

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or "localhost"

    @property
    def port(self) -> int:
        parsed = urlparse(self.url)
        return parsed.port or (8883 if self.use_tls else 1883)

    @property
    def use_tls(self) -> bool:
        return urlparse(self.url).scheme in ("mqtts", "ssl") or self.tls is not None

    def resolved_password(self) -> str | None:
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        return self.password


class AggregatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    broker: BrokerConfig = BrokerConfig()
    database_url: str = Field("sqlite:///counterwatch.db", description="SQLAlchemy URL")
    group: str = Field("counterwatch-aggregators", pattern=r"^[A-Za-z0-9_.-]+$",
                       description="shared-subscription group: workers in one group split the events")
    shared_subscription: bool = Field(
        True, description="events through $share/<group>/; off for one worker on a broker without $share (amqtt)"
    )
    client_id: str = Field("counterwatch-aggregator", pattern=r"^[A-Za-z0-9_.-]+$",
                           description="unique per worker; it names the persistent session")
    session_expiry_s: int = Field(7 * 24 * 3600, ge=0, description="how long the broker keeps our queue")
    retention_days: float = Field(180, gt=0)
    snapshot_dir: Path | None = Field(None, description="where snapshot JPEGs are stored; none = not kept")
    scoring_policy: Path = DEFAULT_POLICY
    max_payload_bytes: int = Field(64 * 1024, ge=256)
    max_snapshot_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    batch_size: int = Field(500, ge=1, le=5000)
    batch_wait_ms: int = Field(50, ge=1, le=5000)
    queue_size: int = Field(50_000, ge=100)
    prune_every_s: float = Field(3600, ge=0, description="run retention this often while running; 0 = never")
    reject_samples_per_reason: int = Field(50, ge=0, description="rejected payloads kept per reason")


def load_config(path: Path) -> AggregatorConfig:
    """Read and validate an aggregator YAML file; ConfigError names the file and the bad field."""
    cfg = load_yaml_model(path, AggregatorConfig, ConfigError, "aggregator config")
    # Relative paths are relative to the config file, so a config works from any directory.
    base = path.parent
    if not cfg.scoring_policy.is_absolute() and cfg.scoring_policy != DEFAULT_POLICY:
        cfg.scoring_policy = base / cfg.scoring_policy
    if cfg.snapshot_dir is not None and not cfg.snapshot_dir.is_absolute():
        cfg.snapshot_dir = base / cfg.snapshot_dir
    return cfg
