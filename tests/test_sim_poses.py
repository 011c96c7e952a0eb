"""Simulator pose conventions the rule authors rely on: head pitch sign, elbow placement of the Reach
poses (phone at the ear, eating, handover), the sideways slouch."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.body import Body
from simulator.pose import Pose, Poser
from simulator.scenarios import SCENARIOS


@pytest.fixture(scope="module")
def poser():
    body = Body.load("f_mid")
    return body, Poser(body), {n: i for i, n in enumerate(body.kp_names)}


def _kp(poser, pose):
    body, p, k = poser
    world = p.build(p.resolve(pose))
    return body.keypoints(world), body.posed(world, with_vertices=False).joints, k


@pytest.mark.parametrize("pitch", [20.0, 38.0])
def test_positive_head_pitch_puts_the_nose_below_the_ears(poser, pitch):
    kp, _, k = _kp(poser, Pose(head_pitch=pitch))
    ears = 0.5 * (kp[k["left_ear"]][2] + kp[k["right_ear"]][2])
    assert kp[k["nose"]][2] < ears - 0.03  # looking down
    kp_up, _, _ = _kp(poser, Pose(head_pitch=-pitch))
    assert kp_up[k["nose"]][2] > 0.5 * (kp_up[k["left_ear"]][2] + kp_up[k["right_ear"]][2])  # looking up


def test_scenario_head_down_poses_have_the_nose_below_the_ears(poser):
    for name in ("phone_in_hand", "reading_head_down"):
        sc = SCENARIOS[name]
        pose = max(sc.keys, key=lambda kv: kv[1].head_pitch)[1]
        kp, _, k = _kp(poser, pose)
        assert kp[k["nose"]][2] < 0.5 * (kp[k["left_ear"]][2] + kp[k["right_ear"]][2]), name


def _body_frame(poser, pose, pt):
    """(right, forward, up) of a world point relative to the body root."""
    _, p, _ = poser
    root = p.root(pose)
    return root[:3, :3].T @ (pt - root[:3, 3])


def test_phone_call_elbow_is_out_and_forward_not_behind_the_torso(poser):
    pose = SCENARIOS["phone_call_long"].keys[1][1]
    kp, j, k = _kp(poser, pose)
    sh, el, wr = (_body_frame(poser, pose, j[n]) for n in ("upperarm01.R", "lowerarm01.R", "wrist.R"))
    assert el[0] > sh[0] + 0.05  # out to the right, not behind the torso
    assert el[1] >= sh[1] - 0.02  # not behind the shoulder
    assert el[1] > 0.1  # in front of the chest, where the camera and MediaPipe see it
    assert el[2] < wr[2]  # the forearm rises from the elbow to the hand at the ear
    assert np.linalg.norm(j["wrist.R"] - kp[k["right_ear"]]) < 0.16  # the hand is at the ear


def test_eating_keeps_the_hand_below_the_mouth(poser):
    eat = SCENARIOS["eating"].keys[2][1]
    kp, j, k = _kp(poser, eat)
    assert j["wrist.R"][2] < kp[k["nose"]][2] - 0.1  # the fist is under the face, the food reaches up


def _shoulder_frame(poser, pose, point):
    """A point relative to the shoulder centre, in the body frame (+X right, +Y forward, +Z up)."""
    body, p, k = poser
    kp, _, _ = _kp(poser, pose)
    rel = point - 0.5 * (kp[k["left_shoulder"]] + kp[k["right_shoulder"]])
    return p.root(p.resolve(pose))[:3, :3].T @ rel


@pytest.mark.parametrize("name", ["handover_two_hands", "handover_one_hand"])
def test_handover_lifts_the_papers_across_the_desk_toward_the_client(poser, name):
    keys = dict(SCENARIOS[name].keys)
    rest, held = keys[0.0], keys[1.8]  # typing, then holding the papers out (1.8-3.0 s)
    _, j0, _ = _kp(poser, rest)
    _, j1, _ = _kp(poser, held)
    moved = {s: _shoulder_frame(poser, held, j1[f"wrist.{s}"]) - _shoulder_frame(poser, rest, j0[f"wrist.{s}"])
             for s in "RL"}
    assert moved["R"][0] > 0.1  # toward the body's right, where the client sits
    assert moved["R"][2] > 0.15  # lifted from the desk to about shoulder height
    assert j1["wrist.R"][1] < j0["wrist.R"][1] - 0.15  # the hand is 15 cm farther out over the desk (world -Y)
    if name == "handover_two_hands":
        assert moved["L"][2] > 0.15 and np.linalg.norm(j1["wrist.R"] - j1["wrist.L"]) < 0.35  # both, together
    else:
        assert abs(moved["L"][2]) < 0.05  # the left hand stays on the desk


def test_the_papers_go_out_in_the_hand_and_the_client_takes_them():
    for name in ("handover_two_hands", "handover_one_hand"):
        track = dict(SCENARIOS[name].props["papers"])
        assert track[1.0] == "R" and track[3.0] is None  # picked up at 1.0 s, taken at 3.0 s
        assert SCENARIOS[name].client == [(0.0, SCENARIOS[name].duration)]


def test_the_visitor_arrives_before_the_clerk_stands():
    sc = SCENARIOS["stand_for_visitor"]
    arrive = min(t for t, p in sc.visitor if p.visible > 0.5)
    rise = min(t for t, p in sc.keys if p.stand > 0.5)
    assert arrive < rise - 0.5 and sc.client == []
    label = next(lab for lab in sc.labels if lab.rule == "stand.for_visitor")
    assert label.start == arrive


def test_lean_on_one_arm_rolls_the_shoulders_at_least_15_degrees(poser):
    kp, _, k = _kp(poser, SCENARIOS["lean_on_one_arm"].keys[1][1])
    v = kp[k["left_shoulder"]] - kp[k["right_shoulder"]]
    assert abs(np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1])))) >= 15.0
