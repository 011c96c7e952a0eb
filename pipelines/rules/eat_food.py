"""eat.food: repeated hand-to-mouth with food or a wrapper seen (003 D.1; 002 (6)).

A "bite" is a hand arriving at the mouth; `min_bites` within `window_s` with a food item seen near the
hand or mouth in that window is eating. One meal stays one event (grace covers the chewing pauses).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from vision.observation import Observation

FOOD_LABELS = frozenset({
    "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake",
    "food", "snack", "wrapper", "Food", "Snack", "Fast food", "Baked goods",
})


class Params(TimedParams):
    min_duration: float = Field(0.0, ge=0, description="the bite count already carries the duration")
    grace: float = Field(20.0, ge=0, description="pauses between bites that keep one meal one event")
    window_s: float = Field(60.0, gt=0)
    min_bites: int = Field(2, ge=1)
    mouth_radius_sw: float = Field(0.35, gt=0)
    require_food: bool = True


@register
class EatFood(TrackedRule):
    rule_id = "eat.food"
    needs = frozenset({"pose", "hands", "detector"})
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.bites: deque[float] = deque()
        self.at_mouth = False
        self.food_t = float("-inf")
        self.food_ev: dict[str, Any] = {}

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        ran, body = body_of(obs, ctx)
        if not ran:
            return None, {}
        t = ctx.clock.t
        while self.bites and t - self.bites[0] > p.window_s:
            self.bites.popleft()
        if body is None or body.mouth is None or body.shoulder_width is None:
            self.at_mouth = False
            return (False if body is None else None), {}
        mouth = body.mouth
        at = any(body.hand_near(s, mouth, p.mouth_radius_sw, obs.hands) for s in ("left", "right"))
        if at and not self.at_mouth:
            self.bites.append(t)
        self.at_mouth = at
        pts = [mouth, *body.hand_points("left", obs.hands), *body.hand_points("right", obs.hands)]
        food = dets_near(ctx.values.get("detections"), FOOD_LABELS, pts, 0.4 * body.shoulder_width)
        if food:
            self.food_t, self.food_ev = t, best(food)
        food_recent = t - self.food_t <= p.window_s
        eating = len(self.bites) >= p.min_bites and (food_recent or not p.require_food)
        return eating, ({"bites_in_window": len(self.bites), **self.food_ev} if eating else {})
