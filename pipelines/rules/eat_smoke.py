"""smoke: smoking at the post (003 D.1).

A cigarette seen at the mouth or hand (a detector class "cigarette"), with the hand going to the mouth.
The packaged COCO SSD has no such class, so with the default detector this rule never fires.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(2.0, ge=0)
    grace: float = Field(30.0, ge=0, description="puffs apart that are still one cigarette")
    labels: list[str] = Field(default_factory=lambda: ["cigarette", "Cigarette", "smoke"])
    radius_sw: float = Field(0.3, gt=0)


@register
class Smoke(TrackedRule):
    rule_id = "smoke"
    needs = frozenset({"pose", "hands", "detector"})
    measured_by = "pose"
    Params = Params
    severity: ClassVar[Severity] = "major"

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        dets = ctx.values.get("detections")
        if dets is None:
            return None, {}
        if body is None or body.shoulder_width is None:
            return False, {}
        pts = [body.mouth, *body.hand_points("left", obs.hands), *body.hand_points("right", obs.hands)]
        found = dets_near(dets, set(p.labels), pts, p.radius_sw * body.shoulder_width)
        return bool(found), best(found)
