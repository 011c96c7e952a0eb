"""smile: smiling at the greeting and while serving (微笑服务; 000 二(一)(二), 002, 003 §5.2.2.1).

Reported as a rate, not a violation per frame: one `info` event per service (a client present from
arrival to departure), with the share of face frames smiling and whether a smile came within
`greeting_s` of the start. The aggregator turns these into per-clerk smile rates.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.temporal import Clock, instant_event
from vision.observation import Observation


class Params(RuleParams):
    smile_min: float = Field(0.06, description="FaceResult.smile above this is a smile")
    greeting_s: float = Field(10.0, gt=0, description="a smile this soon after the client arrives is the greeting")
    end_after_s: float = Field(5.0, ge=0, description="client gone this long ends the service")
    min_face_frames: int = Field(3, ge=1)


@register
class Smile(Rule):
    rule_id = "smile"
    needs = frozenset({"pose", "face", "people"})
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.start: Clock | None = None
        self.last_client: Clock | None = None
        self.frames = self.smiles = 0
        self.greeted = False
        self.peak = 0.0

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        p: Params = self.params  # type: ignore[assignment]
        clock = ctx.clock
        if ctx.client_present:
            if self.start is None:
                self.start, self.frames, self.smiles, self.greeted, self.peak = clock, 0, 0, False, 0.0
            self.last_client = clock
            if "face" in obs.ran and obs.face is not None and obs.camera_ok:
                self.frames += 1
                self.peak = max(self.peak, obs.face.smile)
                if obs.face.smile >= p.smile_min:
                    self.smiles += 1
                    self.greeted = self.greeted or clock.t - self.start.t <= p.greeting_s
            return []
        if self.start is not None and self.last_client is not None and (
            ctx.client_present is False and clock.t - self.last_client.t >= p.end_after_s
        ):
            return self._close()
        return []

    def _close(self) -> list[Event]:
        p: Params = self.params  # type: ignore[assignment]
        start, end = self.start, self.last_client
        self.start = None
        if start is None or end is None or self.frames < p.min_face_frames:
            return []
        evidence = {
            "smile_rate": round(self.smiles / self.frames, 3), "face_frames": self.frames,
            "smiled_at_greeting": self.greeted, "peak_smile": round(self.peak, 3),
            "service_s": round(end.t - start.t, 2),
        }
        return instant_event(self.rule_id, self.counter.counter_id, start, end, outcome="info", severity="info",
                             evidence=evidence, hall_id=self.counter.hall_id)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self._close()
