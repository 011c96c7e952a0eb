"""An emptied slot whose item the desk stage "found" at the clerk's cuff (a sleeve of the item's colours between the
pose's wrist and the hand model's wrist) is still empty: desk.allowed_items, not desk.displaced (session 15: the blue
cuff paired with the blue-screened pad at (1.25 m, 1.55 m, -42)). Geometry as tests/test_desk_rules_cuff.py."""

from __future__ import annotations

from calibration.config import default_counter
from pipelines.context import ContextDeriver
from pipelines.engine import Engine
from tests.test_desk_rules_cuff import CUFF, HAND, clerk
from vision.observation import Observation
from vision.results import Detection

SLOT = (500.0, 340.0, 610.0, 380.0)


def slot_events(slot, moved_box, observe, seconds: int = 60) -> list[tuple[str, str]]:
    """The slot rules' events (updates left out) over `seconds` frames, one a second: the evaluator pad's slot (`slot`)
    reported missing for 10 s, then its item "found moved" at `moved_box`; `observe(i, det)` builds frame i."""
    counter = default_counter(640, 480, counter_id="c01")
    eng, derive = Engine(counter, only=["desk.allowed_items", "desk.displaced"]), ContextDeriver(counter)
    events = []
    for i in range(seconds):
        det = Detection(box=slot, label="slot_missing:evaluator_pad", score=0.5, source="change") if i < 10 else \
            Detection(box=moved_box, label="slot_moved:evaluator_pad", score=0.6, source="change")
        events += eng.step(observe(i, det), derive)
    return [(e.rule_id, e.type) for e in events + eng.finish() if e.type != "update"]


def run(moved_box, seconds: int = 60) -> list[tuple[str, str]]:
    return slot_events(SLOT, moved_box, lambda i, det: Observation(
        counter_id="c01", frame_index=i, t=float(i), image_size=(640, 480), ran=["pose", "hands", "desk"],
        pose=clerk((321.0, 315.0)), hands=[HAND], desk_objects=[det]), seconds)


def test_an_item_found_at_the_clerks_cuff_is_still_missing():
    assert run(CUFF) == [("desk.allowed_items", "new"), ("desk.allowed_items", "end")]


def test_an_item_found_off_the_forearm_is_displaced():
    assert run((345.0, 360.0, 370.0, 381.0)) == [("desk.displaced", "new"), ("desk.displaced", "end")]
