"""The desk stage seen from a steep side (session 11): the clerk's arms as thick as the torso says when the shoulders
foreshorten, and the SSD's sure "box" on a sheet (synthetic desk, no model)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import desk_scene
from vision.desk_change import DeskChangeDetector, DeskChangeParams
from vision.results import Detection, Landmark, PoseResult

ELBOW = (500, 500)  # frame pixels (1280 x 720; the desk stage works at half size)


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def pose(wrist: tuple[int, int], shoulders: float = 72.0) -> PoseResult:
    """A clerk with one forearm seen (elbow 13 to wrist 15), shoulders `shoulders` px apart over a 360 px torso."""
    lm = [Landmark(640.0, 200.0, 0.0, 0.1) for _ in range(33)]
    lm[0] = Landmark(636.0, 120.0, 0.0, 0.9)
    lm[11], lm[12] = Landmark(636.0 + shoulders / 2, 200.0, 0.0, 0.9), Landmark(636.0 - shoulders / 2, 200.0, 0.0, 0.9)
    lm[23], lm[24] = Landmark(652.0, 560.0, 0.0, 0.9), Landmark(620.0, 560.0, 0.0, 0.9)
    lm[13], lm[15] = Landmark(*ELBOW, 0.0, 0.9), Landmark(*wrist, 0.0, 0.9)
    return PoseResult(landmarks=lm)


def person(scene, p: PoseResult, **params) -> np.ndarray:
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None, params=DeskChangeParams(**params))
    det.process(scene.reference, p, [], t=0.0)
    assert det.state.person is not None
    return det.state.person


def masked(mask: np.ndarray, x: int, y: int) -> bool:
    return bool(mask[y // 2, x // 2])


def test_foreshortened_shoulders_keep_the_arms_thickness(scene):
    """Seen from a steep side the shoulders shrink to 36 px at work size over a 180 px torso: the forearm's mask is
    as thick as the torso's height says, not the shoulders (the sleeve's lower edge was an item at -50 deg)."""
    p = pose(wrist=(700, 500), shoulders=72.0)
    assert masked(person(scene, p), 600, 540)
    assert not masked(person(scene, p, torso_to_shoulder=0.0), 600, 540)  # by the shoulders alone: too thin


@pytest.mark.parametrize("colour,corner,score,label", [
    ((235, 238, 240), (815, 590), 0.9, "papers"),  # a white sheet
    ((45, 45, 50), (815, 590), 0.9, "box"),  # a dark box, too big for a phone
    ((30, 30, 35), (735, 540), 0.4, "cell phone"),  # an unsure "box": the heuristic's, as any weak class
])
def test_a_sheet_the_open_images_ssd_calls_a_box_is_papers(scene, colour, corner, score, label):
    """The Open Images SSD answers "box", even when sure, for a sheet (with a seal) at the frame's edge: white and
    flat, it is papers; a dark box stays its box; an unsure "box" goes to the heuristic like any weak class (a dark
    phone seen from (1.8 m, 1.7 m, -40 deg))."""

    def box(crop):
        h, w = crop.shape[:2]
        return [Detection(box=(0.0, 0.0, float(w), float(h)), label="box", score=score, source="test")]

    img = scene.reference.copy()
    cv2.rectangle(img, (655, 500), corner, colour, -1)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=box)
    out = [det.process(img, t=0.5 * i) for i in range(12)][-1]
    assert [d.label for d in out] == [label]
