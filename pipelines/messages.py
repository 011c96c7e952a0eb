"""The small messages besides Event that cross MQTT (see docs/mqtt.md for the topics)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

CounterState = Literal["serving", "idle", "empty", "paused", "camera_offline", "off_hours"]
Availability = Literal["online", "stopped", "offline"]


@dataclass(slots=True)
class QueueCall:
    """The queue system called a ticket to a counter ("counter 5 called ticket A012")."""

    counter_id: str
    ticket: str
    time: float  # unix seconds; replayed files may use clip seconds instead


@dataclass(slots=True)
class TerminalState:
    """The counter terminal's own pause switch (an alternative to the printed pause sign)."""

    counter_id: str
    paused: bool
    time: float


@dataclass(slots=True)
class StaffLogin:
    """Evaluator-pad login/logout: which staff member works at which counter (the roster hook)."""

    counter_id: str
    staff_id: str
    action: Literal["login", "logout"]
    time: float


@dataclass(slots=True)
class CounterStatus:
    """Retained per-counter status."""

    counter_id: str
    state: CounterState
    since: float
    open_events: int = 0


@cache
def adapter(kind: type) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def decode(kind: type, payload: str | bytes) -> Any:
    """Parse and validate a JSON payload into one of the message dataclasses."""
    return adapter(kind).validate_json(payload)


def encode(message: Any) -> bytes:
    return adapter(type(message)).dump_json(message)
