"""desk.personal_items (bags, snacks, umbrellas, unnamed items, and the cup unless the site allows it) and
phone.on_desk. Both count only objects they own (desk_common.owner): with the clerk away an item is
item.unattended's, after hours desk.end_of_day's."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from calibration.config import box_share_on
from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    DeskRule,
    DeskTiming,
    ObjectKeys,
    describe,
    min_duration,
)
from vision.observation import Observation
from vision.results import Detection


@register
class PersonalItems(DeskRule):
    """Personal items on the counter: each item (tracked by its place on the desk) is its own incident."""

    rule_id = "desk.personal_items"

    class Params(DeskTiming):
        min_duration: float = min_duration(15.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        min_score: float = Field(0.3, ge=0, le=1)
        memory_s: float = Field(60.0, gt=0, description="an item unseen this long is a new item when it returns")

    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.objects = ObjectKeys(params.memory_s, join_splits=True)

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        found = [d for d in self.owned(obs, ctx) if d.score >= self.params.min_score]
        items: dict[str, list[Detection]] = {}
        for k, d in zip(self.objects.keys(found, obs.t), found, strict=True):
            items.setdefault(k, []).append(d)  # the pieces of one split item share its key
        return {k: describe(ds) for k, ds in items.items()}


@register
class PhoneOnDesk(DeskRule):
    """A mobile phone lying on the counter (in the hand is phone.use, masked out by the desk detector)."""

    rule_id = "phone.on_desk"

    class Params(DeskTiming):
        min_duration: float = min_duration(10.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        min_score: float = Field(0.3, ge=0, le=1)
        min_on_desk: float = Field(
            0.7, ge=0, le=1, description="share of the phone's box that must lie on the desk zone: a phone lying on "
            "the counter is flat on it; a 'phone' standing over the desk's far edge is someone behind the desk")

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        found = [d for d in self.owned(obs, ctx) if d.score >= self.params.min_score and self._on_desk(d, ctx)]
        return {"phone": describe(found)} if found else {}

    def _on_desk(self, d: Detection, ctx: RuleContext) -> bool:
        """Whether the phone's box lies on the desk zone (at least `min_on_desk` of it; no zone: yes). A visitor
        standing behind the desk beside the monitor, half out of the frame and not boxed by the person detector
        (so OtherPeople cannot mark it), shows dark trousers under the monitor's screen, over the desk's far edge,
        that the desk stage names a phone: 0.12-0.39 of such boxes on the desk zone (chatting_visitor and
        colleague_brief_visit on the four tune splits and session-17 renders at 1.05-1.15 m, -6 to 5 deg), every
        phone lying on the desk 0.97-1.00. A phone propped upright at the desk's far edge would read less."""
        poly = ctx.counter.zones.desk
        return poly is None or box_share_on(d.box, poly) >= self.params.min_on_desk
