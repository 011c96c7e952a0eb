"""drink.in_front: a cup or bottle at the mouth while a client is at the window (001 第七条6).

Per frame: a hand at the mouth, and a cup/bottle seen at the mouth or that hand within `cup_memory_s`
("cup"), or, unless `require_cup: true`, a hand held at the mouth between `min_sip_s` and
`max_sip_s` ("sip": the pose of drinking). Only while a client is present; drinking with nobody at the
window is allowed (the cup itself on the desk is a desk rule, a site setting). A hand at the ear is a
call (from a camera aside, judged against where the nose would be seen face-on: `at_mouth_not_ear`); so is a hand
at the mouth holding a phone the detector saw there while it stayed (no cup seen): from 35-40 degrees aside a
far-side hand at the ear shows over the face, where the pose reads it in front of the mouth; and so is a hand that
came to the mouth from the ear without dropping below the shoulder line (a cup comes up from the desk): seen from 50
degrees aside the pose refits a clerk on the phone as the torso turns and the hand at the ear slides onto the mouth.
Without a cup seen, a sip also needs the hand in front of the mouth as the camera sees it (`beside_face`): from a
camera aside the near-side hand read further toward its own ear than the face-on nose shows is beside the face (a
phone at the ear, a hand reaching past the face), and the far-side hand from further aside than `max_view_yaw_deg`
is hidden behind the head, where the pose guesses it onto the mouth. Lying on the desk silences the rule.

Without the cup seen, the pose cannot tell a sip from a bite of food, a hand covering a cough or
wiping the mouth: each of them, with a client present, reads as a drink.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of
from pipelines.rules._frame import DRINK_LABELS, PHONE_LABELS, HandMeasure, camera, measure
from pipelines.rules.phone_call import CALL_SHAPE, at_ear, at_mouth_not_ear, scaled, view_scale
from vision.observation import Observation

__all__ = ["DRINK_LABELS", "DrinkInFront"]


class Params(TimedParams):
    min_duration: float = Field(1.0, ge=0)
    grace: float = Field(3.0, ge=0)
    mouth_radius_sw: float = Field(0.45, gt=0, description="hand point this close to the mouth")
    # as eat.food: in a view yawed 30-45 degrees the nose sits ~0.3 sw to one side of a cup at the lips
    max_lateral_sw: float = Field(
        0.35, ge=0, description="hand centre at most this far to the side of the nose (further is the ear or cheek)"
    )
    cup_memory_s: float = Field(3.0, ge=0)
    require_cup: bool = Field(False, description="only with a cup/bottle seen at the mouth (no pose-only sip)")
    max_sip_s: float = Field(8.0, gt=0, description="without a cup: a hand at the mouth longer than this is not a sip")
    ear_hand_drop_sw: float = Field(
        0.0, description="a hand seen at the ear is a call's until it drops below this (vs the shoulder line, sw)"
    )
    min_width_m: float = Field(
        0.25, gt=0, description="the hand's distance to the mouth and the nose in a shoulder width of at least this "
        "many metres' worth at the clerk (not its height)"
    )
    min_shoulder_m: float = Field(0.1, ge=0, description="... but a line under this many metres at the clerk: no floor")
    # Renders at 54-57 deg (docs/rules.md, session 18): the far-side cup at the lips reads with the upper arm -2..8 deg
    # below level, inside a call's band (`arm_raised`, 15 deg), so it is left to phone.call: 0/3 found; at 39-40 deg
    # 2/2. Read by `counterwatch calibrate preview` (drink.in_front NO past it), and by the rule since session 27: a
    # far-side hand from a camera further aside is hidden behind the head, and the pose's guess of it at the mouth
    # (a phone at the far ear, 57 deg: 0.2-0.4 sw from the mouth for 3.8 s) is no sip without a cup seen; a near-side
    # hand is judged from any view (a near-side cup is read from -50).
    max_view_yaw_deg: float = Field(
        40.0, ge=0, le=90, description="calibrate preview: a far-side cup from a camera further aside is not measured "
        "(the rule takes no pose-only sip from that hand)"
    )


def far_unseen(side: str, yaw_deg: float | None, max_yaw_deg: float) -> bool:
    """The clerk's `side` hand is the far one from a camera more than `max_yaw_deg` aside (yaw + = the clerk's left,
    where the right hand is the far one): the head hides it at the face, and where the pose puts it is a guess. From
    57 deg a phone at the far ear hidden behind the head read 0.2-0.4 sw from the mouth, 0.1 sw from the nose, the
    upper arm 48-71 deg below level (no call's raised arm): a 3.8-s sip (docs/rules.md, session 27)."""
    if yaw_deg is None or abs(yaw_deg) <= max_yaw_deg:
        return False
    return (side == "right") == (yaw_deg > 0)


def beside_face(hm: HandMeasure, yaw_deg: float | None, max_yaw_deg: float) -> bool:
    """Not in front of the mouth, as a pose-only sip needs, seen from a camera aside (`yaw_deg`, + = the clerk's left):
    the far-side hand from further aside than `max_yaw_deg` (`far_unseen`), or the near-side hand read toward its own
    ear by phone.call's side margin (`min_lateral_sw`, 0.05 sw) from where the face-on nose shows (`nose_ahead_sw` x
    sin(yaw) that way): a cup at the lips is ahead of the face and shows on the nose's far side from that ear. Every
    near-side sip of the four tune splits (-10..-50 deg) read 0.15 sw or more inside that bound (face-on: at most
    +0.02); the near-side calls, handover reaches and greeting hands they took for a sip read +0.12..+0.71, all but
    one frame (+0.12 at -20 deg) outside it (docs/rules.md, session 27)."""
    if yaw_deg is None or yaw_deg == 0.0:
        return False
    if far_unseen(hm.side, yaw_deg, max_yaw_deg):
        return True
    near = (hm.side == "right") == (yaw_deg < 0)
    bound = CALL_SHAPE.nose_ahead_sw * abs(math.sin(math.radians(yaw_deg))) + CALL_SHAPE.min_lateral_sw
    return near and hm.lateral_sw is not None and hm.lateral_sw > bound


@register
class DrinkInFront(TrackedRule):
    rule_id = "drink.in_front"
    needs = frozenset({"pose", "hands", "detector", "people"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.cup_t = float("-inf")
        self.cup_ev: dict[str, Any] = {}
        self.arrived: float | None = None
        self.phone_held = False  # a phone seen at the hand since it came to the mouth: a call's hand, not a sip
        self.last_ev: dict[str, Any] = {}
        self.from_ear: set[str] = set()  # hands seen at the ear that have not dropped below the shoulders since

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        m = measure(obs, ctx)
        t = ctx.clock.t
        if ctx.values.get("head_down"):
            self.arrived = None
            return False, {}
        if body is None or m.sw is None or body.mouth is None:
            # A cup raised to the mouth hides the face and the pose often drops out: a sip in progress
            # (hand at the mouth on the last pose frame) continues while the clerk is still at the post.
            if self.arrived is not None and ctx.clerk_present and t - self.arrived <= p.max_sip_s:
                return self._verdict(ctx, self.last_ev)
            self.arrived = None
            if not ctx.clerk_present:  # whoever sits down next has no hand at the ear yet
                self.from_ear.clear()
            return (None if ctx.clerk_present else False), {}
        for hm in m.hands.values():
            if at_ear(hm) and (hm.d_mouth is None or hm.d_mouth > p.mouth_radius_sw):  # a cup at the lips reads both
                self.from_ear.add(hm.side)
            elif hm.height_sw is not None and hm.height_sw < p.ear_hand_drop_sw:
                self.from_ear.discard(hm.side)
        # seen from 50 deg aside the arm raising the cup turns the torso side-on and the shoulder line shrinks to half
        # its width, so the cup at the lips read 0.5-0.95 sw from the mouth: its distances to the mouth and the nose
        # are rescaled to a width floored at `min_width_m` worth at the clerk (`view_scale`, as eat.food), its height
        # is not (at_mouth's temple bound keeps a hand at the ear or raised past the face out, at 0.6 sw as read)
        k = view_scale(obs, ctx, m.sw, p.min_width_m, p.min_shoulder_m)
        seen = replace(m, hands={s: scaled(hm, k, ("d_mouth", "lateral_sw")) for s, hm in m.hands.items()})
        at = [m.hands[hm.side] for hm in at_mouth_not_ear(seen, p.mouth_radius_sw, p.max_lateral_sw,
                                                           camera(obs, ctx).yaw_deg) if hm.side not in self.from_ear]
        if not at:
            self.arrived, self.phone_held = None, False
            return False, {}
        if self.arrived is None:
            self.arrived, self.phone_held = t, False
        cups = [d for d in [*m.mouth_objects, *(d for hm in at for d in hm.objects)] if d.label in DRINK_LABELS]
        if cups:
            self.cup_t, self.cup_ev = t, best(cups)
        self.phone_held = self.phone_held or any(hm.has(PHONE_LABELS) for hm in at)
        if t - self.cup_t <= p.cup_memory_s:
            evidence = "cup"
        elif p.require_cup or t - self.arrived > p.max_sip_s or self.phone_held:
            return False, {}
        elif not (at := [hm for hm in at if not beside_face(hm, camera(obs, ctx).yaw_deg, p.max_view_yaw_deg)]):
            self.arrived = None  # a hand beside the face, or a far-side one the head hides: without a cup, no sip
            return False, {}
        else:
            evidence = "sip"
        self.last_ev = {"side": at[0].side, "evidence": evidence, **(self.cup_ev if evidence == "cup" else {})}
        return self._verdict(ctx, self.last_ev)

    @staticmethod
    def _verdict(ctx: RuleContext, ev: dict[str, Any]) -> tuple[bool | None, dict[str, Any]]:
        if ctx.client_present is None:
            return None, {}
        return bool(ctx.client_present), ev
