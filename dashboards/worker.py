"""One aggregator worker: a paho-mqtt subscriber feeding an Ingestor.

Events and snapshots come through a shared subscription (`$share/<group>/…`) so that several workers
split them. Retained topics (counter status, edge availability, staff logins) are subscribed
*without* $share: MQTT 5 (§4.8.2) says a shared subscription gets no retained messages, and
Mosquitto 2 follows it, so a worker that starts late would otherwise never see the current state.
Every worker therefore stores those; the upserts make that harmless.

The session is persistent (clean_start=False, session expiry) and QoS 1 messages are acknowledged
only after their batch is committed (manual ack), so the broker keeps and redelivers anything not
yet stored.

The client is paho's with a faster receive path (`_fast_client_class`): at thousands of messages a
second paho's per-packet work (a select and ~3 recv calls per packet, an MQTTMessage and an MQTT 5
Properties object per PUBLISH, one send per PUBACK) cost more CPU than validating and storing.
"""

from __future__ import annotations

import logging
import ssl
import struct
import threading
import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from dashboards.config import AggregatorConfig
from dashboards.ingest import Ingestor, Limits
from dashboards.store import Store
from edge import topics

log = logging.getLogger("counterwatch.aggregator")

# Edge stats (QoS 0, not retained) are shared too: one worker stores each, the latest per edge wins.
SHARED_FILTERS = (topics.ALL_EVENTS, f"{topics.ROOT}/+/+/snapshot/+", topics.ALL_STATS)
RETAINED_FILTERS = (topics.ALL_STATUS, topics.ALL_AVAILABILITY, f"{topics.ROOT}/+/+/staff")


def subscriptions(group: str | None) -> list[str]:
    """Events through $share/<group>/ so workers split them; group None = one worker, plain filters."""
    shared = [topics.shared(group, f) if group else f for f in SHARED_FILTERS]
    return shared + list(RETAINED_FILTERS)


_PUBACK = struct.Struct("!BBH")  # PUBACK fixed header (0x40, remaining length 2) + packet id
_READ_CHUNK = 64 * 1024
_MIN_PACKETS_PER_READ = 1000  # then return to select() as soon as the read buffer is empty


@cache
def _fast_client_class() -> type:
    """paho's Client with a receive path for a subscriber taking thousands of messages a second.

    - Socket reads are buffered (one recv of up to 64 KiB instead of ~3 per packet) and loop_read
      handles every packet that has arrived instead of one packet per select().
    - A QoS 0/1 PUBLISH without MQTT 5 properties goes straight to `fast_sink(topic, payload, qos,
      mid)`: no MQTTMessage, no Properties object, no topic matcher. Anything else (QoS 2 or an
      invalid QoS, properties, a malformed or non-UTF-8 packet, no fast_sink) takes paho's own
      `_handle_publish`.
    - `ack_many` queues the PUBACKs of a whole batch as one write.
    It overrides private paho 2.x methods (`_sock_recv`, `loop_read`, `_handle_publish`,
    `_packet_queue`): tests/test_agg_fastclient.py runs it against Mosquitto with MQTT 5 and 3.1.1.
    """
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import MQTTErrorCode

    success, again = MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_AGAIN

    class FastClient(mqtt.Client):  # type: ignore[misc]
        fast_sink: Callable[[str, bytes, int, int], None] | None = None
        _rsock: Any = None
        _rbuf: bytes = b""
        _rpos: int = 0

        def _sock_recv(self, bufsize: int) -> bytes:
            if self._rsock is not self._sock:  # a new connection: drop what the old one left
                self._rsock, self._rbuf, self._rpos = self._sock, b"", 0
            pos = self._rpos
            if pos >= len(self._rbuf):
                data = super()._sock_recv(_READ_CHUNK)  # raises BlockingIOError/OSError as paho expects
                if not data:
                    return data  # EOF: paho treats it as a lost connection
                self._rbuf, pos = data, 0
            self._rpos = pos + bufsize
            return self._rbuf[pos:pos + bufsize]

        def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
            if self._sock is None:
                return MQTTErrorCode.MQTT_ERR_NO_CONN
            handled = 0
            while True:
                if self._sock is None:
                    return MQTTErrorCode.MQTT_ERR_NO_CONN
                rc = self._packet_read()
                if rc > 0:
                    return self._loop_rc_handle(rc)
                if rc == again:
                    return success
                handled += 1
                # Bounded, so PUBACKs and keepalive get written; never leaving buffered bytes, which
                # select() would not report.
                if handled >= max(max_packets, _MIN_PACKETS_PER_READ) and self._rpos >= len(self._rbuf):
                    return success

        def _handle_publish(self) -> MQTTErrorCode:
            sink = self.fast_sink
            header = self._in_packet["command"]
            qos = (header & 0x06) >> 1
            if sink is None or qos > 1:
                return super()._handle_publish()
            packet = self._in_packet["packet"]
            try:
                topic_end = end = 2 + ((packet[0] << 8) | packet[1])
                if end == 2 or end > len(packet):
                    return super()._handle_publish()
                mid = 0
                if qos:
                    mid = (packet[end] << 8) | packet[end + 1]
                    end += 2
                if self._protocol == mqtt.MQTTv5:
                    if packet[end] != 0:  # properties present
                        return super()._handle_publish()
                    end += 1
                topic = packet[2:topic_end].decode("utf-8")
            except (IndexError, UnicodeDecodeError):
                return super()._handle_publish()  # paho reports the malformed packet its own way
            sink(topic, bytes(packet[end:]), qos, mid)
            if qos == 1 and not self._manual_ack:
                return self._send_puback(mid)
            return success

        def ack_many(self, mids: Sequence[int]) -> None:
            """PUBACK these QoS 1 messages (manual ack) in one write."""
            if mids:
                self._packet_queue(mqtt.PUBACK, b"".join([_PUBACK.pack(mqtt.PUBACK, 2, m) for m in mids]), 0, 0)

    return FastClient


