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

from collections import deque
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
    beyond_rest_m: float = Field(0.12, ge=0, description="and this far beyond where the wrist rested before")
    rest_window_s: float = Field(5.0, gt=0, description="the resting reach is the median over this window")
    rest_min_s: float = Field(1.0, ge=0, description="history needed before any reach counts")


def forward_reach(frame: Frame) -> dict[str, float] | None:
    """Each wrist's distance forward of the shoulder centre (world landmarks, metres)."""
    w = frame.world
    if w is None:
        return None
    sh_z = (w[L_SHOULDER][2] + w[R_SHOULDER][2]) / 2
    return {"left": float(w[L_WRIST][2] - sh_z), "right": float(w[R_WRIST][2] - sh_z)}


def reach_row(frame: Frame, p: HandoverParams, rest: dict[str, float]) -> dict[str, Any] | None:
    """A reach: forward of the shoulders by `reach_m` and beyond the wrist's resting place by `beyond_rest_m`
    (hands resting far forward on the desk read 0.3-0.45 m on MediaPipe's world landmarks: not a handover)."""
    fwd = forward_reach(frame)
    if fwd is None:
        return None
    w = frame.world
    assert w is not None
    out: dict[str, Any] = {}
    for side in ("left", "right"):
        out[side] = fwd[side] >= p.reach_m and fwd[side] - rest[side] >= p.beyond_rest_m
        out[f"{side}_reach_m"] = fwd[side]
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
        self.history: deque[tuple[float, float, float]] = deque()  # (t, left, right) forward reach at rest

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        frame = self.geom.measure(obs, ctx)
        t = ctx.clock.t
        rest = self._rest(t)
        row = reach_row(frame, self.p, rest) if frame is not None and rest is not None else None
        if frame is not None and row is None and not self.eps.active and (fwd := forward_reach(frame)):
            self.history.append((t, fwd["left"], fwd["right"]))
        known = frame is not None and rest is not None
        return self._report(self.eps.step(t, ctx.clock.wall, row is not None if known else None, row))

    def _rest(self, t: float) -> dict[str, float] | None:
        while self.history and t - self.history[0][0] > self.p.rest_window_s:
            self.history.popleft()
        if not self.history or t - self.history[0][0] < min(self.p.rest_min_s, self.p.rest_window_s):
            return None
        arr = np.array([(a, b) for _, a, b in self.history])
        return {"left": float(np.median(arr[:, 0])), "right": float(np.median(arr[:, 1]))}

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
