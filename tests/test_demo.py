"""The README's first command: the whole chain on embedded defaults, driven as a user would."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from edge.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]


def stored_events(db: Path) -> list[tuple[str, str]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as con:
        try:
            return con.execute("select counter_id, rule_id from events").fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []


@pytest.mark.slow
def test_demo_runs_the_chain_and_stops_cleanly(tmp_path):
    # the work folder given relative to the cwd, as the default var/demo is (relative camera sources once sent the edge
    # looking for the clips under the counters' folder)
    port = free_port()
    work = tmp_path / "demo"
    work.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "counterwatch.cli", "demo", "--workdir", "demo", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 900  # first run renders three clips
        while time.monotonic() < deadline and not any("Ctrl-C" in line for line in lines):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "".join(lines)
            lines.append(line)
        out = "".join(lines)
        url = re.search(r"Live board: (http://\S+)", out).group(1)
        assert re.search(r"Log in as admin with password: \S{12,}", out), out
        with urllib.request.urlopen(url + "login", timeout=10) as resp:
            assert resp.status == 200 and "CounterWatch" in resp.read().decode()

        # Each counter's clip shows one behaviour; its alert must reach the aggregator's database.
        expected = {("c01", "posture.head_on_desk"), ("c02", "post.empty"), ("c03", "posture.arms_crossed")}
        events: list[tuple[str, str]] = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not expected <= set(events):
            time.sleep(2)
            events = stored_events(work / "aggregator.db")
        assert expected <= set(events), f"missing {expected - set(events)}; stored: {events}"
        # Evidence snapshots travel with the events (faces blurred on the edge) and are kept by the aggregator.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list((work / "snapshots").rglob("*.jpg")):
            time.sleep(1)
        assert list((work / "snapshots").rglob("*.jpg")), "no snapshot reached the aggregator"
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest[-3000:]
    assert re.search(r"events stored in \S+: [1-9]\d*", rest), rest[-3000:]
