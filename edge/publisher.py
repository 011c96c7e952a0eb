"""MQTT side of the edge (paho-mqtt 2, MQTT 3.1.1): store-and-forward events, retained status and
availability, stats, snapshots, and the inbound queue-call / terminal subscriptions.

Delivery design (why it cannot lose or reorder an event):
- `publish_event` writes the message to the SQLite spool first and returns; nothing else.
- One sender thread hands spooled rows to paho in spool order, at most `window` un-acknowledged at a
  time (so memory stays bounded during an outage; the rest wait on disk).
- paho runs a persistent session (clean_session=False, client id = edge id) and retransmits every
  handed-over message after a reconnect, in order, until its PUBACK.
- on_publish (PUBACK) only enqueues the mid; the sender thread maps mid -> spool row and deletes it.
  A single thread owns that map, so an ack that races `publish()` is never lost.
- After a restart the rows a previous process left in the spool are handed over first.
"""

from __future__ import annotations

import logging
import queue
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from pydantic import ValidationError

from edge import topics
from edge.config import BrokerConfig
from edge.spool import Spool
from pipelines.events import Event
from pipelines.messages import CounterStatus, QueueCall, TerminalState, decode, encode

log = logging.getLogger("counterwatch.edge.mqtt")

InboundHandler = Callable[[str, Any], None]  # (counter_id, QueueCall | TerminalState)


