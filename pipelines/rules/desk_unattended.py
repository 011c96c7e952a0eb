"""item.unattended (a static object with nobody at the post or the client side) and post.leave_secure
(papers or a seal left on the desk while the post is empty). Which of the two answers for an object is
desk_common.owner's call: papers and seals are leave_secure's, after hours everything is end_of_day's."""

from __future__ import annotations

from typing import Any

from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    DeskRule,
    DeskTiming,
    clerk_present,
    describe,
    min_duration,
)
from vision.observation import Observation


class _AwayRule(DeskRule):
    needs = frozenset({"desk", "pose"})
    severity = "major"
    key: str

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]] | None:
        if clerk_present(obs, ctx) is None:
            return None
        items = self.owned(obs, ctx)
        return {self.key: describe(items)} if items else {}


@register
class UnattendedItem(_AwayRule):
    """Objects are reported by the desk detector only once still (its short-term background model);
    this rule adds the long wait: still there with nobody present for `min_duration` s."""

    rule_id = "item.unattended"
    key = "items"

    class Params(DeskTiming):
        min_duration: float = min_duration(60.0)
        grace: float = 5.0
        update_every: float | None = 300.0


@register
class LeaveNotSecured(_AwayRule):
    """Documents or the seal lying on the desk while the clerk is away from the post."""

    rule_id = "post.leave_secure"
    key = "left"

    class Params(DeskTiming):
        min_duration: float = min_duration(20.0)
        grace: float = 5.0
        update_every: float | None = 300.0
