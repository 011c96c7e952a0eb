"""phone.use: a phone in the hand with the gaze down at it (玩手机; 003 D.1, 002 (6)).

Per frame: a hand raised off the desk in front of the chest (below the shoulders, near the body's
midline, the forearm not lying on the desk: typing and writing put the elbow 0.4-0.7 shoulder widths
above the hand centre in the image, a hand held up puts it level or lower), the gaze down, and the
evidence that it is a phone. A hand at the ear is phone.call.

Evidence, strongest first: a phone seen in that hand's crop ("phone"; the pipeline runs the detector on a
crop of about one shoulder width around each hand, so a small phone is enlarged 3-4x), else, with
`require_phone: false`, the pose ("pose"). The packaged detectors rarely see a handset held in the hand
(docs/simulator.md: only when it is large in the frame), so the pose path finds phone use they miss; it
counts when the pose has the one-handed shape of reading a phone: that hand raised clearly above the
other (`raised_sw`; both hands up together is fidgeting, a handover or typing, both down is writing or
reading papers on the desk), not at the mouth (eating, drinking), and the head pitched well down
(`pitch_down_deg`, ~35-45 degrees at a phone against 15-30 at papers on the desk; the face model often
loses a face pitched that far, then the nose within `head_drop_sw` of the shoulder line).

What the pose cannot tell apart: a phone from anything else held up in one hand and read (an ID card, a
ticket, a form); a phone used with both hands is missed unless the detector sees it. On the simulator's
held-out split it found 1 of 3 phone uses with 3 false alarms on 183 other clips (in the eating,
lean_on_one_arm and personal_item_placed scenarios), so the phone stays required by default: a major
violation must not rest on a pose that a document or a snack also makes. A site that accepts that trade
sets `require_phone: false`. Lying on the desk is posture.head_on_desk's: with the nose below the
shoulder line the rule is silent; the head merely pitched down at a phone (nose still above it) is not
lying.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of
from pipelines.rules._body import NOSE, Body
from pipelines.rules._frame import PHONE_LABELS, HandMeasure, measure
from pipelines.rules.phone_call import at_ear
from vision.observation import Observation
from vision.results import FaceResult

__all__ = ["PHONE_LABELS", "PhoneUse", "looking_down"]


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(3.0, ge=0)
    max_lateral_sw: float = Field(0.6, gt=0, description="hand centre this close to the midline (shoulder widths)")
    min_height_sw: float = Field(-1.4, description="hand centre at least this high vs the shoulder line (- = below)")
    max_height_sw: float = Field(0.0, description="... and at most this high (above it is the face)")
    # Writing or reading at the desk already pitches the face 15-30 degrees down; a phone held at the chest ~35-45.
    pitch_down_deg: float = Field(25.0, description="face pitch that counts as looking down")
    head_drop_sw: float = Field(0.35, gt=0, description="without a face: nose this close above the shoulders")
    min_forearm_sw: float = Field(
        -0.3, description="elbow at most this far above the hand centre (shoulder widths; typing reads -0.4..-0.7)"
    )
    lying_nose_sw: float = Field(0.0, description="with the head down, the nose below this (sw above the shoulders)"
                                 " is lying on the desk, not reading")
    raised_sw: float = Field(
        0.15, ge=0, description="without a phone seen: the other hand at least this much lower (shoulder widths)"
    )
    min_mouth_sw: float = Field(0.45, ge=0, description="without a phone seen: the hand this far from the mouth")
    require_phone: bool = Field(True, description="a phone must be seen in the hand crop (false: the pose alone)")
    phone_memory_s: float = Field(3.0, ge=0, description="a phone seen this recently in that hand still counts")


def looking_down(body: Body, face: FaceResult | None, p: Params) -> bool | None:
    if face is not None:
        return face.pitch >= p.pitch_down_deg
    nose, sh = body.pt(NOSE), body.shoulder_mid
    sw = body.shoulder_width
    if nose is None or sh is None or sw is None:
        return None
    return (sh[1] - nose[1]) / sw <= p.head_drop_sw


def lying(body: Body, p: Params) -> bool:
    """The head at or below the shoulder line (or lost): lying on the desk rather than looking down at a phone."""
    nose, sh, sw = body.pt(NOSE), body.shoulder_mid, body.shoulder_width
    if nose is None or sh is None or sw is None:
        return True
    return (sh[1] - nose[1]) / sw < p.lying_nose_sw


def held_in_front(hm: HandMeasure, p: Params) -> bool:
    if hm.height_sw is None or hm.lateral_sw is None:
        return False
    forearm_raised = hm.elbow_low_sw is None or hm.elbow_low_sw >= p.min_forearm_sw
    return (p.min_height_sw <= hm.height_sw <= p.max_height_sw and abs(hm.lateral_sw) <= p.max_lateral_sw
            and forearm_raised)


def one_hand_reading(hm: HandMeasure, hands: dict[str, HandMeasure], p: Params) -> bool:
    """The held hand raised clearly above the other one and away from the mouth. The other hand must be seen:
    hands clasped together on the desk often lose one of them to the pose model, which is no evidence."""
    if hm.height_sw is None or (hm.d_mouth is not None and hm.d_mouth < p.min_mouth_sw):
        return False
    other = hands.get("left" if hm.side == "right" else "right")
    return other is not None and other.height_sw is not None and other.height_sw <= hm.height_sw - p.raised_sw


@register
class PhoneUse(TrackedRule):
    rule_id = "phone.use"
    needs = frozenset({"pose", "face", "hands", "detector"})
    measured_by = "pose"
    Params = Params
    severity: ClassVar[Severity] = "major"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.phone_t: dict[str, float] = {}
        self.phone_ev: dict[str, Any] = {}

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        m = measure(obs, ctx)
        if body is None or m.sw is None or (ctx.values.get("head_down") and lying(body, p)):
            return False, {}
        if any(at_ear(hm) for hm in m.hands.values()):
            return False, {}
        t = ctx.clock.t
        for side, hm in m.hands.items():
            if phones := hm.has(PHONE_LABELS):
                self.phone_t[side], self.phone_ev = t, best(phones)
        held = [hm for hm in m.hands.values() if held_in_front(hm, p)]
        with_phone = [hm for hm in held if t - self.phone_t.get(hm.side, float("-inf")) <= p.phone_memory_s]
        posed = [] if p.require_phone else [hm for hm in held if one_hand_reading(hm, m.hands, p)]
        if not (with_phone or posed):
            return False, {}
        down = looking_down(body, obs.face if "face" in obs.ran else None, p)
        hm = (with_phone or posed)[0]
        ev: dict[str, Any] = {"side": hm.side, "evidence": "phone" if with_phone else "pose",
                              **(self.phone_ev if with_phone else {})}
        if obs.face is not None:
            ev["pitch_deg"] = round(obs.face.pitch, 1)
        return down, ev
