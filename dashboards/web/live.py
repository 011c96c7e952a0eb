"""Live updates for the board: one poller per app watches the database and fans changes out to the
server-sent-event streams.

Polling the database (every `interval_s`, only while someone watches) rather than hooking into
ingest means the board sees what every ingest worker stored, in this process or another one, on
SQLite or PostgreSQL alike. A short look-back window with de-duplication covers batches that
commit a little after their `updated_at` stamp.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dashboards import tables as t
from dashboards.store import EventRow, Store

log = logging.getLogger("counterwatch.board")

LOOKBACK_S = 5.0


@dataclass
class Change:
    kind: str  # event / followup / status / availability
    hall_id: str
    data: dict[str, Any]


@dataclass
class _Cursor:
    events_at: float = field(default_factory=time.time)
    status_at: float = field(default_factory=time.time)
    avail_at: float = field(default_factory=time.time)
    followup_id: int = 0
    seen: dict[tuple[str, str], tuple[Any, float]] = field(default_factory=dict)  # (kind, key) → (signature, at)


class LiveFeed:
    """Polls the store and pushes Changes to every subscriber's queue."""

    def __init__(self, store: Store, serialize_event: Callable[[EventRow], dict[str, Any]],
                 interval_s: float = 0.25) -> None:
        self.store = store
        self.serialize_event = serialize_event
        self.interval_s = interval_s
        self._subscribers: set[asyncio.Queue[Change]] = set()
        self._task: asyncio.Task[None] | None = None
        self._cursor = _Cursor()
        with store.engine.connect() as c:
            last = c.execute(select(t.followup_log.c.id).order_by(t.followup_log.c.id.desc()).limit(1)).scalar()
        self._cursor.followup_id = int(last or 0)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Change]]:
        q: asyncio.Queue[Change] = asyncio.Queue(maxsize=1000)
        self._subscribers.add(q)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            yield q
        finally:
            self._subscribers.discard(q)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._subscribers:
            try:
                changes = await loop.run_in_executor(None, self.poll)
            except Exception:  # a database hiccup must not end the stream
                log.exception("board poll failed")
                changes = []
            for change in changes:
                for q in list(self._subscribers):
                    if q.full():  # a stalled client: drop its oldest rather than block everyone
                        with contextlib.suppress(asyncio.QueueEmpty):
                            q.get_nowait()
                    q.put_nowait(change)
            await asyncio.sleep(self.interval_s)

    def poll(self) -> list[Change]:
        """The changes since the last poll (public so tests and other servers can drive it)."""
        cur, now, out = self._cursor, time.time(), []
        ev, st, av, fl = t.events.c, t.counter_status.c, t.edge_availability.c, t.followup_log.c
        with self.store.engine.connect() as c:
            ev_rows = c.execute(
                select(t.events).where(ev.updated_at > cur.events_at - LOOKBACK_S).order_by(ev.updated_at)
            ).all()
            st_rows = c.execute(select(t.counter_status).where(st.updated_at > cur.status_at - LOOKBACK_S)).all()
            av_rows = c.execute(select(t.edge_availability).where(av.updated_at > cur.avail_at - LOOKBACK_S)).all()
            fl_rows = c.execute(select(t.followup_log).where(fl.id > cur.followup_id).order_by(fl.id)).all()
        for r in ev_rows:
            row = EventRow(**r._mapping)
            if self._fresh("event", row.id, (row.revision,), row.updated_at):
                out.append(Change("event", row.hall_id, self.serialize_event(row)))
            cur.events_at = max(cur.events_at, row.updated_at)
        for r in st_rows:
            d = dict(r._mapping)
            if self._fresh("status", f"{d['hall_id']}/{d['counter_id']}", (d["state"], d["since"], d["open_events"]),
                           d["updated_at"]):
                out.append(Change("status", d["hall_id"], d))
            cur.status_at = max(cur.status_at, d["updated_at"])
        for r in av_rows:
            d = dict(r._mapping)
            if self._fresh("availability", f"{d['hall_id']}/{d['edge_id']}", (d["state"],), d["updated_at"]):
                out.append(Change("availability", d["hall_id"], d))
            cur.avail_at = max(cur.avail_at, d["updated_at"])
        for r in fl_rows:
            cur.followup_id = max(cur.followup_id, int(r.id))
            row = self.store.event(r.event_id)
            if row is not None:
                data = self.serialize_event(row)
                data["followup"] = {"actor": r.actor, "action": r.action, "at": r.at, "comment": r.comment}
                out.append(Change("followup", row.hall_id, data))
        # Forget signatures older than the look-back window: they can no longer come back.
        horizon = now - 4 * LOOKBACK_S
        if len(cur.seen) > 5000:
            cur.seen = {k: v for k, v in cur.seen.items() if v[1] > horizon}
        return out

    def _fresh(self, kind: str, key: str, signature: tuple[Any, ...], at: float) -> bool:
        old = self._cursor.seen.get((kind, key))
        if old is not None and old[0] == signature:
            return False
        self._cursor.seen[(kind, key)] = (signature, at)
        return True


def sse(change: Change) -> str:
    """One server-sent event: `event:` names the kind, `data:` is one line of JSON."""
    return f"event: {change.kind}\ndata: {json.dumps(change.data, ensure_ascii=False, default=str)}\n\n"
