"""The roster: which staff member works at which counter and when. Scores reach people only
through it (never through face recognition).

Two sources: a CSV import (planned shifts) and the evaluator-pad login/logout messages on
`counterwatch/{hall}/{counter}/staff` (pipelines.messages.StaffLogin), applied idempotently so a
retained or duplicated login changes nothing.

CSV columns (header required): hall_id, counter_id, staff_id, start, end[, staff_name]
`start`/`end` are ISO 8601 date-times (a time without zone is read in the given timezone) or unix
seconds; `end` may be empty for an open span.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from dashboards import tables as t
from dashboards.store import Store
from pipelines.messages import StaffLogin

REQUIRED = ("hall_id", "counter_id", "staff_id", "start", "end")


class RosterError(ValueError):
    """A roster CSV that cannot be imported; the message names the file and the line."""


@dataclass(slots=True)
class Span:
    hall_id: str
    counter_id: str
    staff_id: str
    start_time: float
    end_time: float | None
    staff_name: str | None = None


def parse_time(text: str, tz: ZoneInfo) -> float:
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    value = datetime.fromisoformat(text)  # ValueError names the bad text
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.timestamp()


def read_csv(path: Path, timezone: str = "Asia/Shanghai") -> list[Span]:
    """Parse a roster CSV; RosterError names the line and the column of the first problem."""
    tz = ZoneInfo(timezone)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read the roster CSV ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(
            f"{path}:1: missing column(s) {', '.join(missing)}; the header must name {', '.join(REQUIRED)}"
            " [, staff_name]"
        )
    spans: list[Span] = []
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        for col in ("hall_id", "counter_id", "staff_id", "start"):
            if not row.get(col):
                raise RosterError(f"{path}:{line}: column '{col}' is empty")
        try:
            start = parse_time(row["start"], tz)
        except ValueError:
            raise RosterError(
                f"{path}:{line}: start '{row['start']}' is not a date-time (use 2025-03-01T08:30 or unix seconds)"
            ) from None
        end: float | None = None
        if row.get("end"):
            try:
                end = parse_time(row["end"], tz)
            except ValueError:
                raise RosterError(
                    f"{path}:{line}: end '{row['end']}' is not a date-time (use 2025-03-01T17:30 or unix seconds)"
                ) from None
            if end <= start:
                raise RosterError(f"{path}:{line}: end {row['end']} is not after start {row['start']}")
        name = row.get("staff_name") or None
        spans.append(Span(row["hall_id"], row["counter_id"], row["staff_id"], start, end, name))
    return spans


def import_spans(store: Store, spans: list[Span], source: str = "csv") -> int:
    """Insert spans (an identical span already stored is skipped); returns the number inserted."""
    rows = [
        {"hall_id": s.hall_id, "counter_id": s.counter_id, "staff_id": s.staff_id, "staff_name": s.staff_name,
         "start_time": s.start_time, "end_time": s.end_time, "source": source}
        for s in spans
    ]
    inserted = 0
    stmt = store._insert_roster_ignore.returning(t.roster.c.id)  # rowcount is not reliable with RETURNING
    with store.engine.begin() as conn:
        for row in rows:
            inserted += len(conn.execute(stmt, row).all())
    return inserted


def apply_login(store: Store, conn: Connection, hall_id: str, msg: StaffLogin) -> None:
    """Apply an evaluator-pad login/logout. Idempotent: replays and retained copies change nothing.

    A login closes any other open pad span at that counter, then opens one for the staff member;
    a logout closes the staff member's open span that began before it.
    """
    r = t.roster.c
    if msg.action == "login":
        conn.execute(
            update(t.roster)
            .where(r.hall_id == hall_id, r.counter_id == msg.counter_id, r.source == "pad",
                   r.end_time.is_(None), r.start_time < msg.time)
            .values(end_time=msg.time)
        )
        # A later login at this counter already closes this span at its own time.
        later = conn.execute(
            select(r.start_time)
            .where(r.hall_id == hall_id, r.counter_id == msg.counter_id, r.source == "pad", r.start_time > msg.time)
            .order_by(r.start_time)
            .limit(1)
        ).scalar_one_or_none()
        conn.execute(
            store._insert_roster_ignore,
            {"hall_id": hall_id, "counter_id": msg.counter_id, "staff_id": msg.staff_id, "staff_name": None,
             "start_time": msg.time, "end_time": later, "source": "pad"},
        )
    else:
        conn.execute(
            update(t.roster)
            .where(
                r.hall_id == hall_id, r.counter_id == msg.counter_id, r.staff_id == msg.staff_id, r.source == "pad",
                r.start_time <= msg.time, or_(r.end_time.is_(None), and_(r.end_time > msg.time)),
            )
            .values(end_time=msg.time)
        )


def spans_for(store: Store, hall_id: str, since: float, until: float) -> list[dict[str, Any]]:
    return store.roster_spans(hall_id, since, until)
