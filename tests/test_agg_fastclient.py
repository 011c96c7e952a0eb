"""The worker's faster paho receive path (dashboards/worker.py _fast_client_class) against a real
Mosquitto, MQTT 5 and 3.1.1: every message is stored, a PUBLISH with MQTT 5 properties still goes
through paho's own path, and the batched PUBACKs reach the broker (a restarted worker on the same
persistent session gets nothing redelivered)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from dashboards.config import AggregatorConfig, BrokerConfig
from dashboards.store import Store
from dashboards.worker import Worker
from edge import topics
from pipelines.events import Event
from tests.test_agg_mqtt import new_and_end_messages, publish_all, publisher, wait_until

pytestmark = pytest.mark.mqtt


def counting_worker(cfg: AggregatorConfig, store: Store) -> tuple[Worker, dict[str, int]]:
    worker = Worker(cfg, store)
    calls = {"fast": 0, "paho": 0}
    fast, slow = worker.client.fast_sink, worker.client.on_message

    def count_fast(*args):  # type: ignore[no-untyped-def]
        calls["fast"] += 1
        fast(*args)

    def count_paho(*args):  # type: ignore[no-untyped-def]
        calls["paho"] += 1
        slow(*args)

    worker.client.fast_sink, worker.client.on_message = count_fast, count_paho
    return worker, calls


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_fast_receive_path_stores_and_acknowledges_everything(mosquitto, tmp_path: Path, protocol: str) -> None:
    url = f"sqlite:///{tmp_path / 'agg.db'}"
    cfg = AggregatorConfig(broker=BrokerConfig(url=f"mqtt://{mosquitto.host}:{mosquitto.port}", protocol=protocol),
                           database_url=url, group="fast", client_id=f"fast-{protocol.replace('.', '')}",
                           batch_wait_ms=20, batch_size=100, session_expiry_s=600)
    store = Store.open(url)
    pub = publisher(mosquitto)
    worker, calls = counting_worker(cfg, store)
    worker.start()
    try:
        assert worker.subscribed.wait(10)
        events = [Event.open("phone.use", f"c{i % 4:02d}", 1000.0 + i, hall_id="hall1") for i in range(400)]
        publish_all(pub, new_and_end_messages(events, 5))
        with_props = Event.open("dress.badge", "c09", 5000.0, hall_id="hall1")
        props = Properties(PacketTypes.PUBLISH)
        props.UserProperty = ("edge", "edge-a")
        pub.publish(topics.events("hall1", "c09"), with_props.to_json(), qos=1, properties=props).wait_for_publish(10)
        stats = {"edge_id": "edge-a", "time": 10.0, "cameras": {}}
        pub.publish(topics.stats("hall1", "edge-a"), json.dumps(stats), qos=0).wait_for_publish(10)
        wait_until(lambda: worker.ingestor.stats.received >= 802, what="every message")
        worker.ingestor.flush()
        rows = store.events(newest_first=False)
        assert [r.id for r in rows] == [e.id for e in events] + [with_props.id]
        assert all(r.revision == 1 and r.type == "end" for r in rows[:-1])
        assert [s.edge_id for s in store.edge_stats()] == ["edge-a"]
        # MQTT 5 forwards the user property, so that message takes paho's path; 3.1.1 drops it
        assert calls == ({"fast": 801, "paho": 1} if protocol == "5" else {"fast": 802, "paho": 0})
    finally:
        worker.stop()
    # the DISCONNECT follows the last PUBACKs on the connection: once the broker has read it, it has them
    wait_until(lambda: f"Received DISCONNECT from {cfg.client_id}" in mosquitto.log(), what="the DISCONNECT")
    late = Event.open("phone.use", "c01", 9000.0, hall_id="hall1")
    publish_all(pub, [(topics.events("hall1", "c01"), late.to_json().encode(), False)])
    worker, calls = counting_worker(cfg, store)
    worker.start()
    try:
        wait_until(lambda: store.event(late.id) is not None, what="the event queued while the worker was down")
        time.sleep(0.5)  # anything left unacknowledged is redelivered right after reconnecting
        assert worker.ingestor.stats.received == 1 and calls == {"fast": 1, "paho": 0}
    finally:
        worker.stop()
        pub.loop_stop()
        pub.disconnect()
        store.close()
