"""desk.personal_items and a slot calibrated outside the frame (tests/data/desk: perception streams of scratch renders
at (1.25 m, 1.1 m, 5), seed 30, session 28; the face mesh, timings and extras dropped, no desk rule reads them). From
that low, close camera the evaluator pad's and the acrylic stand's slots lie below the frame (degenerate polygons).

- allowed_item_displaced: the pad taken out and left on the desk in front of the clerk shows as a "box" 65-90 x 85 px
  cut by the frame's bottom edge, 0.99 of it on the desk zone; it cannot be paired with its unseen slot and was a
  desk.personal_items false alarm (`slot_item_from_below`).
- personal_item_placed: the handbag, also cut by the bottom edge, stands up over the zone (0.38 of its box on it)
  and stays a personal item."""

from __future__ import annotations

import pipelines.rules.desk_common as desk_common
from calibration.check import slot_out_of_view
from tests.fixtures.rules import recorded_posture, run_rules, spans
from tests.test_desk_rules_standing_papers import RULE, SIM, incidents


def test_a_flat_item_from_an_off_frame_slot_is_no_personal_item(desk_streams, monkeypatch):
    name = "allowed_item_displaced__m_young_avg__h1.25_d1.1_y5"
    obs, counter = recorded_posture(name)
    pads = [(o, d) for o in obs for d in o.desk_objects if d.label == "box"]
    assert len(pads) >= 10 and all(desk_common.slot_item_from_below(d, o, counter) for o, d in pads)
    assert incidents(name) == []
    monkeypatch.setattr(desk_common, "FLAT_ON_DESK", 1.01)  # control: no box is flat enough
    assert len(incidents(name)) == 1


def test_a_bag_standing_at_the_near_edge_is_still_a_personal_item(desk_streams):
    name = "personal_item_placed__m_short__h1.25_d1.1_y5"
    obs, counter = recorded_posture(name)
    bags = [(o, d) for o in obs for d in o.desk_objects if d.label == "box"]
    assert bags and all(d.box[3] >= 478 for _, d in bags)  # the frame's bottom edge cuts it too
    assert not any(desk_common.slot_item_from_below(d, o, counter) for o, d in bags)
    assert len(incidents(name)) == 1  # the umbrella beyond the frame's left edge is not seen (session 27)


def test_without_an_off_frame_slot_the_flat_item_is_personal(desk_streams):
    name = "allowed_item_displaced__m_young_avg__h1.25_d1.1_y5"
    obs, counter = recorded_posture(name)
    size = (counter.camera.width, counter.camera.height)
    slots = [s for s in counter.slots if not slot_out_of_view(s.polygon, size)]
    assert 0 < len(slots) < len(counter.slots)
    counter = counter.model_copy(update={"slots": slots})
    assert len(spans(run_rules(obs, [RULE], counter=counter, overrides=SIM), RULE)) == 1
