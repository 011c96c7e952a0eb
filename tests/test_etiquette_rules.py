"""Etiquette rules on hand-built Observation streams of the synthetic clerk."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.messages import QueueCall
from tests.fixtures.etiquette import (
    GUIDE_120,
    REST,
    ArmPose,
    bow_profile,
    make_cam,
    make_stream,
    run_rule,
    synth_hand,
    synth_pose,
)
from vision.observation import Observation

ABDOMEN = ArmPose(upper_dir=(0.0, -1.0, 0.0), elbow_deg=90.0, toward=(-1.0, 0.0, 0.6))
RAISED = ArmPose(upper_dir=(-1.0, 0.0, 0.2), elbow_deg=100.0, toward=(0.0, 1.0, 0.0))
RAISED_LEFT = ArmPose(upper_dir=(1.0, 0.0, 0.2), elbow_deg=100.0, toward=(0.0, 1.0, 0.0))
# holding a document out across the desk toward the clerk's right (-X): lifted toward shoulder height, sideways
GIVE_R = ArmPose(upper_dir=(-0.3, -0.6, 1.0), elbow_deg=160.0, toward=(-0.6, 0.3, 1.0))
GIVE_L = ArmPose(upper_dir=(-0.35, -0.6, 1.0), elbow_deg=160.0, toward=(-0.8, 0.3, 1.0))


def finals(events):
    return [e for e in events if e.type == "end"]


@pytest.mark.parametrize("yaw", [0, 45])
def test_greeting_bow_after_a_call_passes_at_15_and_fails_at_30(yaw):
    cam = make_cam(yaw=yaw)
    call = [QueueCall("c1", "A001", 1.0)]
    ok = finals(run_rule("bow.angle", cam, make_stream(cam, bow_profile(15)), calls=call))
    assert len(ok) == 1 and ok[0].outcome == "pass"
    assert ok[0].evidence["class"] == "greeting" and abs(ok[0].evidence["peak_deg"] - 15) <= 2
    assert ok[0].evidence["hold_s"] >= 0.9 and ok[0].evidence["ticket"] == "A001"
    bad = finals(run_rule("bow.angle", cam, make_stream(cam, bow_profile(30)), calls=call))
    assert len(bad) == 1 and bad[0].outcome == "violation"
    assert bad[0].evidence["class"] == "thanks" and bad[0].evidence["expected"] == "greeting"


def test_no_bow_gives_nothing_and_a_bow_without_a_call_is_info():
    cam = make_cam()
    assert run_rule("bow.angle", cam, make_stream(cam, [0.0] * 60), calls=[QueueCall("c1", "A1", 1.0)]) == []
    evs = run_rule("bow.angle", cam, make_stream(cam, bow_profile(45)))
    assert [e.type for e in evs] == ["new", "end"] and evs[0].id == evs[1].id
    assert evs[0].outcome == "info" and evs[0].evidence["class"] == "apology"


def test_a_long_lean_is_not_a_bow_and_the_tolerance_is_configurable():
    cam = make_cam()
    lean = [0.0] * 20 + [20.0] * 100 + [0.0] * 20
    assert run_rule("bow.angle", cam, make_stream(cam, lean)) == []
    strict = run_rule("bow.angle", cam, make_stream(cam, bow_profile(21)), rules={"bow.angle": {"tolerance_deg": 3}})
    assert strict[0].evidence["class"] == "unclassified"


def test_bent_neck_is_reported_and_fails_when_straightness_is_required():
    cam = make_cam(yaw=45)
    prof = bow_profile(15)
    stream = []
    for i, b in enumerate(prof):
        pose, _ = synth_pose(cam, b, head_nod_deg=35.0 * b / 15.0)
        stream.append(Observation("c1", i, i / 10, image_size=(1280, 720), ran=["pose"], pose=pose))
    ev = finals(run_rule("bow.angle", cam, stream, calls=[QueueCall("c1", "A1", 0.5)]))
    assert ev and ev[0].evidence["straight"] is False and ev[0].outcome == "pass"  # reported, not judged
    ev = finals(run_rule("bow.angle", cam, stream, calls=[QueueCall("c1", "A1", 0.5)],
                         rules={"bow.angle": {"require_straight": True}}))
    assert ev and ev[0].evidence["straight"] is False and ev[0].outcome == "violation"


def _raise_stream(cam, arm_right=REST, arm_left=REST, start=25, length=12, n=80):
    rights = [arm_right if start <= i < start + length else REST for i in range(n)]
    lefts = [arm_left if start <= i < start + length else REST for i in range(n)]
    return make_stream(cam, [0.0] * n, right=rights, left=lefts, hands=True)


@pytest.mark.parametrize("yaw", [0, 30])
def test_greeting_raise_latency_and_pass(yaw):
    cam = make_cam(yaw=yaw)
    evs = finals(run_rule("greet.raise_hand", cam, _raise_stream(cam, RAISED), calls=[QueueCall("c1", "B7", 1.0)]))
    assert len(evs) == 1 and evs[0].outcome == "pass"
    ev = evs[0].evidence
    assert ev["greeted"] and ev["latency_s"] == pytest.approx(1.5, abs=0.15) and ev["forearm_deg"] < 15


def test_missing_greeting_and_left_hand_are_violations():
    cam = make_cam()
    none = finals(run_rule("greet.raise_hand", cam, _raise_stream(cam), calls=[QueueCall("c1", "B8", 1.0)]))
    assert len(none) == 1 and none[0].outcome == "violation" and none[0].evidence["greeted"] is False
    assert none[0].clip_start == 1.0
    left = finals(run_rule("greet.raise_hand", cam, _raise_stream(cam, arm_left=RAISED_LEFT),
                           calls=[QueueCall("c1", "B9", 1.0)]))
    assert len(left) == 1 and left[0].outcome == "violation" and left[0].evidence["reason"] == "left hand raised"
    late = finals(run_rule("greet.raise_hand", cam, _raise_stream(cam, RAISED, start=70, n=90),
                           calls=[QueueCall("c1", "B10", 1.0)]))
    assert [e.outcome for e in late] == ["violation"]


def _point_stream(cam, frames_pointing: int, n=60):
    out = []
    for i in range(n):
        pose, pts = synth_pose(cam, 0.0)
        hand = synth_hand(cam, pts[16], pointing=20 <= i < 20 + frames_pointing)
        out.append(Observation("c1", i, i / 10, image_size=(1280, 720), ran=["pose", "hands"], pose=pose, hands=[hand]))
    return out


def test_one_finger_pointing_needs_a_short_hold():
    cam = make_cam()
    evs = run_rule("point.one_finger", cam, _point_stream(cam, 12))
    assert [e.type for e in evs] == ["new", "end"] and evs[0].outcome == "violation"
    assert evs[0].clip_start == pytest.approx(2.0)
    assert run_rule("point.one_finger", cam, _point_stream(cam, 3)) == []


def _guide_stream(cam, palm=(0.0, 1.0, 0.0), n=60, start=15, length=20):
    out = []
    for i in range(n):
        on = start <= i < start + length
        pose, pts = synth_pose(cam, 15.0 if on else 0.0, right=GUIDE_120 if on else REST, left=ABDOMEN)
        hand = synth_hand(cam, pts[16], palm_normal_world=palm if on else (1.0, 0.0, 0.0))
        out.append(Observation("c1", i, i / 10, image_size=(1280, 720), ran=["pose", "hands"], pose=pose, hands=[hand]))
    return out


@pytest.mark.parametrize("yaw", [0, 45])
def test_guiding_gesture_measured_and_passed(yaw):
    cam = make_cam(yaw=yaw)
    evs = finals(run_rule("guide.gesture", cam, _guide_stream(cam)))
    assert len(evs) == 1, evs
    ev = evs[0].evidence
    assert abs(ev["elbow_deg"] - 120) < 6 and abs(ev["body_bow_deg"] - 15) < 3
    assert ev["palm_up"] > 0.9 and ev["checks"]["left_hand_abdomen"] is True
    assert ev["position"] == "horizontal" and 0.0 < ev["upper_arm_gap_m"] < 0.2
    failed = set(ev["failed"]) - {"fingertips_lead"}  # the synthetic hand has no finger geometry
    assert not failed


def test_a_palm_seen_edge_on_is_not_judged():
    cam = make_cam(yaw=45)
    ev = finals(run_rule("guide.gesture", cam, _guide_stream(cam, palm=(1.0, 0.0, 0.0))))[0]  # palm facing sideways
    assert abs(ev.evidence["palm_up"]) < 0.4 and ev.evidence["checks"]["palm_up"] is None
    assert "palm_up" not in ev.evidence["failed"]


def test_guiding_with_palm_down_fails_that_check():
    cam = make_cam(yaw=45)
    ev = finals(run_rule("guide.gesture", cam, _guide_stream(cam, palm=(0.0, -1.0, 0.0))))[0]
    assert ev.outcome == "violation" and "palm_up" in ev.evidence["failed"]


def _handover(cam, right, left=None, n=50, lean=12.0):
    """Hands resting, then held out from frame 15 to 30 with the torso leaning `lean` degrees."""
    out = range(15, 30)
    return make_stream(cam, [lean if i in out else 0.0 for i in range(n)],
                       right=[right if i in out else REST for i in range(n)],
                       left=[(left or REST) if i in out else REST for i in range(n)])


CLIENT_CALL = [QueueCall("c1", "A1", 0.0)]


def test_two_hand_handover_passes_and_one_hand_fails():
    cam = make_cam()
    evs = finals(run_rule("handover.two_hands", cam, _handover(cam, GIVE_R, GIVE_L), calls=CLIENT_CALL))
    assert len(evs) == 1 and evs[0].outcome == "pass" and evs[0].evidence["hand"] == "both"
    assert evs[0].evidence["max_lift_m"] > 0.2 and evs[0].evidence["duration_s"] == pytest.approx(1.4, abs=0.15)
    evs = finals(run_rule("handover.two_hands", cam, _handover(cam, GIVE_R), calls=CLIENT_CALL))
    assert len(evs) == 1 and evs[0].outcome == "violation" and evs[0].evidence["hand"] == "right"


@pytest.mark.parametrize("yaw", [-30, 30])
def test_handover_toward_the_client_zone_side_only(yaw):
    cam = make_cam(yaw=yaw)
    # the client zone on the image's left (the clerk's right, where GIVE_R/GIVE_L reach) or on its right
    left_zone = {"client": [(0.0, 300.0), (300.0, 300.0), (300.0, 720.0), (0.0, 720.0)]}
    right_zone = {"client": [(980.0, 300.0), (1280.0, 300.0), (1280.0, 720.0), (980.0, 720.0)]}
    stream = _handover(cam, GIVE_R, GIVE_L)
    toward = finals(run_rule("handover.two_hands", cam, stream, calls=CLIENT_CALL, zones=left_zone))
    assert [e.evidence["client_side_known"] for e in toward] == [True]
    assert finals(run_rule("handover.two_hands", cam, stream, calls=CLIENT_CALL, zones=right_zone)) == []


def test_hands_moving_apart_are_a_turn_not_a_handover():
    cam = make_cam()
    away_l = ArmPose(upper_dir=(0.35, -0.6, 1.0), elbow_deg=160.0, toward=(0.8, 0.3, 1.0))  # the left hand to +X
    assert finals(run_rule("handover.two_hands", cam, _handover(cam, GIVE_R), calls=CLIENT_CALL))  # alone: out
    assert run_rule("handover.two_hands", cam, _handover(cam, GIVE_R, away_l), calls=CLIENT_CALL) == []


def test_no_handover_without_a_client_or_without_a_lean():
    cam = make_cam()
    assert run_rule("handover.two_hands", cam, _handover(cam, GIVE_R, GIVE_L)) == []  # nobody to hand to
    upright = _handover(cam, GIVE_R, GIVE_L, lean=0.0)  # arms out, torso upright: not reaching across
    assert run_rule("handover.two_hands", cam, upright, calls=CLIENT_CALL) == []


@pytest.mark.parametrize("rule", ["bow.angle", "guide.gesture", "greet.raise_hand", "handover.two_hands",
                                  "point.one_finger", "stand.for_visitor"])
def test_do_nothing_stream_raises_no_events(rule):
    cam = make_cam(yaw=30)
    rng = np.random.default_rng(0)
    stream = make_stream(cam, list(rng.normal(0.0, 1.0, 120)), hands=True)
    for obs in stream:  # a little landmark jitter, as a detector would give
        for lm in obs.pose.landmarks:
            lm.x += float(rng.normal(0, 1.0))
            lm.y += float(rng.normal(0, 1.0))
    assert run_rule(rule, cam, stream) == []


def _visitor_stream(cam, stands: bool, bow: float, n=180, arrive=40, bottom=716.0):
    from vision.results import Detection

    out = []
    for i in range(n):
        up = stands and i >= arrive + 20
        bowing = up and arrive + 35 <= i < arrive + 50
        pose, _ = synth_pose(cam, bow if bowing else 0.0, hip_height=0.95 if up else 0.55)
        # a visitor at the counter, close to the camera: the box runs off the frame's bottom edge
        people = [Detection((900.0, 300.0, 1100.0, bottom), "person", 0.9, "det")] if i >= arrive else []
        out.append(Observation("c1", i, i / 10, image_size=(1280, 720), ran=["pose", "people"], pose=pose,
                               people=people))
    return out


def test_standing_for_a_visitor():
    cam = make_cam(yaw=20)
    zones = {"client": [(850.0, 500.0), (1280.0, 500.0), (1280.0, 720.0), (850.0, 720.0)]}
    ok = finals(run_rule("stand.for_visitor", cam, _visitor_stream(cam, True, 15.0), zones=zones))
    assert len(ok) == 1 and ok[0].outcome == "pass", ok
    assert ok[0].evidence["shoulder_rise_m"] > 0.3 and ok[0].evidence["latency_s"] == pytest.approx(2.0, abs=0.2)
    seated = finals(run_rule("stand.for_visitor", cam, _visitor_stream(cam, False, 0.0), zones=zones))
    assert len(seated) == 1 and seated[0].outcome == "violation" and seated[0].evidence["missing"] == ["stand", "bow"]
    served = run_rule("stand.for_visitor", cam, _visitor_stream(cam, False, 0.0), zones=zones,
                      calls=[QueueCall("c1", "A1", 0.5)])
    assert served == []  # a called client is being served: not a visitor


def test_a_visitor_cut_by_the_frame_bottom_is_in_a_zone_drawn_to_the_last_row():
    # zones are drawn on the image's pixel rows (0..719); the detector's box runs to 720 when the feet are below
    # the frame (tune_sweep (1.5 m, 1.9 m, -50 deg): the visitor between camera and clerk was never a visit)
    cam = make_cam(yaw=20)
    zones = {"client": [(850.0, 500.0), (1280.0, 500.0), (1279.0, 719.0), (850.0, 719.0)]}
    ok = finals(run_rule("stand.for_visitor", cam, _visitor_stream(cam, True, 15.0, bottom=720.0), zones=zones))
    assert [e.outcome for e in ok] == ["pass"]


def _near_stream(cam, stands: bool, near, n=180, arrive=40):
    """No person box at all: the visitor is seen only as a border-cut change (`Observation.near`) on the detector's
    frames (every 10th)."""
    out = []
    for o in _visitor_stream(cam, stands, 15.0 if stands else 0.0, n=n, arrive=arrive):
        o.people = []
        if o.frame_index % 10 == 0:
            o.ran = o.ran + ["near"]
            o.near = list(near) if o.frame_index >= arrive else []
        else:
            o.ran = [r for r in o.ran if r != "people"]
        out.append(o)
    return out


def test_a_visitor_the_detector_does_not_box_is_seen_by_the_border_cut_change():
    # session 26, tune_side (1.55 m, 1.45 m, -30 deg): the back of a visitor's head at the frame's bottom-left, never
    # boxed; the desk stage's change against the reference, cut by the frame's border, sees it
    from vision.observation import NearChange

    cam = make_cam(yaw=20)
    zones = {"client": [(850.0, 500.0), (1280.0, 500.0), (1280.0, 720.0), (850.0, 720.0)]}
    head = NearChange(box=(0.0, 200.0, 500.0, 720.0), area=0.21, bottom=0.49, client=0.7)
    ok = finals(run_rule("stand.for_visitor", cam, _near_stream(cam, True, [head]), zones=zones))
    assert [e.outcome for e in ok] == ["pass"], ok
    seated = finals(run_rule("stand.for_visitor", cam, _near_stream(cam, False, [head]), zones=zones))
    assert [(e.outcome, e.evidence["missing"]) for e in seated] == [("violation", ["stand", "bow"])]
    # the visitor's back hides the clerk (no pose, no box) for the whole window: unknown, not a violation
    hidden = _near_stream(cam, False, [head])
    for o in hidden[30:]:  # from the look-back on
        o.pose = None
    unknown = finals(run_rule("stand.for_visitor", cam, hidden, zones=zones))
    assert [(e.outcome, e.evidence["why"]) for e in unknown] == [
        ("info", "someone between the camera and the post hid the clerk")], unknown
    # a called client is served, not visiting; without the cue (None) the rule reads boxes only
    assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [head]), zones=zones,
                    calls=[QueueCall("c1", "A1", 0.5)]) == []
    assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [head]), zones=zones,
                    rules={"stand.for_visitor": {"near_min_area": None}}) == []
    # the stage runs only for a counter with a client zone and the cue on
    from pipelines.engine import Engine
    from tests.fixtures.etiquette import counter_for

    assert "near" in Engine(counter_for(cam, None, zones), only=["stand.for_visitor"]).needs
    assert "near" not in Engine(counter_for(cam, None, None), only=["stand.for_visitor"]).needs
    off = counter_for(cam, {"stand.for_visitor": {"near_min_area": None}}, zones)
    assert "near" not in Engine(off, only=["stand.for_visitor"]).needs
    # an item put on the desk near the camera (an umbrella: 0.17 of the frame, 0.02 of its bottom rows), a smaller
    # change, one mostly outside the client zone: no visit
    for other in (NearChange(box=(0.0, 100.0, 400.0, 720.0), area=0.174, bottom=0.5, client=0.9),
                  NearChange(box=(0.0, 100.0, 400.0, 720.0), area=0.3, bottom=0.02, client=0.9),
                  NearChange(box=(0.0, 100.0, 400.0, 720.0), area=0.3, bottom=0.5, client=0.3)):
        assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [other]), zones=zones) == [], other


def test_a_visitor_standing_beyond_the_frame_side_is_seen_as_a_tall_thin_strip():
    # session 27, renders at 25-58 deg (e.g. (1.7 m, 1.6 m, 58 deg)): a visitor standing at the counter beyond the
    # frame's left edge, head to feet in view as a strip 0.54-0.74 of the frame tall, 0.06-0.09 wide; the detector
    # scores it 0.07-0.21 (no box), the near stage reports it cut by the side alone
    from vision.observation import NearChange

    cam = make_cam(yaw=20)
    zones = {"client": [(0.0, 100.0), (300.0, 100.0), (300.0, 720.0), (0.0, 720.0)]}
    strip = NearChange(box=(0.0, 150.0, 90.0, 560.0), area=0.03, bottom=0.0, client=1.0)
    seated = finals(run_rule("stand.for_visitor", cam, _near_stream(cam, False, [strip]), zones=zones))
    assert [(e.outcome, e.evidence["missing"]) for e in seated] == [("violation", ["stand", "bow"])], seated
    ok = finals(run_rule("stand.for_visitor", cam, _near_stream(cam, True, [strip]), zones=zones))
    assert [e.outcome for e in ok] == ["pass"], ok
    right = NearChange(box=(1190.0, 150.0, 1280.0, 560.0), area=0.03, bottom=0.0, client=1.0)
    zones_r = {"client": [(980.0, 100.0), (1280.0, 100.0), (1280.0, 720.0), (980.0, 720.0)]}
    assert [e.outcome for e in finals(run_rule("stand.for_visitor", cam, _near_stream(cam, False, [right]),
                                               zones=zones_r))] == ["violation"]
    # not a standing visitor: a served client's arm at the edge (0.35 of the frame tall), an item (0.30 wide), a strip
    # cut by the bottom too (no feet in view: the bottom-cut gates read it), a colleague beside the post (outside the
    # client zone), a strip off the side edge; and the cue off
    for other in (NearChange(box=(0.0, 450.0, 200.0, 700.0), area=0.025, bottom=0.0, client=1.0),
                  NearChange(box=(0.0, 150.0, 390.0, 600.0), area=0.05, bottom=0.0, client=0.8),
                  NearChange(box=(0.0, 150.0, 90.0, 720.0), area=0.04, bottom=0.3, client=1.0),
                  NearChange(box=(0.0, 0.0, 150.0, 640.0), area=0.066, bottom=0.0, client=0.0),
                  NearChange(box=(40.0, 150.0, 130.0, 560.0), area=0.03, bottom=0.0, client=1.0)):
        assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [other]), zones=zones) == [], other
    assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [strip]), zones=zones,
                    rules={"stand.for_visitor": {"near_strip_min_height": None}}) == []


def test_a_visitor_from_the_frames_top_to_its_bottom_is_seen_below_the_area_gate():
    # session 28, (1.5 m, 1.35 m, -30 deg): the visitor stands between the camera and the desk at the frame's left,
    # head above the frame and body below it; the detector boxes only the clerk and the near region (0.134-0.143 of
    # the frame) is under `near_min_area`, but it is cut by both the frame's top and its bottom
    from vision.observation import NearChange

    cam = make_cam(yaw=20)
    zones = {"client": [(0.0, 0.0), (500.0, 0.0), (500.0, 720.0), (0.0, 720.0)]}
    body = NearChange(box=(0.0, 0.0, 420.0, 720.0), area=0.134, bottom=0.26, client=0.7)
    seated = finals(run_rule("stand.for_visitor", cam, _near_stream(cam, False, [body]), zones=zones))
    assert [(e.outcome, e.evidence["missing"]) for e in seated] == [("violation", ["stand", "bow"])], seated
    ok = finals(run_rule("stand.for_visitor", cam, _near_stream(cam, True, [body]), zones=zones))
    assert [e.outcome for e in ok] == ["pass"], ok
    # not through the frame (an item on the desk runs off the bottom only), too small, not running on below the frame,
    # a colleague beside the post at 25 deg (cut by both edges, 0.079 of the frame, none in the client zone)
    for other in (NearChange(box=(0.0, 100.0, 420.0, 720.0), area=0.134, bottom=0.26, client=0.7),
                  NearChange(box=(0.0, 0.0, 420.0, 720.0), area=0.08, bottom=0.26, client=0.7),
                  NearChange(box=(0.0, 0.0, 420.0, 720.0), area=0.134, bottom=0.02, client=0.7),
                  NearChange(box=(0.0, 0.0, 420.0, 720.0), area=0.134, bottom=0.26, client=0.3),
                  NearChange(box=(980.0, 0.0, 1180.0, 720.0), area=0.079, bottom=0.04, client=0.0)):
        assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [other]), zones=zones) == [], other
    assert run_rule("stand.for_visitor", cam, _near_stream(cam, False, [body]), zones=zones,
                    rules={"stand.for_visitor": {"near_through_min_area": None}}) == []


def test_standing_without_a_bow_fails_and_no_client_zone_is_idle():
    cam = make_cam(yaw=20)
    zones = {"client": [(850.0, 500.0), (1280.0, 500.0), (1280.0, 720.0), (850.0, 720.0)]}
    # the bow of a clerk who just stood is measured against the standing posture: 0 here
    no_bow = finals(run_rule("stand.for_visitor", cam, _visitor_stream(cam, True, 0.0), zones=zones))
    assert [(e.outcome, e.evidence["missing"], e.evidence["stood"]) for e in no_bow] == [("violation", ["bow"], True)]
    assert abs(no_bow[0].evidence["bow_deg"]) < 3.0
    # a camera with no client zone cannot see where a visitor stands: no judgement either way
    assert run_rule("stand.for_visitor", cam, _visitor_stream(cam, False, 0.0)) == []
    # a box ending inside the frame whose bottom, on the floor, lies behind the clerk's post: a colleague beside
    # or behind the clerk (seen in the client zone's image region from a high camera), not a visitor
    behind = _visitor_stream(cam, False, 0.0, bottom=690.0)
    assert run_rule("stand.for_visitor", cam, behind, zones=zones) == []
