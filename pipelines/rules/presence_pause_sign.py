"""post.pause_sign: the pause-service sign must come down when service resumes (003 §4.2.2).

Violations: the clerk is back at the post and the sign is still up for `min_duration` s
(reason "sign_not_removed"); the post is empty without the sign or the terminal paused for
`absent_without_sign_s` (reason "absent_without_sign"; `flag_absent_without_sign: false` leaves that
to post.empty alone). Where the camera cannot see the sign (the calibration's `sign_marker` is "unread", or,
unrecorded, its zone runs off the frame; and the stream never read the marker) an absence without the terminal
paused is unknown, not unsigned.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(30.0, ge=0, description="sign still shown this long after the clerk returned (s)")
    grace: float = Field(5.0, ge=0)
    flag_absent_without_sign: bool = True
    absent_without_sign_s: float = Field(30.0, ge=0, description="absence without the sign or terminal pause (s)")


@register
class PauseSign(TrackedRule):
    rule_id = "post.pause_sign"
    needs = frozenset({"pose", "people", "markers"})
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        if not ctx.in_hours or ctx.clerk_present is None:
            return (None if ctx.in_hours else False), {}
        sign = bool(ctx.values.get("sign_shown"))
        if ctx.clerk_present:
            return sign, {"reason": "sign_not_removed"}
        if p.flag_absent_without_sign and not ctx.values.get("paused"):
            if not ctx.values.get("sign_in_view", True):
                return None, {}  # the camera cannot see where the sign stands: its absence is not evidence
            return True, {"reason": "absent_without_sign"}
        return False, {}

    def min_duration_for(self, evidence: dict[str, Any]) -> float | None:
        p: Params = self.params  # type: ignore[assignment]
        return p.absent_without_sign_s if evidence.get("reason") == "absent_without_sign" else None
