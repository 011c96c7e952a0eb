"""desk.personal_items (bags, snacks, umbrellas, unnamed items, and the cup unless the site allows it) and
phone.on_desk. Both count only objects they own (desk_common.owner): with the clerk away an item is
item.unattended's, after hours desk.end_of_day's."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    DeskRule,
    DeskTiming,
    ObjectKeys,
    describe,
    min_duration,
)
from vision.observation import Observation


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
        self.objects = ObjectKeys(params.memory_s)

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        found = [d for d in self.owned(obs, ctx) if d.score >= self.params.min_score]
        return {k: describe([d]) for k, d in zip(self.objects.keys(found, obs.t), found, strict=True)}


@register
class PhoneOnDesk(DeskRule):
    """A mobile phone lying on the counter (in the hand is phone.use, masked out by the desk detector)."""

    rule_id = "phone.on_desk"

    class Params(DeskTiming):
        min_duration: float = min_duration(10.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        min_score: float = Field(0.3, ge=0, le=1)

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        found = [d for d in self.owned(obs, ctx) if d.score >= self.params.min_score]
        return {"phone": describe(found)} if found else {}
