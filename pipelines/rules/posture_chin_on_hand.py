"""posture.chin_on_hand: chin or head propped on a hand (托腮、用胳膊支头; 003 D.1, 001 第七条3).

A hand stays at the chin or cheek, below the eyes, with its elbow lower than the wrist (the arm
holds the head up) and the wrist itself within `wrist_chin_sw` of the chin (the chin rests on the hand; a phone
held up before a bowed head, or a pose mis-fitted from high above, brings only the fingertips there), and not out
beside the jaw on the hand's own side by more than `wrist_out_sw` (a phone at the ear, seen from high aside). A hand
nearer the ear is a call, nearer the mouth is eating or drinking, and a brief touch is not propping. The hand
coming back to the face within `repeat_window_s` of a short visit (≤ `bite_max_s`, at least `min_bite_s`) is eating
(repeated bites), not propping; a hand back within `min_away_s` of leaving (the pose losing it for a frame) is the
same visit.
Seen 50 deg aside the pose gives the propping hand the far arm's label and guesses that arm's hidden elbow: the
arm's elbow is then the one the pose sees. Lengths are in a shoulder width floored at `min_width_m` worth (also on
a line read under 10 cm: session 20).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of, dets_near
from pipelines.rules._body import L_EAR, L_EL, L_WR, MOUTH_L, MOUTH_R, R_EAR, R_EL, R_WR, dist, mid
from pipelines.rules._frame import PHONE_LABELS, measure
from pipelines.rules.phone_call import view_scale
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(8.0, ge=0)
    grace: float = Field(2.0, ge=0)
    chin_radius_sw: float = Field(0.3, gt=0, description="hand point this close to the chin or cheek")
    elbow_drop_sw: float = Field(0.4, description="the propping elbow this far below the shoulders")
    bite_max_s: float = Field(4.0, gt=0, description="a hand at the face this briefly was a bite or a touch")
    repeat_window_s: float = Field(8.0, ge=0, description="after such a visit, hand-to-face is eating (s)")
    wrist_chin_sw: float = Field(
        0.4, gt=0, description="the propping wrist itself this close to the chin (sw), not only a fingertip"
    )
    ear_margin_sw: float = Field(
        0.05, ge=0, description="at the ear (a call) only when this much nearer it than the chin (sw)"
    )
    # From 1.7 m high and 1.8 m away, 40 deg aside, the propping fingertips reach the mouth line: the hand read
    # 0.09-0.10 sw nearer the mouth than the chin; no eating or drinking frame of the four tune splits more than 0.03.
    mouth_margin_sw: float = Field(
        0.2, ge=0, description="at the mouth (eating, drinking) only when this much nearer it than the chin (sw)"
    )
    min_bite_s: float = Field(
        0.4, ge=0, description="a visit to the face shorter than this (s) is a flicker of the pose, not a bite"
    )
    # Session 22: from 1.7 m high, 1.8 m away and 42 deg to the right the pose read a propping hand 0.65 sw off the
    # chin on one frame 0.4 s into the prop; that split the arrival off as a 0.4-s "bite" and silenced the prop.
    min_away_s: float = Field(
        0.4, ge=0, description="a hand off the face for less than this (s) is the same visit (the pose losing it for "
                               "a frame), as eat.food's; 0: the first frame away ends the visit"
    )
    min_width_m: float = Field(
        0.25, gt=0, description="lengths: the shoulder width taken as no less than this many metres' worth"
    )
    # 0 (session 20): from 1.7 m high and 41 deg to the right the pose fits a propping clerk's shoulders 0.096 m apart;
    # unfloored, the wrist under the chin read 0.62 sw from it and the prop was missed. The wrist's place beside the
    # chin (`wrist_out_sw`) keeps the calls with such a line out instead.
    min_shoulder_m: float = Field(0.0, ge=0, description="... but a line under this many metres at the clerk: no floor")
    # Seen from high on the clerk's side, a held call's wrist lies by the jaw, 0.25-0.39 sw out from the chin toward
    # the hand's own side (at the wrist gate's edge: 0.38-0.43 sw from the chin); a propping wrist is under the chin,
    # at most 0.10 sw out once held over the four tune splits and the session 20 renders.
    wrist_out_sw: float = Field(
        0.18, gt=0, description="the propping wrist at most this far out from the chin toward its own side (sw)"
    )


@register
class ChinOnHand(TrackedRule):
    rule_id = "posture.chin_on_hand"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.visit_start: float | None = None  # the hand reached the chin/mouth at
        self.short_visits: deque[float] = deque()  # ends of recent visits shorter than bite_max_s
        self.away_since: float | None = None  # the hand of the current visit left the face at (not yet back)

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        active, ev = self._propped(obs, ctx)
        # Repeated short visits of the hand to the face are bites (eat.food), not propping: while the hand
        # came back within `repeat_window_s` of a short visit, the rule stays silent.
        p: Params = self.params  # type: ignore[assignment]
        t = ctx.clock.t
        near = active is True or bool(ev.get("near"))
        if near:
            # back within `min_away_s`: the same visit (the pose lost the hand for a frame); later, a new one
            if self.away_since is not None and t - self.away_since >= p.min_away_s - 1e-6:
                self._end_visit(p)
            if self.visit_start is None:
                self.visit_start = t
            self.away_since = None
        elif active is not None and self.visit_start is not None:
            if self.away_since is None:
                self.away_since = t
            if t - self.away_since >= p.min_away_s - 1e-6:
                self._end_visit(p)
        while self.short_visits and t - self.short_visits[0] > p.repeat_window_s:
            self.short_visits.popleft()
        ev.pop("near", None)
        if active and self.short_visits:
            return False, {}
        return active, ev

    def _end_visit(self, p: Params) -> None:
        """The hand left the face at `away_since`: a visit of `min_bite_s` to `bite_max_s` was a bite (one frame at
        the chin is the pose flickering, the wrist labels swapping as the hand comes up)."""
        assert self.visit_start is not None and self.away_since is not None
        if p.min_bite_s <= self.away_since - self.visit_start <= p.bite_max_s:
            self.short_visits.append(self.away_since)
        self.visit_start = self.away_since = None

    def _propped(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        if body is None or ctx.values.get("head_down"):
            return False, {}
        chin, eyes = body.chin, body.eyes
        if chin is None or eyes is None or body.shoulder_width is None:
            return None, {}
        near, hands = False, measure(obs, ctx).hands  # hand-to-chin/ear/mouth distances shared with the other rules
        # lengths in a shoulder width floored at `min_width_m` worth at the clerk (`view_scale`, as eat.food): seen
        # 50 deg aside the fitted line is 0.6 of that, which put a hand under the chin 0.5 sw from it; a line under
        # `min_shoulder_m` at the clerk is a misread (the torso read side-on), not the view's shortening: no floor
        # (0 here since session 20: a propping clerk seen from high on the right read 0.096 m, a view's shortening)
        k = view_scale(obs, ctx, body.shoulder_width, p.min_width_m, p.min_shoulder_m)
        sw = body.shoulder_width / k  # the shared distances are in the fitted width: rescaled by k to the floored one
        for side, ear, mouth, wr, el in (("left", L_EAR, MOUTH_L, L_WR, L_EL), ("right", R_EAR, MOUTH_R, R_WR, R_EL)):
            e, m = body.pt(ear, 0.3), body.pt(mouth, 0.3)
            cheek = mid(e, m) if e and m else None
            hm = hands[side]
            d = k * min(x for x in (hm.d_chin, body.hand_distance(side, cheek, obs.hands), 9.0) if x is not None)
            # this arm's elbow, or where the pose did not see it the other one: seen steeply aside the pose gives the
            # hand crossing to the chin the far arm's label, whose elbow it guesses (hidden behind the body)
            w, elbow = body.pt(wr, 0.3), body.pt(el, 0.3) or body.pt(R_EL if el == L_EL else L_EL, 0.3)
            sh = body.shoulder_mid
            # the forearm props the head: elbow low (resting on the desk), not raised as for a call
            elbow_low = elbow is not None and sh is not None and (elbow[1] - sh[1]) / sw >= p.elbow_drop_sw
            # the chin rests on the hand: the wrist itself is under it (0.16-0.21 sw in every tune view), where a
            # phone held up to the eyes reaches it with the fingertips only (wrist 0.6 sw away)
            under = w is not None and dist(w, chin) <= p.wrist_chin_sw * sw
            # ... and under it, not beside the jaw on the hand's own side as a call's (the clerk's right shows on the
            # image's left): a wrist at the chin's radius but out toward the ear holds a phone
            under = under and (chin[0] - w[0] if side == "right" else w[0] - chin[0]) <= p.wrist_out_sw * sw
            propped = w is not None and elbow is not None and elbow[1] > w[1] and w[1] > eyes[1] and elbow_low and under
            d_ear = None if hm.d_ear is None else k * hm.d_ear
            d_mouth = None if hm.d_mouth is None else k * hm.d_mouth
            at_ear = d_ear is not None and d_ear < d - p.ear_margin_sw  # closer to the ear than the chin/cheek: a call
            at_mouth = d_mouth is not None and d_mouth < d - p.mouth_margin_sw  # eating or drinking, not propping
            phone = dets_near(ctx.values.get("detections"), PHONE_LABELS, body.hand_points(side, obs.hands),
                              0.3 * body.shoulder_width)
            if d <= p.chin_radius_sw and propped and not at_ear and not at_mouth and not phone:
                return True, {"side": side, "hand_to_chin_sw": round(d, 2)}
            near = near or d <= p.chin_radius_sw or (d_mouth is not None and d_mouth <= p.chin_radius_sw)
        return False, ({"near": True} if near else {})
