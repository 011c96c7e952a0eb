"""MQTT ingest: validate each message, queue it, and store batches from one writer thread.

The paho network thread only enqueues (topic, payload, arrival time); the writer thread drains the
queue in batches (`batch_size` / `batch_wait_ms`), validates, upserts in one transaction and only
then acknowledges the QoS 1 messages (manual ack), so a crash loses nothing: the broker redelivers
whatever was not yet stored, and the upsert by event id makes redelivery harmless.

Every bad message (malformed, oversized, unknown rule, wrong topic) is counted per reason, a few
samples are stored and logged, and the subscriber carries on.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dashboards import roster
from dashboards.store import Store
from edge import topics
from pipelines.catalogue import catalogue
from pipelines.events import Event
from pipelines.messages import CounterStatus, StaffLogin, decode

log = logging.getLogger("counterwatch.aggregator")

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_SAFE_SNAPSHOT = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
AVAILABILITY_STATES = ("online", "stopped", "offline")
SAMPLE_BYTES = 1024


@dataclass(slots=True)
class Limits:
    max_payload_bytes: int = 64 * 1024
    max_snapshot_bytes: int = 2 * 1024 * 1024


@dataclass(slots=True)
class Accepted:
    kind: str  # event / status / availability / staff / edge_stats / snapshot / cleared
    hall_id: str
    row: Any


@dataclass(slots=True)
class Rejected:
    reason: str  # oversized / bad_topic / bad_json / invalid / unknown_rule / topic_mismatch / bad_snapshot
    detail: str


class _Reject(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def classify(topic: str, payload: bytes, received_at: float, limits: Limits | None = None) -> Accepted | Rejected:
    """Validate one MQTT message; never raises."""
    try:
        return _classify(topic, payload, received_at, limits or Limits())
    except _Reject as exc:
        return Rejected(exc.reason, str(exc))
    except Exception as exc:  # a validator bug must not stop ingest either
        return Rejected("invalid", f"{type(exc).__name__}: {exc}")


def _classify(topic: str, payload: bytes, received_at: float, limits: Limits) -> Accepted:
    try:
        hall, middle, kind = topics.parse(topic)
    except ValueError as exc:
        raise _Reject("bad_topic", str(exc)) from None
    if not _SAFE_ID.match(hall) or not _SAFE_ID.match(middle):
        raise _Reject("bad_topic", f"hall or counter id in {topic!r} is not a plain id")
    is_edge = topic.split("/")[2] == "_edge"
    if kind.startswith("snapshot/") and not is_edge:
        return _snapshot(hall, middle, kind.removeprefix("snapshot/"), payload, limits)
    if len(payload) > limits.max_payload_bytes:
        raise _Reject("oversized", f"{len(payload)} bytes > max_payload_bytes {limits.max_payload_bytes}")
    if is_edge and kind == "availability":
        return _availability(hall, middle, payload, received_at)
    if is_edge and kind == "stats":
        return Accepted("edge_stats", hall, _edge_stats(hall, middle, payload, received_at))
    if is_edge:
        raise _Reject("bad_topic", f"unexpected edge topic {topic!r}")
    if not payload:
        return Accepted("cleared", hall, None)  # a retained message being cleared
    if kind == "events":
        return Accepted("event", hall, _event_row(hall, middle, payload, received_at))
    if kind == "status":
        msg = _decode(CounterStatus, payload)
        _same_counter(msg.counter_id, middle, topic)
        _finite(msg.since, "since")
        return Accepted("status", hall, {
            "hall_id": hall, "counter_id": middle, "state": msg.state, "since": msg.since,
            "open_events": msg.open_events, "updated_at": received_at,
        })
    if kind == "staff":
        msg = _decode(StaffLogin, payload)
        _same_counter(msg.counter_id, middle, topic)
        _finite(msg.time, "time")
        if not _SAFE_ID.match(msg.staff_id):
            raise _Reject("invalid", f"staff_id {msg.staff_id!r} is not a plain id")
        return Accepted("staff", hall, msg)
    raise _Reject("bad_topic", f"the aggregator does not take {topic!r}")


def _decode(kind: type, payload: bytes) -> Any:
    try:
        return decode(kind, payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        reason = "bad_json" if err["type"].startswith("json") else "invalid"
        where = ".".join(str(p) for p in err["loc"]) or "(payload)"
        raise _Reject(reason, f"{kind.__name__}: {where}: {err['msg']}") from None


def _same_counter(payload_counter: str, topic_counter: str, topic: str) -> None:
    if payload_counter != topic_counter:
        raise _Reject("topic_mismatch", f"payload counter_id {payload_counter!r} published on {topic!r}")


def _finite(value: float | None, name: str) -> None:
    if value is not None and not math.isfinite(value):
        raise _Reject("invalid", f"{name} is not a finite number")


def _event_row(hall: str, counter: str, payload: bytes, received_at: float) -> dict[str, Any]:
    try:
        ev = Event.from_json(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        reason = "bad_json" if err["type"].startswith("json") else "invalid"
        where = ".".join(str(p) for p in err["loc"]) or "(payload)"
        raise _Reject(reason, f"Event: {where}: {err['msg']}") from None
    info = catalogue().get(ev.rule_id)
    if info is None:
        raise _Reject("unknown_rule", f"rule_id {ev.rule_id[:80]!r} is not in the catalogue")
    if ev.counter_id != counter:
        raise _Reject("topic_mismatch", f"event counter_id {ev.counter_id[:80]!r} published under counter {counter!r}")
    if ev.hall_id and ev.hall_id != hall:
        raise _Reject("topic_mismatch", f"event hall_id {ev.hall_id[:80]!r} published under hall {hall!r}")
    if not _SAFE_ID.match(ev.id):
        raise _Reject("invalid", "id must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    if ev.edge_id and not _SAFE_ID.match(ev.edge_id):
        raise _Reject("invalid", "edge_id must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    if ev.snapshot is not None and not _SAFE_SNAPSHOT.match(ev.snapshot):
        raise _Reject("invalid", "snapshot must be 1-128 characters of A-Z a-z 0-9 _ . -")
    if not 0 <= ev.revision < 2**31:
        raise _Reject("invalid", f"revision {ev.revision} out of range")
    for name in ("start_time", "end_time", "clip_start", "clip_end"):
        _finite(getattr(ev, name), name)
    if "\x00" in ev.clause:
        raise _Reject("invalid", "NUL character in the event")
    if len(payload) > _EVIDENCE_SURE_BYTES or b"\\u0000" in payload or not _flat_and_finite(ev.evidence):
        _check_evidence(ev.evidence)
    return {
        "id": ev.id, "rule_id": ev.rule_id, "category": info.category, "clause": ev.clause[:500],
        "hall_id": hall, "counter_id": counter, "edge_id": ev.edge_id, "type": ev.type, "revision": ev.revision,
        "start_time": ev.start_time, "end_time": ev.end_time, "clip_start": ev.clip_start, "clip_end": ev.clip_end,
        "severity": ev.severity, "outcome": ev.outcome, "evidence": ev.evidence, "snapshot": ev.snapshot,
        "received_at": received_at, "updated_at": received_at,
    }


# The exact evidence check (_check_evidence) re-serialises the evidence: ~5 us a message. It is
# skipped only when its outcome is certain: the evidence is flat (str/int/bool/None values and finite
# floats), the payload holds no NUL escape (JSON has no raw NUL in a string), and the payload is at
# most 2 KiB: re-serialised evidence is at most ~4.5x its bytes in the payload ("1e15" ->
# "1000000000000000.0"), so it cannot exceed the 16 KiB limit.
_EVIDENCE_SURE_BYTES = 2048
_EVIDENCE_MAX_CHARS = 16 * 1024


def _check_evidence(evidence: dict[str, Any]) -> None:
    try:  # NaN/inf and NUL characters are refused by PostgreSQL: reject them here, not in the batch
        evidence_text = json.dumps(evidence, allow_nan=False)
    except (ValueError, TypeError) as exc:
        raise _Reject("invalid", f"evidence is not plain JSON ({exc})") from None
    if "\\u0000" in evidence_text:
        raise _Reject("invalid", "NUL character in the event")
    if len(evidence_text) > _EVIDENCE_MAX_CHARS:
        raise _Reject("oversized", f"evidence is {len(evidence_text)} characters (max {_EVIDENCE_MAX_CHARS})")


def _flat_and_finite(evidence: dict[str, Any]) -> bool:
    for value in evidence.values():
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                return False
        elif kind is not str and kind is not int and kind is not bool and value is not None:
            return False  # nested (or unexpected): the exact check decides
    return True


def _availability(hall: str, edge: str, payload: bytes, received_at: float) -> Accepted:
    if not payload:
        return Accepted("cleared", hall, None)
    try:
        state = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _Reject("invalid", "availability is not UTF-8 text") from None
    if state not in AVAILABILITY_STATES:
        raise _Reject("invalid", f"availability {state[:40]!r} is not one of {', '.join(AVAILABILITY_STATES)}")
    return Accepted("availability", hall, {"hall_id": hall, "edge_id": edge, "state": state, "updated_at": received_at})


def _edge_stats(hall: str, edge: str, payload: bytes, received_at: float) -> dict[str, Any]:
    """An edge's stats: a JSON object with a finite `time`; kept as it came (latest per edge)."""
    try:
        stats = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Reject("bad_json", f"edge stats: {exc}") from None
    if not isinstance(stats, dict):
        raise _Reject("invalid", "edge stats must be a JSON object")
    at = stats.get("time")
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
        raise _Reject("invalid", "edge stats: 'time' must be a finite number (unix seconds)")
    if stats.get("edge_id", edge) != edge:
        raise _Reject("topic_mismatch", f"stats of edge {str(stats.get('edge_id'))[:80]!r} published under {edge!r}")
    try:  # NaN/inf and NUL characters are refused by PostgreSQL's JSON: reject them here
        text = json.dumps(stats, allow_nan=False)
    except ValueError:
        raise _Reject("invalid", "edge stats hold NaN or infinity") from None
    if "\\u0000" in text:
        raise _Reject("invalid", "NUL character in the edge stats")
    return {"hall_id": hall, "edge_id": edge, "reported_at": float(at), "stats": stats, "updated_at": received_at}


