"""A hand the hand model finds far from the clerk's pose is a client's or a visitor's: its forearm behind the wrist
(a sleeve on the desk, which no pose masks) is no desk object (session 13: the client's cuff at (1.5 m, 1.9 m,
-50 deg) was a personal item). The clerk's own hands keep the pose's limb masks only, and what lies in front of the
other hand's fingers stays an object (synthetic desk, no model)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import desk_scene
from vision.desk_change import DeskChangeDetector, DeskChangeParams
from vision.results import HandResult, Landmark, PoseResult

SLEEVE = (120, 60, 40)  # BGR: blue cloth (a dark one of the desk's hue reads as the desk in shadow)


def clerk_pose() -> PoseResult:
    """The clerk at the post, arms unseen (no limb masks), hand points at (640, 300): shoulders 160 px apart."""
    lm = [Landmark(640.0, 300.0, 0.0, 0.9) for _ in range(33)]
    for i in range(11, 15):
        lm[i] = Landmark(640.0, 300.0, 0.0, 0.1)
    lm[0] = Landmark(640.0, 130.0, 0.0, 0.9)
    lm[11], lm[12] = Landmark(720.0, 200.0, 0.0, 0.9), Landmark(560.0, 200.0, 0.0, 0.9)
    lm[23], lm[24] = Landmark(700.0, 420.0, 0.0, 0.1), Landmark(580.0, 420.0, 0.0, 0.1)
    return PoseResult(landmarks=lm)


def client_hand() -> HandResult:
    """A hand flat on the desk at x 776-800, fingers pointing left: wrist (800, 660), middle knuckle (770, 660)."""
    pts = [(800.0, 660.0, 0.0)] + [(800.0 - 6 * (k % 4 + 1), 650.0 + 5 * (k // 4), 0.0) for k in range(20)]
    pts[9] = (770.0, 660.0, 0.0)
    return HandResult(landmarks=pts)


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def run(scene, img: np.ndarray, params: DeskChangeParams | None = None) -> list:
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None, params=params)
    out: list = []
    for i in range(12):
        out = det.process(img, clerk_pose(), [client_hand()], t=0.5 * i)
    return out


def with_sleeve(scene) -> np.ndarray:
    img = scene.reference.copy()
    cv2.rectangle(img, (808, 645), (870, 675), SLEEVE, -1)  # behind the wrist, along the hand's axis
    return img


def test_the_sleeve_behind_another_persons_hand_is_no_object(scene):
    assert run(scene, with_sleeve(scene)) == []


def test_without_the_forearm_the_sleeve_is_an_object(scene):
    out = run(scene, with_sleeve(scene), DeskChangeParams(other_hand=1e9))
    assert len(out) == 1 and out[0].box[0] >= 790


def test_an_item_in_front_of_the_fingers_stays(scene):
    img = scene.reference.copy()
    cv2.rectangle(img, (660, 640), (730, 680), SLEEVE, -1)
    out = run(scene, img)
    assert len(out) == 1 and out[0].box[2] <= 760
