"""phone.call: a hand at the ear holding a phone (002 工作纪律(5)).

Flagged when a client is present at any time during the call, or when the call lasts over
`private_limit_s` (3 min); a short private call with nobody waiting is allowed. The event starts
when the call began.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from pipelines.rules._body import L_EAR, R_EAR
from pipelines.rules.phone_use import PHONE_LABELS, near_ear
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(3.0, ge=0, description="hand at the ear this long with a client present (s)")
    private_limit_s: float = Field(180.0, ge=0, description="a call with no client present is allowed this long")
    grace: float = Field(3.0, ge=0)
    ear_radius_sw: float = Field(0.45, gt=0, description="a hand point this close to an ear (shoulder widths)")
    require_phone: bool = Field(True, description="a phone must be seen near the ear/hand during the call")
    phone_memory_s: float = Field(15.0, ge=0, description="a phone seen this recently still counts")


@register
class PhoneCall(TrackedRule):
    rule_id = "phone.call"
    needs = frozenset({"pose", "hands", "detector", "people"})
    Params = Params
    severity: ClassVar[Severity] = "major"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.phone_t = float("-inf")
        self.client_seen = False

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        ran, body = body_of(obs, ctx)
        if not ran:
            return None, {}
        side = near_ear(body, obs, p.ear_radius_sw) if body is not None else None
        if side is None or body is None:
            if not self.tracker.is_open and self.tracker.candidate is None:
                self.client_seen = False
            return False, {}
        ear = body.pt(L_EAR if side == "left" else R_EAR, 0.3)
        phones = dets_near(
            ctx.values.get("detections"), PHONE_LABELS, [ear, *body.hand_points(side, obs.hands)],
            0.5 * (body.shoulder_width or 100),
        )
        if phones:
            self.phone_t = ctx.clock.t
        has_phone = ctx.clock.t - self.phone_t <= p.phone_memory_s
        if p.require_phone and not has_phone:
            return False, {}
        self.client_seen = self.client_seen or bool(ctx.client_present)
        self.tracker.timing.min_duration = p.min_duration if self.client_seen else p.private_limit_s
        return True, {"side": side, "client_present": self.client_seen, **best(phones)}
