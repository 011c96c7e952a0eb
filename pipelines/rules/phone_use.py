"""phone.use: a phone in the hand with the gaze down at it (玩手机; 003 D.1, 002 (6)).

Per frame: a hand raised off the desk in front of the chest (below the shoulders, near the body's
midline, the forearm not pointing down), the gaze down (face pitch, else the nose dropped toward the
shoulders), and a phone seen in that hand's crop (the pipeline runs the detector on a crop of about one
shoulder width around each hand, so a small phone is enlarged 3-4x). A hand at the ear is phone.call.

`require_phone: false` accepts the pose and gaze alone; it then cannot tell a phone from anything else
held up and read (an ID card, a ticket, a form), which is why the phone is required by default.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of
from pipelines.rules._body import NOSE, Body
from pipelines.rules._frame import PHONE_LABELS, HandMeasure, measure
from pipelines.rules.phone_call import Params as CallParams
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
    pitch_down_deg: float = Field(15.0, description="face pitch that counts as looking down")
    head_drop_sw: float = Field(0.5, gt=0, description="without a face: nose this close above the shoulders")
    require_phone: bool = Field(True, description="a phone must be seen in the hand crop")
    phone_memory_s: float = Field(3.0, ge=0, description="a phone seen this recently in that hand still counts")


def looking_down(body: Body, face: FaceResult | None, p: Params) -> bool | None:
    if face is not None:
        return face.pitch >= p.pitch_down_deg
    nose, sh = body.pt(NOSE), body.shoulder_mid
    sw = body.shoulder_width
    if nose is None or sh is None or sw is None:
        return None
    return (sh[1] - nose[1]) / sw <= p.head_drop_sw


def held_in_front(hm: HandMeasure, p: Params) -> bool:
    if hm.height_sw is None or hm.lateral_sw is None:
        return False
    forearm_raised = hm.elbow_low_sw is None or hm.elbow_low_sw >= -0.1
    return (p.min_height_sw <= hm.height_sw <= p.max_height_sw and abs(hm.lateral_sw) <= p.max_lateral_sw
            and forearm_raised)


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
        self.call_p = CallParams()

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        m = measure(obs, ctx)
        if body is None or m.sw is None or ctx.values.get("head_down"):
            return False, {}
        if any(at_ear(hm, self.call_p) for hm in m.hands.values()):
            return False, {}
        t = ctx.clock.t
        for side, hm in m.hands.items():
            if phones := hm.has(PHONE_LABELS):
                self.phone_t[side], self.phone_ev = t, best(phones)
        held = [hm for hm in m.hands.values() if held_in_front(hm, p)]
        with_phone = [hm for hm in held if t - self.phone_t.get(hm.side, float("-inf")) <= p.phone_memory_s]
        if not (with_phone or (held and not p.require_phone)):
            return False, {}
        down = looking_down(body, obs.face if "face" in obs.ran else None, p)
        hm = (with_phone or held)[0]
        ev: dict[str, Any] = {"side": hm.side, "evidence": "phone" if with_phone else "pose",
                              **(self.phone_ev if with_phone else {})}
        if obs.face is not None:
            ev["pitch_deg"] = round(obs.face.pitch, 1)
        return down, ev
