"""greet.raise_hand — after each queue call, did the clerk raise the RIGHT hand within `window_s`?

A raise: the right forearm within `max_forearm_deg` of vertical with the wrist above the elbow and
near shoulder height, held `min_hold_s`. Each call gets exactly one event: `pass` (latency, forearm
angle, fingers together), or `violation` when no raise came in time, the left hand was raised
instead, or the form was wrong (forearm tilted, fingers spread). The aggregator computes the
compliance rate from pass/violation counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from calibration.config import CounterConfig
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import (
    L_ELBOW,
    L_SHOULDER,
    L_WRIST,
    R_ELBOW,
    R_SHOULDER,
    R_WRIST,
    fingers_span_score,
    fingers_together_score,
    forearm_from_vertical,
    hand_face_clearance,
)
from pipelines.messages import QueueCall
from pipelines.rules.etiquette_common import (
    Episodes,
    Frame,
    clerk_frame,
    clerk_hand,
    median_of,
    r1,
    usual_width_px,
)
from pipelines.temporal import Clock, instant_event
from vision.observation import Observation
from vision.results import HandResult


@dataclass
class Raise:
    """One raised hand: where it started (t, wall), its measured rows, and whether the hand is down again."""

    side: str
    start: tuple[float, float]
    rows: list[dict[str, Any]]
    closed: bool


class GreetParams(RuleParams):
    window_s: float = Field(5.0, gt=0, description="the raise must start within this many seconds of the call")
    min_hold_s: float = Field(0.3, ge=0)
    max_forearm_deg: float = Field(30.0, gt=0, lt=90, description="forearm tilt from vertical still 'near vertical'")
    detect_forearm_deg: float = Field(45.0, gt=0, lt=90, description="looser tilt that still counts as a raise")
    min_fingers_together: float = Field(0.6, ge=0, le=1)
    # Read by `counterwatch calibrate preview` only (session 19 renders, docs/rules.md): from the clerk's left the
    # raised right forearm is the far one, and at (1.45 m, 1.4 m, 40 deg) MediaPipe put its wrist behind the elbow for 3
    # of 5 bodies (upright forearms read 31.8-42 deg); clean at 35 (tune_side) and from the right to -50
    max_view_yaw_left_deg: float = Field(
        35.0, ge=0, le=90, description="calibrate preview: the far raised forearm's tilt is misread (its wrist put "
        "behind the elbow), so compliant greetings fail the forearm bar"
    )
    below_shoulder_m: float = Field(0.15, ge=0, description="the wrist may be this far below the shoulder")
    min_face_clearance: float = Field(
        0.7, ge=0, description="the raised hand's centre at least this many image shoulder widths from the nose, "
        "mouth and ears (a phone at the ear or a cup at the mouth is not a greeting)")


def raise_row(frame: Frame, side: str, p: GreetParams, hands: list,
              usual_px: float | None = None) -> dict[str, Any] | None:
    """Measurements of a raised hand on this side, or None when the hand is not raised. The face clearance is
    scaled by this frame's image shoulder width or the clerk's usual one (`usual_px`), whichever is wider: with a
    hand at the ear the pose can read the torso side-on (renders at (1.8 m, 1.7 m, -40 deg): 3-16 px for a
    usual 60), and a hand 22 px from the ear then read 1.4 shoulder widths clear, a greeting."""
    if frame.world is None:
        return None
    sh, el, wr = (R_SHOULDER, R_ELBOW, R_WRIST) if side == "right" else (L_SHOULDER, L_ELBOW, L_WRIST)
    w = frame.world
    if w[wr][1] <= w[el][1] or w[wr][1] < w[sh][1] - p.below_shoulder_m:
        return None
    tilt = frame.cached(f"forearm.{side}", lambda: forearm_from_vertical(frame.pose, frame.cam, side))
    if tilt is None or tilt > p.detect_forearm_deg:
        return None
    # the memo key names the width floor: another rule may ask for this frame's clearance without one
    clearance = frame.cached(f"face_clearance.{side}.{usual_px!r}",
                             lambda: hand_face_clearance(frame.pose, side, usual_px))
    if clearance is not None and clearance < p.min_face_clearance:  # the hand is at the face, not beside the head
        return None
    hand = clerk_hand(frame, hands, side)
    return {"forearm_deg": tilt, "fingers_together": raised_fingers_together(hand) if hand else None}


def raised_fingers_together(hand: HandResult) -> float:
    """Fingers together on a raised hand: the image fan's score, unless the fan's span on the hand's world
    landmarks reads less together. From 35-40 deg aside the palm is seen edge-on and the image fan of a spread hand
    read together (tune_wide (1.5 m, 1.2 m, 40 deg), tune_side (1.3 m, 1.2 m, 35 deg)); the world span is not
    foreshortened (`geometry.fingers_span_score`)."""
    image = fingers_together_score(hand)
    span = fingers_span_score(hand)
    return image if span is None else min(image, span)


@register
class RaiseHandGreeting(Rule):
    rule_id: ClassVar[str] = "greet.raise_hand"
    needs: ClassVar[frozenset[str]] = frozenset({"pose", "hands"})
    Params: ClassVar[type[RuleParams]] = GreetParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = GreetParams.model_validate(params.model_dump())
        self.right = Episodes(self.p.min_hold_s, 0.3)
        self.left = Episodes(self.p.min_hold_s, 0.3)
        self.pending: list[QueueCall] = []
        self.seen: set[tuple[str, float]] = set()
        self.used: set[tuple[str, tuple[float, float]]] = set()
        self.raises: list[Raise] = []

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        for c in ctx.calls:
            if (c.ticket, c.time) not in self.seen:
                self.seen.add((c.ticket, c.time))
                self.pending.append(c)
        frame = clerk_frame(obs, ctx)
        t, wall = ctx.clock.t, ctx.clock.wall
        usual = usual_width_px(obs, frame, ctx, self.p.below_shoulder_m)
        for side, eps in (("right", self.right), ("left", self.left)):
            row = raise_row(frame, side, self.p, obs.hands, usual) if frame else None
            on = None if frame is None else row is not None
            done = eps.step(t, wall, on, row)
            if done is not None:
                self._record(side, done[0], done[2], closed=True)
            elif eps.active and eps.start and eps.last_on and eps.last_on[0] - eps.start[0] >= self.p.min_hold_s:
                # confirmed while still raised; held means seen raised that long, not that long since a single
                # raised frame (a handover's one raised frame before the pose was lost read as a greeting)
                self._record(side, eps.start, list(eps.rows), closed=False)
        return self._judge(ctx)

    def _record(self, side: str, start: tuple[float, float], rows: list[dict[str, Any]], closed: bool) -> None:
        """A raise seen so far; its rows grow while the hand stays up, so the form is judged on the whole hold
        (judged on its first 0.3 s, a hand still opening its fingers read as spread on the tune clips)."""
        if (side, start) in self.used:  # already judged against a call
            return
        for r in self.raises:
            if r.side == side and r.start == start:
                r.rows, r.closed = rows, r.closed or closed
                return
        self.raises.append(Raise(side, start, rows, closed))

    def _judge(self, ctx: RuleContext, final: bool = False) -> list[Event]:
        events: list[Event] = []
        p = self.p
        for call in list(self.pending):
            hits = [r for r in self.raises if 0 <= r.start[0] - call.time <= p.window_s]
            right = [r for r in hits if r.side == "right"]
            deadline = call.time + p.window_s
            if ctx.clock.t <= deadline:
                if not right:  # still waiting (a stream ending early judges nothing)
                    continue
                if not right[0].closed and not final:  # judged once the hand comes down, or at the deadline
                    continue
            self.pending.remove(call)
            start = Clock(call.time, ctx.clock.wall - (ctx.clock.t - call.time))
            ev: dict[str, Any] = {"ticket": call.ticket, "window_s": p.window_s}
            if right:
                t0, rows = right[0].start[0], right[0].rows
                tilt, together = median_of(rows, "forearm_deg"), median_of(rows, "fingers_together")
                form_ok = (tilt is not None and tilt <= p.max_forearm_deg) and \
                          (together is None or together >= p.min_fingers_together)
                ev.update(greeted=True, hand="right", latency_s=round(t0 - call.time, 2), forearm_deg=r1(tilt),
                          fingers_together=r1(together), form_ok=form_ok)
                outcome = "pass" if form_ok else "violation"
                self.used.add(("right", right[0].start))
                self.raises = [r for r in self.raises if r is not right[0]]
            else:
                ev.update(greeted=False, reason="left hand raised" if hits else "no raised-hand greeting",
                          hand="left" if hits else None)
                outcome = "violation"
            events += instant_event(self.rule_id, self.counter.counter_id, start, ctx.clock, outcome=outcome,
                                    evidence=ev, hall_id=self.counter.hall_id)
        self.raises = [r for r in self.raises if ctx.clock.t - r.start[0] <= 2 * p.window_s]
        return events

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self._judge(ctx, final=True)
