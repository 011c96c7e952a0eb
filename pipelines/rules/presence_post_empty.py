"""post.empty: nobody at the post during working hours (003 §4.2.1–4.2.2; the 15-minute rule).

An absence is allowed for `min_duration` s without the pause sign (a short errand), and for
`paused_limit_s` (15 min) while the 暂停服务 sign (ArUco marker) is shown or the terminal is paused;
longer is a violation. The event starts when the absence began. A colleague covering the post is a
person at the post: staffed. A camera outage is unknown, never absence, and restarts the count. Where the
camera cannot see the sign's place (the calibration's `sign_marker` is "unread", or, unrecorded, its zone runs
off the frame's edge; and the stream never read the marker) the sign may be up unseen: by default the absence
gets the paused limit (`sign_out_of_view_as_shown`), and the event's evidence says `sign_in_view: false`. The
calibration check (calibration/check.py) reports a sign marker it cannot see in the reference frame, and offers
the `sign_marker` record where it reads one.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(60.0, ge=0, description="absence tolerated without the pause sign (s)")
    paused_limit_s: float = Field(900.0, ge=0, description="absence allowed with the sign or terminal paused (s)")
    grace: float = Field(5.0, ge=0, description="the clerk seen this briefly does not end an absence")
    update_every: float | None = Field(60.0, gt=0)
    sign_out_of_view_as_shown: bool = Field(
        True, description="where the camera cannot see the sign's place, allow the paused limit (false: the short one)"
    )


@register
class PostEmpty(TrackedRule):
    rule_id = "post.empty"
    needs = frozenset({"pose", "people", "markers"})
    Params = Params
    severity: ClassVar[Severity] = "major"

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        # A sign the camera cannot see (ContextDeriver: sign_in_view) may be up: by default the absence gets
        # the paused limit rather than a major violation after one minute that nothing here can support.
        unseen = not ctx.values.get("sign_in_view", True) and p.sign_out_of_view_as_shown
        paused = bool(ctx.values.get("paused")) or unseen
        # The limit depends on the sign NOW: removing the sign mid-absence applies the short limit.
        limit = p.paused_limit_s if paused else p.min_duration
        if not ctx.in_hours:
            return False, {}
        if ctx.clerk_present is None:
            return None, {}
        ev = {"sign_shown": bool(ctx.values.get("sign_shown")), "terminal_paused": ctx.terminal_paused,
              "sign_in_view": bool(ctx.values.get("sign_in_view", True)), "limit_s": limit}
        return (not ctx.clerk_present), ev

    def min_duration_for(self, evidence: dict[str, Any]) -> float | None:
        return evidence["limit_s"]
