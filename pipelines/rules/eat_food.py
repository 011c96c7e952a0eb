"""eat.food: repeated hand-to-mouth with food or a wrapper (003 D.1; 002 (6)).

A "bite" is a hand arriving in front of the mouth (not off at the ear, not up at the temple) and leaving
again after `min_bite_s` to `max_bite_s` (one frame is a touch; longer is propping, a call or a long
drink). A hand that leaves the mouth for less than `min_away_s` (the pose losing the hand for a frame or two)
is the same bite, so one sip held at the lips never counts as two bites. The pose often loses the face
behind a hand with food: those frames are unknown, not "no bite".
`min_bites` bites within `window_s` are eating
when a food item (a food/wrapper class) was seen at the hand or mouth in that window, or, unless
`require_food: true`, when no cup or bottle was seen there (a drink is drink.in_front's). One meal stays
one event (grace covers the chewing pauses). Lying on the desk silences the rule (the head drops
onto the hands).

Seen from aside, a depth ahead of the face shows sideways in the image: "to the side of the nose" is measured from
where a hand `fist_ahead_m` ahead of the nose shows in this view (the camera model; the nose itself face-on).

The packaged COCO SSD knows a few foods (banana, sandwich, donut, cake, ...) but no wrapper or snack
bag, so with it the rule mostly runs on "not a cup": then it cannot tell eating from other repeated
hand-to-mouth movements (nail biting, covering coughs, wiping the mouth), nor from sipping a drink
whose cup the detector missed.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.geometry import FORWARD
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of
from pipelines.rules._body import NOSE, calibrated
from pipelines.rules._frame import DRINK_LABELS, FOOD_LABELS, FrameMeasures, camera, measure
from pipelines.rules.etiquette_common import USUAL_WIDTH_FRAMES, RunningMedian
from pipelines.rules.phone_call import at_mouth_not_ear, view_scale
from vision.observation import Observation

__all__ = ["FOOD_LABELS", "EatFood"]

LOW_HANDS_SW = 0.3  # both hand centres this far under the shoulder line: the width the usual one is learnt from


class Params(TimedParams):
    min_duration: float = Field(0.0, ge=0, description="the bite count already carries the duration")
    grace: float = Field(20.0, ge=0, description="pauses between bites that keep one meal one event")
    window_s: float = Field(60.0, gt=0)
    min_bites: int = Field(2, ge=1)
    # Food is held in the fist below the lips (the bite reaches past the knuckles), so the hand's nearest
    # point stays ~0.3-0.5 shoulder widths from the mouth; in a yawed view the nose moves ~0.3 sw to one side.
    mouth_radius_sw: float = Field(0.6, gt=0, description="a hand point this close to the mouth (shoulder widths)")
    max_lateral_sw: float = Field(
        0.35, ge=0, description="hand centre at most this far to the side of the nose (further is the ear or cheek)"
    )
    min_away_s: float = Field(0.5, ge=0, description="a hand off the mouth for less than this is still the same bite")
    min_bite_s: float = Field(0.2, ge=0, description="a hand at the mouth this briefly (one frame) is a touch")
    max_bite_s: float = Field(4.0, gt=0, description="a hand at the mouth longer than this is not a bite")
    require_food: bool = Field(False, description="only with a food/wrapper class seen (not merely no cup)")
    min_width_m: float = Field(
        0.25, gt=0, description="distances in a shoulder width taken as no less than this many metres' worth"
    )
    # A raised hand can make the pose read the torso side-on: the shoulder line then reads a fraction of its width
    # (fidget_hair from -50 deg: 0.37-0.67 of the usual; dozing_nod from 55: 0.02-0.04 m), which no view explains (a
    # seated adult's 0.28 m or more, seen from 60 deg aside, still spans 0.14 m). Such a line gets no floor.
    min_usual_width: float = Field(
        0.75, ge=0, le=1, description="a shoulder line under this share of the clerk's usual width gets no floor"
    )
    min_shoulder_m: float = Field(0.1, ge=0, description="... nor one under this many metres at the clerk")
    # Seen 54-57 deg aside the fist under the lips reads 0.36-0.56 sw past the nose (a depth ahead of the face shows
    # sideways there; the nose itself shows past the far ear): judged from where a hand this far ahead of the nose
    # shows (camera model; 0 face-on). Renders at 39-57 deg kept every meal and no false one for 0.12-0.22 m.
    fist_ahead_m: float = Field(
        0.18, ge=0, description="the side-of-the-nose test is judged from where a hand this far ahead of the nose shows"
    )


@register
class EatFood(TrackedRule):
    rule_id = "eat.food"
    needs = frozenset({"pose", "hands", "detector"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.bites: deque[float] = deque()  # times of completed bites
        self.arrived: float | None = None  # the hand reached the mouth at
        self.last_at = float("-inf")  # last frame the hand was seen there
        self.food_t = self.cup_t = float("-inf")
        self.food_ev: dict[str, Any] = {}
        self.widths = RunningMedian(USUAL_WIDTH_FRAMES)  # the clerk's image shoulder width with both hands low

    def _scale(self, obs: Observation, ctx: RuleContext, m: FrameMeasures, p: Params) -> float:
        """k for the bite's lengths. Seen from aside the shoulder line shortens and they swell: they are rescaled to
        a width floored at `min_width_m` worth at the clerk (`view_scale`, as phone.call). Not when the line is a
        misread rather than the view's shortening (the pose reading the torso side-on): under `min_usual_width` of
        the clerk's usual width (learnt with both hands low), or under `min_shoulder_m` at the clerk. The floor then
        shrank every length 3-10 fold and brought a hand at the hair or on the desk onto the mouth; measured in the
        frame's own width they stay off it (as before the floor)."""
        assert m.sw is not None
        if not m.hand_above(-LOW_HANDS_SW):
            self.widths.add(m.sw)
        usual = self.widths.median()
        if usual is not None and m.sw < p.min_usual_width * usual:
            return 1.0
        return view_scale(obs, ctx, m.sw, p.min_width_m, p.min_shoulder_m)

    def _midline(self, obs: Observation, ctx: RuleContext, body: Any, sw: float, p: Params) -> float:
        """Image x (this frame's shoulder widths) from the nose to where a hand `fist_ahead_m` ahead of it shows. Seen
        from aside a depth ahead of the face shows sideways: a fist under the lips sits ahead of the nose and reads
        past it toward the side the nose itself shifted; 0 face-on."""
        nose = body.pt(NOSE, 0.3)
        if not p.fist_ahead_m or nose is None or not calibrated(ctx.counter.camera):
            return 0.0
        cam = camera(obs, ctx)
        at = cam.on_plane(np.array(nose, dtype=float), cam.coronal_plane_normal(), np.zeros(3))
        return float(cam.project(at + p.fist_ahead_m * FORWARD)[0] - cam.project(at)[0]) / sw

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        t = ctx.clock.t
        while self.bites and t - self.bites[0] > p.window_s:
            self.bites.popleft()
        m = measure(obs, ctx)
        if ctx.values.get("head_down"):
            self.arrived = None
            return False, {}
        if body is None or body.mouth is None or m.sw is None:
            # a hand with food in front of the face often hides it from the pose: unknown, not "no bite"
            return (None if ctx.clerk_present else False), {}
        at = at_mouth_not_ear(m, p.mouth_radius_sw, p.max_lateral_sw, k=self._scale(obs, ctx, m, p),
                              midline_sw=self._midline(obs, ctx, body, m.sw, p))
        if at:
            if self.arrived is None:
                self.arrived = t
            self.last_at = t
        elif self.arrived is not None and t - self.last_at >= p.min_away_s - 1e-6:
            if p.min_bite_s - 1e-6 <= self.last_at - self.arrived <= p.max_bite_s:
                self.bites.append(t)
            self.arrived = None
        seen = [d for hm in at for d in hm.objects] + m.mouth_objects
        if food := [d for d in seen if d.label in FOOD_LABELS]:
            self.food_t, self.food_ev = t, best(food)
        if any(d.label in DRINK_LABELS for d in seen):
            self.cup_t = t
        # the bite in progress counts (the alert need not wait for the hand to drop)
        held = self.last_at - self.arrived if self.arrived is not None else -1.0
        bites = len(self.bites) + (1 if p.min_bite_s - 1e-6 <= held <= p.max_bite_s else 0)
        food = t - self.food_t <= p.window_s
        cup = t - self.cup_t <= p.window_s
        eating = bites >= p.min_bites and (food or (not p.require_food and not cup))
        if not eating:
            return False, {}
        return True, {"bites_in_window": bites, "evidence": "food" if food else "no_cup", **self.food_ev}
