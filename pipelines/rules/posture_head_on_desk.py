"""posture.head_on_desk: lying on the counter, head down (趴台; 003 D.1, 002 (6)).

The head (nose, else the ears) drops to the shoulder line or below. Looking down at papers lowers the
nose by far less, so it does not reach `max_head_height_sw`. Frames where the pose is lost (a clerk
lying on the desk often is) are unknown: they neither end nor break the incident.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_EAR, NOSE, R_EAR
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(10.0, ge=0)
    grace: float = Field(5.0, ge=0, description="head up or pose lost this briefly keeps one incident")
    max_head_height_sw: float = Field(0.2, description="head this little above mid-shoulders (shoulder widths)")


@register
class HeadOnDesk(TrackedRule):
    rule_id = "posture.head_on_desk"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        body = body_of(ctx)
        if body is None:
            # MediaPipe often loses a clerk lying on the desk (face and arms hidden): unknown, not "head up"
            return None, {}
        sh, sw = body.shoulder_mid, body.shoulder_width
        head = [p for p in (body.pt(NOSE, 0.3), body.pt(L_EAR, 0.3), body.pt(R_EAR, 0.3)) if p is not None]
        if sh is None or sw is None or not head:
            return None, {}
        height = (sh[1] - min(p[1] for p in head)) / sw
        return height <= self.params.max_head_height_sw, {"head_height_sw": round(height, 2)}  # type: ignore[attr-defined]
