"""phone.use: a phone in the hand with the gaze down at it (玩手机; 003 D.1, 002 (6)).

Needs the object detector on the hand crop ("cell phone") and the gaze (face pitch, else the nose
dropped toward the shoulders). A phone at the ear is phone.call, not this rule.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from pipelines.rules._body import L_EAR, L_SH, NOSE, R_EAR, R_SH, Body
from vision.observation import Observation
from vision.results import FaceResult

PHONE_LABELS = frozenset({"cell phone", "mobile phone", "phone", "Mobile phone"})


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(3.0, ge=0)
    hand_radius_sw: float = Field(0.35, gt=0, description="phone box within this of a hand point (shoulder widths)")
    pitch_down_deg: float = Field(15.0, description="face pitch that counts as looking down")
    head_drop_sw: float = Field(0.5, gt=0, description="without a face: nose this close above the shoulders")


def looking_down(body: Body, face: FaceResult | None, p: Params) -> bool | None:
    if face is not None:
        return face.pitch >= p.pitch_down_deg
    nose, sh = body.pt(NOSE), body.shoulder_mid
    sw = body.shoulder_width
    if nose is None or sh is None or sw is None:
        return None
    return (sh[1] - nose[1]) / sw <= p.head_drop_sw


def near_ear(body: Body, obs: Observation, radius_sw: float) -> str | None:
    """The side whose hand is at its ear, if any."""
    for side, ear in (("left", L_EAR), ("right", R_EAR)):
        if body.hand_near(side, body.pt(ear, 0.3), radius_sw, obs.hands):
            return side
    return None


@register
class PhoneUse(TrackedRule):
    rule_id = "phone.use"
    needs = frozenset({"pose", "face", "hands", "detector"})
    Params = Params
    severity: ClassVar[Severity] = "major"

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        ran, body = body_of(obs, ctx)
        dets = ctx.values.get("detections")
        if not ran:
            return None, {}
        if body is None or body.shoulder_width is None or body.pt(L_SH) is None or body.pt(R_SH) is None:
            return False, {}
        if dets is None:
            return None, {}
        pts = body.hand_points("left", obs.hands) + body.hand_points("right", obs.hands)
        phones = dets_near(dets, PHONE_LABELS, pts, p.hand_radius_sw * body.shoulder_width)
        if not phones:
            return False, {}
        if near_ear(body, obs, 0.45):
            return False, {}
        down = looking_down(body, obs.face if "face" in obs.ran else None, p)
        ev = best(phones)
        if obs.face is not None:
            ev["pitch_deg"] = round(obs.face.pitch, 1)
        return down, ev
