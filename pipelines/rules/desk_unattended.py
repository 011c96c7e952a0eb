"""item.unattended (a static object with nobody at the post or the client side) and post.leave_secure
(papers or a seal left on the desk while the post is empty)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    SECURE_LABELS,
    DeskRule,
    DeskTiming,
    clerk_present,
    client_present,
    describe,
    foreign_objects,
    min_duration,
)
from vision.observation import Observation


@register
class UnattendedItem(DeskRule):
    """Objects are reported by the desk detector only once still (its short-term background model);
    this rule adds the long wait: still there with nobody present for `min_duration` s."""

    rule_id = "item.unattended"
    needs = frozenset({"desk", "pose"})
    severity = "major"

    class Params(DeskTiming):
        min_duration: float = min_duration(60.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        # papers and seals left behind by the clerk are post.leave_secure (same clause 000 一(三)2)
        exclude_labels: list[str] = Field(default_factory=lambda: list(SECURE_LABELS))

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]] | None:
        clerk = clerk_present(obs, ctx)
        if clerk is None:
            return None
        items = [d for d in foreign_objects(obs) if d.label not in self.params.exclude_labels]
        nobody = not clerk and not client_present(obs, ctx)
        return {"items": describe(items)} if nobody and items else {}


@register
class LeaveNotSecured(DeskRule):
    """Documents or the seal lying on the desk while the clerk is away from the post."""

    rule_id = "post.leave_secure"
    needs = frozenset({"desk", "pose"})
    severity = "major"

    class Params(DeskTiming):
        min_duration: float = min_duration(20.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        labels: list[str] = Field(default_factory=lambda: list(SECURE_LABELS))

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]] | None:
        clerk = clerk_present(obs, ctx)
        if clerk is None:
            return None
        items = [d for d in foreign_objects(obs) if d.label in self.params.labels]
        return {"left": describe(items)} if not clerk and items else {}
