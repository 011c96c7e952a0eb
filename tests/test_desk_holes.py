"""Slots seen from other viewpoints: the hole an item leaves (background showing where it stood) is told
apart from an item put down, so an emptied slot is missing, a slot behind something is covered, and an
item put down beside its slot is moved. Synthetic desks (tests/fixtures/desk.py), no models."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from calibration.config import Slot
from tests.fixtures.desk import EVAL_PAD, PEN_HOLDER, desk_scene
from vision.desk_change import DeskChangeDetector
from vision.results import Detection


def run(det: DeskChangeDetector, frames, t0: float = 0.0, dt: float = 0.5) -> list[Detection]:
    out: list[Detection] = []
    for i, f in enumerate(frames):
        out = det.process(f, t=t0 + i * dt)
    return out


def labels(dets: list[Detection]) -> list[str]:
    return sorted(d.label for d in dets)


def _rect(x1, y1, x2, y2):
    return [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]


def _without_pen_holder(ref: np.ndarray) -> np.ndarray:
    """The pen holder (and its pens) taken away: desk and wall copied over it from an empty part of the desk."""
    x1, y1, x2, y2 = PEN_HOLDER
    out = ref.copy()
    out[y1 - 60:y2 + 5, x1 - 5:x2 + 5] = ref[y1 - 60:y2 + 5, 520:520 + (x2 - x1) + 10]
    return out


def _pen_holder_at(ref: np.ndarray, to_x: int) -> np.ndarray:
    x1, y1, x2, y2 = PEN_HOLDER
    out = _without_pen_holder(ref)
    out[y1 - 60:y2 + 5, to_x:to_x + (x2 - x1) + 10] = ref[y1 - 60:y2 + 5, x1 - 5:x2 + 5]
    return out


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def test_an_item_whose_image_rises_far_above_its_slot_is_missing_when_taken_not_covered(scene):
    # the slot is only the item's footprint strip (the frame edge or a steep view cuts it): the hole the item
    # leaves reaches far beyond the slot, and was read as "something in front of it" plus an unknown object
    x1, _, x2, y2 = PEN_HOLDER
    counter = scene.counter.model_copy(update={"slots": [Slot(name="pen_holder", polygon=_rect(x1, y2 - 40, x2, y2))]})
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [_without_pen_holder(scene.reference)] * 12)
    assert labels(out) == ["slot_missing:pen_holder"]
    assert det.state.slots["pen_holder"] == "missing"
    assert det.state.revealed is not None and det.state.revealed.any()


def test_an_item_put_down_right_beside_its_slot_is_moved_not_covered(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [_pen_holder_at(scene.reference, PEN_HOLDER[2] + 10)] * 12)
    assert labels(out) == ["slot_moved:pen_holder"]
    assert det.state.slots["pen_holder"] == "moved"
    assert out[0].box[0] > PEN_HOLDER[2] - 20  # where it stands now, not the slot


def test_a_thing_standing_in_front_of_a_slot_is_covered_not_missing(scene):
    # a bag no wider than the slot: its change does not reach far outside the slot, but no desk shows there
    img = scene.reference.copy()
    x1, y1, x2, y2 = PEN_HOLDER
    cv2.rectangle(img, (x1 - 10, y1 - 40), (x2 + 10, y2 + 10), (150, 60, 40), -1)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [img] * 12)
    assert det.state.slots["pen_holder"] == "covered"
    assert labels(out) == ["unknown object"]  # the bag itself, and no slot report


def test_a_hole_empties_only_the_slot_it_covers_most(scene):
    # a small slot overlapping the evaluator pad's right edge (a neighbour the pad hides from this view)
    x1, y1, x2, y2 = EVAL_PAD
    slots = [*scene.counter.slots, Slot(name="acrylic_stand", polygon=_rect(x2 - 30, y2 - 40, x2 + 20, y2 + 5))]
    counter = scene.counter.model_copy(update={"slots": slots})
    gone = scene.reference.copy()
    gone[y1 - 5:y2 + 5, x1 - 5:x2 + 5] = scene.reference[y1 - 5:y2 + 5, 500:500 + (x2 - x1) + 10]
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [gone] * 12)
    assert labels(out) == ["slot_missing:evaluator_pad"]
    assert det.state.slots["acrylic_stand"] != "missing"


def test_an_item_taken_away_is_not_paired_with_a_new_thing_of_another_colour(scene):
    # the pen holder (dark) leaves as a blue box of about its size is put down: missing + a new object, not moved
    img = _without_pen_holder(scene.reference)
    cv2.rectangle(img, (700, 520), (790, 640), (200, 120, 40), -1)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [img] * 12)
    assert labels(out) == ["slot_missing:pen_holder", "unknown object"]


def test_a_phone_the_detector_calls_a_laptop_is_a_phone(scene):
    # close to the camera a phone is big in the frame and the SSDs read it as a laptop, even when sure
    img = scene.reference.copy()
    cv2.rectangle(img, (600, 560), (670, 660), (20, 20, 20), -1)  # black slab, lit screen with app icons
    cv2.rectangle(img, (606, 568), (664, 652), (235, 225, 215), -1)
    for k, c in enumerate([(40, 40, 220), (40, 200, 40), (220, 120, 30)] * 2):
        x, y = 611 + 18 * (k % 3), 575 + 22 * (k // 3)
        cv2.rectangle(img, (x, y), (x + 12, y + 14), c, -1)

    def as_laptop(crop):
        h, w = crop.shape[:2]
        return [Detection((0.2 * w, 0.2 * h, 0.8 * w, 0.8 * h), "laptop", 0.8, "fake")]

    det = DeskChangeDetector(scene.reference, scene.counter, classifier=as_laptop)
    assert labels(run(det, [scene.reference] * 2 + [img] * 12)) == ["cell phone"]
    # a real laptop-sized thing without a phone's look stays what the detector says
    plain = scene.reference.copy()
    cv2.rectangle(plain, (560, 520), (860, 690), (160, 160, 165), -1)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=as_laptop)
    assert labels(run(det, [scene.reference] * 2 + [plain] * 12)) == ["laptop"]


def _wide_slot(scene):
    # a slot outline far larger than the item's image (a thin item standing up, seen from a steep side: the pad at
    # (1.45 m, 1.4 m, 54 deg) shows on 0.23-0.27 of its footprint's outline): the hole it leaves is under
    # `slot_vacated_frac` of the outline
    x1, y1, x2, y2 = PEN_HOLDER
    return scene.counter.model_copy(update={"slots": [Slot(name="pen_holder",
                                                           polygon=_rect(x1 - 100, y1 - 10, x2 + 100, y2 + 60))]})


def test_a_thin_item_taken_from_a_wide_slot_is_missing_when_only_its_surroundings_show(scene):
    det = DeskChangeDetector(scene.reference, _wide_slot(scene), classifier=None)
    out = run(det, [scene.reference] * 2 + [_without_pen_holder(scene.reference)] * 12)
    slot = det.slots[0]
    hole = float(det.state.revealed.sum()) if det.state.revealed is not None else 0.0
    assert hole < det.p.slot_vacated_frac * slot.area  # the old test alone called it present or covered
    assert labels(out) == ["slot_missing:pen_holder"]
    assert det.state.slots["pen_holder"] == "missing"


def test_a_thing_put_in_front_of_an_item_in_a_wide_slot_stays_an_object(scene):
    img = scene.reference.copy()
    x1, y1, x2, y2 = PEN_HOLDER
    cv2.rectangle(img, (x1 - 10, y1 - 40), (x2 + 10, y2 + 10), (150, 60, 40), -1)
    det = DeskChangeDetector(scene.reference, _wide_slot(scene), classifier=None)
    out = run(det, [scene.reference] * 2 + [img] * 12)
    assert det.state.slots["pen_holder"] in ("covered", "present")
    assert labels(out) == ["unknown object"]


def _pad_moved(ref: np.ndarray, to_x: int | None) -> np.ndarray:
    """The evaluator pad taken from its slot (plain desk copied over it), and put down at `to_x` if given."""
    x1, y1, x2, y2 = EVAL_PAD
    out = ref.copy()
    out[y1 - 5:y2 + 5, x1 - 5:x2 + 5] = ref[y1 - 5:y2 + 5, 520:520 + (x2 - x1) + 10]
    if to_x is not None:
        out[y1 - 5:y2 + 5, to_x:to_x + (x2 - x1) + 10] = ref[y1 - 5:y2 + 5, x1 - 5:x2 + 5]
    return out


def test_a_wide_slot_emptied_pairs_only_with_an_object_of_its_items_own_hues(scene):
    # a slot outline far larger than the pad's image (0.28 of it): the pad taken away reads vacated by `_bared`.
    # A grey slab of the pad's frame colour but without its blue screen put down as the pad leaves (the clerk's
    # white cuff beside the pad's white frame at 53-56 deg) is no pairing: the slot stays missing; the pad itself,
    # put down there, is moved
    x1, y1, x2, y2 = EVAL_PAD
    counter = scene.counter.model_copy(update={"slots": [Slot(name="evaluator_pad",
                                                              polygon=_rect(x1 - 100, y1 - 10, x2 + 100, y2 + 60))]})
    slab = _pad_moved(scene.reference, None)
    cv2.rectangle(slab, (450, y1), (450 + (x2 - x1), y2), (90, 90, 90), -1)
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [slab] * 12)
    assert labels(out) == ["slot_missing:evaluator_pad", "unknown object"]
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [_pad_moved(scene.reference, 450)] * 12)
    assert labels(out) == ["slot_moved:evaluator_pad"]
