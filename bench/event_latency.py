"""Event latency: creation on the edge -> receipt by a subscriber, through a real Mosquitto.

The path measured is the production one: Event -> SQLite spool (synchronous=FULL) -> paho QoS 1 ->
Mosquitto -> a QoS 1 subscriber. Prints p50/p95/max in ms.

    .venv/bin/python bench/event_latency.py [--n 500] [--rate 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edge import topics  # noqa: E402
from edge.config import BrokerConfig  # noqa: E402
from edge.publisher import EdgePublisher  # noqa: E402
from edge.spool import Spool  # noqa: E402
from pipelines.events import Event  # noqa: E402
from tests.fixtures.mqtt import MosquittoBroker  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--rate", type=float, default=100.0, help="events per second")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = MosquittoBroker(Path(tmp) / "broker")
        broker.configure()
        broker.start()
        latencies: list[float] = []
        done = threading.Event()

        def on_message(_c, _u, msg) -> None:
            ev = Event.from_json(msg.payload)
            latencies.append(time.time() - ev.evidence["created"])
            if len(latencies) >= args.n:
                done.set()

        subscribed = threading.Event()
        sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-sub")
        sub.on_message = on_message
        sub.on_subscribe = lambda *_: subscribed.set()
        sub.connect(broker.host, broker.port)
        sub.loop_start()
        sub.subscribe(topics.ALL_EVENTS, qos=1)
        subscribed.wait(5)
        pub = EdgePublisher(BrokerConfig(url=broker.url), "hall1", "edge-bench", Spool(Path(tmp) / "s.sqlite"),
                            ["c1"])
        pub.start()
        pub.connected.wait(5)
        for i in range(args.n):
            pub.publish_event(Event.open("phone.use", "c1", time.time(), evidence={"created": time.time(), "i": i}))
            time.sleep(1 / args.rate)
        done.wait(30)
        pub.stop()
        sub.loop_stop()
        broker.stop()
    ms = np.array(latencies) * 1000
    print(f"events: {len(ms)}/{args.n} at {args.rate:.0f}/s through Mosquitto (spool fsync + QoS 1)")
    print(f"latency p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms")


if __name__ == "__main__":
    main()