class EdgePublisher:
    def __init__(
        self,
        broker: BrokerConfig,
        hall_id: str,
        edge_id: str,
        spool: Spool,
        counters: list[str],
        on_inbound: InboundHandler | None = None,
        window: int = 100,
    ) -> None:
        self.broker, self.hall_id, self.edge_id = broker, hall_id, edge_id
        self.spool, self.counters, self.on_inbound, self.window = spool, list(counters), on_inbound, window
        self.connected = threading.Event()
        self.last_error: str | None = None  # the latest connection failure, in words
        self.counts: dict[str, int] = {"events_spooled": 0, "events_acked": 0, "snapshots_spooled": 0,
                                       "snapshots_acked": 0, "malformed_inbound": 0,
                                       "inbound": 0, "reconnects": 0}
        self.malformed_samples: list[str] = []
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._inflight: dict[int, tuple[int, str]] = {}  # paho mid -> spool (seq, kind); sender thread only
        self._handed = 0  # highest spool seq handed to paho
        self._client = self._make_client()
        self._sender = threading.Thread(target=self._send_loop, name="mqtt-sender", daemon=True)

    # -- set-up ----------------------------------------------------------------------------------------
    def _make_client(self) -> mqtt.Client:
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.edge_id, clean_session=False,
                        protocol=mqtt.MQTTv311)
        c.max_inflight_messages_set(20)
        c.reconnect_delay_set(1, 30)  # exponential backoff between attempts
        b = self.broker
        if b.username:
            c.username_pw_set(b.username, b.password)
        if b.tls:
            c.tls_set(ca_certs=b.ca_file, certfile=b.cert_file, keyfile=b.key_file, cert_reqs=ssl.CERT_REQUIRED)
        c.will_set(topics.availability(self.hall_id, self.edge_id), b"offline", qos=1, retain=True)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_publish = self._on_publish
        c.on_message = self._on_message
        c.on_connect_fail = self._on_connect_fail
        return c

    def start(self) -> None:
        """Connect in the background (a missing broker is retried, never fatal) and start the sender."""
        self._client.connect_async(self.broker.host, self.broker.port, keepalive=self.broker.keepalive_s)
        self._client.loop_start()
        self._sender.start()

    # -- outgoing --------------------------------------------------------------------------------------
    def publish_event(self, event: Event) -> int:
        """Spool the event message durably (then the sender publishes it). Returns its spool seq."""
        seq = self.spool.put(topics.events(self.hall_id, event.counter_id), event.to_json().encode(), event.type)
        self.counts["events_spooled"] += 1
        self._wake.set()
        return seq

    def publish_status(self, status: CounterStatus) -> None:
        # Retained state, not an event: the newest one wins, so it is not spooled.
        self._client.publish(topics.status(self.hall_id, status.counter_id), encode(status), qos=1, retain=True)

    def publish_snapshot(self, counter_id: str, snapshot_id: str, jpeg: bytes) -> None:
        """Spool the evidence JPEG like an event message (call it before the event's `new`, so the receiver
        has the picture when the event names it): a broker outage delays it, it does not lose it (unless the
        spool's snapshot bound drops it; the file stays on the edge)."""
        self.spool.put(topics.snapshot(self.hall_id, counter_id, snapshot_id), jpeg, "snapshot")
        self.counts["snapshots_spooled"] += 1
        self._wake.set()

    def publish_stats(self, stats: dict[str, Any]) -> None:
        import json

        if self.connected.is_set():
            self._client.publish(topics.stats(self.hall_id, self.edge_id), json.dumps(stats), qos=0)

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            self._drain_acks()
            room = self.window - len(self._inflight)
            rows = self.spool.pending(after=self._handed, limit=room) if room > 0 else []
            for row in rows:
                info = self._client.publish(row.topic, row.payload, qos=1, retain=row.retain)
                if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                    log.error("paho refused spool row %d: %s; will retry", row.seq, mqtt.error_string(info.rc))
                    break
                self._inflight[info.mid] = (row.seq, row.kind)
                self._handed = row.seq
            if not rows:
                self._wake.wait(0.2)
                self._wake.clear()

    def _drain_acks(self) -> None:
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                return
            sent = self._inflight.pop(mid, None)
            if sent is not None:
                self.spool.ack(sent[0])
                self.counts["snapshots_acked" if sent[1] == "snapshot" else "events_acked"] += 1

    # -- paho callbacks (network thread) ---------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self.last_error = describe_refusal(reason, self.broker)
            log.error("%s", self.last_error)
            return
        self.last_error = None
        log.info("connected to %s:%d as %s", self.broker.host, self.broker.port, self.edge_id)
        client.publish(topics.availability(self.hall_id, self.edge_id), b"online", qos=1, retain=True)
        subs = [(topics.queue_call(self.hall_id, c), 1) for c in self.counters]
        subs += [(topics.terminal(self.hall_id, c), 1) for c in self.counters]
        if subs:
            client.subscribe(subs)
        self.connected.set()
        self._wake.set()

    def _on_connect_fail(self, _client: mqtt.Client, _u: Any) -> None:
        self.last_error = f"cannot reach the MQTT broker at {self.broker.host}:{self.broker.port}; retrying"
        log.warning("%s", self.last_error)

    def _on_disconnect(self, _client: mqtt.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if self.connected.is_set() and not self._stop.is_set():
            self.counts["reconnects"] += 1
            log.warning("disconnected from the broker (%s); events keep spooling", reason)
        self.connected.clear()

    def _on_publish(self, _client: mqtt.Client, _u: Any, mid: int, _reason: Any, _props: Any) -> None:
        self._acks.put(mid)
        self._wake.set()

    def _on_message(self, _client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            _hall, counter, kind = topics.parse(msg.topic)
            kind_type = {"queue/call": QueueCall, "terminal": TerminalState}[kind]
            message = decode(kind_type, msg.payload)
            if message.counter_id != counter:
                raise ValueError(f"counter_id {message.counter_id!r} does not match the topic's {counter!r}")
        except (ValidationError, ValueError, KeyError) as exc:
            self.counts["malformed_inbound"] += 1
            sample = msg.payload[:200].decode("utf-8", errors="replace")
            self.malformed_samples = (self.malformed_samples + [sample])[-5:]
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            log.warning("malformed message on %s dropped (%s); sample: %r", msg.topic, detail, sample)
            return
        self.counts["inbound"] += 1
        if self.on_inbound:
            try:
                self.on_inbound(counter, message)
            except Exception:  # a handler bug must not kill the network thread
                log.exception("inbound handler failed for %s", msg.topic)

    # -- shutdown --------------------------------------------------------------------------------------
    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every spooled event is acknowledged (True) or the timeout passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.spool) == 0:
                return True
            self._wake.set()
            time.sleep(0.05)
        return len(self.spool) == 0

    def stop(self, availability: str = "stopped", timeout: float = 10.0) -> bool:
        """Flush the spool, publish retained `stopped`, and disconnect cleanly (no Last Will)."""
        flushed = self.flush(timeout) if self.connected.is_set() else False
        self._stop.set()
        self._wake.set()
        self._sender.join(timeout=2)
        if self.connected.is_set():
            info = self._client.publish(topics.availability(self.hall_id, self.edge_id),
                                        availability.encode(), qos=1, retain=True)
            info.wait_for_publish(timeout=5)
        self._client.disconnect()
        self._client.loop_stop()
        return flushed

    def spool_depth(self) -> int:
        return len(self.spool)


def describe_refusal(reason: Any, broker: BrokerConfig) -> str:
    text = str(reason)
    fix = {
        "Not authorized": "check broker.username / broker.password in the edge config and the broker's "
                          "password file",
        "Bad user name or password": "check broker.username / broker.password in the edge config",
        "Identifier rejected": "edge_id must be unique per edge box",
    }.get(text, "check the broker's log")
    return f"MQTT broker {broker.host}:{broker.port} refused the connection: {text}. Fix: {fix}."
