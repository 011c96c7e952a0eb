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


def test_handover_reaches_sideways_toward_the_client(poser):
    start = SCENARIOS["handover_two_hands"].keys[0][1]
    give = SCENARIOS["handover_two_hands"].keys[1][1]
    _, j0, _ = _kp(poser, start)
    _, j1, _ = _kp(poser, give)
    for s in "RL":
        a, b = _body_frame(poser, start, j0[f"wrist.{s}"]), _body_frame(poser, give, j1[f"wrist.{s}"])
        assert b[0] - a[0] > 0.1, s  # toward the body's right, where the client sits (visible across the image)
        assert b[2] > 0.8  # above the desk top


def test_lean_on_one_arm_rolls_the_shoulders_at_least_15_degrees(poser):
    kp, _, k = _kp(poser, SCENARIOS["lean_on_one_arm"].keys[1][1])
    v = kp[k["left_shoulder"]] - kp[k["right_shoulder"]]
    assert abs(np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1])))) >= 15.0
