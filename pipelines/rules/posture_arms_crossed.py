"""posture.arms_crossed: arms folded across the chest (抱胸; 003 D.1).

Each wrist lies past the body's midline on the other side, at chest height (raised to or above its
elbow). Hands clasped on the desk stay on their own side or below the elbows.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_EL, L_SH, L_WR, R_EL, R_SH, R_WR
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(2.0, ge=0)
    min_cross_sw: float = Field(0.05, description="each wrist this far past the midline (shoulder widths)")
    max_below_elbow_sw: float = Field(0.15, description="a wrist may sit this much below its elbow")


@register
class ArmsCrossed(TrackedRule):
    rule_id = "posture.arms_crossed"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        if body is None:
            return False, {}
        ls, rs = body.pt(L_SH), body.pt(R_SH)
        lw, rw, le, re = (body.pt(i, 0.3) for i in (L_WR, R_WR, L_EL, R_EL))
        if ls is None or rs is None or not (lw and rw and le and re):
            return None, {}
        sw = body.shoulder_width or 1.0
        midx = (ls[0] + rs[0]) / 2
        sign = 1.0 if ls[0] > rs[0] else -1.0  # +1: the subject's left is on the image's right
        l_cross = sign * (midx - lw[0]) / sw  # how far the left wrist went to the right side
        r_cross = sign * (rw[0] - midx) / sw
        raised = (lw[1] - le[1]) / sw <= p.max_below_elbow_sw and (rw[1] - re[1]) / sw <= p.max_below_elbow_sw
        chest = min(lw[1], rw[1]) > min(ls[1], rs[1])
        crossed = l_cross >= p.min_cross_sw and r_cross >= p.min_cross_sw and raised and chest
        return crossed, {"cross_sw": round(min(l_cross, r_cross), 2)}
