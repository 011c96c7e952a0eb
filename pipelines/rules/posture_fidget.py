"""posture.fidget: playing with hair or fingers, clipping nails (捋头发、玩手指、剪指甲; 003 D.1).

Hair: a hand above the eyes at the side of the head, touched `min_touches` times within `window_s`
(the count carries the duration: the event opens at the last touch).
Fingers: both hands together in front of the body (the pose wrists within `hands_together_sw`) with the
fingers moving against their own wrist, for `min_duration` s. Interlocked fingers hide one hand from the
hand model, so one hand found at the joined wrists is enough (its fingertips compared frame to frame with
the same hand's, told by the nearer pose wrist: the model's handedness flips between frames on joined
hands), once they have stayed together `min_together_s` (eating hands pass each other on the way to the mouth and
back, together for a frame or three). Typing or writing keeps the hands apart (about a shoulder width). Seen from
30 deg aside the pose spreads the joined wrists up to 0.9 sw apart; a hand the hand model finds within
`joined_hand_sw` of their middle (wrists at most `max_joined_wrists_sw` apart) says the hands are together there
(hands apart sit at their own wrists).
Lying on the desk (posture.head_on_desk) silences it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_WR, R_WR, dist
from vision.observation import Observation

FINGERTIPS = (4, 8, 12, 16, 20)


class Params(TimedParams):
    min_duration: float = Field(6.0, ge=0)
    grace: float = Field(4.0, ge=0)
    window_s: float = Field(30.0, gt=0)
    min_touches: int = Field(3, ge=1)
    hands_together_sw: float = Field(0.55, gt=0, description="wrists this close: hands together")
    hand_at_wrists_sw: float = Field(0.5, gt=0, description="a hand found with its wrist this near the wrists' middle")
    finger_motion_sw: float = Field(0.04, gt=0, description="mean fingertip motion per frame vs the wrist")
    joined_hand_sw: float = Field(
        0.3, ge=0, description="... or wrists up to max_joined_wrists_sw apart with a hand found this near their middle"
    )
    max_joined_wrists_sw: float = Field(1.0, gt=0, description="... (the pose misplacing joined wrists seen aside)")
    min_together_s: float = Field(
        1.2, ge=0, description="fingers judged once the hands have stayed together this long (s; it counts toward"
        " min_duration); before: unknown"
    )


@register
class Fidget(TrackedRule):
    rule_id = "posture.fidget"
    needs = frozenset({"pose", "hands"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.touches: deque[float] = deque()
        self.at_hair = False
        self.prev_tips: dict[str, list[tuple[float, float]]] | None = None
        self.together_since: float | None = None  # the hands not seen apart since

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        t = ctx.clock.t
        while self.touches and t - self.touches[0] > p.window_s:
            self.touches.popleft()
        if body is None or ctx.values.get("head_down"):
            # lying on the desk puts the head below the hands resting by it: not hair touching
            self.at_hair, self.prev_tips, self.together_since = False, None, None
            return False, {}
        if body.eyes is None or body.shoulder_width is None:
            self.at_hair = False
            return None, {}
        sw, eyes = body.shoulder_width, body.eyes
        hair = False
        for side in ("left", "right"):
            for q in body.hand_points(side, obs.hands):
                if q[1] < eyes[1] and abs(q[0] - eyes[0]) <= 0.9 * sw:
                    hair = True
        if hair and not self.at_hair:
            self.touches.append(t)
        self.at_hair = hair
        if len(self.touches) >= p.min_touches:
            return True, {"kind": "hair", "touches": len(self.touches)}
        return self._fingers(obs, body, p, t), {"kind": "fingers"}

    def min_duration_for(self, evidence: dict[str, Any]) -> float | None:
        # the touch count already carries the hair's duration: open at once; the fingers were judged only after the
        # hands had stayed together `min_together_s`, which counts toward `min_duration` (the alert comes no later)
        p: Params = self.params  # type: ignore[assignment]
        return 0.0 if evidence.get("kind") == "hair" else max(0.0, p.min_duration - p.min_together_s)

    def _fingers(self, obs: Observation, body: Any, p: Params, t: float) -> bool | None:
        if "hands" not in obs.ran:
            return None
        lw, rw, sw = body.pt(L_WR, 0.3), body.pt(R_WR, 0.3), body.shoulder_width
        if lw is None or rw is None:
            self.prev_tips, self.together_since = None, None
            return False
        centre, apart = ((lw[0] + rw[0]) / 2, (lw[1] + rw[1]) / 2), dist(lw, rw) / sw
        # Seen 30 deg aside the pose spreads joined wrists 0.5-0.9 sw apart, where the hand model finds the hands at
        # their middle; hands apart (typing, a bite) sit at their own wrists, half the gap from the middle.
        hands = [(h, dist(h.landmarks[0][:2], centre) / sw) for h in obs.hands if len(h.landmarks) == 21]
        joined = apart <= p.max_joined_wrists_sw and any(d <= p.joined_hand_sw for _, d in hands)
        if apart > p.hands_together_sw and not joined:
            # seen apart; a frame where the hand model found no hand cannot say so (the run of frames together holds)
            self.prev_tips = None
            self.together_since = self.together_since if not hands else None
            return False
        self.together_since = t if self.together_since is None else self.together_since
        # Interlocked hands hide each other: the hand model often finds only one of the two, so any hand at
        # the joined wrists counts, its fingertips measured against its own wrist (the wrists stay put).
        tips: dict[str, list[tuple[float, float]]] = {}
        for h, d in hands:
            if d <= p.hand_at_wrists_sw:
                w = h.landmarks[0]
                side = "left" if dist(w[:2], lw) <= dist(w[:2], rw) else "right"  # handedness flips here
                tips.setdefault(side, [(h.landmarks[k][0] - w[0], h.landmarks[k][1] - w[1]) for k in FINGERTIPS])
        prev, self.prev_tips = self.prev_tips, tips
        both = [k for k in tips if prev and k in prev]
        if not tips:
            return None  # the hands at the wrists not found on this frame: unknown, not still
        if not both or t - self.together_since < p.min_together_s - 1e-6:
            return None  # (seen from 50 deg aside, eating hands read together and moving for up to 0.6 s a bite)
        moves = [dist(a, b) for k in both for a, b in zip(prev[k], tips[k], strict=True)]  # type: ignore[index]
        return sum(moves) / len(moves) / sw >= p.finger_motion_sw
