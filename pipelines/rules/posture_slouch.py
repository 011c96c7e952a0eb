"""posture.slouch: leaning forward / back, slumped or sitting sideways (003 B.2.2, D.1; 001 第七条3).

With the hips visible the torso angle comes from the 3-D world landmarks (pitch: forward/back, roll:
sideways). Behind a desk only the shoulders show, so a tilted shoulder line (leaning on one arm)
is the measure there. A bow lasts seconds; `min_duration` keeps it out. Lying on the desk
(posture.head_on_desk) is not also a slouch: the rule is silent while the head is down.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_HIP, L_SH, R_HIP, R_SH
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(15.0, ge=0)
    grace: float = Field(3.0, ge=0)
    max_lean_deg: float = Field(25.0, description="torso from vertical, forward/back or sideways")
    max_shoulder_tilt_deg: float = Field(15.0, description="shoulder line from horizontal")
    min_hip_visibility: float = Field(0.6, ge=0, le=1)


@register
class Slouch(TrackedRule):
    rule_id = "posture.slouch"
    needs = frozenset({"pose"})
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        ran, body = body_of(obs, ctx)
        if not ran:
            return None, {}
        if body is None or ctx.values.get("head_down"):
            return False, {}  # lying on the desk is posture.head_on_desk's, though it tilts the torso too
        ls, rs = body.pt(L_SH), body.pt(R_SH)
        if ls is None or rs is None:
            return None, {}
        tilt = math.degrees(math.atan2(abs(ls[1] - rs[1]), abs(ls[0] - rs[0]) + 1e-6))
        ev: dict[str, Any] = {"shoulder_tilt_deg": round(tilt, 1)}
        bad = tilt > p.max_shoulder_tilt_deg
        pose = body.pose
        lms, world = pose.landmarks, pose.world
        if len(world) >= 25 and min(lms[L_HIP].visibility, lms[R_HIP].visibility) >= p.min_hip_visibility:
            sx, sy, sz = ((world[L_SH][k] + world[R_SH][k]) / 2 for k in range(3))
            hx, hy, hz = ((world[L_HIP][k] + world[R_HIP][k]) / 2 for k in range(3))
            up = (sx - hx, sy - hy, sz - hz)  # y is down: an upright torso has up[1] < 0
            pitch = math.degrees(math.atan2(abs(up[2]), -up[1] + 1e-6))
            roll = math.degrees(math.atan2(abs(up[0]), -up[1] + 1e-6))
            ev.update(lean_pitch_deg=round(pitch, 1), lean_roll_deg=round(roll, 1))
            bad = bad or pitch > p.max_lean_deg or roll > p.max_lean_deg
        return bad, ev
