"""earphones: earphones or headphones worn (003 D.1).

Needs a detector with an earphone/headphone class near the ears. The packaged COCO SSD has none, so
with the default detector this rule never fires (docs/rules.md); a site model adds the label.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from pipelines.rules._body import L_EAR, R_EAR
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(10.0, ge=0)
    grace: float = Field(10.0, ge=0)
    labels: list[str] = Field(default_factory=lambda: ["earphones", "headphones", "earbuds", "headset", "Headphones"])
    ear_radius_sw: float = Field(0.25, gt=0)


@register
class Earphones(TrackedRule):
    rule_id = "earphones"
    needs = frozenset({"pose", "detector"})
    measured_by = "pose"
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        dets = ctx.values.get("detections")
        if dets is None:
            return None, {}
        if body is None or body.shoulder_width is None:
            return False, {}
        ears = [body.pt(L_EAR, 0.2), body.pt(R_EAR, 0.2)]
        found = dets_near(dets, set(p.labels), ears, p.ear_radius_sw * body.shoulder_width)
        return bool(found), best(found)
