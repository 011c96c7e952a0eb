"""phone.call: a hand held at the ear, on the phone (002 工作纪律(5)).

Flagged when a client is present at any time during the call, or when the call lasts over
`private_limit_s` (3 min); a short private call with nobody waiting is allowed. The event starts
when the call began.

Per frame, a hand is "at the ear" when it is raised to face height (above the shoulder line), on the ear's
side of the nose rather than in front of the mouth, near the ear, with the forearm pointing up (elbow below
the hand). Once a call has begun, the hand only has to stay raised beside the head (`hold_lateral_sw`): a head
turned toward or away from the camera moves the nose across the hand in the image, which must not split one
call into pieces. Nor does it need the entry height, only to stay above the shoulder line (`hold_min_height_sw`):
seen from 40° aside the torso turning toward the phone hand shortens the shoulder line (56 -> 31 px), and the view
rescale below then read the hand still at the ear 0.09 sw above it (tune_wide phone_call_short). Seen from 45-60°
aside the lengths are rescaled to a shoulder width floored at `min_width_m` worth, and the side-of-the-nose
margin lowered by the nose's sideways shift (`nose_ahead_sw` x sin(camera yaw)); see `PhoneCall._view`. The
forearm-up test is a direction and is not rescaled: from 54-57° aside the far-side forearm at the ear points along
the line of sight, its rise 0.36-0.53 sw read, 0.10-0.15 once rescaled (session 18).
Evidence, strongest first: a phone seen at the hand or ear ("phone"); the hand model's fingers curled round
something there ("grip"); the pose alone ("pose"). With `require_phone: true` only the first counts. What the
pose alone cannot tell apart: a hand held at the ear for seconds without a phone (rubbing the ear, adjusting a
headset, the head propped at the temple); the default detector's "cell phone" class rarely sees a handset hidden
by the hand and head.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of
from pipelines.rules._frame import PHONE_LABELS, FrameMeasures, HandMeasure, camera, measure, upright_36cm_px
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(3.0, ge=0, description="hand at the ear this long with a client present (s)")
    private_limit_s: float = Field(180.0, ge=0, description="a call with no client present is allowed this long")
    grace: float = Field(3.0, ge=0)
    ear_radius_sw: float = Field(0.6, gt=0, description="a hand point this close to the ear (shoulder widths)")
    min_height_sw: float = Field(0.15, description="hand centre this far above the shoulder line")
    max_height_sw: float = Field(0.6, description="... and no higher (above is the temple: hair, fidgeting)")
    min_lateral_sw: float = Field(0.05, description="hand centre this far from the nose toward the ear")
    hold_lateral_sw: float = Field(
        -0.3, description="a call under way holds while the hand stays this far toward the ear (- = past the nose)"
    )
    hold_min_height_sw: float = Field(
        0.0, description="a call under way holds while the hand stays at least this high (the shoulder line)"
    )
    min_width_m: float = Field(
        0.25, gt=0, description="lengths in a shoulder width taken as no less than this many metres' worth"
    )
    nose_ahead_sw: float = Field(
        0.28, ge=0, description="the nose's depth ahead of the ears (sw): times sin(camera yaw), its sideways shift"
    )
    level_arm_deg: float = Field(
        15.0, ge=0, le=90,
        description="a hand at the face, forearm up, its upper arm within this of level (image): held to the ear",
    )
    require_phone: bool = Field(False, description="only a phone seen by the detector counts (no pose/grip)")
    phone_memory_s: float = Field(15.0, ge=0, description="a phone seen this recently still counts")
    # Read by `counterwatch calibrate preview` only (sessions 24-25, docs/rules.md): the rule still judges there. Calls
    # (the handset at the right ear), tune_wide / tune_sweep and tune-body renders: 8 of 13 found at -40 deg, 3 of 24
    # at -50/-55; tune_side's -30 found both.
    max_view_yaw_right_deg: float = Field(
        35.0, ge=0, le=90, description="calibrate preview: from further aside on the clerk's right the pose loses the "
        "hand at the ear (its wrist left on the desk or folded onto the elbow)"
    )


CALL_SHAPE = Params()  # the default hand-at-ear shape the other hand-at-face rules leave to phone.call


def at_ear(hm: HandMeasure, p: Params = CALL_SHAPE, min_lateral_sw: float | None = None,
           min_height_sw: float | None = None) -> bool:
    """The hand raised beside the head, forearm up: the shape of holding a phone to the ear."""
    if None in (hm.d_ear, hm.height_sw, hm.lateral_sw):
        return False
    lateral = p.min_lateral_sw if min_lateral_sw is None else min_lateral_sw
    low = p.min_height_sw if min_height_sw is None else min_height_sw
    forearm_up = hm.elbow_low_sw is None or hm.elbow_low_sw > 0.2
    return (hm.d_ear <= p.ear_radius_sw and low <= hm.height_sw <= p.max_height_sw  # type: ignore[operator]
            and hm.lateral_sw >= lateral and forearm_up)  # type: ignore[operator]


def arm_raised(hm: HandMeasure, p: Params = CALL_SHAPE) -> bool:
    """The upper arm raised to level with its shoulder, forearm up: a hand held to the ear, elbow out. From 20-40°
    aside a far-side hand at the ear shows over the face, where the pose reads it in front of the mouth; its upper
    arm reads 2-13° below level there, a cup at the lips 17-90° (every tune split's call and drink clip), food 35°+."""
    forearm_up = hm.elbow_low_sw is not None and hm.elbow_low_sw > 0.2
    return forearm_up and hm.arm_drop_deg is not None and hm.arm_drop_deg <= p.level_arm_deg


def scaled(hm: HandMeasure, k: float, fields: tuple[str, ...]) -> HandMeasure:
    """`hm` with those lengths (in shoulder widths) multiplied by k (`view_scale`); itself when k is 1."""
    if k == 1.0:
        return hm
    return replace(hm, **{f: (v * k if (v := getattr(hm, f)) is not None else None) for f in fields})


def hand_at_ear(obs: Observation, ctx: RuleContext, p: Params, holding: bool = False,
                view: tuple[float, float] = (1.0, 0.0)) -> HandMeasure | None:
    """The hand at the ear; `holding` (a call under way) relaxes the side-of-the-nose test to `hold_lateral_sw`.
    `view` = (k, relax): lengths are multiplied by k (see `PhoneCall._view`), the side-of-the-nose margin
    lowered by relax. A hand whose upper arm is raised level (`arm_raised`) is judged as a call under way is:
    the far-side hand at the ear from aside shows past the nose."""
    m = measure(obs, ctx)
    k, relax = view
    for hm in m.hands.values():
        lateral = min(p.hold_lateral_sw if holding or arm_raised(hm, p) else p.min_lateral_sw,
                      p.min_lateral_sw - relax)
        # the forearm's rise (elbow below the hand) is a direction test, judged in the frame's own shoulder widths
        # as `arm_raised` judges it: from 54-57 deg aside the far-side forearm at the ear points mostly along the
        # line of sight, its rise 0.36-0.53 sw read, 0.10-0.15 once rescaled by k 0.20-0.36 (session 18)
        seen = scaled(hm, k, ("d_ear", "height_sw", "lateral_sw"))
        if at_ear(seen, p, lateral, min(p.hold_min_height_sw, p.min_height_sw) if holding else None):
            return hm
    return None


def view_scale(obs: Observation, ctx: RuleContext, sw: float | None, min_width_m: float,
               min_shoulder_m: float | None = None) -> float:
    """k (0 < k <= 1) rescaling lengths measured in this shoulder width to a width floored at `min_width_m` worth at
    the clerk (camera model): seen from aside the shoulder line shortens and every length in it swells. 1 face-on,
    and 1 for a line under `min_shoulder_m` at the clerk: a misread (the torso read side-on), not the view's shortening,
    which the floor would shrink every length of 3-10 fold (eat.food, posture.chin_on_hand)."""
    upright_36cm = upright_36cm_px(obs, ctx)
    if upright_36cm is None or sw is None:
        return 1.0
    if min_shoulder_m is not None and sw * 0.36 / upright_36cm < min_shoulder_m:
        return 1.0
    return sw / max(sw, upright_36cm * min_width_m / 0.36)


def at_mouth_not_ear(m: FrameMeasures, radius_sw: float, max_lateral_sw: float,
                     yaw_deg: float | None = None, k: float = 1.0, midline_sw: float = 0.0) -> list[HandMeasure]:
    """The hands in front of the mouth (eat.food, drink.in_front), less any held at the ear (a call's).

    With the camera's yaw (drink.in_front), a hand on the side the nose shifts away from is read against where the
    nose would be seen face-on: the nose, ahead of the ears, shows shifted by `nose_ahead_sw` x sin(yaw) toward the
    clerk's right ear from a camera toward the clerk's left (and toward the left ear from the other side), so a cup
    in front of the mouth read beside the other ear (tune_wide sip at -40 deg: +0.08 sw outward, a call's side). The
    hand on the other side is left as read: there a far-side hand at the ear shows over the face (tune_wide call
    at 40 deg read 0.01-0.10 sw outward once corrected): there the raised upper arm (`arm_raised`) tells it from a
    cup. `k` (`view_scale`, eat.food) rescales the hand's distances from the mouth and nose before they are judged.
    `midline_sw` (eat.food, `EatFood._midline`): the side-of-the-nose test is judged from where a hand held that far
    ahead of the nose shows in this view (image x from the nose, this frame's shoulder widths), not from the nose."""
    out = []
    for hm in m.hands.values():
        if midline_sw and hm.nose_dx_sw is not None:
            hm_mid = replace(hm, lateral_sw=abs(hm.nose_dx_sw - midline_sw))
        else:
            hm_mid = hm
        if not scaled(hm_mid, k, ("d_mouth", "lateral_sw", "height_sw")).at_mouth(radius_sw, max_lateral_sw):
            continue
        shift = 0.0 if yaw_deg is None else \
            CALL_SHAPE.nose_ahead_sw * math.sin(math.radians(yaw_deg)) * (1 if hm.side == "right" else -1)
        seen = replace(hm, lateral_sw=hm.lateral_sw + shift) if shift < 0 and hm.lateral_sw is not None else hm
        if not at_ear(seen) and not arm_raised(hm):
            out.append(hm)
    return out


@register
class PhoneCall(TrackedRule):
    rule_id = "phone.call"
    needs = frozenset({"pose", "hands", "detector", "people"})
    measured_by = "pose"
    Params = Params
    severity: ClassVar[Severity] = "major"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.phone_t = float("-inf")
        self.phone_ev: dict[str, Any] = {}
        self.client_seen = False

    def _view(self, obs: Observation, ctx: RuleContext, body: Any, p: Params) -> tuple[float, float]:
        """How this view distorts the hand-at-ear measures, as (k, relax). Seen from 45-60° aside the
        shoulder line shortens to a fraction of its width, and every length measured in it swells (a hand
        at the ear read 0.8 sw from it, 1.4 sw above the shoulders): k rescales them to a width floored at
        `min_width_m` worth at the clerk (1 face-on). And the nose, ahead of the ears, shifts sideways by
        `nose_ahead_sw` x sin(camera yaw), across a hand held at the ear: relax lowers the side-of-the-nose
        margin by that much."""
        relax = p.nose_ahead_sw * abs(math.sin(math.radians(camera(obs, ctx).yaw_deg)))
        return view_scale(obs, ctx, body.shoulder_width, p.min_width_m), relax

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        holding = self.tracker.is_open or self.tracker.candidate is not None
        # the view only rescales (by 0 < k <= 1), so with no hand up to the shoulder line none can be at the ear:
        # skip the camera-model work on the frames where both hands are down (most of them)
        raised = min(p.min_height_sw, p.hold_min_height_sw) < 0 or any(
            hm.height_sw is not None and hm.height_sw >= 0 for hm in measure(obs, ctx).hands.values())
        hm = None
        if body is not None and raised and not ctx.values.get("head_down"):
            hm = hand_at_ear(obs, ctx, p, holding, self._view(obs, ctx, body, p))
        if hm is None:
            if not self.tracker.is_open and self.tracker.candidate is None:
                self.client_seen = False
            return False, {}
        phones = hm.has(PHONE_LABELS)
        if phones:
            self.phone_t, self.phone_ev = ctx.clock.t, best(phones)
        if ctx.clock.t - self.phone_t <= p.phone_memory_s:
            evidence = "phone"
        elif p.require_phone:
            return False, {}
        else:
            evidence = "grip" if hm.curled >= 3 else "pose"
        self.client_seen = self.client_seen or bool(ctx.client_present)
        ev = {"side": hm.side, "evidence": evidence, "client_present": self.client_seen,
              "hand_to_ear_sw": round(hm.d_ear or 0.0, 2)}
        return True, {**ev, **(self.phone_ev if evidence == "phone" else {})}

    def min_duration_for(self, evidence: dict[str, Any]) -> float | None:
        p: Params = self.params  # type: ignore[assignment]
        return p.min_duration if evidence["client_present"] else p.private_limit_s
