"""phone.neck_clamp: a handset clamped between the neck and the shoulder (000 三(九)3).

The head tilts until one ear nears its shoulder and a phone is seen in that gap. (Walking around with
the phone is not measured: the camera sees the seated post.)
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from pipelines.rules._body import L_EAR, L_SH, R_EAR, R_SH, mid
from pipelines.rules.phone_use import PHONE_LABELS
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(3.0, ge=0)
    grace: float = Field(2.0, ge=0)
    ear_shoulder_sw: float = Field(0.45, gt=0, description="ear this close to its shoulder (shoulder widths)")
    min_tilt_deg: float = Field(15.0, ge=0, description="ear-line tilt")
    require_phone: bool = True
    phone_memory_s: float = Field(10.0, ge=0)


@register
class NeckClamp(TrackedRule):
    rule_id = "phone.neck_clamp"
    needs = frozenset({"pose", "detector"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.phone_t = float("-inf")

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        if body is None:
            return False, {}
        sw = body.shoulder_width
        le, re, ls, rs = body.pt(L_EAR, 0.3), body.pt(R_EAR, 0.3), body.pt(L_SH), body.pt(R_SH)
        if sw is None or not (le and re and ls and rs):
            return None, {}
        tilt = math.degrees(math.atan2(abs(le[1] - re[1]), abs(le[0] - re[0]) + 1e-6))
        gaps = {"left": math.dist(le, ls) / sw, "right": math.dist(re, rs) / sw}
        side = min(gaps, key=gaps.get)  # type: ignore[arg-type]
        if gaps[side] > p.ear_shoulder_sw or tilt < p.min_tilt_deg:
            return False, {}
        ear, sh = (le, ls) if side == "left" else (re, rs)
        phones = dets_near(ctx.values.get("detections"), PHONE_LABELS, [ear, sh, mid(ear, sh)], 0.3 * sw)
        if phones:
            self.phone_t = ctx.clock.t
        if p.require_phone and ctx.clock.t - self.phone_t > p.phone_memory_s:
            return False, {}
        return True, {"side": side, "tilt_deg": round(tilt, 1), "ear_shoulder_sw": round(gaps[side], 2), **best(phones)}
