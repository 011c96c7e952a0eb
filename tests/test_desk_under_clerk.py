"""An allowed item taken from its slot and put down under the clerk's hands (the limb and hand masks are drawn wide, so
no changed area can pair it) is moved, not missing, when its own hues show there on still desk pixels; an item taken
away is still missing under the same hands. Synthetic desk (tests/fixtures/desk.py), no model."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures.desk import EVAL_PAD, desk_scene
from vision.desk_change import DeskChangeDetector
from vision.results import HandResult

AT = (560, 470)  # where the pad is put down


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def hand_over(x1: float, y1: float, x2: float, y2: float) -> HandResult:
    """A hand model's hand whose hull covers the box (its points on a grid over it)."""
    pts = [(x1 + (x2 - x1) * (k % 5) / 4, y1 + (y2 - y1) * (k // 5) / 3, 0.0) for k in range(20)]
    return HandResult(landmarks=[((x1 + x2) / 2, y2, 0.0)] + pts)


def frame(ref: np.ndarray, put_down: bool) -> np.ndarray:
    """The pad taken from its slot (plain desk copied over it), and put down at `AT` or taken away."""
    x1, y1, x2, y2 = EVAL_PAD
    out = ref.copy()
    out[y1 - 5:y2 + 5, x1 - 5:x2 + 5] = ref[y1 - 5:y2 + 5, 420:420 + (x2 - x1) + 10]
    if put_down:
        out[AT[1]:AT[1] + y2 - y1, AT[0]:AT[0] + x2 - x1] = ref[y1:y2, x1:x2]
    return out


def run(scene, put_down: bool) -> list:
    x1, y1, x2, y2 = EVAL_PAD
    hand = hand_over(AT[0] - 10, AT[1] - 10, AT[0] + x2 - x1 + 10, AT[1] + y2 - y1 + 10)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    img = frame(scene.reference, put_down)
    out: list = []
    for i in range(16):
        out = det.process(scene.reference if i < 2 else img, hands=[hand], t=0.5 * i)
    return out


def test_a_pad_put_down_under_the_hands_is_moved(scene):
    out = run(scene, put_down=True)
    assert [d.label for d in out] == ["slot_moved:evaluator_pad"]
    assert AT[0] - 20 <= out[0].box[0] and out[0].box[2] <= AT[0] + EVAL_PAD[2] - EVAL_PAD[0] + 20  # where it lies


def test_a_pad_taken_away_is_missing_under_the_same_hands(scene):
    assert [d.label for d in run(scene, put_down=False)] == ["slot_missing:evaluator_pad"]


def test_the_clerks_hands_over_the_desk_are_not_an_item_of_the_desks_hues(scene):
    # a pad with a band in the wood's hue, taken away; the hands' skin (the wood's hue give or take a bin) lies where
    # the hand model is: skin is no hue to tell an item by, so the pad stays missing
    x1, y1, x2, y2 = EVAL_PAD
    ref = scene.reference.copy()
    ref[y2 - 25:y2, x1:x2] = (100, 150, 205)
    hand = hand_over(AT[0] - 10, AT[1] - 10, AT[0] + x2 - x1 + 10, AT[1] + y2 - y1 + 10)
    det = DeskChangeDetector(ref, scene.counter, classifier=None)
    img = frame(ref, put_down=False)
    img[AT[1]:AT[1] + 60, AT[0]:AT[0] + x2 - x1] = (110, 155, 215)  # the hands
    out: list = []
    for i in range(16):
        out = det.process(ref if i < 2 else img, hands=[hand], t=0.5 * i)
    assert [d.label for d in out] == ["slot_missing:evaluator_pad"]
