"""Durable store-and-forward spool: every outgoing event message is written here BEFORE it is published,
and deleted only when the broker acknowledges it (PUBACK). After a crash or an outage the rows left are
replayed in insertion order.

SQLite in WAL mode with synchronous=FULL: a committed row survives a SIGKILL and a power cut.

Full policy (when `max_messages` rows are waiting): drop the OLDEST `update` message first, because a
later message of the same event (higher revision) carries the whole event and supersedes it; `new` and
`end` messages are never dropped. If nothing but `new`/`end` is left, the spool grows past the bound and
every such overflow is counted (`overflow`), so the operator sees it in the stats. Drops are counted
in `dropped_updates`.

Evidence snapshots (`snapshot` rows, one JPEG per event, published just before the event's `new`) ride the
same spool, so a snapshot taken during a broker outage still reaches the aggregator. They are the first to
go: at most `max_snapshots` wait (the oldest is dropped beyond that), and a full spool drops the oldest
snapshot before any `update`. A dropped snapshot stays on the edge's disk (edge/snapshots.py); drops are
counted in `dropped_snapshots`.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class SpoolRow:
    seq: int
    topic: str
    payload: bytes
    kind: str  # new / update / end / snapshot / other
    retain: bool


class Spool:
    def __init__(self, path: str | Path, max_messages: int = 100_000, max_snapshots: int = 200) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.max_messages = max_messages
        self.max_snapshots = max_snapshots
        self.dropped_updates = 0
        self.dropped_snapshots = 0
        self.overflow = 0
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,"
            " payload BLOB NOT NULL, kind TEXT NOT NULL, retain INTEGER NOT NULL DEFAULT 0)"
        )

    def put(self, topic: str, payload: bytes, kind: str = "other", retain: bool = False) -> int:
        """Append a message durably; returns its sequence number. Applies the full policy first."""
        with self._lock:
            if kind == "snapshot" and self._count("snapshot") >= self.max_snapshots:
                self._drop_oldest("snapshot")
            if self._count() >= self.max_messages and not self._drop_oldest("snapshot") \
                    and not self._drop_oldest("update"):
                self.overflow += 1
            cur = self._db.execute(
                "INSERT INTO spool (topic, payload, kind, retain) VALUES (?, ?, ?, ?)",
                (topic, payload, kind, int(retain)),
            )
            return int(cur.lastrowid)

    def ack(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM spool WHERE seq = ?", (seq,))

    def pending(self, after: int = 0, limit: int = 1000) -> list[SpoolRow]:
        """Rows waiting for a PUBACK, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, topic, payload, kind, retain FROM spool WHERE seq > ? ORDER BY seq LIMIT ?",
                (after, limit),
            ).fetchall()
        return [SpoolRow(s, t, bytes(p), k, bool(r)) for s, t, p, k, r in rows]

    def _drop_oldest(self, kind: str) -> bool:
        cur = self._db.execute("DELETE FROM spool WHERE seq = (SELECT MIN(seq) FROM spool WHERE kind = ?)", (kind,))
        if cur.rowcount and kind == "update":
            self.dropped_updates += 1
        elif cur.rowcount:
            self.dropped_snapshots += 1
        return bool(cur.rowcount)

    def _count(self, kind: str | None = None) -> int:
        if kind is not None:
            return int(self._db.execute("SELECT COUNT(*) FROM spool WHERE kind = ?", (kind,)).fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM spool").fetchone()[0])

    def __len__(self) -> int:
        with self._lock:
            return self._count()

    def close(self) -> None:
        with self._lock:
            self._db.close()
