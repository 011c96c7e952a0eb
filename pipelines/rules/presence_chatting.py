"""post.chatting: a non-client visitor lingering at the post, or staff gathering (串岗、扎堆聊天; 003 D.1).

Visitors are person boxes near the post that are neither the clerk nor in the client zone.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(60.0, ge=0, description="a visitor lingering this long (s)")
    grace: float = Field(10.0, ge=0)
    min_visitors: int = Field(1, ge=1)


@register
class Chatting(TrackedRule):
    rule_id = "post.chatting"
    needs = frozenset({"pose", "people"})
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        visitors = ctx.values.get("visitors")
        if visitors is None:
            return None, {}
        n = len(visitors)
        return n >= self.params.min_visitors and bool(ctx.clerk_present), {"visitors": n}  # type: ignore[attr-defined]
