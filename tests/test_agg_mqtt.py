"""Ingest through a real Mosquitto: end to end (retained status, persistent session, rejects), and
two workers on one shared subscription storing every event exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from dashboards.config import AggregatorConfig, BrokerConfig
from dashboards.store import Store
from dashboards.worker import Worker
from edge import topics
from pipelines.events import Event
from pipelines.messages import CounterStatus, encode

pytestmark = pytest.mark.mqtt


def publisher(broker) -> mqtt.Client:  # type: ignore[no-untyped-def]
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"edge-test-{time.monotonic_ns()}",
                         protocol=mqtt.MQTTv5)
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(200)
    client.connect(broker.host, broker.port)
    client.loop_start()
    return client


def publish_all(client: mqtt.Client, messages: list[tuple[str, bytes, bool]]) -> None:
    infos = [client.publish(topic, payload, qos=1, retain=retain) for topic, payload, retain in messages]
    for info in infos:
        info.wait_for_publish(10)


def new_and_end_messages(events: list[Event], duration_s: float) -> list[tuple[str, bytes, bool]]:
    """Each event's new message, then its end `duration_s` later, for publish_all."""
    msgs = []
    for ev in events:
        t = topics.events("hall1", ev.counter_id)
        end = ev.next("end", end_time=ev.start_time + duration_s)
        msgs += [(t, ev.to_json().encode(), False), (t, end.to_json().encode(), False)]
    return msgs


def wait_until(check: Callable[[], bool], timeout: float = 20, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def config(broker, url: str, client_id: str, tmp_path: Path) -> AggregatorConfig:  # type: ignore[no-untyped-def]
    return AggregatorConfig(broker=BrokerConfig(url=f"mqtt://{broker.host}:{broker.port}"), database_url=url,
                            group="aggs", client_id=client_id, snapshot_dir=tmp_path / "snaps", batch_wait_ms=20)


def test_end_to_end_ingest_through_mosquitto(mosquitto, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'agg.db'}"
    pub = publisher(mosquitto)
    # Retained state published before any aggregator exists must still reach it.
    publish_all(pub, [
        (topics.status("hall1", "c05"), encode(CounterStatus("c05", "camera_offline", 100.0)), True),
        (topics.availability("hall1", "edge-a"), b"offline", True),
    ])
    store = Store.open(url)
    worker = Worker(config(mosquitto, url, "agg-1", tmp_path), store)
    worker.start()
    try:
        assert worker.subscribed.wait(10)
        wait_until(lambda: len(store.counter_statuses()) == 1 and len(store.availability()) == 1, what="retained")
        ev = Event.open("phone.use", "c05", 1000.0, hall_id="hall1", edge_id="edge-a")
        upd = ev.next("update", evidence={"duration_s": 30.0})
        end = upd.next("end", end_time=1040.0)
        t = topics.events("hall1", "c05")
        publish_all(pub, [(t, end.to_json().encode(), False), (t, ev.to_json().encode(), False),
                          (t, upd.to_json().encode(), False), (t, end.to_json().encode(), False),
                          (t, b"{not json", False), (topics.events("hall1", "c06"), ev.to_json().encode(), False),
                          (topics.snapshot("hall1", "c05", "snap-1"), b"\xff\xd8\xff\xe0fake", False)])
        wait_until(lambda: worker.ingestor.stats.received >= 9, what="all messages")
        worker.ingestor.flush()
        rows = store.events()
        assert len(rows) == 1 and rows[0].to_event() == end
        assert store.counter_statuses()[0].state == "camera_offline"
        assert store.availability()[0].state == "offline"
        assert store.reject_stats().counts == {"bad_json": 1, "topic_mismatch": 1}
        assert (tmp_path / "snaps/hall1/c05/snap-1.jpg").read_bytes() == b"\xff\xd8\xff\xe0fake"
    finally:
        worker.stop()
    # Persistent session: events published while the worker is down arrive when it comes back.
    later = Event.open("dress.badge", "c05", 2000.0, hall_id="hall1")
    publish_all(pub, [(topics.events("hall1", "c05"), later.to_json().encode(), False)])
    worker = Worker(config(mosquitto, url, "agg-1", tmp_path), store)
    worker.start()
    try:
        wait_until(lambda: store.event(later.id) is not None, what="the queued event after restart")
    finally:
        worker.stop()
        pub.loop_stop()
        pub.disconnect()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_workers_share_the_subscription_and_store_each_event_once(
    mosquitto, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'agg.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    workers = [Worker(config(mosquitto, url, f"agg-{i}", tmp_path), Store.open(url)) for i in (1, 2)]
    for w in workers:
        w.start()
    pub = publisher(mosquitto)
    try:
        assert all(w.subscribed.wait(10) for w in workers)
        n = 300
        events = [Event.open("phone.use", f"c{i % 6:02d}", 1000.0 + i, hall_id="hall1") for i in range(n)]
        publish_all(pub, new_and_end_messages(events, 9))
        store = workers[0].store
        wait_until(lambda: sum(w.ingestor.stats.received for w in workers) >= 2 * n, what="all deliveries")
        for w in workers:
            w.ingestor.flush()
        received = [w.ingestor.stats.received for w in workers]
        assert sum(received) == 2 * n, received  # every message went to exactly one worker
        assert min(received) > 0, received  # and both took a share
        rows = store.events(newest_first=False)
        assert [r.id for r in rows] == [e.id for e in events]
        assert all(r.type == "end" and r.revision == 1 for r in rows)
    finally:
        for w in workers:
            w.stop()
        pub.loop_stop()
        pub.disconnect()
