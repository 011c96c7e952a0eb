"""MQTT topic map. docs/mqtt.md is the prose version of this module; keep both in step."""

from __future__ import annotations

ROOT = "counterwatch"


def events(hall: str, counter: str) -> str:
    return f"{ROOT}/{hall}/{counter}/events"


def status(hall: str, counter: str) -> str:
    return f"{ROOT}/{hall}/{counter}/status"


def snapshot(hall: str, counter: str, snapshot_id: str) -> str:
    return f"{ROOT}/{hall}/{counter}/snapshot/{snapshot_id}"


def queue_call(hall: str, counter: str) -> str:
    return f"{ROOT}/{hall}/{counter}/queue/call"


def terminal(hall: str, counter: str) -> str:
    return f"{ROOT}/{hall}/{counter}/terminal"


def staff_login(hall: str, counter: str) -> str:
    return f"{ROOT}/{hall}/{counter}/staff"


def availability(hall: str, edge: str) -> str:
    return f"{ROOT}/{hall}/_edge/{edge}/availability"


def stats(hall: str, edge: str) -> str:
    return f"{ROOT}/{hall}/_edge/{edge}/stats"


# Subscription filters for the aggregator (the hall and counter are wildcards).
ALL_EVENTS = f"{ROOT}/+/+/events"
ALL_STATUS = f"{ROOT}/+/+/status"
ALL_AVAILABILITY = f"{ROOT}/+/_edge/+/availability"
ALL_STATS = f"{ROOT}/+/_edge/+/stats"


def shared(group: str, topic_filter: str) -> str:
    """A shared subscription ($share) so that several aggregator workers split the messages."""
    return f"$share/{group}/{topic_filter}"


def parse(topic: str) -> tuple[str, str, str]:
    """(hall, counter_or_edge, kind) from a topic of this map; ValueError for a foreign topic."""
    parts = topic.split("/")
    if len(parts) < 4 or parts[0] != ROOT:
        raise ValueError(f"not a counterwatch topic: {topic!r}")
    if parts[2] == "_edge":
        return parts[1], parts[3], parts[4] if len(parts) > 4 else ""
    return parts[1], parts[2], "/".join(parts[3:])
