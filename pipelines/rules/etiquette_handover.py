"""handover.two_hands — documents handed over or received with both hands (000 二(二)(五); 003 B.12).

A handover episode: a wrist reaches toward the client side, `reach_m` forward of the shoulders in the
world frame, held `min_hold_s`. The client zone is not used: it is a floor region, and from a high camera
its image polygon covers the clerk's own hands resting on the desk (a do-nothing clip at 1.7 m, -35 deg
yaw read as a 6-s two-hand handover that way). It passes
when, for at least `both_share` of the reach, both wrists were forward and within `together_m` of
each other; otherwise it is a violation (one-handed). Limits: nothing checks that a document is held,
so a one-handed reach for any object over the desk toward the client side counts.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from calibration.config import CounterConfig
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import L_SHOULDER, L_WRIST, R_SHOULDER, R_WRIST
from pipelines.rules.etiquette_common import ClerkGeometry, Episodes, Frame, median_of
from pipelines.temporal import Clock, instant_event
from vision.observation import Observation


class HandoverParams(RuleParams):
    min_hold_s: float = Field(0.4, ge=0)
    reach_m: float = Field(0.40, gt=0, description="wrist this far forward of the shoulders: reaching out")
    together_m: float = Field(0.35, gt=0, description="both wrists within this distance: together")
    both_share: float = Field(0.5, gt=0, le=1, description="share of the reach with both hands together")


def in_polygon(pt: tuple[float, float], poly: list[tuple[float, float]]) -> bool:
    x, y, inside = pt[0], pt[1], False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def reach_row(frame: Frame, counter: CounterConfig, p: HandoverParams) -> dict[str, Any] | None:
    w = frame.world
    if w is None:
        return None
    sh_z = (w[L_SHOULDER][2] + w[R_SHOULDER][2]) / 2
    out = {}
    for side, i in (("left", L_WRIST), ("right", R_WRIST)):
        forward = w[i][2] - sh_z
        out[side] = forward >= p.reach_m
        out[f"{side}_reach_m"] = float(forward)
    if not (out["left"] or out["right"]):
        return None
    sep = float(np.linalg.norm(w[L_WRIST] - w[R_WRIST]))
    both = out["left"] and out["right"] and sep <= p.together_m
    return {"both": float(both), "separation_m": sep, "reach_m": max(out["left_reach_m"], out["right_reach_m"]),
            "hand": "both" if out["left"] and out["right"] else ("left" if out["left"] else "right")}


@register
class TwoHandHandover(Rule):
    rule_id: ClassVar[str] = "handover.two_hands"
    needs: ClassVar[frozenset[str]] = frozenset({"pose"})
    Params: ClassVar[type[RuleParams]] = HandoverParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = HandoverParams.model_validate(params.model_dump())
        self.geom = ClerkGeometry(counter)
        self.eps = Episodes(self.p.min_hold_s, 0.3)

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        frame = self.geom.measure(obs, ctx)
        row = reach_row(frame, self.counter, self.p) if frame is not None else None
        return self._report(self.eps.step(ctx.clock.t, ctx.clock.wall, None if frame is None else row is not None, row))

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self._report(self.eps.close())

    def _report(self, done) -> list[Event]:
        if done is None:
            return []
        (t0, w0), (t1, w1), rows = done
        share = float(np.mean([r["both"] for r in rows]))
        hands = [r["hand"] for r in rows]
        evidence = {
            "both_hands_share": round(share, 2),
            "min_separation_m": round(min(r["separation_m"] for r in rows), 3),
            "max_reach_m": round(max(r["reach_m"] for r in rows), 3),
            "median_separation_m": round(median_of(rows, "separation_m") or 0.0, 3),
            "hand": max(set(hands), key=hands.count),
            "duration_s": round(t1 - t0, 2),
        }
        return instant_event(self.rule_id, self.counter.counter_id, Clock(t0, w0), Clock(t1, w1),
                             outcome="pass" if share >= self.p.both_share else "violation", evidence=evidence,
                             hall_id=self.counter.hall_id)
