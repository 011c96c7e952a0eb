"""gaze.away: not facing the client while serving, or looking around (左顾右盼; 001 第七条5).

The client sits on the camera's side of the counter, so facing the client is facing the camera: a
head turned more than `max_yaw_deg` for `min_duration` s is away. Looking around: the head sweeps
left and right (`min_sweeps` turns of `sweep_deg` within `sweep_window_s`). Looking down at papers
or the keyboard (pitch) is work, not looking away. Only while a client is present.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(2.0, ge=0)
    max_yaw_deg: float = Field(40.0, gt=0)
    sweep_deg: float = Field(30.0, gt=0)
    min_sweeps: int = Field(3, ge=2)
    sweep_window_s: float = Field(8.0, gt=0)


@register
class GazeAway(TrackedRule):
    rule_id = "gaze.away"
    needs = frozenset({"pose", "face", "people"})
    measured_by = "face"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.yaws: deque[tuple[float, float]] = deque()

    def _sweeps(self, t: float, yaw: float, p: Params) -> int:
        self.yaws.append((t, yaw))
        while self.yaws and t - self.yaws[0][0] > p.sweep_window_s:
            self.yaws.popleft()
        turns, direction, anchor = 0, 0, self.yaws[0][1]
        for _, y in list(self.yaws)[1:]:
            if abs(y - anchor) >= p.sweep_deg:
                d = 1 if y > anchor else -1
                if d != direction:
                    turns += 1
                direction, anchor = d, y
        return turns

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        if ctx.client_present is None:
            return None, {}
        f = obs.face
        if f is None:
            return (False if ctx.clerk_present is False else None), {}
        sweeps = self._sweeps(ctx.clock.t, f.yaw, p)
        if not ctx.client_present:
            return False, {}
        if abs(f.yaw) > p.max_yaw_deg:
            return True, {"kind": "turned_away", "yaw_deg": round(f.yaw, 1)}
        if sweeps >= p.min_sweeps:
            return True, {"kind": "looking_around", "sweeps": sweeps}
        return False, {}
