"""A doubtful handedness label that disagrees with the wrist the hand sits on: the fingers' curl says which way the
palm faces before the side overrules the label (session 26). Fingers flex toward the palm, so in the image the
fingertips lie off the hand's axis on the palm's side, whatever the depth and whichever hand it is."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import pipelines.geometry as geometry
from pipelines.geometry import CURL_MIN_ACROSS, CURL_MIN_SPANS, HAND_DEPTH_SCALE, finger_curl, palm_up_score
from tests.fixtures.etiquette import make_cam
from vision.results import HandResult, Landmark

CAM = make_cam(yaw=-50, pitch=9.0, height=1.5, distance=1.9)  # tune_sweep's steep view
WRIST = np.array([-0.30, 1.0, 0.30])


def _curled_hand(normal, axis, handedness: str, curl_deg: float) -> HandResult:
    """A hand (palm normal `normal`, fingers along `axis`, world axes) with each finger bent `curl_deg` at every
    joint toward the palm, as MediaPipe gives it: pixels and a relative depth flattened by HAND_DEPTH_SCALE."""
    n, f = np.asarray(normal, float), np.asarray(axis, float)
    lat = np.cross(f, n) * (-1.0 if handedness == "Left" else 1.0)  # toward the index side
    pts = [WRIST]
    pts += [WRIST + 0.03 * lat + 0.02 * j * f for j in range(1, 5)]  # thumb
    for off in (1.5, 0.5, -0.5, -1.5):  # index, middle, ring, pinky
        p = WRIST + 0.09 * f + 0.02 * off * lat
        pts.append(p)
        for k, seg in enumerate((0.03, 0.02, 0.02), 1):
            a = math.radians(curl_deg * k)
            p = p + seg * (math.cos(a) * f + math.sin(a) * n)
            pts.append(p)
    arr = np.array(pts)
    uv = CAM.project(arr)
    depth = (arr - CAM.C) @ CAM.R[2]
    z = (depth - depth[0]) * CAM.f / depth[0] / HAND_DEPTH_SCALE
    return HandResult(landmarks=[(float(u), float(v), float(d)) for (u, v), d in zip(uv, z, strict=True)],
                      handedness=handedness, score=0.6)


def _near_wrist(hand: HandResult) -> Landmark:
    u, v = hand.landmarks[0][:2]
    return Landmark(u + 5.0, v, 0.0, 0.95)  # a wrist the pose sees, the hand on it


def _across(hand: HandResult) -> float:
    curl, across = finger_curl(hand)
    return float(geometry.palm_normal_image(hand, CAM)[:2] @ across)


def test_a_curled_left_hand_on_the_right_wrist_keeps_its_label():
    # the chin-on-hand / hands-together case: the left hand, palm down, paired to the right wrist, labelled Left at 0.6
    hand = _curled_hand((0.0, -1.0, 0.0), (-1.0, 0.0, 0.0), "Left", 30.0)
    curl, _ = finger_curl(hand)
    assert abs(curl) >= CURL_MIN_SPANS and abs(_across(hand)) >= CURL_MIN_ACROSS and curl * _across(hand) > 0
    assert palm_up_score(hand, CAM) < -0.9  # the label alone: down
    assert palm_up_score(hand, CAM, "right", _near_wrist(hand)) < -0.9  # the curl keeps the label: down


def test_control_without_the_curl_the_side_reads_it_up(monkeypatch):
    hand = _curled_hand((0.0, -1.0, 0.0), (-1.0, 0.0, 0.0), "Left", 30.0)
    monkeypatch.setattr(geometry, "CURL_MIN_SPANS", math.inf)
    assert palm_up_score(hand, CAM, "right", _near_wrist(hand)) > 0.9  # the side's sign: a false palm up


def test_a_curl_that_contradicts_the_label_leaves_the_side_its_say():
    # a right hand, palm up, mislabelled Left at 0.6: the curl sides with the wrist, the reading stays up
    hand = dataclasses.replace(_curled_hand((0.0, 1.0, 0.0), (-1.0, 0.0, 0.0), "Right", 30.0), handedness="Left")
    assert finger_curl(hand)[0] * _across(hand) < 0
    assert palm_up_score(hand, CAM, "right", _near_wrist(hand)) > 0.9


@pytest.mark.parametrize("curl_deg", [0.0, 3.0])
def test_a_flat_hand_gives_way_to_the_side_as_before(curl_deg):
    # a guide's flat hand has no curl to read: the side decides
    hand = _curled_hand((0.0, -1.0, 0.0), (-1.0, 0.0, 0.0), "Left", curl_deg)
    assert abs(finger_curl(hand)[0]) < CURL_MIN_SPANS
    assert palm_up_score(hand, CAM, "right", _near_wrist(hand)) > 0.9
