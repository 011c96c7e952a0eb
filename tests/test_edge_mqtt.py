"""EdgePublisher against a real Mosquitto: a broker outage mid-stream loses nothing and keeps order,
malformed inbound payloads are counted and survived, TLS + auth works and a wrong password says so."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import paho.mqtt.client as mqtt
import pytest

from edge import topics
from edge.config import BrokerConfig
from edge.publisher import EdgePublisher
from edge.spool import Spool
from pipelines.events import Event
from pipelines.messages import QueueCall, encode
from tests.test_edge_fakes import FakePipeline

pytestmark = pytest.mark.mqtt


class Subscriber:
    """A persistent-session QoS 1 subscriber that records every message (duplicates included)."""

    def __init__(self, host: str, port: int, filters: list[str], client_id: str = "test-sub") -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
        self.client.reconnect_delay_set(0.2, 1)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, *_: c.subscribe([(f, 1) for f in filters])
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.connect(host, port)
        self.client.loop_start()
        assert self.subscribed.wait(5)

    def _on_message(self, _c, _u, msg) -> None:
        with self.lock:
            self.messages.append((msg.topic, msg.payload))

    def events(self) -> list[Event]:
        with self.lock:
            return [Event.from_json(p) for t, p in self.messages if t.endswith("/events")]

    def payloads(self, topic: str) -> list[bytes]:
        with self.lock:
            return [p for t, p in self.messages if t == topic]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def wait_for(cond, timeout: float = 15.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def assert_complete_and_ordered(sent: list[Event], received: list[Event]) -> None:
    sent_keys = {(e.id, e.revision) for e in sent}
    got_keys = [(e.id, e.revision) for e in received]
    assert set(got_keys) == sent_keys, f"missing {len(sent_keys - set(got_keys))} of {len(sent_keys)}"
    for counter in {e.counter_id for e in sent}:
        first_seen: list[int] = []
        seen: set = set()
        for e in received:
            if e.counter_id == counter and (e.id, e.revision) not in seen:
                seen.add((e.id, e.revision))
                first_seen.append(e.evidence["n"])
        assert first_seen == sorted(first_seen) == list(range(len(first_seen))), f"order broken on {counter}"


def make_publisher(tmp_path, broker: BrokerConfig, **kw) -> EdgePublisher:
    return EdgePublisher(broker, "hall1", "edge-t", Spool(tmp_path / "spool.sqlite"), ["c1", "c2"], **kw)


def test_broker_outage_mid_stream_loses_nothing(mosquitto, tmp_path):
    sub = Subscriber(mosquitto.host, mosquitto.port, [topics.ALL_EVENTS])
    pub = make_publisher(tmp_path, BrokerConfig(url=mosquitto.url, keepalive_s=5))
    pub.start()
    assert pub.connected.wait(5)
    pipes = {c: FakePipeline(c) for c in ("c1", "c2")}
    img = np.zeros((8, 8, 3), np.uint8)
    sent: list[Event] = []

    def produce(seconds: float, events: int) -> int:
        """At least `seconds` of analysis and at least `events` events (a loaded box runs the loop slower, so a
        time alone would not fix the count). Returns how many were made."""
        end, start = time.monotonic() + seconds, len(sent)
        while time.monotonic() < end or len(sent) - start < events:
            for p in pipes.values():
                for ev in p.process(img, time.time())[1]:
                    pub.publish_event(ev)
                    sent.append(ev)
            time.sleep(0.01)
        return len(sent) - start

    produce(1.0, 60)
    mosquitto.stop()
    during = produce(1.5, 100)  # analysis goes on while the broker is down
    # nothing made since the broker went is acknowledged, so all of it is still in the spool
    assert not pub.connected.is_set() and len(pub.spool) >= during
    mosquitto.start()
    produce(0.5, 40)
    assert pub.flush(20), f"spool not drained: {len(pub.spool)} left"
    assert wait_for(lambda: {(e.id, e.revision) for e in sub.events()} >= {(e.id, e.revision) for e in sent})
    assert_complete_and_ordered(sent, sub.events())
    assert pub.counts["reconnects"] >= 1
    pub.stop()
    sub.close()


def test_malformed_queue_call_is_counted_and_survived(mosquitto, tmp_path):
    got: list = []
    pub = make_publisher(tmp_path, BrokerConfig(url=mosquitto.url), on_inbound=lambda c, m: got.append((c, m)))
    pub.start()
    assert pub.connected.wait(5)
    sender = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="queue-system")
    sender.connect(mosquitto.host, mosquitto.port)
    sender.loop_start()
    topic = topics.queue_call("hall1", "c1")
    time.sleep(0.3)  # the edge's SUBSCRIBE is sent on connect; give it a moment
    for bad in (b"{not json", b'{"counter_id": "c1"}', json.dumps({"counter_id": "c9", "ticket": "A1",
                                                                      "time": 1.0}).encode()):
        sender.publish(topic, bad, qos=1).wait_for_publish(5)
    sender.publish(topic, encode(QueueCall("c1", "A012", 123.0)), qos=1).wait_for_publish(5)
    assert wait_for(lambda: len(got) == 1)
    assert got == [("c1", QueueCall("c1", "A012", 123.0))]
    assert pub.counts["malformed_inbound"] == 3
    assert pub.malformed_samples[0] == "{not json"
    sender.loop_stop()
    sender.disconnect()
    pub.stop()


def test_tls_auth_connects_and_wrong_password_is_explained(mosquitto_factory, tmp_path):
    b = mosquitto_factory(auth=True, tls=True)
    good = BrokerConfig(url=f"mqtts://{b.host}:{b.port}", username=b.username, password=b.password,
                        ca_file=str(b.ca_file))
    pub = make_publisher(tmp_path / "a", good)
    pub.start()
    assert pub.connected.wait(10), pub.last_error
    pub.publish_event(Event.open("phone.use", "c1", 1.0))
    assert pub.flush(10)
    pub.stop()

    bad = good.model_copy(update={"password": "wrong"})
    pub2 = make_publisher(tmp_path / "b", bad)
    pub2.start()
    assert wait_for(lambda: pub2.last_error is not None, 10)
    assert not pub2.connected.is_set()
    assert "refused the connection: Not authorized" in pub2.last_error
    assert "broker.password" in pub2.last_error
    pub2.stop(timeout=0.1)
