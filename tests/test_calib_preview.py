"""`counterwatch calibrate preview`: the simulator's view verdict combined with the accuracy verdict."""

from __future__ import annotations

import cv2
import numpy as np
from typer.testing import CliRunner

from calibration.preview import Viewpoint, combine, table_rows
from counterwatch.cli import app

runner = CliRunner()


def test_a_rule_is_measurable_only_when_every_covering_verdict_agrees():
    view = {"bow.angle": {"measurable": True, "why": "hips in view"},
            "phone.use": {"measurable": False, "why": "face out of view"},
            "post.empty": {"measurable": True, "why": "upper body in view"}}
    accuracy = {"bow.angle": (False, "sigma 5 deg"), "stand.for_visitor": (True, "torso in frame")}
    got = {v.rule_id: v for v in combine(view, accuracy)}
    assert set(got) == {"bow.angle", "phone.use", "post.empty", "stand.for_visitor"}
    assert not got["bow.angle"].measurable and got["bow.angle"].why() == "view: hips in view; accuracy: sigma 5 deg"
    assert not got["phone.use"].measurable
    assert got["post.empty"].measurable and got["post.empty"].accuracy is None
    assert got["stand.for_visitor"].measurable and got["stand.for_visitor"].view is None
    rows = {r[0]: r for r in table_rows(list(got.values()))}
    assert rows["bow.angle"][1:4] == ("NO", "yes", "NO") and rows["post.empty"][3] == "-"
    # catalogue order: presence rules before etiquette before desk
    order = [v.rule_id for v in combine(view, accuracy)]
    assert order.index("post.empty") < order.index("phone.use") < order.index("bow.angle")


def test_default_pitch_aims_at_the_seated_chest():
    assert abs(Viewpoint(height_m=1.05 + 1.5, distance_m=1.5).pitch() - 45.0) < 1e-9
    assert Viewpoint(pitch_deg=3.0).pitch() == 3.0


def test_preview_cli_prints_the_table_and_writes_the_render(tmp_path):
    out = tmp_path / "view.png"
    res = runner.invoke(app, ["calibrate", "preview", "--height-m", "1.35", "--distance-m", "1.5",
                              "--width", "320", "--height", "240", "--out", str(out)])
    assert res.exit_code == 0, res.output
    img = cv2.imread(str(out))
    assert img.shape == (240, 320, 3) and img.std() > 10  # a rendered scene, not a blank frame
    lines = {ln.split()[0]: ln.split()[1] for ln in res.output.splitlines()[2:] if ln.split() and "." in ln.split()[0]}
    assert lines["post.empty"] == "yes" and lines["desk.personal_items"] == "yes"
    assert "pitch 11.3 deg down" in res.output


def test_a_camera_far_to_the_side_loses_the_right_arm_rules():
    res = runner.invoke(app, ["calibrate", "preview", "--yaw-deg", "75", "--width", "320", "--height", "240"])
    assert res.exit_code == 0, res.output
    rows = {ln.split()[0]: ln for ln in res.output.splitlines() if ln.startswith(("guide.", "greet.", "handover."))}
    for rid in ("guide.gesture", "greet.raise_hand", "handover.two_hands"):
        assert rows[rid].split()[1] == "NO", rows[rid]
    assert "right arm hidden" in rows["greet.raise_hand"]


def test_bad_inputs_are_named():
    res = runner.invoke(app, ["calibrate", "preview", "--body", "nobody"])
    assert res.exit_code == 2 and "nobody" in res.output and "Fix: pass --body" in res.output
    res = runner.invoke(app, ["calibrate", "preview", "--height-m", "0.4", "--distance-m", "0.5"])
    assert res.exit_code == 2 and "pitch_deg" in res.output and "Fix:" in res.output


def _rows(*args: str) -> dict[str, str]:
    res = runner.invoke(app, ["calibrate", "preview", *args])  # 640x480: a hand big enough for the fingers
    assert res.exit_code == 0, res.output
    return {ln.split()[0]: ln for ln in res.output.splitlines() if ln.startswith(("point.", "phone.neck"))}


def test_a_camera_on_the_clerks_line_to_the_client_cannot_measure_pointing():
    from simulator.preview import client_line_deg

    assert abs(client_line_deg(-31.3)) < 0.1 and abs(client_line_deg(0.0) - 31.3) < 0.1
    near = _rows("--height-m", "1.55", "--distance-m", "1.45", "--yaw-deg", "-30")  # 1.3 deg off: all missed
    assert near["point.one_finger"].split()[1] == "NO" and "points at the camera" in near["point.one_finger"]
    across = _rows("--height-m", "1.4", "--distance-m", "1.6", "--yaw-deg", "20")  # 51 deg from it: found
    assert across["point.one_finger"].split()[1] == "yes", across["point.one_finger"]


