"""Edge config validation messages, face blurring and snapshot retention, and the embedded broker."""

from __future__ import annotations

import os
import queue
import time

import numpy as np
import paho.mqtt.client as mqtt
import pytest

from edge.config import EdgeConfigError, load_edge_config
from edge.embedded import start_embedded_broker
from edge.snapshots import SnapshotStore, blur_faces, detect_faces
from tests.test_edge_fakes import write_counter


def test_config_errors_name_file_field_and_fix(tmp_path):
    counter = write_counter(tmp_path / "c1.yaml", "c1")
    bad = tmp_path / "edge.yaml"
    bad.write_text(f"broker: {{url: 'http://x'}}\ncameras: [{{counter: {counter}, fps: 0}}]\nedge_idd: e\n")
    with pytest.raises(EdgeConfigError) as err:
        load_edge_config(bad)
    msg = str(err.value)
    assert str(bad) in msg
    assert "field 'broker.url'" in msg and "mqtt://HOST:PORT" in msg
    assert "field 'cameras.0.fps'" in msg and "field 'edge_idd'" in msg and "Fix: remove it" in msg

    missing = tmp_path / "edge2.yaml"
    missing.write_text("cameras: [{counter: nowhere.yaml}]\n")
    with pytest.raises(EdgeConfigError, match=r"cameras\.0\.counter.*does not exist.*Fix"):
        load_edge_config(missing)


def test_pipeline_settings_are_validated_and_reach_the_pipeline(tmp_path):
    counter = write_counter(tmp_path / "c1.yaml", "c1")
    bad = tmp_path / "edge.yaml"
    bad.write_text(f"cameras: [{{counter: {counter}}}]\npipeline_settings: {{pose_complexity: 5}}\n")
    with pytest.raises(EdgeConfigError, match=r"edge\.yaml: field 'pipeline_settings\.pose_complexity'.*Fix"):
        load_edge_config(bad)
    typo = tmp_path / "edge3.yaml"
    typo.write_text(f"cameras: [{{counter: {counter}}}]\npipeline_settings: {{pose_complexty: 0}}\n")
    with pytest.raises(EdgeConfigError, match=r"edge3\.yaml: field 'pipeline_settings\.pose_complexty'.*Fix"):
        load_edge_config(typo)  # a misspelt setting is an error, not silently the default
    good = tmp_path / "edge2.yaml"
    good.write_text(f"cameras: [{{counter: {counter}}}]\npipeline_settings: {{pose_complexity: 0, people_every: 15}}\n")
    cfg = load_edge_config(good)
    from calibration.config import load_counter
    from edge.pipeline import make_pipeline

    pipe = make_pipeline(load_counter(counter), settings=cfg.pipeline_settings)  # models load lazily: none here
    assert pipe.s.pose_complexity == 0 and pipe.s.people_every == 15


def test_config_resolves_relative_paths(tmp_path):
    write_counter(tmp_path / "c1.yaml", "c1")
    (tmp_path / "edge.yaml").write_text("broker: {url: 'mqtts://b.example:8884'}\n"
                                        "cameras: [{counter: c1.yaml, source: clip.mp4}]\n")
    cfg = load_edge_config(tmp_path / "edge.yaml")
    assert cfg.broker.tls and cfg.broker.port == 8884
    assert cfg.cameras[0].counter == str(tmp_path / "c1.yaml")
    assert cfg.cameras[0].source == str(tmp_path / "clip.mp4")
    assert cfg.snapshots.blur_faces is True  # privacy is the default


def _face_image() -> np.ndarray:
    data = pytest.importorskip("skimage.data")
    return np.ascontiguousarray(data.astronaut()[:, :, ::-1])  # RGB -> BGR; a frontal face


def test_faces_are_pixelated():
    img = _face_image()
    faces = detect_faces(img)
    assert faces, "the Haar cascade should find the astronaut's face"
    out, n = blur_faces(img)
    assert n == len(faces)
    x1, y1, x2, y2 = (int(v) for v in faces[0])
    before = img[y1:y2, x1:x2].astype(float)
    after = out[y1:y2, x1:x2].astype(float)
    # Pixelation wipes the fine detail: the local gradient energy collapses.
    assert np.abs(np.diff(after, axis=1)).mean() < 0.35 * np.abs(np.diff(before, axis=1)).mean()
    assert detect_faces(out) == []  # no detector finds the face any more
    far = out[-40:, -40:]  # well away from the face: untouched
    assert np.array_equal(far, img[-40:, -40:])


