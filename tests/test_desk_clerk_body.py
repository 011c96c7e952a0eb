"""The clerk's own body is no desk object: seen from aside or from above, the shirt at the waist shows over the
desk's back edge, inside the clerk's torso outline but outside the torso mask (which stops at the desk, where the
desk hides the lap). A thing of the shirt's colours there is dropped; a thing of other colours there (a phone
lying in front of the clerk) stays an object (synthetic desk, no model)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import DESK_TOP, desk_scene
from vision.desk_change import DeskChangeDetector, DeskChangeParams
from vision.results import Landmark, PoseResult

SHIRT = (150, 70, 30)  # BGR blue
SHOULDERS = ((760, 200), (520, 200))  # landmarks 11 (left) and 12 (right), image pixels
HIPS = ((740, 560), (540, 560))  # 23 and 24: guessed below the desk edge, as MediaPipe does
WAIST = (560, DESK_TOP + 4, 720, DESK_TOP + 44)  # what shows of the clerk over the desk's back edge


def clerk_pose() -> PoseResult:
    lm = [Landmark(640.0, 200.0, 0.0, 0.1) for _ in range(33)]  # arms unseen: no limb masks
    lm[0] = Landmark(640.0, 130.0, 0.0, 0.9)
    lm[11], lm[12] = (Landmark(*SHOULDERS[0], 0.0, 0.9), Landmark(*SHOULDERS[1], 0.0, 0.9))
    lm[23], lm[24] = (Landmark(*HIPS[0], 0.0, 0.3), Landmark(*HIPS[1], 0.0, 0.3))
    return PoseResult(landmarks=lm)


def frame(reference: np.ndarray, at_waist: tuple[int, int, int]) -> np.ndarray:
    img = reference.copy()
    cv2.rectangle(img, (530, 200), (750, DESK_TOP), SHIRT, -1)
    cv2.circle(img, (640, 140), 55, (80, 110, 170), -1)
    cv2.rectangle(img, WAIST[:2], WAIST[2:], at_waist, -1)
    return img


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def run(scene, at_waist):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = []
    for i in range(12):
        out = det.process(frame(scene.reference, at_waist), clerk_pose(), t=0.5 * i)
    return out


def test_the_shirt_over_the_desk_edge_is_the_clerk(scene):
    assert run(scene, SHIRT) == []


def test_a_thing_of_other_colours_in_front_of_the_clerk_stays_an_object(scene):
    out = run(scene, (35, 35, 40))
    assert len(out) == 1
    x1, y1, x2, y2 = out[0].box
    assert x1 <= WAIST[0] + 8 and x2 >= WAIST[2] - 8 and y2 >= WAIST[3] - 8


def test_without_the_body_check_the_shirt_patch_is_an_object(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None,
                             params=DeskChangeParams(clerk_inside=1.01))  # no blob can be inside enough
    out = []
    for i in range(12):
        out = det.process(frame(scene.reference, SHIRT), clerk_pose(), t=0.5 * i)
    assert len(out) == 1 and out[0].box[1] >= DESK_TOP - 8
