"""posture.dozing: eyes closed over N s, or nodding off (打瞌睡; 003 D.1, 002 (6)).

Eyes count as closed only while the face is roughly level (pitch < `pitch_down_deg`): looking down at
papers narrows the eye opening as seen from a camera in front, so those frames are unknown, not closed.
A nod (the head drops past `nod_drop_deg` then jerks back up) counts too: `min_nods` nods in `nod_window_s`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0, description="N: eyes closed this long (s)")
    grace: float = Field(1.5, ge=0, description="eyes open this briefly (a blink reversed) does not break it")
    ear_closed: float = Field(0.15, gt=0, description="eye aspect ratio below which the eyes are closed")
    pitch_down_deg: float = Field(20.0, description="above this pitch the eyes are not judged")
    nod_drop_deg: float = Field(25.0, description="pitch reached before a nod's jerk back up")
    nod_rise_deg: float = Field(15.0, description="pitch regained within 1 s that makes it a nod")
    min_nods: int = Field(2, ge=1)
    nod_window_s: float = Field(60.0, gt=0)


@register
class Dozing(TrackedRule):
    rule_id = "posture.dozing"
    needs = frozenset({"pose", "face"})
    measured_by = "face"
    Params = Params
    severity: ClassVar[Severity] = "major"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.pitches: deque[tuple[float, float]] = deque()
        self.nods: deque[float] = deque()

    def _nod(self, t: float, pitch: float, p: Params) -> None:
        self.pitches.append((t, pitch))
        while self.pitches and t - self.pitches[0][0] > 1.0:
            self.pitches.popleft()
        peak = max(q for _, q in self.pitches)
        if peak >= p.nod_drop_deg and peak - pitch >= p.nod_rise_deg:
            if not self.nods or t - self.nods[-1] > 2.0:
                self.nods.append(t)
            self.pitches.clear()
        while self.nods and t - self.nods[0] > p.nod_window_s:
            self.nods.popleft()

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        f = obs.face
        if f is None:
            return (False if ctx.clerk_present is False else None), {}
        self._nod(ctx.clock.t, f.pitch, p)
        if len(self.nods) >= p.min_nods:
            return True, {"nods": len(self.nods), "pitch_deg": round(f.pitch, 1)}
        if f.pitch >= p.pitch_down_deg:
            return None, {}
        closed = f.eye_aspect_ratio < p.ear_closed
        return closed, ({"eye_aspect_ratio": round(f.eye_aspect_ratio, 3)} if closed else {})
