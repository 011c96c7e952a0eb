"""What the board shows about events and counters, as plain dicts (shared by pages, API and SSE)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select

from dashboards import tables as t
from dashboards.store import EventRow, Store
from pipelines.catalogue import catalogue

STATE_LABELS = {
    "serving": ("服务中", "Serving"),
    "idle": ("空闲", "Idle"),
    "empty": ("空岗", "Empty post"),
    "paused": ("暂停服务", "Paused"),
    "camera_offline": ("摄像头离线", "Camera offline"),
    "off_hours": ("非工作时间", "Off hours"),
    "edge_offline": ("边缘设备离线", "Edge offline"),
    "unknown": ("未知", "No status yet"),
}
STATUS_LABELS = {
    "open": ("待处理", "Open"),
    "acknowledged": ("已受理", "Acknowledged"),
    "confirmed": ("已确认", "Confirmed"),
    "dismissed": ("误报", "False alarm"),
    "rectified": ("已整改", "Rectified"),
}


def rule_names(rule_id: str) -> dict[str, str]:
    info = catalogue().get(rule_id)
    if info is None:
        return {"zh": rule_id, "en": rule_id, "category": "", "catalogue_clause": ""}
    return {"zh": info.zh, "en": info.en, "category": info.category, "catalogue_clause": info.clause}


def event_view(row: EventRow, store: Store | None = None, now: float | None = None) -> dict[str, Any]:
    """An event as the board shows it: names in Chinese and English, clause, staff, follow-up age."""
    now = time.time() if now is None else now
    names = rule_names(row.rule_id)
    staff = store.staff_at(row.hall_id, row.counter_id, row.start_time) if store is not None else None
    open_for = now - row.received_at if row.status in ("open", "acknowledged") else None
    return {
        "id": row.id, "rule_id": row.rule_id, "rule_zh": names["zh"], "rule_en": names["en"],
        "category": row.category, "clause": row.clause, "hall_id": row.hall_id, "counter_id": row.counter_id,
        "edge_id": row.edge_id, "type": row.type, "revision": row.revision, "start_time": row.start_time,
        "end_time": row.end_time, "duration": row.duration, "severity": row.severity, "outcome": row.outcome,
        "evidence": row.evidence, "staff_id": staff,
        "snapshot_url": f"/snapshots/{row.hall_id}/{row.counter_id}/{row.snapshot}.jpg" if row.snapshot else None,
        "received_at": row.received_at, "updated_at": row.updated_at, "status": row.status,
        "status_zh": STATUS_LABELS.get(row.status, (row.status,))[0],
        "status_en": STATUS_LABELS.get(row.status, ("", row.status))[1], "owner": row.owner,
        "comment": row.comment, "acknowledged_at": row.acknowledged_at, "closed_at": row.closed_at,
        "open_for_s": open_for,
    }


def counter_tiles(store: Store, hall_id: str, known_counters: list[str] = ()) -> list[dict[str, Any]]:
    """Every counter of a hall with its live state, open alerts, staff on duty and edge availability.

    Counters come from the retained status, the calibration files and the events seen, so a counter
    whose edge never reported still shows (as "No status yet").
    """
    now = time.time()
    statuses = {s.counter_id: s for s in store.counter_statuses(hall_id)}
    availability = {a.edge_id: a.state for a in store.availability(hall_id)}
    ev = t.events.c
    with store.engine.connect() as c:
        open_counts = dict(c.execute(
            select(ev.counter_id, func.count()).where(
                ev.hall_id == hall_id, ev.outcome == "violation", ev.status.in_(["open", "acknowledged"])
            ).group_by(ev.counter_id)
        ).all())
        # The edge behind each counter: the one that sent its latest event.
        latest = select(ev.counter_id, func.max(ev.updated_at).label("at")).where(ev.hall_id == hall_id) \
            .group_by(ev.counter_id).subquery()
        edges = dict(c.execute(
            select(ev.counter_id, ev.edge_id).join(
                latest, (latest.c.counter_id == ev.counter_id) & (latest.c.at == ev.updated_at)
            ).where(ev.hall_id == hall_id)
        ).all())
    ids = sorted(set(statuses) | set(known_counters) | set(open_counts) | set(edges))
    tiles = []
    for counter in ids:
        status = statuses.get(counter)
        state = status.state if status else "unknown"
        edge = edges.get(counter)
        if edge and availability.get(edge) in ("offline", "stopped"):
            state = "edge_offline"
        zh, en = STATE_LABELS.get(state, (state, state))
        tiles.append({
            "counter_id": counter, "state": state, "state_zh": zh, "state_en": en,
            "since": status.since if status else None, "open_alerts": int(open_counts.get(counter, 0)),
            "staff_id": store.staff_at(hall_id, counter, now), "edge_id": edge,
            "edge_state": availability.get(edge) if edge else None,
        })
    return tiles


def halls(store: Store, extra: list[str] = ()) -> list[str]:
    with store.engine.connect() as c:
        found = {h for (h,) in c.execute(select(t.counter_status.c.hall_id).distinct())}
        found |= {h for (h,) in c.execute(select(t.events.c.hall_id).distinct())}
        found |= {h for (h,) in c.execute(select(t.edge_availability.c.hall_id).distinct())}
    return sorted(found | set(extra))
