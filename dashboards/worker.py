"""One aggregator worker: a paho-mqtt subscriber feeding an Ingestor.

Events and snapshots come through a shared subscription (`$share/<group>/…`) so that several workers
split them. Retained topics (counter status, edge availability, staff logins) are subscribed
*without* $share: MQTT 5 (§4.8.2) says a shared subscription gets no retained messages, and
Mosquitto 2 follows it, so a worker that starts late would otherwise never see the current state.
Every worker therefore stores those; the upserts make that harmless.

The session is persistent (clean_start=False, session expiry) and QoS 1 messages are acknowledged
only after their batch is committed (manual ack), so the broker keeps and redelivers anything not
yet stored.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
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
        self.client = mqtt.Client(
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
        self.client.on_message = self._on_message
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

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        self.connected.clear()
        if reason_code.is_failure:
            log.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _ack(self, token: tuple[int, int]) -> None:
        mid, qos = token
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
        self.client.disconnect()
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
