"""posture.head_on_desk: lying on the counter, head down (趴台; 003 D.1, 002 (6)).

The head (nose, else the ears) drops to the shoulder line or below. Looking down at papers lowers the
nose by far less, so it does not reach `max_head_height_sw`. A deep standing bow does: with a calibrated
camera, a head down while the shoulders stand at standing height, or did within `standing_memory_s`, is a
bow (the clerk lying on the desk is seated); without calibration `min_duration` keeps a bow out.
A clerk lying on the desk often makes the pose model lose the body (face and arms hidden). Such frames
are judged by what was seen last: when the last pose at the post showed the head down, the clerk is still
lying there while the pose stays lost, up to `lost_hold_s` (they did not leave: leaving shows a head above
the shoulders moving away, not a head sinking below them; the head must be seen down with the shoulders
inside the post zone, as a walk-off leaves a garbage fit at the frame's edge). Lost frames after an upright pose, or
with nobody at the post, stay unknown: a colleague walking off never turns into head_on_desk.
A head sunk to the shoulders while they sank less than `lying_sink_m` below the clerk's usual seated height (the
head still over the shoulder line, calibrated camera) is a slump, posture.slouch's (see `SeatedShoulders`), while
the pose stays: the pose lost right after such a frame is carried over as lying (the model keeps a slumped clerk's
face and torso, and loses one going down onto the forearms, often before the shoulders have sunk far, or before the
head reaches the shoulder line: a head `lost_head_sw` or less over it on the last frame seen carries the loss over).
The context's hold of a clerk lying unseen (ContextDeriver._lying) carries the loss over as well, when the head on its
last frame seen was within those limits: it also takes a last frame the person box held, with the lying shoulders slid
out of the post zone (seen from aside), which the rule's own carry-over does not, and it holds while a person box
still holds the post (the body folded over the desk, boxed there, the pose lost).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import STANDING_SHOULDER_M
from pipelines.rules._frame import (
    LYING_HOLD_S,
    LYING_SINK_DOC,
    LYING_SINK_M,
    STANDING_MEMORY_S,
    seated_reading,
    slumped_not_lying,
)
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(10.0, ge=0)
    grace: float = Field(5.0, ge=0, description="head up or pose lost this briefly keeps one incident")
    max_head_height_sw: float = Field(0.2, description="head this little above mid-shoulders (shoulder widths)")
    min_standing_shoulder_m: float = Field(
        STANDING_SHOULDER_M, gt=0,
        description="shoulders this high (calibrated camera) mean standing: a head down is a bow"
    )
    standing_memory_s: float = Field(STANDING_MEMORY_S, ge=0, description="... now or within this many seconds")
    lying_sink_m: float = Field(LYING_SINK_M, ge=0, description=LYING_SINK_DOC)
    lost_hold_s: float = Field(
        LYING_HOLD_S, ge=0,
        description="the pose lost right after the head went down still counts as lying, this long (s)"
    )
    lost_head_sw: float = Field(
        0.35, description="... the head down meaning this little above mid-shoulders (sw) on the last frame seen"
    )


@register
class HeadOnDesk(TrackedRule):
    rule_id = "posture.head_on_desk"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.down_since_lost: float | None = None  # the pose was lost at this time, right after a head-down pose
        self.last_down = False  # the last measured pose at the post showed the head down

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        t = ctx.clock.t
        body = body_of(ctx)
        height = ctx.values.get("head_height_sw")  # ContextDeriver's, of this body
        stood: bool | None = None
        sink: float | None = None
        if body is not None:  # every frame with the body (shared with slouch): the standing before the bow counts
            stood, sink = seated_reading(obs, ctx, p.min_standing_shoulder_m, p.standing_memory_s)
        if height is not None:
            low = height <= p.max_head_height_sw and not stood
            down = low and not slumped_not_lying(height, sink, p.lying_sink_m)
            # a clerk going down onto the forearms may be lost half-way: seen 50 deg aside the last frame showed the
            # head 0.26 sw over the shoulders (2.07 and 1.35 the two frames before), then no pose for 4 s
            sinking = height <= max(p.lost_head_sw, p.max_head_height_sw) and not stood
            # only a head seen down inside the post zone may carry over a pose loss: a walk-off leaves the
            # pose fitted at the frame's edge, out of the post, where the person box still holds it for a while.
            # A head down that still reads as a slump carries it over too: the pose model keeps a slumped clerk
            # (face and torso in view) but loses one going down onto the forearms, often half-way down
            self.last_down, self.down_since_lost = sinking and ctx.values.get("staffed_by") == "pose", None
            return down, {"head_height_sw": round(height, 2)}
        lying_head = ctx.values.get("lying_head_sw")
        if body is None and lying_head is not None and lying_head <= max(p.lost_head_sw, p.max_head_height_sw):
            # the context holds the clerk lying on the desk unseen (seen going down at the post, seated, then lost),
            # also where the last frames were held by the person box with the shoulders slid out of the post zone
            self.last_down = True
        if body is not None or not self.last_down or ctx.clerk_present is False and obs.pose is not None:
            # a body without a head/shoulders reading, an upright clerk lost, or a pose seen away from the post
            self.last_down = self.last_down and body is None and obs.pose is None
            return None, {}
        # the pose vanished right after the head went down: still lying there (for up to lost_hold_s)
        if self.down_since_lost is None:
            self.down_since_lost = t
        if t - self.down_since_lost > p.lost_hold_s:
            return None, {}
        return True, {"pose_lost_s": round(t - self.down_since_lost, 1)}
