"""Event: one incident of one rule at one counter, with a Frigate-style new/update/end lifecycle.

A rule opens an event (`type="new"`), may refine it (`"update"`, e.g. a longer duration or a new
peak angle) and closes it (`"end"`). All three messages carry the same `id`; `revision` grows by one
per message, so a receiver can apply them in any order and keep the highest revision.
`outcome` separates violations from checks that passed (a correct bow, a greeting given), which the
compliance rates count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

from pipelines.catalogue import rule_info

Lifecycle = Literal["new", "update", "end"]
Severity = Literal["info", "minor", "major", "critical"]
Outcome = Literal["violation", "pass", "info"]


@dataclass(slots=True)
class Event:
    id: str
    rule_id: str
    clause: str
    counter_id: str
    type: Lifecycle
    start_time: float  # unix seconds (wall clock) when the incident began
    end_time: float | None = None  # set on "end"
    clip_start: float | None = None  # seconds into the clip/stream, for replayed input
    clip_end: float | None = None
    hall_id: str = ""
    edge_id: str = ""
    revision: int = 0
    severity: Severity = "minor"
    outcome: Outcome = "violation"
    evidence: dict[str, Any] = field(default_factory=dict)  # measured values: angles, durations, scores
    snapshot: str | None = None  # snapshot id; fetch via the snapshot topic or the edge's HTTP endpoint

    @classmethod
    def open(cls, rule_id: str, counter_id: str, start_time: float, **kw: Any) -> Event:
        """A new event for a catalogue rule; the clause comes from the catalogue."""
        return cls(
            id=uuid.uuid4().hex,
            rule_id=rule_id,
            clause=rule_info(rule_id).clause,
            counter_id=counter_id,
            type="new",
            start_time=start_time,
            **kw,
        )

    def next(self, type: Lifecycle, **changes: Any) -> Event:
        """The next message of this event's lifecycle (same id, revision + 1)."""
        return replace(self, type=type, revision=self.revision + 1, **changes)

    @property
    def duration(self) -> float | None:
        return None if self.end_time is None else self.end_time - self.start_time

    def to_json(self) -> str:
        return _adapter().dump_json(self).decode()

    @classmethod
    def from_json(cls, payload: str | bytes) -> Event:
        return _adapter().validate_json(payload)


@cache
def _adapter() -> TypeAdapter[Event]:
    return TypeAdapter(Event)


def event_json_schema() -> dict[str, Any]:
    return _adapter().json_schema()
