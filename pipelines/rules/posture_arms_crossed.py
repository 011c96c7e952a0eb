"""posture.arms_crossed: arms folded across the chest (抱胸; 003 D.1).

Each wrist lies past the body's midline on the other side. In the image: at chest height (raised to or
above its elbow); hands clasped on the desk stay on their own side or below the elbows. A camera off to
one side foreshortens the shoulder line and tucks the far wrist under the near elbow, so the crossing is
also measured on the 3-D world landmarks, along the shoulder line (right to left shoulder): there each
wrist must lie `min_world_cross_sw` past the midline, a margin typing or clasped hands never reach.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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
    min_world_cross_sw: float = Field(
        0.1, gt=0, description="3-D: each wrist this far past the midline along the shoulder line (shoulder widths)"
    )


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
        ev = {"cross_sw": round(min(l_cross, r_cross), 2)}
        world = _world_cross(body.pose.world)
        if world is not None:
            ev["world_cross_sw"] = round(world, 2)
            crossed = crossed or world >= p.min_world_cross_sw
        return crossed, ev


def _world_cross(world: list) -> float | None:
    """How far the less-crossed wrist lies past the midline, along the 3-D shoulder line (shoulder widths);
    negative when a wrist stays on its own side. None without world landmarks."""
    if len(world) <= max(L_WR, R_WR):
        return None
    ls, rs = np.asarray(world[L_SH][:3], float), np.asarray(world[R_SH][:3], float)
    width = float(np.linalg.norm(ls - rs))
    if width < 1e-6:
        return None
    axis, mid = (ls - rs) / width, (ls + rs) / 2  # toward the subject's left
    left = float((np.asarray(world[L_WR][:3], float) - mid) @ axis) / width
    right = float((np.asarray(world[R_WR][:3], float) - mid) @ axis) / width
    return min(-left, right)
