"""Evidence snapshots end to end, against a real Mosquitto: the edge runtime takes one JPEG per event when
it opens, publishes it on the snapshot topic through the spool, and a broker outage delays the JPEGs
taken meanwhile instead of losing them; the aggregator's classifier accepts what arrives."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from dashboards.ingest import Accepted, classify
from edge import topics
from edge.config import load_edge_config
from edge.runtime import EdgeRuntime
from edge.spool import Spool
from tests.test_edge_fakes import make_clip, make_fake_pipeline, write_counter, write_edge_config
from tests.test_edge_mqtt import Subscriber, wait_for

pytestmark = pytest.mark.mqtt


def test_every_new_event_has_its_snapshot_across_a_broker_outage(tmp_path, mosquitto):
    clip = make_clip(tmp_path / "clip.mp4", seconds=3)
    cams = [{"counter": str(write_counter(tmp_path / "c1.yaml", "c1")), "source": str(clip), "fps": 5}]
    cfg = load_edge_config(write_edge_config(tmp_path, mosquitto.url, cams))
    sub = Subscriber(mosquitto.host, mosquitto.port, [topics.ALL_EVENTS, f"{topics.ROOT}/+/+/snapshot/+"],
                     client_id="snap-sub")
    rt = EdgeRuntime(cfg, pipeline_factory=make_fake_pipeline).start()
    try:
        assert wait_for(lambda: rt.publisher.connected.is_set(), 10)
        assert wait_for(lambda: any(e.type == "new" for e in sub.events()), 10)
        mosquitto.stop()
        down_at = time.time()
        time.sleep(2.0)  # analysis goes on: the fake pipeline opens an event every third frame
        up_at = time.time()
        mosquitto.start()
        time.sleep(1.0)
    finally:
        assert rt.stop(timeout=20), "spool not flushed"
    news = {e.id: e for e in sub.events() if e.type == "new"}
    during = [e for e in news.values() if down_at < e.start_time < up_at]
    assert during, "no event opened while the broker was down"

    def got_snapshot() -> bool:
        return all(sub.payloads(topics.snapshot("hall1", "c1", e.snapshot)) for e in news.values())

    assert wait_for(got_snapshot, 10), "an event's snapshot never arrived"
    for ev in news.values():
        jpeg = sub.payloads(topics.snapshot("hall1", "c1", ev.snapshot))[0]
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape == (240, 320, 3)  # the analysed frame, whole
        got = classify(topics.snapshot("hall1", "c1", ev.snapshot), jpeg, time.time())
        assert isinstance(got, Accepted) and got.kind == "snapshot" and got.row[1] == ev.snapshot
    assert rt.publisher.counts["snapshots_acked"] == rt.publisher.counts["snapshots_spooled"] >= len(news)
    sub.close()


def test_snapshots_are_dropped_first_and_bounded(tmp_path):
    s = Spool(tmp_path / "s.sqlite", max_messages=6, max_snapshots=2)
    for i in range(3):
        s.put("snap", f"jpeg{i}".encode(), "snapshot")
    assert [r.payload for r in s.pending()] == [b"jpeg1", b"jpeg2"] and s.dropped_snapshots == 1
    for i in range(4):
        s.put("ev", f"new{i}".encode(), "new")
    s.put("ev", b"upd", "update")  # full at 6: the oldest snapshot goes before any event message
    s.put("ev", b"new4", "new")
    assert [r.payload for r in s.pending()] == [b"new0", b"new1", b"new2", b"new3", b"upd", b"new4"]
    assert s.dropped_snapshots == 3 and s.dropped_updates == 0
    s.put("ev", b"end", "end")  # no snapshot left: then the oldest update, as before
    assert s.dropped_updates == 1 and s.overflow == 0 and len(s) == 6