def _snapshot(hall: str, counter: str, snapshot_id: str, payload: bytes, limits: Limits) -> Accepted:
    if not _SAFE_SNAPSHOT.match(snapshot_id):
        raise _Reject("bad_snapshot", f"snapshot id {snapshot_id[:80]!r} is not a plain id")
    if len(payload) > limits.max_snapshot_bytes:
        raise _Reject("oversized", f"snapshot of {len(payload)} bytes > max_snapshot_bytes {limits.max_snapshot_bytes}")
    if not payload.startswith(b"\xff\xd8\xff"):
        raise _Reject("bad_snapshot", "snapshot payload is not a JPEG")
    return Accepted("snapshot", hall, (counter, snapshot_id, payload))


def snapshot_path(snapshot_dir: Path, hall_id: str, counter_id: str, snapshot_id: str) -> Path:
    """Where a snapshot JPEG is stored (ids are validated plain names, so no path escapes)."""
    return snapshot_dir / hall_id / counter_id / f"{snapshot_id}.jpg"


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0  # accepted messages committed
    batches: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


Item = tuple[str, bytes, float, Any]  # topic, payload, arrival time, ack token


class Ingestor:
    """Queue + writer thread. `submit` from any thread; `ack(tokens)` is called after each commit with
    the tokens of the batch's messages (in arrival order; None tokens left out)."""

    def __init__(
        self,
        store: Store,
        limits: Limits | None = None,
        snapshot_dir: Path | None = None,
        batch_size: int = 500,
        batch_wait_ms: int = 50,
        queue_size: int = 50_000,
        samples_per_reason: int = 50,
        ack: Callable[[list[Any]], None] | None = None,
        periodic: Callable[[], None] | None = None,
        periodic_every_s: float = 0,
    ) -> None:
        self.store = store
        self.limits = limits or Limits()
        self.snapshot_dir = snapshot_dir
        self.batch_size = batch_size
        self.batch_wait = batch_wait_ms / 1000
        self.queue: queue.Queue[Item | None] = queue.Queue(maxsize=queue_size)
        self.samples_per_reason = samples_per_reason
        self.ack = ack
        self.periodic = periodic
        self.periodic_every_s = periodic_every_s
        self.stats = IngestStats()
        self._samples_kept: Counter[str] = Counter()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()

    # ---- threading -------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="aggregator-writer", daemon=True)
        self._thread.start()

    def submit(self, topic: str, payload: bytes, received_at: float | None = None, token: Any = None) -> None:
        self.queue.put((topic, payload, time.time() if received_at is None else received_at, token))

    def stop(self, timeout: float = 30) -> None:
        """Store what is queued, then end the writer thread."""
        if self._thread is None:
            return
        self.queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def flush(self, timeout: float = 30) -> bool:
        """Wait until the queue is empty and the last batch committed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        last_periodic = time.monotonic()
        stopping = False
        while not stopping:
            batch, stopping = self._next_batch()
            if batch:
                try:
                    self.handle_batch(batch)
                except Exception:  # the database is down or broken: keep the loop alive, log loudly
                    log.exception("storing a batch of %d messages failed; they stay unacknowledged", len(batch))
                    time.sleep(1)
                finally:
                    for _ in batch:
                        self.queue.task_done()
            if self.periodic and self.periodic_every_s and time.monotonic() - last_periodic > self.periodic_every_s:
                last_periodic = time.monotonic()
                try:
                    self.periodic()
                except Exception:
                    log.exception("periodic task failed")

    def _next_batch(self) -> tuple[list[Item], bool]:
        """Up to batch_size items, waiting at most batch_wait after the first; (items, stop seen)."""
        batch: list[Item] = []
        try:
            item = self.queue.get(timeout=0.5)
        except queue.Empty:
            return batch, False
        deadline = time.monotonic() + self.batch_wait
        while True:
            if item is None:
                self.queue.task_done()
                return batch, True
            batch.append(item)
            if len(batch) >= self.batch_size:
                return batch, False
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return batch, False

    # ---- one batch -------------------------------------------------------------------------------

    def handle_batch(self, batch: list[Item]) -> None:
        """Validate and store a batch in one transaction, then acknowledge it (callable directly in tests)."""
        events: list[dict[str, Any]] = []
        statuses: list[dict[str, Any]] = []
        avail: list[dict[str, Any]] = []
        logins: list[tuple[str, StaffLogin]] = []
        edge_stats: list[dict[str, Any]] = []
        snapshots: list[tuple[str, str, str, bytes]] = []
        rejects: Counter[str] = Counter()
        samples: list[dict[str, Any]] = []
        for topic, payload, received_at, _ in batch:
            result = classify(topic, payload, received_at, self.limits)
            if isinstance(result, Rejected):
                rejects[result.reason] += 1
                self._sample(result, topic, payload, received_at, samples)
            elif result.kind == "event":
                events.append(result.row)
            elif result.kind == "status":
                statuses.append(result.row)
            elif result.kind == "availability":
                avail.append(result.row)
            elif result.kind == "staff":
                logins.append((result.hall_id, result.row))
            elif result.kind == "edge_stats":
                edge_stats.append(result.row)
            elif result.kind == "snapshot":
                snapshots.append((result.hall_id, *result.row))
        try:
            self._write(events, statuses, avail, logins, edge_stats, rejects, samples)
        except Exception as exc:
            # One bad row must not block the batch: retry row by row, rejecting what still fails.
            log.warning("batch write failed (%s); retrying message by message", type(exc).__name__)
            self._write_one_by_one(events, statuses, avail, logins, edge_stats, rejects, samples)
        self._write_snapshots(snapshots)
        self.stats.received += len(batch)
        self.stats.stored += len(batch) - sum(rejects.values())
        self.stats.rejected.update(rejects)
        self.stats.batches += 1
        if self.ack is not None:
            tokens = [token for *_, token in batch if token is not None]
            if tokens:
                self.ack(tokens)

    def _write(self, events, statuses, avail, logins, edge_stats, rejects, samples) -> None:  # type: ignore[no-untyped-def]
        with self.store.engine.begin() as conn:
            self.store.upsert_events(events, conn)
            self.store.upsert_counter_status(statuses, conn)
            self.store.upsert_availability(avail, conn)
            self.store.upsert_edge_stats(edge_stats, conn)
            for hall_id, msg in sorted(logins, key=lambda x: x[1].time):
                roster.apply_login(self.store, conn, hall_id, msg)
            self.store.count_rejects(rejects, samples, conn)

    def _write_one_by_one(self, events, statuses, avail, logins, edge_stats, rejects, samples) -> None:  # type: ignore[no-untyped-def]
        kinds = ("event", "status", "availability", "staff", "edge_stats")
        for kind, rows in zip(kinds, (events, statuses, avail, logins, edge_stats), strict=True):
            for row in rows:
                try:
                    self._write(*(([row] if k == kind else []) for k in kinds), Counter(), [])
                except Exception as exc:
                    rejects["db_error"] += 1
                    topic = f"({kind})"
                    body = json.dumps(row if isinstance(row, dict) else str(row), default=str).encode()
                    self._sample(Rejected("db_error", f"{type(exc).__name__}: {exc}"[:500]), topic, body,
                                 time.time(), samples)
        try:
            self._write([], [], [], [], [], rejects, samples)
        except Exception:
            log.exception("could not even count the rejects")

    def _sample(self, result: Rejected, topic: str, payload: bytes, at: float, samples: list[dict[str, Any]]) -> None:
        kept = self._samples_kept[result.reason]
        self._samples_kept[result.reason] += 1
        if kept < 3 or kept % 1000 == 0:
            log.warning("rejected %s on %r: %s; payload starts %r", result.reason, topic[:200], result.detail,
                        payload[:120])
        if kept < self.samples_per_reason:
            samples.append({"at": at, "reason": result.reason, "topic": topic[:1000].replace("\x00", "?"),
                            "detail": result.detail[:1000].replace("\x00", "?"), "payload": payload[:SAMPLE_BYTES]})

    def _write_snapshots(self, snapshots: list[tuple[str, str, str, bytes]]) -> None:
        if self.snapshot_dir is None:
            return
        for hall, counter, snapshot_id, data in snapshots:
            path = snapshot_path(self.snapshot_dir, hall, counter, snapshot_id)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".part")
                tmp.write_bytes(data)
                tmp.replace(path)
            except OSError:
                log.exception("could not store snapshot %s", path)
