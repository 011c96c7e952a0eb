"""Three ways an item on the desk was lost (synthetic desk, scripted classifiers):

- the clerk's shirt beside the torso mask, above the desk, joined an item lying at the desk's back edge into one
  changed area (`DeskChangeDetector._clothes` masks it);
- an item whose changed area joins a neighbour's on one frame and not on the next never settled (the place is
  matched by the overlap of the smaller box, not the IoU);
- a box of donuts reads as papers (white, flat): a tight second look names the food.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import DESK_TOP, desk_scene, relight
from tests.test_desk_clerk_body import clerk_pose
from vision.desk_change import DeskChangeDetector, DeskChangeParams
from vision.results import Detection

SHIRT = (150, 70, 30)  # BGR blue
ITEM = (420, DESK_TOP + 2, 500, DESK_TOP + 50)  # a dark item at the desk's back edge, against the shirt's side


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def clerk_frame(reference: np.ndarray) -> np.ndarray:
    """The clerk's shirt wider than the shoulders-hips polygon (the sides and the sleeves down to the desk)."""
    img = reference.copy()
    cv2.rectangle(img, (470, 200), (810, DESK_TOP), SHIRT, -1)
    cv2.circle(img, (640, 140), 55, (80, 110, 170), -1)
    cv2.rectangle(img, ITEM[:2], ITEM[2:], (35, 35, 40), -1)
    return img


def run_clerk(scene, params: DeskChangeParams | None = None):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None, params=params)
    out = []
    for i in range(12):
        out = det.process(clerk_frame(scene.reference), clerk_pose(), t=0.5 * i)
    return out


def test_the_shirt_beside_the_torso_mask_does_not_join_an_item_at_the_desk_edge(scene):
    out = run_clerk(scene)
    assert len(out) == 1
    x1, y1, x2, y2 = out[0].box
    assert y1 >= DESK_TOP - 12 and x1 <= ITEM[0] + 8 and x2 <= ITEM[2] + 20  # the item alone, not the shirt


def test_without_the_clothes_mask_the_item_and_the_shirt_are_one_area(scene):
    out = run_clerk(scene, DeskChangeParams(clothes_grow=0.0))
    assert len(out) == 1 and out[0].box[1] < DESK_TOP - 100


def test_an_item_whose_area_joins_a_neighbour_every_other_frame_settles(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out: list[Detection] = []
    for i in range(13):  # ends on a frame with the item alone
        img = scene.reference.copy()
        cv2.rectangle(img, (600, 520), (700, 600), (35, 35, 40), -1)
        if i % 2:  # something beside it on every other frame (a sleeve, a shadow): one area with the item
            cv2.rectangle(img, (700, 520), (800, 600), (60, 200, 60), -1)
        out = det.process(img, t=0.5 * i)
    assert len(out) == 1 and out[0].box[0] >= 590 and out[0].box[2] <= 710


def donut_box(reference: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    img = reference.copy()
    box = (560, 500, 720, 590)
    cv2.rectangle(img, box[:2], box[2:], (226, 239, 246), -1)  # the white tray
    for k, glaze in enumerate([(164, 122, 232), (32, 52, 90), (230, 240, 245)]):
        cv2.circle(img, (590 + 50 * k, 545), 17, (69, 138, 200), -1)  # dough
        cv2.circle(img, (590 + 50 * k, 545), 12, glaze, -1)
    return img, box


def tight_only(label: str, score: float):
    """A classifier that names the item only on a crop close to its size (the generous crop dilutes it)."""

    def classify(crop: np.ndarray) -> list[Detection]:
        h, w = crop.shape[:2]
        return [Detection(box=(0.0, 0.0, float(w), float(h)), label=label, score=score, source="t")] if w < 250 else []

    return classify


@pytest.mark.parametrize(("label", "score", "expected"), [
    ("donut", 0.9, "donut"),  # the tight look is sure: food
    ("donut", 0.4, "papers"),  # not sure: the heuristic stands
    ("box", 0.9, "papers"),  # only food overrides papers (the SSD calls a stack of sheets a box)
])
def test_a_white_box_of_food_is_food_when_a_tight_look_is_sure(scene, label, score, expected):
    img, box = donut_box(scene.reference)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=tight_only(label, score))
    out = []
    for i in range(8):
        out = det.process(img, t=0.5 * i)
    assert [d.label for d in out] == [expected]


@pytest.mark.parametrize(("nested", "reported"), [(0.9, False), (0.6, True)])
def test_a_hand_sliding_across_unmasked_never_settles(nested, reported):
    # bench/desk_change.py's sweep (trial 4): a hand the hand model missed slides 50 px a frame under a warmer, brighter
    # light; its box overlaps the last one on 0.6-0.7 of itself, which is no nesting (control: accepting 0.6 as
    # nested lets the sweep settle into objects)
    scene = desk_scene(seed=4)
    light = dict(gain=1.12, gradient=0.32, warm=0.023)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None,
                             params=DeskChangeParams(nested_frac=nested))
    for i in range(12):  # the light changes first
        det.process(relight(scene.reference, **light), t=0.5 * i)
    found = []
    for i in range(12):
        img = relight(scene.reference, **light)
        cv2.ellipse(img, (491 + 50 * i, 586), (70, 40), 15, 0, 360, (120, 160, 215), -1)
        found += det.process(img, t=6.0 + 0.5 * i)
    assert bool(found) is reported
