"""The foundation contracts: Observation, Event, messages, catalogue, calibration file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from calibration.config import CalibrationError, default_counter, load_counter
from counterwatch.cli import contract_schemas
from edge import topics
from pipelines.catalogue import CATEGORIES, catalogue
from pipelines.events import Event
from pipelines.messages import QueueCall, decode, encode
from vision.observation import Marker, Observation, ObservationStreamError, read_observations
from vision.results import Detection, FaceResult, HandResult, Landmark, PoseResult

ROOT = Path(__file__).resolve().parents[1]
RULES_MD = ROOT.parent / "shared" / "RULES.md"


def sample_observation() -> Observation:
    pose = PoseResult(
        landmarks=[Landmark(float(i), float(2 * i), 0.0, 0.9) for i in range(33)],
        world=[(0.01 * i, -0.02 * i, 0.0) for i in range(33)],
    )
    hand = HandResult(
        landmarks=[(float(i), float(i), 0.0) for i in range(21)],
        handedness="Left",
        fingers={"index": "extended", "middle": "curled"},
        index_pointing=True,
    )
    return Observation(
        counter_id="c05",
        frame_index=7,
        t=1.4,
        wall_time=1_763_800_000.5,
        image_size=(640, 480),
        ran=["pose", "hands", "detector"],
        pose=pose,
        face=FaceResult(box=(10, 20, 110, 140), yaw=12.5, eye_aspect_ratio=0.11),
        hands=[hand],
        detections=[Detection((1, 2, 30, 40), "cell phone", 0.71, "coco_ssd_mobilenet_v2", 77)],
        markers=[Marker(7, [(0, 0), (10, 0), (10, 10), (0, 10)])],
        timings_ms={"pose": 21.5},
    )


def test_observation_round_trips_through_one_json_line():
    obs = sample_observation()
    line = obs.to_json()
    assert "\n" not in line
    back = Observation.from_json(line)
    assert back == obs
    assert back.hands[0].handedness == "Left" and back.hands[0].index_pointing
    assert back.pose.landmarks[5].y == 10.0


def test_bad_observation_line_names_file_line_and_field(tmp_path):
    good = sample_observation().to_json()
    bad = json.loads(good)
    bad["pose"]["landmarks"][0]["x"] = "left"
    path = tmp_path / "obs.jsonl"
    path.write_text(good + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ObservationStreamError) as exc:
        read_observations(str(path))
    msg = str(exc.value)
    assert f"{path}:2" in msg and "pose.landmarks.0.x" in msg and "Fix:" in msg


def test_event_lifecycle_keeps_id_and_counts_revisions():
    ev = Event.open("phone.use", "c05", start_time=100.0, hall_id="h1", evidence={"duration_s": 10})
    assert ev.type == "new" and ev.revision == 0 and ev.clause == catalogue()["phone.use"].clause
    up = ev.next("update", evidence={"duration_s": 30})
    end = up.next("end", end_time=160.0)
    assert {ev.id, up.id, end.id} == {ev.id}
    assert [ev.revision, up.revision, end.revision] == [0, 1, 2]
    assert end.duration == 60.0
    assert Event.from_json(end.to_json()) == end


def test_event_for_unknown_rule_is_refused():
    with pytest.raises(KeyError, match="unknown rule id 'phone.juggling'"):
        Event.open("phone.juggling", "c05", start_time=0.0)


def test_committed_json_schemas_match_the_code():
    for name, body in contract_schemas().items():
        committed = json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text())
        assert committed == body, f"docs/schemas/{name}.schema.json is stale: run `counterwatch schema`"


def test_catalogue_covers_every_rule_id_in_rules_md():
    if not RULES_MD.exists():
        pytest.skip("shared/RULES.md is not beside this checkout")
    ids = set(re.findall(r"^\| ([a-z]+(?:\.[a-z_]+)?) \|", RULES_MD.read_text(encoding="utf-8"), re.M))
    ids.discard("id")
    assert len(ids) >= 35
    assert ids <= set(catalogue()), sorted(ids - set(catalogue()))
    assert {info.category for info in catalogue().values()} <= set(CATEGORIES)


def test_queue_call_message_round_trip_and_rejects_garbage():
    call = QueueCall(counter_id="c05", ticket="A012", time=5.0)
    assert decode(QueueCall, encode(call)) == call
    with pytest.raises(ValueError):
        decode(QueueCall, b'{"counter_id": "c05"}')


def test_topic_map_parses_its_own_topics():
    assert topics.parse(topics.events("h1", "c05")) == ("h1", "c05", "events")
    assert topics.parse(topics.availability("h1", "edge-a")) == ("h1", "edge-a", "availability")
    assert topics.shared("agg", topics.ALL_EVENTS) == "$share/agg/counterwatch/+/+/events"
    with pytest.raises(ValueError):
        topics.parse("frigate/events")


def test_calibration_error_names_file_field_and_fix(tmp_path):
    path = tmp_path / "c05.yaml"
    path.write_text("counter_id: c05\ncamera: {pitch_deg: 120}\nrules: {phone.juggling: {}}\nzones: {desk: [[0, 0]]}\n")
    with pytest.raises(CalibrationError) as exc:
        load_counter(path)
    msg = str(exc.value)
    assert str(path) in msg
    assert "camera.pitch_deg" in msg and "zones.desk" in msg and "phone.juggling" in msg
    assert msg.count("Fix:") == 3


def test_default_counter_has_post_and_desk_zones():
    cfg = default_counter(640, 480)
    assert cfg.zones.post and cfg.zones.desk and cfg.exceptions.water_cup_allowed
