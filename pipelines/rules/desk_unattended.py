"""item.unattended (a static object with nobody at the post or the client side) and post.leave_secure
(papers or a seal left on the desk while the post is empty)."""

from __future__ import annotations

from pydantic import Field

from pipelines.engine import Rule, RuleContext, register
from pipelines.events import Event
from pipelines.rules.desk_common import (
    SECURE_LABELS,
    DeskTiming,
    KeyedIncidents,
    clerk_present,
    client_present,
    describe,
    desk_ran,
    foreign_objects,
    min_duration,
)
from vision.observation import Observation


@register
class UnattendedItem(Rule):
    """Objects are reported by the desk detector only once still (its short-term background model);
    this rule adds the long wait: still there with nobody present for `min_duration` s."""

    rule_id = "item.unattended"
    needs = frozenset({"desk", "pose"})

    class Params(DeskTiming):
        min_duration: float = min_duration(60.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        # papers and seals left behind by the clerk are post.leave_secure (same clause 000 一(三)2)
        exclude_labels: list[str] = Field(default_factory=lambda: list(SECURE_LABELS))

    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.incidents = KeyedIncidents(self.rule_id, counter, params.timing(), severity="major")

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        clerk = clerk_present(obs, ctx)
        if not desk_ran(obs) or clerk is None:
            return self.incidents.step(ctx.clock, None)
        items = [d for d in foreign_objects(obs) if d.label not in self.params.exclude_labels]
        nobody = not clerk and not client_present(obs, ctx)
        return self.incidents.step(ctx.clock, {"items": describe(items)} if nobody and items else {})

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self.incidents.finish()


@register
class LeaveNotSecured(Rule):
    """Documents or the seal lying on the desk while the clerk is away from the post."""

    rule_id = "post.leave_secure"
    needs = frozenset({"desk", "pose"})

    class Params(DeskTiming):
        min_duration: float = min_duration(20.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        labels: list[str] = Field(default_factory=lambda: list(SECURE_LABELS))

    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.incidents = KeyedIncidents(self.rule_id, counter, params.timing(), severity="major")

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        clerk = clerk_present(obs, ctx)
        if not desk_ran(obs) or clerk is None:
            return self.incidents.step(ctx.clock, None)
        items = [d for d in foreign_objects(obs) if d.label in self.params.labels]
        return self.incidents.step(ctx.clock, {"left": describe(items)} if not clerk and items else {})

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self.incidents.finish()
