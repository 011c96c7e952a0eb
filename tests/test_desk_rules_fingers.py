"""The clerk's fingertips past the pose's hand points, where the hand model found no hand (session 28): the desk stage
masks such a hand only along the pose's points, which stop short of the fingers, so the fingers of a hand resting on
the desk show as a small still change. It is no unnamed item, and an emptied slot whose item was "found" there is still
empty (desk.allowed_items, not desk.displaced). Geometry as recorded on a scratch render of allowed_item_missing,
f_old_heavy at (1.8 m, 1.9 m, -50 deg), seed 28: shoulders at (342.8, 239.2) and (305.8, 251.1) (38.9 px apart), the
right wrist at (372.2, 323.1) and index point at (387.2, 328.9), no hand-model hand; the fingertips boxed at
(391-407, 327-343), first an unnamed object, then the evaluator pad "moved" there."""

from __future__ import annotations

from calibration.config import default_counter
from pipelines.context import ContextDeriver
from pipelines.engine import Engine
from tests.test_desk_rules_slot_cuff import slot_events
from vision.observation import Observation
from vision.results import Detection, HandResult, Landmark, PoseResult

TIPS = (391.0, 327.0, 407.0, 343.0)
SLOT = (470.0, 290.0, 505.0, 330.0)


F_OLD_HEAVY = {11: (342.8, 239.2), 12: (305.8, 251.1), 15: (406.7, 297.7), 16: (372.2, 323.1), 19: (417.8, 306.1),
               20: (387.2, 328.9)}
# m_young_avg at (1.8 m, 1.9 m, -50 deg), seed 28: both hands resting side by side, neither seen by the hand model
M_YOUNG_AVG = {11: (354.9, 226.8), 12: (298.1, 242.1), 15: (406.3, 297.4), 16: (369.4, 321.8), 19: (420.2, 306.7),
               20: (383.4, 326.7)}


def clerk(points=None) -> PoseResult:
    lm = [Landmark(330.0, 300.0, 0.0, 0.9) for _ in range(33)]
    for i, (x, y) in (points or F_OLD_HEAVY).items():
        lm[i] = Landmark(x, y, 0.0, 0.95)
    return PoseResult(landmarks=lm)


# the hand model seeing the right hand: its wrist at the pose's, its points over the fingers
HAND = HandResult(landmarks=[(372.0, 323.0, 0.0)] + [(390.0 + k % 4 * 4, 326.0 + k // 4 * 3, 0.0) for k in range(20)])


def observe(i: int, det: Detection, hands: list[HandResult], points=None) -> Observation:
    return Observation(counter_id="c01", frame_index=i, t=float(i), image_size=(640, 480),
                       ran=["pose", "hands", "desk"], pose=clerk(points), hands=hands, desk_objects=[det])


def slot_run(moved_box, hands=(), points=None, seconds: int = 60) -> list[tuple[str, str]]:
    return slot_events(SLOT, moved_box, lambda i, det: observe(i, det, list(hands), points), seconds)


def item_run(box, label="unknown object", hands=(), seconds: int = 60) -> list[str]:
    counter = default_counter(640, 480, counter_id="c01")
    eng, derive = Engine(counter, only=["desk.personal_items"]), ContextDeriver(counter)
    events = []
    for i in range(seconds):
        events += eng.step(observe(i, Detection(box=box, label=label, score=0.5, source="change"), list(hands)), derive)
    return [e.type for e in events + eng.finish() if e.type != "update"]


def test_an_item_found_at_the_fingertips_of_an_unseen_hand_is_still_missing():
    assert slot_run(TIPS) == [("desk.allowed_items", "new"), ("desk.allowed_items", "end")]


def test_with_the_hand_model_seeing_that_hand_the_item_is_displaced():
    """A hand the hand model sees is masked whole: what shows past it is no finger."""
    assert slot_run(TIPS, hands=[HAND]) == [("desk.displaced", "new"), ("desk.displaced", "end")]


def test_an_item_reaching_past_the_fingers_is_displaced():
    """The pad put down under the resting hand reaches past the fingers' span (the index point to twice the
    wrist-to-index step beyond it, grown by a quarter shoulder width: x 377-427 here)."""
    assert slot_run((378.0, 318.0, 440.0, 352.0)) == [("desk.displaced", "new"), ("desk.displaced", "end")]


def test_both_hands_fingers_joined_are_no_item_found():
    """Both hands resting side by side, neither seen by the hand model: their fingertips are one change spanning both
    (recorded: 42 x 34 px, 0.71 shoulder widths; one hand's alone 22 x 25 px)."""
    missing = [("desk.allowed_items", "new"), ("desk.allowed_items", "end")]
    assert slot_run((400.0, 317.0, 419.0, 344.0), points=M_YOUNG_AVG) == missing
    assert slot_run((396.0, 309.0, 438.0, 343.0), points=M_YOUNG_AVG) == missing


def test_an_item_found_off_the_hands_line_is_displaced():
    assert slot_run((391.0, 367.0, 407.0, 383.0)) == [("desk.displaced", "new"), ("desk.displaced", "end")]


def test_the_fingertips_are_no_unnamed_item():
    assert item_run(TIPS) == []


def test_a_named_item_at_the_fingertips_stays_one():
    assert item_run(TIPS, label="donut") == ["new", "end"]


def test_an_unnamed_item_there_with_the_hand_seen_stays_one():
    assert item_run(TIPS, hands=[HAND]) == ["new", "end"]
