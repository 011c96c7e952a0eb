"""posture.legs: crossed or shaking legs, only where the legs are visible (003 B.2, D.1; 001 第七条3).

Crossed: one knee well above the other, or the ankles swapped sides. Shaking: a knee bouncing up and
down (`min_reversals` direction changes of at least `shake_amp_sw` within `shake_window_s`).
A desk usually hides the legs: then the rule reads "unknown" and raises nothing. The model still guesses
knees there with high visibility, so the legs count as hidden whenever the desk zone (or the frame's
edge) lies just below the hips, between the camera and the thighs.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import Field

from pipelines.context import point_in_polygon
from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_ANK, L_HIP, L_KNEE, L_SH, R_ANK, R_HIP, R_KNEE, R_SH
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(2.0, ge=0)
    min_visibility: float = Field(0.6, ge=0, le=1)
    knee_height_sw: float = Field(0.25, gt=0, description="one knee this much above the other: crossed")
    shake_window_s: float = Field(3.0, gt=0)
    shake_amp_sw: float = Field(0.03, gt=0)
    min_reversals: int = Field(4, ge=2)


@register
class Legs(TrackedRule):
    rule_id = "posture.legs"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.knee_y: deque[tuple[float, float]] = deque()

    def _shaking(self, t: float, y: float, sw: float, p: Params) -> bool:
        self.knee_y.append((t, y))
        while self.knee_y and t - self.knee_y[0][0] > p.shake_window_s:
            self.knee_y.popleft()
        ys = [v for _, v in self.knee_y]
        reversals, direction, anchor = 0, 0, ys[0]
        for v in ys[1:]:
            step = v - anchor
            if abs(step) >= p.shake_amp_sw * sw:
                d = 1 if step > 0 else -1
                if direction and d != direction:
                    reversals += 1
                direction, anchor = d, v
        return reversals >= p.min_reversals

    def _behind_desk(self, body: Any, sw: float, size: tuple[int, int]) -> bool:
        """The point half a shoulder width below the hips lies on the desk or outside the frame: the desk
        (or the frame's edge) hides the thighs, whatever the model reports for the knees."""
        hips = [q for q in (body.pt(L_HIP, 0.3), body.pt(R_HIP, 0.3)) if q is not None]
        if not hips:
            return True  # no hips, no thighs to read the knees from
        x = sum(q[0] for q in hips) / len(hips)
        y = sum(q[1] for q in hips) / len(hips) + 0.5 * sw
        if size[1] > 0 and y >= size[1]:
            return True
        desk = self.counter.zones.desk
        return desk is not None and point_in_polygon((x, y), desk)

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        if body is None:
            return False, {}
        v = p.min_visibility
        lk, rk, la, ra = (body.pt(i, v) for i in (L_KNEE, R_KNEE, L_ANK, R_ANK))
        ls, rs, sw = body.pt(L_SH), body.pt(R_SH), body.shoulder_width
        if lk is None or rk is None or sw is None or ls is None or rs is None:
            self.knee_y.clear()
            return None, {}
        if self._behind_desk(body, sw, obs.image_size):
            self.knee_y.clear()
            return None, {}
        sign = 1.0 if ls[0] > rs[0] else -1.0
        knee_gap = abs(lk[1] - rk[1]) / sw
        swapped = la is not None and ra is not None and sign * (la[0] - ra[0]) < -0.05 * sw
        if knee_gap >= p.knee_height_sw or swapped:
            return True, {"kind": "crossed", "knee_gap_sw": round(knee_gap, 2)}
        if self._shaking(ctx.clock.t, (lk[1] + rk[1]) / 2, sw, p):
            return True, {"kind": "shaking"}
        return False, {}
