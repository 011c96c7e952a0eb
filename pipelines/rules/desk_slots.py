"""desk.allowed_items (an allowed item missing from its slot) and desk.displaced (moved out of it)."""

from __future__ import annotations

from typing import Any

from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    SLOT_MISSING,
    SLOT_MOVED,
    DeskRule,
    DeskTiming,
    desk_closed,
    min_duration,
)
from vision.observation import Observation


class _SlotRule(DeskRule):
    prefix: str

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        active: dict[str, dict[str, Any]] = {}
        if desk_closed(obs, self.counter):
            return active  # after hours the devices may be stored: desk.end_of_day checks the desk
        for d in obs.desk_objects:
            if d.label.startswith(self.prefix):
                slot = d.label[len(self.prefix):]
                active[slot] = {"slot": slot, "box": [round(v, 1) for v in d.box], "score": round(d.score, 3)}
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
