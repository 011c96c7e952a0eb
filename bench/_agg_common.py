"""What the aggregator benches share (bench-only code): a Mosquitto of their own, throw-away databases,
bench publishers, worker processes and the CPU time of other processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CW = str(Path(sys.executable).with_name("counterwatch"))


def start_mosquitto(workdir: Path) -> tuple[subprocess.Popen, int]:
    """Mosquitto on a free local port with unbounded per-session queues (in memory)."""
    from edge.embedded import free_port

    port = free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text("\n".join([
        f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false",
        "max_queued_messages 0", "max_queued_bytes 0", "max_inflight_messages 1000", "log_type error",
        f"log_dest file {workdir / 'mosquitto.log'}",
        "user root" if os.geteuid() == 0 else "",
    ]) + "\n")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc, port


class Databases:
    """A database per case: a SQLite file in `workdir`, or a new database on one throw-away PostgreSQL
    server (started on first use, from Debian's binaries: tests/fixtures/postgres.py)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pg: Any = None

    def url(self, backend: str, sqlite_name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.workdir / sqlite_name}"
        if self.pg is None:
            from tests.fixtures.postgres import start_postgres

            self.pg = start_postgres()
        return self.pg.create_database()

    def close(self) -> None:
        if self.pg is not None:
            self.pg.stop()
            shutil.rmtree(self.pg.root, ignore_errors=True)


@contextmanager
def bench_servers(prefix: str) -> Iterator[tuple[Path, subprocess.Popen, int, Databases]]:
    """A temporary work folder, Mosquitto on it and the Databases; all stopped and removed on exit."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        broker, port = start_mosquitto(workdir)
        dbs = Databases(workdir)
        try:
            yield workdir, broker, port, dbs
        finally:
            broker.terminate()
            broker.wait()
            dbs.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def publisher(port: int, client_id: str) -> Any:
    """A connected MQTT 5 bench publisher (network loop running) that may have 1000 QoS 1 messages in
    flight and queues the rest without limit."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def spawn_worker(config: Path, config_yaml: str, log_path: Path) -> tuple[subprocess.Popen, Any, Path]:
    """`counterwatch aggregator run` on `config_yaml` (written to `config`), logging to `log_path`."""
    config.write_text(config_yaml)
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([CW, "aggregator", "run", "--config", str(config)], stdout=log, stderr=log), log, log_path


def wait_connected(procs: list[tuple[subprocess.Popen, Any, Path]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all("connected to" in p[2].read_text() for p in procs):
            return
        time.sleep(0.1)
    raise RuntimeError("workers did not connect: " + " | ".join(p[2].read_text()[-400:] for p in procs))


def proc_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds (user + system) of a live process (0 once it has gone), plus its reaped children's
    when asked."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")
