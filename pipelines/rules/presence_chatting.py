"""post.chatting: a non-client visitor lingering at the post, or staff gathering (串岗、扎堆聊天; 003 D.1).

Visitors are person boxes near the post that are neither the clerk nor in the client zone, at the rule's
own `min_score` (a visitor standing behind or beside the clerk is half hidden and scores low).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule
from vision.observation import Observation
from vision.roi import overlap_of_smaller


class Params(TimedParams):
    min_duration: float = Field(60.0, ge=0, description="a visitor lingering this long (s)")
    grace: float = Field(10.0, ge=0)
    min_visitors: int = Field(1, ge=1)
    min_score: float = Field(
        0.3, ge=0, le=1, description="person boxes this sure count as visitors (a half-hidden visitor scores low)"
    )


@register
class Chatting(TrackedRule):
    rule_id = "post.chatting"
    needs = frozenset({"pose", "people"})
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        boxes = ctx.values.get("visitor_boxes")
        if boxes is None:
            return None, {}
        # duplicates of one visitor (a head box inside the body box) count once
        kept: list = []
        for d in sorted((d for d in boxes if d.score >= self.params.min_score), key=lambda d: -d.score):  # type: ignore[attr-defined]
            if not any(overlap_of_smaller(d.box, k.box) > 0.5 for k in kept):
                kept.append(d)
        n = len(kept)
        return n >= self.params.min_visitors and bool(ctx.clerk_present), {"visitors": n}  # type: ignore[attr-defined]
