"""Storage and ingest on SQLite and PostgreSQL: idempotency, order independence, follow-up, queries."""

from __future__ import annotations

import time
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards.ingest import Ingestor
from dashboards.store import EventFilter, FollowupError, Store
from pipelines.events import Event
from pipelines.messages import CounterStatus, encode

TOPIC = "counterwatch/hall1/c05/events"


def lifecycle(n_updates: int, rule: str = "phone.use", start: float = 1_700_000_000.0) -> list[Event]:
    """new, n updates with growing duration, end: the messages one rule sends for one incident."""
    ev = Event.open(rule, "c05", start, hall_id="hall1", edge_id="edge-a", evidence={"duration_s": 10.0})
    msgs = [ev]
    for i in range(n_updates):
        msgs.append(msgs[-1].next("update", evidence={"duration_s": 20.0 + i}))
    msgs.append(msgs[-1].next("end", end_time=start + 100, evidence={"duration_s": 100.0}))
    return msgs


def feed(ingestor: Ingestor, messages: list[Event], batch_cuts: list[int] | None = None) -> None:
    items = [(TOPIC, m.to_json().encode(), time.time(), None) for m in messages]
    cuts = sorted(set(batch_cuts or [])) + [len(items)]
    start = 0
    for cut in cuts:
        if cut > start:
            ingestor.handle_batch(items[start:cut])
            start = cut


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    yield s
    s.close()


def test_duplicates_and_out_of_order_end_as_the_highest_revision(store: Store) -> None:
    msgs = lifecycle(2)
    feed(Ingestor(store), [msgs[3], msgs[0], msgs[1], msgs[3], msgs[2], msgs[0]])
    rows = store.events()
    assert len(rows) == 1
    row = rows[0]
    assert (row.type, row.revision, row.end_time, row.evidence) == ("end", 3, msgs[3].end_time, {"duration_s": 100.0})
    assert row.category == "工作纪律"
    assert row.to_event() == msgs[3]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_permutation_with_duplicates_gives_one_correct_row(store: Store, data: st.DataObject) -> None:
    msgs = lifecycle(data.draw(st.integers(0, 4), label="updates"))
    # unique id per example: the examples share one database
    event_id = uuid.uuid4().hex
    msgs = [Event.from_json(m.to_json().replace(msgs[0].id, event_id)) for m in msgs]
    deliveries = data.draw(st.lists(st.sampled_from(msgs), min_size=0, max_size=10), label="duplicates")
    order = data.draw(st.permutations(msgs + deliveries), label="order")
    cuts = data.draw(st.lists(st.integers(0, len(order)), max_size=4), label="batch cuts")
    feed(Ingestor(store), list(order), cuts)
    row = store.event(event_id)
    assert row is not None
    assert row.to_event() == msgs[-1]
    assert len(store.events(EventFilter(rule_ids=["phone.use"], since=msgs[0].start_time - 1))) >= 1


def test_ingest_never_touches_the_follow_up_state(store: Store) -> None:
    msgs = lifecycle(1)
    ing = Ingestor(store)
    feed(ing, msgs[:1])
    store.follow_up(msgs[0].id, "acknowledge", actor="mgr1", at=10.0)
    feed(ing, msgs[1:] + msgs[:1])
    row = store.event(msgs[0].id)
    assert row is not None
    assert (row.type, row.status, row.owner, row.acknowledged_at) == ("end", "acknowledged", "mgr1", 10.0)


def test_follow_up_transitions_and_audit_log(store: Store) -> None:
    msgs = lifecycle(0)
    feed(Ingestor(store), msgs)
    eid = msgs[0].id
    store.follow_up(eid, "acknowledge", actor="mgr1", at=100.0)
    row = store.follow_up(eid, "dismiss", actor="mgr1", comment="a pen, not a phone", at=160.0)
    assert (row.status, row.comment) == ("dismissed", "a pen, not a phone")
    assert (row.acknowledged_at, row.closed_at) == (100.0, 160.0)
    with pytest.raises(FollowupError, match="cannot acknowledge"):
        store.follow_up(eid, "acknowledge", actor="mgr1")
    with pytest.raises(FollowupError, match="no event"):
        store.follow_up("nope", "confirm", actor="mgr1")
    history = store.followup_history(eid)
    assert [(h.action, h.from_status, h.to_status) for h in history] == [
        ("acknowledge", "open", "acknowledged"), ("dismiss", "acknowledged", "dismissed")]
    assert store.false_alarm_counts("hall1") == {"phone.use": 1}
    assert store.open_followups("hall1") == []
    store.follow_up(eid, "reopen", actor="sup")
    assert [r.id for r in store.open_followups("hall1")] == [eid]


def test_event_filters(store: Store) -> None:
    a = Event.open("phone.use", "c05", 1000.0, hall_id="hall1")
    b = Event.open("bow.angle", "c05", 2000.0, hall_id="hall1", outcome="pass")
    c = Event.open("dress.badge", "c06", 3000.0, hall_id="hall1")
    ing = Ingestor(store)
    ing.handle_batch([(f"counterwatch/hall1/{e.counter_id}/events", e.to_json().encode(), 0.0, None)
                      for e in (a, b, c)])
    ids = lambda **kw: [r.id for r in store.events(**kw)]  # noqa: E731
    assert ids() == [c.id, b.id, a.id]
    assert ids(counter_ids=["c05"], newest_first=False) == [a.id, b.id]
    assert ids(categories=["仪容仪表"]) == [c.id]
    assert ids(outcomes=["pass"]) == [b.id]
    assert ids(since=1500.0, until=3000.0) == [b.id]
    assert ids(hall_id="other") == []
    assert ids(limit=1) == [c.id]
    from dashboards.roster import Span, import_spans

    import_spans(store, [Span("hall1", "c05", "s-li", 1500.0, 2500.0)])
    assert ids(staff_id="s-li") == [b.id]


def test_counter_status_keeps_the_latest(store: Store) -> None:
    ing = Ingestor(store)
    topic = "counterwatch/hall1/c05/status"
    ing.handle_batch([
        (topic, encode(CounterStatus("c05", "serving", 200.0, 1)), 1.0, None),
        (topic, encode(CounterStatus("c05", "camera_offline", 300.0)), 2.0, None),
        (topic, encode(CounterStatus("c05", "idle", 250.0)), 3.0, None),  # late, older: ignored
        ("counterwatch/hall1/_edge/edge-a/availability", b"offline", 4.0, None),
    ])
    ing.handle_batch([("counterwatch/hall1/c05/status", encode(CounterStatus("c05", "empty", 100.0)), 5.0, None)])
    [status] = store.counter_statuses("hall1")
    assert (status.state, status.since) == ("camera_offline", 300.0)
    [avail] = store.availability("hall1")
    assert (avail.edge_id, avail.state) == ("edge-a", "offline")
