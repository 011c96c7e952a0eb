"""`counterwatch edge run` as a real process against a real Mosquitto: SIGKILL mid-stream loses nothing
that was spooled, the Last Will `offline` appears on a kill, SIGTERM flushes and publishes `stopped`."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge import topics
from tests.test_edge_fakes import REPO, make_clip, write_counter, write_edge_config
from tests.test_edge_mqtt import Subscriber, wait_for

pytestmark = pytest.mark.mqtt


def start_edge(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # so the config's tests.* pipeline factory imports
    return subprocess.Popen([sys.executable, "-m", "counterwatch.cli", "edge", "run", "--config", str(config)],
                            cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


@pytest.fixture
def edge_setup(tmp_path, mosquitto):
    clip = make_clip(tmp_path / "clip.mp4", seconds=3)
    cams = [{"counter": str(write_counter(tmp_path / f"{c}.yaml", c)), "source": str(clip), "fps": 20}
            for c in ("c1", "c2")]
    return write_edge_config(tmp_path, mosquitto.url, cams), tmp_path / "edge.log"


def spooled_rows(path: Path) -> list[dict]:
    """The event messages waiting in the spool (evidence JPEGs wait there too)."""
    with sqlite3.connect(path) as db:
        return [json.loads(p) for (p,) in db.execute("SELECT payload FROM spool WHERE kind != 'snapshot' ORDER BY seq")]


def test_sigkill_mid_stream_loses_nothing_spooled(edge_setup, mosquitto, tmp_path):
    config, log = edge_setup
    sub = Subscriber(mosquitto.host, mosquitto.port, [topics.ALL_EVENTS])
    edge = start_edge(config, log)
    try:
        assert wait_for(lambda: len(sub.events()) >= 20, 30), log.read_text()
        mosquitto.stop()  # the broker goes away: new events pile up in the spool only
        time.sleep(1.5)
        edge.send_signal(signal.SIGKILL)
        edge.wait(10)
        first_pid = edge.pid
        left = spooled_rows(tmp_path / "spool.sqlite")
        assert len(left) >= 10, "the outage should have left events in the spool"
        mosquitto.start()
        edge = start_edge(config, log)  # the restarted edge replays the spool first
        last_n = {c: max(r["evidence"]["n"] for r in left if r["counter_id"] == c) for c in ("c1", "c2")}

        def run1_complete() -> bool:
            got = {c: {e.evidence["n"] for e in sub.events() if e.counter_id == c and e.evidence["pid"] == first_pid}
                   for c in last_n}
            return all(got[c] >= set(range(last_n[c] + 1)) for c in last_n)

        assert wait_for(run1_complete, 30), log.read_text()[-3000:]
    finally:
        edge.kill()
        edge.wait(10)
        sub.close()


def test_last_will_offline_on_kill_and_stopped_on_sigterm(edge_setup, mosquitto, tmp_path):
    config, log = edge_setup
    avail = topics.availability("hall1", "edge-t")
    sub = Subscriber(mosquitto.host, mosquitto.port, [avail, topics.ALL_STATUS], client_id="avail-sub")
    edge = start_edge(config, log)
    try:
        assert wait_for(lambda: sub.payloads(avail)[-1:] == [b"online"], 30), log.read_text()
        edge.send_signal(signal.SIGKILL)
        edge.wait(10)
        assert wait_for(lambda: sub.payloads(avail)[-1:] == [b"offline"], 10), mosquitto.log()[-2000:]

        edge = start_edge(config, log)
        assert wait_for(lambda: sub.payloads(avail)[-1:] == [b"online"], 30)
        assert wait_for(lambda: len(sub.payloads(topics.status("hall1", "c1"))) >= 1, 10)
        time.sleep(0.5)
        edge.send_signal(signal.SIGTERM)
        assert edge.wait(20) == 0
        assert wait_for(lambda: sub.payloads(avail)[-1:] == [b"stopped"], 5)
        assert spooled_rows(tmp_path / "spool.sqlite") == []  # flushed before `stopped`
    finally:
        if edge.poll() is None:
            edge.kill()
            edge.wait(10)
        sub.close()
