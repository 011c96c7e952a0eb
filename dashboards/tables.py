"""The aggregator's tables (SQLAlchemy Core). Same schema on SQLite and PostgreSQL.

Times are unix seconds (float), as in the MQTT contract; days are computed in the scoring
timezone when needed. Board-owned tables (users, sessions) live in the board's own module.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

FOLLOWUP_STATUSES = ("open", "acknowledged", "confirmed", "dismissed", "rectified")

# One row per event id: the message with the highest revision, plus the follow-up state.
events = Table(
    "events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rule_id", String(64), nullable=False),
    Column("category", String(16), nullable=False),  # from the catalogue at ingest time
    Column("clause", Text, nullable=False),
    Column("hall_id", String(64), nullable=False),
    Column("counter_id", String(64), nullable=False),
    Column("edge_id", String(64), nullable=False, default=""),
    Column("type", String(8), nullable=False),  # new / update / end of the kept revision
    Column("revision", Integer, nullable=False),
    Column("start_time", Float, nullable=False),
    Column("end_time", Float),
    Column("clip_start", Float),
    Column("clip_end", Float),
    Column("severity", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("snapshot", String(128)),
    Column("received_at", Float, nullable=False),  # first arrival at the aggregator
    Column("updated_at", Float, nullable=False),  # arrival of the kept revision
    # Follow-up (DB50/T 1603-2024 §6.5.2.1); never touched by ingest.
    Column("status", String(16), nullable=False, default="open", server_default="open"),
    Column("owner", String(64)),
    Column("comment", Text),
    Column("acknowledged_at", Float),
    Column("closed_at", Float),  # confirmed, dismissed or rectified
    Index("ix_events_hall_start", "hall_id", "start_time"),
    Index("ix_events_counter_start", "hall_id", "counter_id", "start_time"),
    Index("ix_events_rule", "rule_id"),
    Index("ix_events_status", "status"),
)

# Audit log of every follow-up action on an event (who, when, from → to, comment).
followup_log = Table(
    "followup_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(16), nullable=False),  # acknowledge / confirm / dismiss / rectify / comment / reopen
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("comment", Text),
    Index("ix_followup_event", "event_id", "at"),
)

# Retained per-counter status (pipelines.messages.CounterStatus).
counter_status = Table(
    "counter_status",
    metadata,
    Column("hall_id", String(64), primary_key=True),
    Column("counter_id", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("since", Float, nullable=False),
    Column("open_events", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
)

# Retained edge availability: online / stopped / offline (Last Will).
edge_availability = Table(
    "edge_availability",
    metadata,
    Column("hall_id", String(64), primary_key=True),
    Column("edge_id", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("updated_at", Float, nullable=False),
)

# The latest stats message of each edge box (edge/runtime.py stats(): per-camera fps, frame age,
# stage ms, spool depth), so the board can show how the edges are doing.
edge_stats = Table(
    "edge_stats",
    metadata,
    Column("hall_id", String(64), primary_key=True),
    Column("edge_id", String(64), primary_key=True),
    Column("reported_at", Float, nullable=False),  # the edge's own `time` field
    Column("stats", JSON, nullable=False),
    Column("updated_at", Float, nullable=False),  # arrival at the aggregator
)

# Who works at which counter and when. end_time NULL = still logged in.
roster = Table(
    "roster",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("hall_id", String(64), nullable=False),
    Column("counter_id", String(64), nullable=False),
    Column("staff_id", String(64), nullable=False),
    Column("staff_name", String(128)),
    Column("start_time", Float, nullable=False),
    Column("end_time", Float),
    Column("source", String(16), nullable=False),  # csv / pad
    UniqueConstraint("hall_id", "counter_id", "staff_id", "start_time", name="uq_roster_span"),
    Index("ix_roster_counter", "hall_id", "counter_id", "start_time"),
    Index("ix_roster_staff", "staff_id", "start_time"),
)

# Rejected payloads: a counter per reason, and a few samples per reason.
reject_counts = Table(
    "reject_counts",
    metadata,
    Column("reason", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("last_at", Float, nullable=False),
)

reject_samples = Table(
    "reject_samples",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("topic", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # truncated to the first KiB
    Index("ix_reject_samples_at", "at"),
)

# Saved daily scores (for reports and trends); recomputing from events must reproduce them.
daily_scores = Table(
    "daily_scores",
    metadata,
    Column("hall_id", String(64), primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD in the policy timezone
    Column("subject_kind", String(8), primary_key=True),  # counter / staff
    Column("subject_id", String(64), primary_key=True),
    Column("policy_version", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("detail", JSON, nullable=False),  # the DayScore as a dict (lines with event ids)
    Column("computed_at", Float, nullable=False),
)