def test_snapshot_store_blur_switch_and_retention(tmp_path):
    import cv2

    img = _face_image()
    blurred = SnapshotStore(tmp_path / "a", blur=True)
    plain = SnapshotStore(tmp_path / "b", blur=False)
    jb = cv2.imdecode(np.frombuffer(blurred.save("s1", img), np.uint8), cv2.IMREAD_COLOR)
    jp = cv2.imdecode(np.frombuffer(plain.save("s1", img), np.uint8), cv2.IMREAD_COLOR)
    assert blurred.path("s1").exists() and plain.path("s1").exists()
    assert len(detect_faces(jp)) > len(detect_faces(jb))

    store = SnapshotStore(tmp_path / "r", blur=False, max_mb=0.05, max_age_h=1)
    small = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    for i in range(10):
        store.save(f"s{i}", small)
        os.utime(store.path(f"s{i}"), (time.time() - 100 + i, time.time() - 100 + i))
    kept = sorted(p.stem for p in store.dir.glob("*.jpg"))
    assert sum(p.stat().st_size for p in store.dir.glob("*.jpg")) <= 50_000
    assert "s9" in kept and "s0" not in kept  # the oldest go first
    os.utime(store.path("s9"), (time.time() - 7200, time.time() - 7200))
    store.prune()
    assert not store.path("s9").exists()  # older than max_age_h


def test_embedded_broker_round_trip():
    broker = start_embedded_broker()
    got: queue.Queue = queue.Queue()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="emb-test")
    c.on_message = lambda _c, _u, m: got.put(m.payload)
    subscribed = queue.Queue()
    c.on_subscribe = lambda *_: subscribed.put(True)
    c.connect(broker.host, broker.port)
    c.loop_start()
    try:
        c.subscribe("x/#", qos=1)
        assert subscribed.get(timeout=5)
        c.publish("x/y", b"ping", qos=1).wait_for_publish(5)
        assert got.get(timeout=5) == b"ping"
    finally:
        c.loop_stop()
        c.disconnect()
        broker.stop()


def test_missing_desk_reference_stops_the_start_with_the_fix(tmp_path):
    """A reference_image that is not there would fail every desk frame at run time; the start refuses it."""
    from edge.runtime import EdgeRuntime
    from tests.test_edge_fakes import write_edge_config

    counter = write_counter(tmp_path / "c1.yaml", "c1", source=str(tmp_path / "frames"))
    counter.write_text(counter.read_text() + "reference_image: missing-ref.png\n")
    cfg = load_edge_config(write_edge_config(tmp_path, "mqtt://127.0.0.1:1", [{"counter": str(counter)}]))
    with pytest.raises(ValueError, match=r"c1\.yaml: field 'reference_image': .*missing-ref\.png does not exist.*Fix"):
        EdgeRuntime(cfg)
    (tmp_path / "missing-ref.png").write_bytes(b"")  # present: the runtime is built (not started)
    assert set(EdgeRuntime(cfg).workers) == {"c1"}


def test_a_relative_source_is_read_against_the_file_that_names_it(tmp_path, monkeypatch):
    """The counter file's camera.source is relative to the counter file; a source in an edge config built in code
    (the demo's) is taken as given, relative to the working directory (the demo once looked for its clips under
    var/demo/counters/var/demo/clips)."""
    from edge.config import EdgeConfig
    from edge.runtime import EdgeRuntime

    monkeypatch.chdir(tmp_path)
    (tmp_path / "counters").mkdir()
    own = write_counter(tmp_path / "counters" / "c1.yaml", "c1", source="clips/own.mp4")
    other = write_counter(tmp_path / "counters" / "c2.yaml", "c2")
    cfg = EdgeConfig.model_validate({
        "hall_id": "h", "edge_id": "e", "broker": {"url": "mqtt://127.0.0.1:1"},
        "spool": {"path": str(tmp_path / "spool.sqlite")}, "snapshots": {"dir": str(tmp_path / "snaps")},
        "cameras": [{"counter": str(own)}, {"counter": str(other), "source": "var/clips/c2.mp4"}]})
    workers = EdgeRuntime(cfg).workers
    assert workers["c1"].source.source == str(tmp_path / "counters" / "clips" / "own.mp4")
    assert workers["c2"].source.source == "var/clips/c2.mp4"
