"""The clerk's cuff where the pose put the wrist short of the hand (session 13): an unnamed desk object on the segment
from a pose wrist to the hand model's wrist is the clerk's forearm, not a personal item. Geometry as recorded on
tune_sweep chatting_visitor m_heavy_tall (1.5 m, 1.9 m, -50 deg): the pose's right wrist at (321, 315), the hand
model's wrist at (383, 319), shoulders 66 px apart, the cuff read as an unnamed item at (345-370, 305-326)."""

from __future__ import annotations

from calibration.config import default_counter
from pipelines.context import ContextDeriver
from pipelines.engine import Engine
from vision.observation import Observation
from vision.results import Detection, HandResult, Landmark, PoseResult

CUFF = (345.0, 305.0, 370.0, 326.0)


def clerk(wrist: tuple[float, float]) -> PoseResult:
    lm = [Landmark(330.0, 280.0, 0.0, 0.9) for _ in range(33)]
    lm[11], lm[12] = Landmark(355.0, 223.0, 0.0, 0.9), Landmark(289.0, 223.0, 0.0, 0.9)
    lm[15] = Landmark(403.0, 299.0, 0.0, 0.7)
    lm[16] = Landmark(*wrist, 0.0, 0.5)
    return PoseResult(landmarks=lm)


HAND = HandResult(landmarks=[(383.0, 319.0, 0.0)] + [(395.0 + k % 4, 318.0 + k // 4, 0.0) for k in range(20)])


def run(box, wrist=(321.0, 315.0), label="unknown object", seconds: int = 60):
    counter = default_counter(640, 480, counter_id="c01")
    eng, derive = Engine(counter, only=["desk.personal_items"]), ContextDeriver(counter)
    events = []
    for i in range(seconds):
        obs = Observation(counter_id="c01", frame_index=i, t=float(i), image_size=(640, 480),
                          ran=["pose", "hands", "desk"], pose=clerk(wrist), hands=[HAND],
                          desk_objects=[Detection(box=box, label=label, score=0.5, source="change")])
        events += eng.step(obs, derive)
    return [e.type for e in events + eng.finish() if e.type != "update"]


def test_the_cuff_between_the_pose_wrist_and_the_hand_is_no_item():
    assert run(CUFF) == []


def test_an_unnamed_item_off_the_forearm_is_still_one():
    assert run((345.0, 360.0, 370.0, 381.0)) == ["new", "end"]  # 45 px below the segment


def test_a_named_personal_item_there_stays_one():
    assert run(CUFF, label="donut") == ["new", "end"]


def test_with_the_hand_beyond_reach_the_object_stays():
    """A hand model's wrist over 1.5 shoulder widths from the pose's is someone else's hand: no segment."""
    assert run(CUFF, wrist=(200.0, 315.0)) == ["new", "end"]
