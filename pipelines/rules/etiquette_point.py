"""point.one_finger — pointing with the index finger alone (DB50/T 1603 B.6.2, D.1).

Active while any hand shows the index extended and the other three fingers curled
(HandResult.index_pointing), held `min_duration` s (default 0.5 s, so a passing finger shape is not
an incident). Frames where the hand stage did not run are unknown and hold the state.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, RuleParams, register
from pipelines.rules._base import TrackedRule
from pipelines.temporal import Timing
from vision.observation import Observation
from vision.results import HandResult


class PointParams(RuleParams, Timing):
    min_duration: float = Field(0.5, ge=0, description="seconds the one-finger point must hold")
    grace: float = Field(0.4, ge=0)
    update_every: float | None = Field(None, gt=0)


def clerks_hand(obs: Observation, hand: HandResult) -> bool:
    """A hand near one of the clerk's wrists (a client's hand at the counter edge is not the clerk's)."""
    pose = obs.pose
    if pose is None or len(pose.landmarks) < 33 or not hand.landmarks:
        return True
    limit = 0.2 * max(obs.image_size[0], 1)
    x, y = hand.landmarks[0][0], hand.landmarks[0][1]
    return any(math.hypot(pose.landmarks[i].x - x, pose.landmarks[i].y - y) <= limit for i in (15, 16))


@register
class OneFingerPointing(TrackedRule):
    rule_id: ClassVar[str] = "point.one_finger"
    needs: ClassVar[frozenset[str]] = frozenset({"hands"})
    measured_by: ClassVar[str | None] = "hands"
    Params: ClassVar[type[RuleParams]] = PointParams

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        pointing = [h for h in obs.hands if h.index_pointing and clerks_hand(obs, h)]
        if not pointing:
            return False, {}
        score = round(max(h.score for h in pointing), 2)
        return True, {"hands": sorted({h.handedness for h in pointing}), "score": score}
