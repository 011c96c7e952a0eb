"""stand.for_visitor — stand up and bow slightly for a visitor when no client is served (003 B.11.1).

A visitor: a person box in the client zone (its bottom centre inside it), not the clerk, present
`arrive_s`, while no queue call came in the last `served_window_s` and the context does not say a
client is being served. Then within `respond_s` the clerk should stand (shoulders `rise_m` above the
seated level learned from the first frames) and bow at least `min_bow_deg`. One event per visitor:
pass, or violation with what was missing.

Limits: a camera facing the clerk rarely sees who stands at the counter, and nothing tells a
visiting inspector from a walk-in client without a ticket; without a client zone this rule is idle.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from calibration.config import CounterConfig
from pipelines.context import point_in_polygon
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import L_SHOULDER, R_SHOULDER
from pipelines.rules.etiquette_common import ClerkGeometry, r1, shoulder_height_m
from pipelines.temporal import Clock, instant_event
from vision.observation import Observation


class StandParams(RuleParams):
    arrive_s: float = Field(1.5, ge=0, description="the visitor must stay this long")
    respond_s: float = Field(10.0, gt=0, description="seconds to stand up and bow")
    rise_m: float = Field(0.25, gt=0, description="shoulder rise from the seated level that means standing")
    min_bow_deg: float = Field(8.0, gt=0)
    served_window_s: float = Field(300.0, ge=0, description="a queue call this recent means a client is served")
    seated_frames: int = Field(20, gt=0, description="frames used to learn the seated shoulder height")


@register
class StandForVisitor(Rule):
    rule_id: ClassVar[str] = "stand.for_visitor"
    needs: ClassVar[frozenset[str]] = frozenset({"pose", "detector"})
    Params: ClassVar[type[RuleParams]] = StandParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = StandParams.model_validate(params.model_dump())
        self.geom = ClerkGeometry(counter)
        self.heights: list[float] = []
        self.seated: float | None = None
        self.present_since: float | None = None
        self.visit: dict[str, Any] | None = None  # the arrival being judged
        self.visitor_gone = True

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        frame = self.geom.measure(obs, ctx)
        t = ctx.clock.t
        height = shoulder_height_m(frame) if frame is not None else None
        if height is not None and self.seated is None:
            self.heights.append(height)
            if len(self.heights) >= self.p.seated_frames:
                self.seated = float(np.median(self.heights))
        here = self._visitor_present(obs, ctx)
        if not here:
            self.present_since, self.visitor_gone = None, True
        elif self.present_since is None:
            self.present_since = t
        if (self.visit is None and here and self.visitor_gone and self.seated is not None
                and self.present_since is not None and t - self.present_since >= self.p.arrive_s):
            self.visit = {"t": self.present_since, "wall": ctx.clock.wall - (t - self.present_since),
                          "stood_at": None, "rise": 0.0, "bow": 0.0}
            self.visitor_gone = False
        if self.visit is None:
            return []
        v = self.visit
        if height is not None and self.seated is not None:
            v["rise"] = max(v["rise"], height - self.seated)
            standing = height - self.seated >= self.p.rise_m
            if standing and v["stood_at"] is None:
                v["stood_at"] = t
            if standing and frame is not None and frame.bow is not None:
                v["bow"] = max(v["bow"], frame.bow.angle)
        if t - v["t"] < self.p.respond_s and not (v["stood_at"] is not None and v["bow"] >= self.p.min_bow_deg):
            return []
        return self._judge(ctx)

    def _visitor_present(self, obs: Observation, ctx: RuleContext) -> bool:
        zone = self.counter.zones.client
        if zone is None or ctx.client_present or ctx.calls_since(self.p.served_window_s):
            return False
        clerk = None
        if obs.pose is not None and len(obs.pose.landmarks) >= 33:
            a, b = obs.pose.landmarks[L_SHOULDER], obs.pose.landmarks[R_SHOULDER]
            clerk = ((a.x + b.x) / 2, (a.y + b.y) / 2)
        for d in obs.people:
            x1, y1, x2, y2 = d.box
            if clerk is not None and x1 <= clerk[0] <= x2 and y1 <= clerk[1] <= y2:
                continue
            if point_in_polygon(((x1 + x2) / 2, y2), zone):
                return True
        return False

    def _judge(self, ctx: RuleContext) -> list[Event]:
        v, self.visit = self.visit, None
        assert v is not None
        stood, bowed = v["stood_at"] is not None, v["bow"] >= self.p.min_bow_deg
        missing = [k for k, ok in (("stand", stood), ("bow", bowed)) if not ok]
        evidence = {
            "stood": stood, "bowed": bowed, "missing": missing, "shoulder_rise_m": round(v["rise"], 3),
            "bow_deg": r1(v["bow"]), "latency_s": round(v["stood_at"] - v["t"], 2) if stood else None,
        }
        return instant_event(self.rule_id, self.counter.counter_id, Clock(v["t"], v["wall"]), ctx.clock,
                             outcome="violation" if missing else "pass", evidence=evidence,
                             hall_id=self.counter.hall_id)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self._judge(ctx) if self.visit is not None and ctx.clock.t - self.visit["t"] >= self.p.respond_s else []