def test_the_neck_clamp_is_not_read_from_a_camera_past_its_view_gate():
    assert _rows("--yaw-deg", "30")["phone.neck_clamp"].split()[1] == "yes"
    far = _rows("--yaw-deg", "-40")["phone.neck_clamp"]
    assert far.split()[1] == "NO" and "within 36 deg" in far


def test_a_colleague_beside_the_post_must_be_in_view_for_chatting():
    res = runner.invoke(app, ["calibrate", "preview", "--height-m", "1.25", "--distance-m", "1.1"])
    assert res.exit_code == 0, res.output
    close = next(ln for ln in res.output.splitlines() if ln.startswith("post.chatting"))
    assert close.split()[1] == "NO" and "22% of the body in view" in close  # half out of the frame: never boxed
    res = runner.invoke(app, ["calibrate", "preview", "--height-m", "1.35", "--distance-m", "1.5"])
    assert next(ln for ln in res.output.splitlines() if ln.startswith("post.chatting")).split()[1] == "yes"


def test_gaze_and_drinking_past_their_measured_view_yaw_are_not_measurable():
    # session 18 renders at 54-57 deg: a head turned away from the camera hides the face and the pose's nose barely
    # moves (gaze.away 0/3), the far-side cup at the lips reads with the upper arm level, a call's shape
    # (drink.in_front 0/3); both found at 39-40 deg
    from calibration.preview import view_gates

    for yaw in (0.0, 40.0, -40.0):
        gates = view_gates(yaw)
        assert gates["gaze.away"][0] and gates["drink.in_front"][0], yaw
    for yaw in (55.0, -55.0):
        gates = view_gates(yaw)
        assert not gates["gaze.away"][0] and "within 40 deg" in gates["gaze.away"][1]
        assert not gates["drink.in_front"][0] and "(camera 55 deg aside)" in gates["drink.in_front"][1]
    assert view_gates(55.0)["phone.neck_clamp"][0] is False  # unchanged


def test_greeting_from_the_clerks_left_past_35_deg_is_not_measurable():
    # session 19 renders at (1.45 m, 1.4 m, 40 deg): the far raised forearm reads 31.8-42 deg for 3 of 5 bodies (true
    # 9-10), so compliant greetings fail; clean at tune_side's 35 and on the clerk's right to -50
    from calibration.preview import view_gates

    for yaw in (0.0, 35.0, -40.0, -55.0):  # no gate on the clerk's right: no verdict, or a yes
        assert view_gates(yaw).get("greet.raise_hand", (True, ""))[0], yaw
    ok, why = view_gates(40.0)["greet.raise_hand"]
    assert not ok and why.startswith("within 35 deg of the clerk's front on the clerk's left (camera 40 deg aside)")
    assert view_gates(40.0)["gaze.away"][0]  # the other rules keep their own gates


def test_phone_rules_past_35_deg_on_the_clerks_right_are_not_measurable():
    # sessions 24-25 from -40 deg on: phone use found 5/7 at -40 and 1/13 at -50/-55, calls 8/13 and 3/24 (the handset
    # seen edge-on, the pose's phone wrist left on the desk); every one from tune_side's -30
    from calibration.preview import view_gates

    for yaw in (0.0, -30.0, -35.0, 40.0, 55.0):  # no gate on the clerk's left: no verdict, or a yes
        gates = view_gates(yaw)
        assert gates.get("phone.use", (True, ""))[0] and gates.get("phone.call", (True, ""))[0], yaw
    for rid in ("phone.use", "phone.call"):
        ok, why = view_gates(-40.0)[rid]
        assert not ok
        assert why.startswith("within 35 deg of the clerk's front on the clerk's right (camera 40 deg aside)")
    assert view_gates(-40.0)["gaze.away"][0]  # the other rules keep their own gates


