"""Ingest batches: a batch the database refuses is retried one message at a time (only the refused
rows are rejected, the rest are stored and everything is acknowledged); edge stats keep the latest."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import text

from dashboards.ingest import Ingestor
from dashboards.store import Store
from edge import topics
from pipelines.events import Event


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    yield s
    s.close()


def refuse_ids_starting_with(store: Store, prefix: str) -> None:
    """A real database-side refusal: a trigger that aborts inserting an event whose id has the prefix."""
    with store.engine.begin() as c:
        if store.dialect == "sqlite":
            c.execute(text(f"CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.id LIKE '{prefix}%' "
                           "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"))
        else:
            c.execute(text("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                           f"IF NEW.id LIKE '{prefix}%' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; "
                           "RETURN NEW; END $$ LANGUAGE plpgsql"))
            c.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse()"))


def event_item(event_id: str, counter: str = "c01") -> tuple[str, bytes, float, int]:
    ev = Event.open("phone.use", counter, 1_700_000_000.0, hall_id="hall1", edge_id="edge-a")
    ev.id = event_id
    return topics.events("hall1", counter), ev.to_json().encode(), time.time(), hash(event_id)


def test_a_refused_batch_is_retried_one_by_one_and_only_bad_rows_are_rejected(store: Store) -> None:
    refuse_ids_starting_with(store, "bad")
    acked: list[int] = []
    ingestor = Ingestor(store, ack=acked.extend)  # called once per batch with its tokens
    good = [f"good-{i}" for i in range(6)]
    bad = ["bad-1", "bad-2"]
    ids = good[:2] + bad[:1] + good[2:5] + bad[1:] + good[5:]
    batch = [event_item(i) for i in ids]
    ingestor.handle_batch(batch)

    assert sorted(r.id for r in store.events()) == sorted(good)
    stats = store.reject_stats()
    assert stats.counts == {"db_error": 2}
    assert len(stats.samples) == 2 and all("refused by the test trigger" in s["detail"] for s in stats.samples)
    assert {json.loads(s["payload"])["id"] for s in stats.samples} == set(bad)
    assert ingestor.stats.stored == len(good) and ingestor.stats.rejected == {"db_error": 2}
    # every message is acknowledged: the refused ones are counted and sampled, not redelivered forever
    assert sorted(acked) == sorted(item[3] for item in batch)


def test_a_batch_the_database_accepts_needs_no_retry(store: Store) -> None:
    refuse_ids_starting_with(store, "bad")
    ingestor = Ingestor(store)
    ingestor.handle_batch([event_item(f"ok-{i}") for i in range(5)])
    assert store.count_events() == 5 and store.reject_stats().counts == {}


def stats_item(edge: str, at: float, fps: float, hall: str = "hall1") -> tuple[str, bytes, float, None]:
    body = {"edge_id": edge, "time": at, "spool_depth": 0, "cameras": {"c01": {"analysed_fps": fps}}}
    return topics.stats(hall, edge), json.dumps(body).encode(), at + 0.1, None


def test_edge_stats_keep_the_latest_message_per_edge(store: Store) -> None:
    ingestor = Ingestor(store)
    ingestor.handle_batch([stats_item("edge-a", 100.0, 4.0), stats_item("edge-b", 100.0, 5.0)])
    ingestor.handle_batch([stats_item("edge-a", 110.0, 3.5), stats_item("edge-a", 105.0, 9.9)])  # 105 is late
    rows = {r.edge_id: r for r in store.edge_stats("hall1")}
    assert set(rows) == {"edge-a", "edge-b"}
    assert rows["edge-a"].reported_at == 110.0 and rows["edge-a"].stats["cameras"]["c01"]["analysed_fps"] == 3.5
    assert rows["edge-b"].stats["cameras"]["c01"]["analysed_fps"] == 5.0
    assert store.edge_stats("hall2") == []


@pytest.mark.parametrize(("payload", "reason"), [
    (b"not json", "bad_json"),
    (b"[1, 2]", "invalid"),
    (b'{"edge_id": "edge-a"}', "invalid"),  # no time
    (b'{"edge_id": "edge-a", "time": NaN}', "invalid"),
    (b'{"edge_id": "edge-z", "time": 1.0}', "topic_mismatch"),
])
def test_bad_edge_stats_are_rejected_by_reason(store: Store, payload: bytes, reason: str) -> None:
    ingestor = Ingestor(store)
    ingestor.handle_batch([(topics.stats("hall1", "edge-a"), payload, 1.0, None)])
    assert store.edge_stats() == [] and store.reject_stats().counts == {reason: 1}
