"""desk.allowed_items (an allowed item missing from its slot) and desk.displaced (moved out of it)."""

from __future__ import annotations

from typing import Any

from calibration.config import CounterConfig
from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    SLOT_MISSING,
    SLOT_MOVED,
    DeskRule,
    DeskTiming,
    desk_closed,
    min_duration,
    on_clerk_hand,
)
from vision.observation import Observation
from vision.results import Box


class _SlotRule(DeskRule):
    prefix: str

    def __init__(self, counter: CounterConfig, params: Any) -> None:
        super().__init__(counter, params)
        self.slot_box: dict[str, Box] = {}  # slot_missing:<slot> -> where its report last put the slot

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        active: dict[str, dict[str, Any]] = {}
        if desk_closed(obs, self.counter):
            return active  # after hours the devices may be stored: desk.end_of_day checks the desk
        for d in obs.desk_objects:
            label, box = d.label, d.box
            if label.startswith(SLOT_MISSING):
                self.slot_box[label] = box
            elif label.startswith(SLOT_MOVED) and on_clerk_hand(box, obs):
                # the item "found" where the clerk's cuff lies between the pose's wrist and the hand (a sleeve of the
                # item's colours: the blue cuff paired with the blue-screened pad at (1.25 m, 1.55 m, -42)), or on the
                # fingertips past the pose's hand points of a hand the hand model missed (the pad at (1.8 m, 1.9 m,
                # -50), session 28), was not found: its slot is still empty
                label = SLOT_MISSING + label[len(SLOT_MOVED):]
                box = self.slot_box.get(label, box)
            if label.startswith(self.prefix):
                slot = label[len(self.prefix):]
                active[slot] = {"slot": slot, "box": [round(v, 1) for v in box], "score": round(d.score, 3)}
        return active


@register
class AllowedItemMissing(_SlotRule):
    """An allowed item (evaluator pad, pen holder, ...) gone from its designated slot."""

    rule_id = "desk.allowed_items"
    prefix = SLOT_MISSING

    class Params(DeskTiming):
        # the clerk lifts the barcode gun or a pen for a while: only a long absence counts
        min_duration: float = min_duration(30.0)
        grace: float = 5.0


@register
class ItemDisplaced(_SlotRule):
    """An allowed item (or the monitor) found on the desk outside its designated slot."""

    rule_id = "desk.displaced"
    prefix = SLOT_MOVED

    class Params(DeskTiming):
        min_duration: float = min_duration(20.0)
        grace: float = 5.0