def test_slots_below_the_frame_from_close_and_low_are_not_judged():
    """Session 19: from about 1.25 m high and 1.1 m from the clerk, facing them, the desk's front half is below the
    frame: the evaluator pad and the acrylic stand in their slots show nothing, so the slot rules cannot judge them
    there; from the standard 1.35 m / 1.5 m every slot is in view."""
    from simulator.preview import MIN_SLOT_IN_VIEW, render_preview
    from simulator.render import Camera
    from simulator.scene import slot_item_in_view

    _, close = render_preview(1.25, 1.1, 0.0, width=320, height=240)
    for rule in ("desk.allowed_items", "desk.displaced"):
        assert not close[rule]["measurable"]
        assert "evaluator_pad 0%" in close[rule]["why"] and "acrylic_stand 0%" in close[rule]["why"]
        assert "pen_holder" not in close[rule]["why"]
    assert close["desk.personal_items"]["measurable"]
    _, front = render_preview(1.35, 1.5, 0.0, width=320, height=240)
    assert front["desk.allowed_items"]["measurable"] and front["desk.displaced"]["measurable"]
    # the tune views where the pad was found missing and moved with a small part of it in view stay judged
    for h, d, yaw in ((1.3, 1.2, 35.0), (1.5, 1.2, 40.0), (1.6, 1.15, -15.0), (1.6, 1.3, 30.0)):
        cam = Camera(height_m=h, distance_m=d, yaw_deg=yaw, pitch_deg=float(np.degrees(np.arctan2(h - 1.0, d))))
        assert slot_item_in_view(cam, "evaluator_pad") >= MIN_SLOT_IN_VIEW


def test_a_visitor_at_the_counter_must_be_in_view_for_stand_for_visitor():
    """Session 20: the preview had no view verdict for stand.for_visitor. The suite judged visits where 35-52 % of a
    visitor standing at the counter is in the image, and none where 0-4 % is (beside or under the camera)."""
    from simulator.preview import render_preview

    for view, measurable in (((1.3, 2.0, -20.0), True), ((1.55, 1.45, -30.0), False), ((1.35, 1.5, 0.0), False)):
        _, rules = render_preview(*view)
        assert rules["stand.for_visitor"]["measurable"] is measurable, (view, rules["stand.for_visitor"])
        assert "a visitor standing at the counter" in rules["stand.for_visitor"]["why"]


def test_a_visitor_who_hides_the_standing_clerk_makes_stand_for_visitor_unmeasurable():
    """Session 29: from (1.7 m, 1.8 m) the camera looks over a visitor at the counter onto the clerk at -40 deg (4 of
    the 5 head-and-shoulder points of the standing clerk behind the visitor; scratch renders there: neither the pass
    nor the missed visit judged) but past the visitor's shoulder at -30 (1 of 5; both judged)."""
    from simulator.preview import render_preview

    for yaw, measurable, hidden in ((-30.0, True, "hiding 20%"), (-40.0, False, "hiding 80%")):
        _, rules = render_preview(1.7, 1.8, yaw)
        verdict = rules["stand.for_visitor"]
        assert verdict["measurable"] is measurable and hidden in verdict["why"], (yaw, verdict)


def test_slouching_is_measurable_from_the_front():
    # session 21: the three frontal tune views (0, -10, -15 deg), which the preview refused as not oblique, found 9
    # of 9 slouches with no false alarm
    res = runner.invoke(app, ["calibrate", "preview", "--width", "320", "--height", "240"])
    row = next(ln for ln in res.output.splitlines() if ln.startswith("posture.slouch"))
    assert row.split()[1] == "yes", row


def test_a_pointing_hand_that_leaves_the_frame_is_not_measurable():
    """Session 21: from close and low in front of the clerk the arm pointed at the client runs out of the image's
    left edge and the hand model finds no hand at the pointing wrist (scratch renders at (1.15-1.3 m, 1.0-1.2 m, -5 to
    15 deg): 10 of 12 points missed, each with 0.00-0.56 of the wrist-to-index-tip line in the image, or 0.76 with the
    index cut off; the points found showed 0.79-1.00). Views that keep the hand in the frame stay measurable."""
    from simulator.preview import MIN_POINT_HAND_IN_VIEW, render_preview

    for view in ((1.25, 1.1, 5.0), (1.3, 1.2, 15.0), (1.2, 1.05, -5.0), (1.3, 1.2, 35.0)):
        _, rules = render_preview(*view)
        ok, why = rules["point.one_finger"]["measurable"], rules["point.one_finger"]["why"]
        assert not ok and "a hand pointed at the client leaves the frame" in why, (view, why)
    for view in ((1.35, 1.5, 0.0), (1.5, 1.2, 40.0), (1.2, 1.25, -10.0), (1.4, 1.6, 20.0), (1.3, 1.75, 25.0)):
        _, rules = render_preview(*view)
        assert rules["point.one_finger"]["measurable"], (view, rules["point.one_finger"])
    assert 0.56 < MIN_POINT_HAND_IN_VIEW < 0.79
