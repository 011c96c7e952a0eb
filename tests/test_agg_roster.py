"""Roster: CSV import (errors name the line), evaluator-pad login/logout hook, retention prune."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboards.ingest import Ingestor
from dashboards.retention import prune
from dashboards.roster import RosterError, read_csv
from dashboards.store import Store
from pipelines.events import Event
from pipelines.messages import StaffLogin, encode

GOOD = """hall_id,counter_id,staff_id,start,end,staff_name
hall1,c05,s-li,2025-03-03T08:00,2025-03-03T12:00,李明
hall1,c05,s-wang,2025-03-03T12:00,,王芳
hall1,c06,s-zhao,1741000000,1741020000,
"""


@pytest.mark.parametrize("text, where, what", [
    ("hall_id,counter_id,start,end\nhall1,c05,x,y\n", ":1:", "staff_id"),
    (GOOD + "hall1,c07,s-x,yesterday,,\n", ":5:", "start 'yesterday'"),
    (GOOD + "hall1,c07,s-x,2025-03-03T09:00,2025-03-03T08:00,\n", ":5:", "not after start"),
    (GOOD.replace("hall1,c06,s-zhao", "hall1,,s-zhao"), ":4:", "'counter_id' is empty"),
])
def test_csv_errors_name_the_line(tmp_path: Path, text: str, where: str, what: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_csv(path)
    assert f"{path}{where}" in str(err.value) and what in str(err.value)


def test_csv_import_command_and_lookup(db_url: str, tmp_path: Path) -> None:
    from counterwatch.cli import app

    path = tmp_path / "roster.csv"
    path.write_text(GOOD, encoding="utf-8")
    args = ["aggregator", "roster", "import", str(path), "--db", db_url]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0 and "3 span(s) read, 3 new" in out.output, out.output
    assert "0 new" in CliRunner().invoke(app, args).output  # re-import is idempotent
    store = Store.open(db_url)
    nine = 1740960000.0 + 3600  # 2025-03-03 09:00 +08:00
    assert store.staff_at("hall1", "c05", nine) == "s-li"
    assert store.staff_at("hall1", "c05", nine + 5 * 3600) == "s-wang"
    assert store.staff_at("hall1", "c06", 1741000000.0 + 10) == "s-zhao"
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "hall1,c07,s-x,soon,,\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["aggregator", "roster", "import", str(bad), "--db", db_url])
    assert out.exit_code == 2 and f"{bad}:5:" in out.output


def test_pad_logins_are_idempotent_and_close_spans(db_url: str) -> None:
    store = Store.open(db_url)
    ing = Ingestor(store)
    topic = "counterwatch/hall1/c05/staff"
    msgs = [StaffLogin("c05", "s-li", "login", 1000.0), StaffLogin("c05", "s-wang", "login", 2000.0),
            StaffLogin("c05", "s-wang", "logout", 3000.0)]
    items = [(topic, encode(m), 0.0, None) for m in msgs]
    ing.handle_batch(items)
    ing.handle_batch(items[:2])  # a retained login redelivered on reconnect
    spans = [(s["staff_id"], s["start_time"], s["end_time"]) for s in store.roster_spans("hall1")]
    assert spans == [("s-li", 1000.0, 2000.0), ("s-wang", 2000.0, 3000.0)]
    assert store.staff_at("hall1", "c05", 1500.0) == "s-li"
    assert store.staff_at("hall1", "c05", 3500.0) is None
    # a login arriving late (after a later one was stored) ends where the later one starts
    ing.handle_batch([(topic, encode(StaffLogin("c05", "s-zhao", "login", 500.0)), 0.0, None)])
    assert store.roster_spans("hall1")[0] == {**store.roster_spans("hall1")[0], "staff_id": "s-zhao",
                                              "start_time": 500.0, "end_time": 1000.0}


def test_prune_removes_old_events_samples_and_snapshots(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    now = time.time()
    old = Event.open("phone.use", "c05", now - 40 * 86400, hall_id="hall1").next("end", end_time=now - 40 * 86400 + 60)
    new = Event.open("phone.use", "c05", now - 86400, hall_id="hall1")
    ing = Ingestor(store, snapshot_dir=tmp_path / "snaps")
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 100
    ing.handle_batch([("counterwatch/hall1/c05/events", e.to_json().encode(), now, None) for e in (old, new)]
                     + [("counterwatch/hall1/c05/snapshot/old-1", jpeg, now, None),
                        ("counterwatch/hall1/c05/snapshot/new-1", jpeg, now, None),
                        ("counterwatch/hall1/c05/events", b"junk", now - 40 * 86400, None)])
    old_snap = tmp_path / "snaps/hall1/c05/old-1.jpg"
    assert old_snap.exists()
    os.utime(old_snap, (now - 40 * 86400, now - 40 * 86400))
    store.follow_up(old.id, "confirm", actor="mgr1")
    counts = prune(store, 30 * 86400, tmp_path / "snaps", now=now)
    assert counts == {"events": 1, "followup_log": 1, "reject_samples": 1, "roster": 0, "snapshots": 1}
    assert [r.id for r in store.events()] == [new.id]
    assert not old_snap.exists() and (tmp_path / "snaps/hall1/c05/new-1.jpg").exists()
