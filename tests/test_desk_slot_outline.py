"""A slot seen aslant: its outline fills half its upright rect, so how much of it is vacated is measured on the
outline."""

from __future__ import annotations

from calibration.config import Slot
from tests.fixtures.desk import PEN_HOLDER, desk_scene
from tests.test_desk_holes import _without_pen_holder, run
from vision.desk_change import DeskChangeDetector


def test_a_slot_seen_aslant_is_missing_when_half_its_outline_shows_the_desk():
    scene = desk_scene()
    x1, y1, x2, y2 = PEN_HOLDER
    cx, cy = (x1 + x2) // 2, (y1 + y2) // 2
    # a diamond about the holder's foot: its upright rect is twice its own area
    slot = Slot(name="pen_holder", polygon=[(x1 - 40, cy), (cx, y1 - 20), (x2 + 40, cy), (cx, y2 + 20)])
    counter = scene.counter.model_copy(update={"slots": [slot]})
    gone = _without_pen_holder(scene.reference)
    # the item's upper part stood in front of something that shows now (not the desk): only its lower part is a hole
    gone[y1 - 60:cy - 4, x1 - 5:x2 + 5] = (60, 60, 60)
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    run(det, [scene.reference] * 2 + [gone] * 12)
    assert det.state.slot_scores["pen_holder"][2] < 0.25  # the background shows on under a quarter of the rect
    assert det.state.slots["pen_holder"] == "missing"
