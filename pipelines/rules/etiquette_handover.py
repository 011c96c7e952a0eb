"""handover.two_hands — documents handed over or received with both hands (000 二(二)(五); 003 B.12).

What a handover across a service counter looks like from the camera: the clerk leans toward the client,
and the hand(s) holding the document lift off the desk and move toward the client's side of the desk.
The forward reach itself hides in depth (the arms are already near full length when typing: on MediaPipe's
world landmarks the wrists moved 0-0.1 m forward, within the noise), so the rule reads the other two
components, each against where that wrist rested before (median over `rest_window_s`, wrist relative
to the shoulder centre, world landmarks turned into the calibrated camera's clerk axes):

- lift: the wrist rose toward shoulder height, and stays below `max_above_shoulder_m` (a raised greeting,
  a hand at the face are not handovers);
- toward the client: it moved sideways toward the client zone's side (the side is taken from the calibrated
  client zone; without one, the side the farther-moved hand went);
- each at least `lift_m` / `toward_m`, together (hypotenuse) at least `move_m`: the hand holding the
  document moves mostly sideways, the other hand mostly up to meet it (measured on the simulator's
  handovers: 0.15-0.35 m; a hand taking a phone to the chest moves toward the body's midline, away from a
  client on that side).

A handover is a hand "out" (both components) while the torso leans `min_lean_deg` forward (a frame with no
bow reading, where the body moved in a way no bend explains, does not count), the other hand did not move
the opposite way (that is the shoulders turning, not a reach), and a client is at the window (a queue call
or a person in the client zone: with nobody to hand to, an arm held out is a guiding gesture). A hand seen
pointing with one finger is not holding a document. The episode passes when, for at least `both_share` of it,
both hands were out; otherwise it is a violation (one-handed).

Limits: nothing sees the document itself (the packaged detectors have no paper class), so a one-handed
reach with a lean toward the client for anything on the desk counts as a one-handed handover.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from calibration.config import CounterConfig
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import L_SHOULDER, L_WRIST, R_SHOULDER, R_WRIST, UP, CameraModel
from pipelines.rules.etiquette_common import ClerkGeometry, Episodes, Frame, clerk_hand, median_of
from pipelines.temporal import Clock, instant_event
from vision.observation import Observation

SIDES = (("right", R_WRIST), ("left", L_WRIST))
CLERK_CHEST_M = 1.0  # the clerk's chest height, seated (m): where the camera sees the clerk


class HandoverParams(RuleParams):
    min_hold_s: float = Field(0.4, ge=0)
    lift_m: float = Field(0.05, ge=0, description="a hand out: the wrist rose at least this much from its rest")
    toward_m: float = Field(0.05, ge=0, description="and moved at least this far sideways toward the client")
    move_m: float = Field(0.15, gt=0, description="and the two moves together (hypotenuse) reach this")
    max_above_shoulder_m: float = Field(0.0, description="and stays below the shoulders plus this (metres)")
    min_lean_deg: float | None = Field(3.0, description="torso lean toward the client while handing over "
                                                        "(None = not checked); frames with no bow reading fail")
    both_share: float = Field(0.5, gt=0, le=1, description="share of the handover with both hands out")
    need_client: bool = Field(True, description="only while a client is at the window: a person in the client "
                                                "zone (the context's client_present) or a recent queue call")
    client_call_s: float = Field(300.0, ge=0, description="a queue call this recent means a client is served")
    rest_window_s: float = Field(5.0, gt=0, description="the resting wrist is the median over this window")
    rest_min_s: float = Field(0.6, ge=0, description="history needed before any handover counts")


def client_side(counter: CounterConfig, cam: CameraModel) -> float | None:
    """+1 / -1: the clerk-world X side of the client, from where the client zone's centre lies in the image
    against the clerk (the post's origin at chest height): a camera facing the clerk sees the clerk's right on
    the image's left. None without a client zone, or for a camera behind the clerk's shoulder line."""
    zone = counter.zones.client
    if not zone or abs(cam.yaw_deg) >= 90:
        return None
    centre_x = float(np.mean(np.asarray(zone, float)[:, 0]))
    clerk_x = float(cam.project(UP * CLERK_CHEST_M)[0])
    if abs(centre_x - clerk_x) < 1.0:
        return None
    return 1.0 if centre_x > clerk_x else -1.0


def wrists_rel(frame: Frame) -> dict[str, np.ndarray] | None:
    """Each wrist relative to the shoulder centre (world landmarks in the clerk axes: X side, Y up, Z forward)."""
    w = frame.world
    if w is None:
        return None
    sh = (w[L_SHOULDER] + w[R_SHOULDER]) / 2
    return {side: w[i] - sh for side, i in SIDES}


def hand_out(rel: np.ndarray, rest: np.ndarray, side: float, p: HandoverParams) -> tuple[bool, float, float]:
    """(out, lift, toward) of one wrist against its resting place: lifted and moved toward the client, both
    by at least the minimum and together by `move_m`, and below the shoulders."""
    d = rel - rest
    lift = float(d[1])
    toward = float(d[0] * side)
    out = (lift >= p.lift_m and toward >= p.toward_m and float(np.hypot(lift, toward)) >= p.move_m
           and float(rel[1]) <= p.max_above_shoulder_m)
    return out, lift, toward


@register
class TwoHandHandover(Rule):
    rule_id: ClassVar[str] = "handover.two_hands"
    needs: ClassVar[frozenset[str]] = frozenset({"pose", "hands"})
    Params: ClassVar[type[RuleParams]] = HandoverParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = HandoverParams.model_validate(params.model_dump())
        self.geom = ClerkGeometry(counter)
        self.eps = Episodes(self.p.min_hold_s, 0.3)
        self.history: deque[tuple[float, dict[str, np.ndarray]]] = deque()  # (t, wrists) at rest
        self.side: float | None = None
        self.side_known = False

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        frame = self.geom.measure(obs, ctx)
        t = ctx.clock.t
        if not self.side_known and frame is not None:
            self.side, self.side_known = client_side(self.counter, frame.cam), True
        rel = wrists_rel(frame) if frame is not None else None
        rest = self._rest(t)
        on: bool | None = None
        row = None
        if frame is not None and rel is not None and rest is not None:
            row = self._row(frame, obs, ctx, rel, rest)
            on = row is not None
        if rel is not None and not on and not self.eps.active:
            self.history.append((t, rel))
        return self._report(self.eps.step(t, ctx.clock.wall, on, row))

    def _row(self, frame: Frame, obs: Observation, ctx: RuleContext, rel: dict[str, np.ndarray],
             rest: dict[str, np.ndarray]) -> dict[str, Any] | None:
        if self.p.need_client and not (ctx.client_present or ctx.calls_since(self.p.client_call_s)):
            return None
        lean = frame.bow.angle if frame.bow is not None else None
        if self.p.min_lean_deg is not None and (lean is None or lean < self.p.min_lean_deg):
            return None  # no reading: the body moved in a way no bend explains (turning, standing up)
        toward_side = self.side
        if toward_side is None:  # no client zone: the side the farther-moved hand went
            moves = [float(rel[s][0] - rest[s][0]) for s, _ in SIDES]
            toward_side = float(np.sign(max(moves, key=abs))) or 1.0
        outs = {}
        for side, _ in SIDES:
            out, lift, toward = hand_out(rel[side], rest[side], toward_side, self.p)
            hand = clerk_hand(frame, obs, side) if "hands" in obs.ran else None
            if hand is not None and hand.index_pointing:
                out = False  # pointing, not holding a document
            outs[side] = (out, lift, toward)
        if not (outs["right"][0] or outs["left"][0]):
            return None
        if min(outs["right"][2], outs["left"][2]) <= -self.p.toward_m * 2:
            return None  # one hand toward the client, the other away: the shoulders turned, the hands did not reach
        both = outs["right"][0] and outs["left"][0]
        return {"both": float(both), "hand": "both" if both else ("right" if outs["right"][0] else "left"),
                "lift_m": max(o[1] for o in outs.values() if o[0]),
                "toward_m": max(o[2] for o in outs.values() if o[0]),
                "separation_m": float(np.linalg.norm(rel["right"] - rel["left"])), "lean_deg": lean}

    def _rest(self, t: float) -> dict[str, np.ndarray] | None:
        while self.history and t - self.history[0][0] > self.p.rest_window_s:
            self.history.popleft()
        if not self.history or t - self.history[0][0] < min(self.p.rest_min_s, self.p.rest_window_s):
            return None
        return {side: np.median(np.array([h[side] for _, h in self.history]), axis=0) for side, _ in SIDES}

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self._report(self.eps.close())

    def _report(self, done) -> list[Event]:
        if done is None:
            return []
        (t0, w0), (t1, w1), rows = done
        share = float(np.mean([r["both"] for r in rows]))
        hands = [r["hand"] for r in rows]
        lean = median_of(rows, "lean_deg")
        evidence = {
            "both_hands_share": round(share, 2),
            "hand": max(set(hands), key=hands.count),
            "max_lift_m": round(max(r["lift_m"] for r in rows), 3),
            "max_toward_client_m": round(max(r["toward_m"] for r in rows), 3),
            "median_separation_m": round(median_of(rows, "separation_m") or 0.0, 3),
            "median_lean_deg": None if lean is None else round(lean, 1),
            "client_side_known": self.side is not None,
            "duration_s": round(t1 - t0, 2),
        }
        return instant_event(self.rule_id, self.counter.counter_id, Clock(t0, w0), Clock(t1, w1),
                             outcome="pass" if share >= self.p.both_share else "violation", evidence=evidence,
                             hall_id=self.counter.hall_id)
