"""greet.raise_hand: a hand held to the face (a phone at the ear, a cup at the mouth) is not a greeting.

The greeting hand is raised beside the head; a phone call or a drink brings the hand to the ear or the mouth.
`hand_face_clearance` measures the hand centre's distance from the nose, mouth and ears in image shoulder widths;
the rule drops raised frames closer than `min_face_clearance`. Checked on synthetic streams and on perception
streams recorded on tune clips (phone call and drinking, each with a queue call during it)."""

from __future__ import annotations

import pytest

from pipelines.geometry import hand_face_clearance
from pipelines.messages import QueueCall
from pipelines.rules.etiquette_common import ClerkGeometry, shoulder_px
from pipelines.rules.etiquette_greet import GreetParams, raise_row
from tests.fixtures.etiquette import REST, ArmPose, counter_for, make_cam, make_stream, run_rule, synth_pose
from tests.test_etiquette_recorded import replay

RAISED = ArmPose(upper_dir=(-1.0, 0.0, 0.2), elbow_deg=100.0, toward=(0.0, 1.0, 0.0))
# elbow forward and down, forearm up and in: the hand beside the right ear, forearm 34 deg off vertical
PHONE_AT_EAR = ArmPose(upper_dir=(-0.2, -0.3, 0.6), elbow_deg=40.0, toward=(0.5, 1.0, 0.3))


def _stream(cam, arm, start=25, length=12, n=80):
    rights = [arm if start <= i < start + length else REST for i in range(n)]
    return make_stream(cam, [0.0] * n, right=rights, hands=True)


@pytest.mark.parametrize("yaw", [0, 30, -20])
def test_clearance_separates_a_hand_at_the_ear_from_a_greeting_hand(yaw):
    cam = make_cam(yaw=yaw)
    at_ear = hand_face_clearance(synth_pose(cam, right=PHONE_AT_EAR)[0], "right")
    greeting = hand_face_clearance(synth_pose(cam, right=RAISED)[0], "right")
    assert at_ear is not None and greeting is not None
    assert at_ear < 0.7 < greeting


def test_the_clearance_is_counted_in_the_wider_of_this_frame_and_the_floor():
    pose = synth_pose(make_cam(), right=RAISED)[0]
    width = shoulder_px(pose)
    clear = hand_face_clearance(pose, "right")
    assert clear is not None and clear > 0.7
    assert hand_face_clearance(pose, "right", width / 2) == pytest.approx(clear)  # a narrower floor: no change
    assert hand_face_clearance(pose, "right", width * 3) == pytest.approx(clear / 3)  # torso read side-on


def test_the_memoised_clearance_depends_on_the_width_floor():
    # a rule asking for the frame's clearance without a floor must not hand greet its unfloored value
    cam = make_cam()
    pose = synth_pose(cam, right=RAISED)[0]
    frame = ClerkGeometry(counter_for(cam)).measure(make_stream(cam, [0.0], right=[RAISED], hands=True)[0])
    assert frame is not None
    p = GreetParams()
    assert raise_row(frame, "right", p, []) is not None  # cached unfloored: the hand clears the face
    assert raise_row(frame, "right", p, [], usual_px=shoulder_px(pose) * 3) is None  # usual width 3x: at the face


@pytest.mark.parametrize("yaw", [0, 30])
def test_a_phone_at_the_ear_after_a_call_is_no_greeting(yaw):
    cam = make_cam(yaw=yaw)
    call = [QueueCall("c1", "B7", 1.0)]
    evs = [e for e in run_rule("greet.raise_hand", cam, _stream(cam, PHONE_AT_EAR), calls=call) if e.type == "end"]
    assert len(evs) == 1 and evs[0].outcome == "violation"
    assert evs[0].evidence["greeted"] is False and evs[0].evidence["reason"] == "no raised-hand greeting"
    # without the face check the same hand reads as a (badly formed) right-hand greeting
    loose = [e for e in run_rule("greet.raise_hand", cam, _stream(cam, PHONE_AT_EAR), calls=call,
                                 rules={"greet.raise_hand": {"min_face_clearance": 0.0}}) if e.type == "end"]
    assert len(loose) == 1 and loose[0].evidence["greeted"] is True and loose[0].evidence["hand"] == "right"
    ok = [e for e in run_rule("greet.raise_hand", cam, _stream(cam, RAISED), calls=call) if e.type == "end"]
    assert len(ok) == 1 and ok[0].outcome == "pass"


# Recorded tune streams. The height and tilt gates are opened wide so that only the face check stands between
# the hand at the face and a greeting; the greetings must survive it.
WIDE = {"window_s": 3.5, "detect_forearm_deg": 89.0, "below_shoulder_m": 0.6}
AT_FACE = ["phone_call_short__f_young_slim__h1.35_d1.5_y0", "drinking_client__f_young_slim__h1.3_d2_y-20"]
GREETINGS = ["greet_raise_hand__f_old_heavy__h1.35_d1.5_y0", "greet_raise_hand_spread__m_young_avg__h1.3_d2_y-20"]


@pytest.mark.parametrize("name", AT_FACE)
def test_recorded_phone_call_and_drink_after_a_call_are_no_greeting(name):
    loose = replay(name, rules={"greet.raise_hand": {**WIDE, "min_face_clearance": 0.0}}, only=["greet.raise_hand"])
    assert [e.evidence["greeted"] for e in loose] == [True]  # the hand is up near the head
    evs = replay(name, rules={"greet.raise_hand": WIDE}, only=["greet.raise_hand"])
    assert [(e.outcome, e.evidence["greeted"]) for e in evs] == [("violation", False)]
    shipped = replay(name, rules={"greet.raise_hand": {"window_s": 3.5}}, only=["greet.raise_hand"])
    assert [e.evidence["greeted"] for e in shipped] == [False]


@pytest.mark.parametrize("name", GREETINGS)
def test_recorded_greetings_clear_the_face(name):
    evs = replay(name, rules={"greet.raise_hand": WIDE}, only=["greet.raise_hand"])
    assert len(evs) == 1 and evs[0].evidence["greeted"] is True and evs[0].evidence["hand"] == "right"
