"""Fuzzed payloads: thousands of random bytes, random JSON and mutated valid events never crash
ingest; each is either stored or counted as rejected (with a sample)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards.ingest import Accepted, Ingestor, Limits, Rejected, classify
from dashboards.store import Store
from pipelines.events import Event

VALID = json.loads(Event.open("phone.use", "c05", 1_700_000_000.0, hall_id="hall1", edge_id="edge-a",
                              evidence={"duration_s": 12.5}).to_json())
TOPICS = ["counterwatch/hall1/c05/events", "counterwatch/hall1/c05/status", "counterwatch/hall1/c05/staff",
          "counterwatch/hall1/_edge/edge-a/availability", "counterwatch/hall1/c05/snapshot/s1",
          "counterwatch/hall1/c06/events", "other/hall1/c05/events", "counterwatch/x"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_event(draw: st.DrawFn) -> bytes:
    ev = dict(VALID)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(ev) + ["extra"]))
        action = draw(st.sampled_from(["drop", "replace", "nan"]))
        if action == "drop":
            ev.pop(key, None)
        elif action == "replace":
            ev[key] = draw(json_values)
        else:
            ev[key] = float("nan")
    return json.dumps(ev).encode()


payloads = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_event(),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
)


@settings(max_examples=3000, deadline=None)
@given(topic=st.sampled_from(TOPICS) | st.text(max_size=60), payload=payloads)
def test_classify_never_raises(topic: str, payload: bytes) -> None:
    result = classify(topic, payload, 1.0, Limits(max_payload_bytes=256))
    assert isinstance(result, Accepted | Rejected)
    if isinstance(result, Rejected):
        assert result.reason and result.detail
    if len(payload) > 256 and not topic.startswith("counterwatch/hall1/c05/snapshot"):
        assert isinstance(result, Rejected) and result.reason in ("oversized", "bad_topic")


@pytest.mark.parametrize("payload, reason", [
    (b"{not json", "bad_json"),
    (json.dumps({**VALID, "rule_id": "phone.juggling"}).encode(), "unknown_rule"),
    (json.dumps({**VALID, "counter_id": "c99"}).encode(), "topic_mismatch"),
    (json.dumps({**VALID, "hall_id": "hall9"}).encode(), "topic_mismatch"),
    (json.dumps({**VALID, "start_time": "yesterday"}).encode(), "invalid"),
    (json.dumps({**VALID, "evidence": {"angle": float("inf")}}).encode(), "invalid"),
    (json.dumps({**VALID, "id": "a\u0000b"}).encode(), "invalid"),
    (b"x" * 70_000, "oversized"),
])
def test_reasons_are_named(payload: bytes, reason: str) -> None:
    result = classify("counterwatch/hall1/c05/events", payload, 1.0)
    assert isinstance(result, Rejected) and result.reason == reason, result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(st.sampled_from(TOPICS), payloads), min_size=1, max_size=40))
def test_fuzzed_batches_are_stored_or_counted(db_url: str, batch: list[tuple[str, bytes]]) -> None:
    store = Store.open(db_url)
    try:
        ing = Ingestor(store, Limits(max_payload_bytes=2048), samples_per_reason=5)
        before = sum(store.reject_stats().counts.values())
        ing.handle_batch([(t, p, 1.0, None) for t, p in batch])
        expected_rejects = sum(isinstance(classify(t, p, 1.0, Limits(max_payload_bytes=2048)), Rejected)
                               for t, p in batch)
        stats = store.reject_stats()
        assert sum(stats.counts.values()) - before == expected_rejects == sum(ing.stats.rejected.values())
        assert ing.stats.received == len(batch)
        # a valid event still goes through after all that
        ing.handle_batch([("counterwatch/hall1/c05/events", json.dumps(VALID).encode(), 2.0, None)])
        assert store.event(VALID["id"]) is not None
    finally:
        store.close()


def exact_evidence_verdict(evidence: object) -> str | None:
    """What ingest must decide about an event's evidence: the reference check, run on every message."""
    try:
        text = json.dumps(evidence, allow_nan=False)
    except ValueError:
        return "invalid"
    if "\\u0000" in text:
        return "invalid"
    return "oversized" if len(text) > 16 * 1024 else None


evidence_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from([float("nan"), float("inf"), "a\u0000b", "x" * 3000, 10**400]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evidence=st.dictionaries(st.text(max_size=10) | st.just("k\u0000"), evidence_values, max_size=6))
def test_the_evidence_shortcut_decides_as_the_exact_check(evidence: dict) -> None:
    """Ingest skips re-serialising flat, finite, small evidence: its verdict must still be the exact one."""
    payload = json.dumps({**VALID, "evidence": evidence}).encode()  # NaN/Infinity literals, as an edge could send
    result = classify("counterwatch/hall1/c05/events", payload, 1.0, Limits(max_payload_bytes=1 << 20))
    expected = exact_evidence_verdict(evidence)
    if expected is None:
        assert isinstance(result, Accepted) and result.row["evidence"] == evidence, result
    else:
        assert isinstance(result, Rejected) and result.reason == expected, (result, expected)


@pytest.mark.parametrize("evidence_json, reason", [
    (b'{"angle": NaN}', "invalid"),
    (b'{"angle": -Infinity}', "invalid"),
    (b'{"angle": 1e999}', "invalid"),  # parses to infinity
    (b'{"angle": 1' + b"0" * 400 + b'.5}', "invalid"),  # so does this
    (b'{"peaks": [1.0, {"deep": NaN}]}', "invalid"),
    (b'{"k\\u0000": 1}', "invalid"),
    (b'{"note": "' + b"x" * 17_000 + b'"}', "oversized"),
    (b'{"many": [' + b",".join([b"1e15"] * 1000) + b"]}", "oversized"),  # 5 KB here, 20 KB re-serialised
])
def test_evidence_postgresql_would_refuse_is_rejected(evidence_json: bytes, reason: str) -> None:
    payload = json.dumps({**VALID, "evidence": "@"}).encode().replace(b'"@"', evidence_json)
    result = classify("counterwatch/hall1/c05/events", payload, 1.0, Limits(max_payload_bytes=1 << 20))
    assert isinstance(result, Rejected) and result.reason == reason, result
