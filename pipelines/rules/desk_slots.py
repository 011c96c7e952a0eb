"""desk.allowed_items (an allowed item missing from its slot) and desk.displaced (moved out of it)."""

from __future__ import annotations

from pipelines.engine import Rule, RuleContext, register
from pipelines.events import Event
from pipelines.rules.desk_common import SLOT_MISSING, SLOT_MOVED, DeskTiming, KeyedIncidents, desk_ran, min_duration
from vision.observation import Observation


class _SlotRule(Rule):
    needs = frozenset({"desk"})
    prefix: str

    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.incidents = KeyedIncidents(self.rule_id, counter, params.timing())

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        if not desk_ran(obs):
            return self.incidents.step(ctx.clock, None)
        active = {}
        for d in obs.desk_objects:
            if d.label.startswith(self.prefix):
                slot = d.label[len(self.prefix):]
                active[slot] = {"slot": slot, "box": [round(v, 1) for v in d.box], "score": round(d.score, 3)}
        return self.incidents.step(ctx.clock, active)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self.incidents.finish()


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