class Worker:
    """Connect, subscribe, ingest until stop() (or SIGTERM through run_worker)."""

    def __init__(self, cfg: AggregatorConfig, store: Store | None = None) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.cfg = cfg
        self.store = store or Store.open(cfg.database_url)
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        v5 = cfg.broker.protocol == "5"
        self._v5 = v5
        self.client = _fast_client_class()(
            CallbackAPIVersion.VERSION2,
            client_id=cfg.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        broker = cfg.broker
        if broker.username:
            self.client.username_pw_set(broker.username, broker.resolved_password())
        if broker.use_tls:
            tls = broker.tls
            self.client.tls_set(
                ca_certs=str(tls.ca_file) if tls and tls.ca_file else None,
                certfile=str(tls.cert_file) if tls and tls.cert_file else None,
                keyfile=str(tls.key_file) if tls and tls.key_file else None,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
            if tls and tls.insecure:
                self.client.tls_insecure_set(True)
        self.client.max_inflight_messages_set(broker.receive_maximum)
        self.client.reconnect_delay_set(1, 30)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message  # what the fast path hands back to paho
        self.client.fast_sink = self._on_publish
        self.client.on_disconnect = self._on_disconnect
        retention = cfg.retention_days * 86400
        self.ingestor = Ingestor(
            self.store,
            Limits(cfg.max_payload_bytes, cfg.max_snapshot_bytes),
            snapshot_dir=cfg.snapshot_dir,
            batch_size=cfg.batch_size,
            batch_wait_ms=cfg.batch_wait_ms,
            queue_size=cfg.queue_size,
            samples_per_reason=cfg.reject_samples_per_reason,
            ack=self._ack,
            periodic=lambda: prune_now(self.store, retention, cfg.snapshot_dir),
            periodic_every_s=cfg.prune_every_s,
        )

    # ---- paho callbacks (network thread) ---------------------------------------------------------

    def _on_connect(self, client: Any, _userdata: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        if reason_code.is_failure:
            log.error("broker refused the connection: %s", reason_code)
            return
        log.info("connected to %s:%s as %s", self.cfg.broker.host, self.cfg.broker.port, self.cfg.client_id)
        group = self.cfg.group if self.cfg.shared_subscription else None
        client.subscribe([(f, 1) for f in subscriptions(group)])
        self.connected.set()

    def _on_subscribe(self, _client: Any, _userdata: Any, _mid: int, reason_codes: Any, _props: Any) -> None:
        failed = [str(rc) for rc in reason_codes if rc.is_failure]
        if failed:
            log.error("subscriptions refused (check the broker ACL for this user): %s", ", ".join(failed))
        self.subscribed.set()

    def _on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        token = (msg.mid, msg.qos) if msg.qos > 0 else None
        self.ingestor.submit(msg.topic, msg.payload, time.time(), token)

    def _on_publish(self, topic: str, payload: bytes, qos: int, mid: int) -> None:
        self.ingestor.submit(topic, payload, time.time(), (mid, qos) if qos else None)

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        self.connected.clear()
        if reason_code.is_failure:
            log.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _ack(self, tokens: list[tuple[int, int]]) -> None:
        """Acknowledge a committed batch: its QoS 1 PUBACKs in one write (QoS 2 does not occur: we
        subscribe at QoS 1, but is acknowledged one by one if it does)."""
        self.client.ack_many([mid for mid, qos in tokens if qos == 1])
        for mid, qos in tokens:
            if qos == 2:
                self.client.ack(mid, qos)

    # ---- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        from paho.mqtt.client import MQTT_CLEAN_START_FIRST_ONLY
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.ingestor.start()
        props = None
        if self._v5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = self.cfg.session_expiry_s
            props.ReceiveMaximum = self.cfg.broker.receive_maximum
        self.client.connect_async(
            self.cfg.broker.host, self.cfg.broker.port, keepalive=self.cfg.broker.keepalive,
            clean_start=False if self._v5 else MQTT_CLEAN_START_FIRST_ONLY, properties=props,
        )
        self.client.loop_start()

    def stop(self) -> None:
        """Store and acknowledge what was received, then disconnect (the session keeps the rest)."""
        self.ingestor.flush(timeout=30)
        self.client.disconnect()  # queued after the last PUBACKs, so the broker reads those first
        # loop_stop ends paho's network thread without writing what is still queued: wait until the
        # DISCONNECT is out (on_disconnect), or the last batch's PUBACKs may never leave and the broker
        # redelivers that batch to the next worker on this session.
        deadline = time.monotonic() + 5
        while self.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
        self.client.loop_stop()
        self.ingestor.stop()


def prune_now(store: Store, max_age_s: float, snapshot_dir: Any = None, now: float | None = None) -> dict[str, int]:
    from dashboards.retention import prune

    return prune(store, max_age_s, snapshot_dir, now)


def run_worker(cfg: AggregatorConfig, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set)."""
    import signal

    stop = stop or threading.Event()
    worker = Worker(cfg)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.start()
    try:
        while not stop.wait(10):
            s = worker.ingestor.stats
            log.info("received %d, stored %d, rejected %d, queue %d", s.received, s.stored,
                     sum(s.rejected.values()), worker.ingestor.queue.qsize())
    finally:
        worker.stop()
