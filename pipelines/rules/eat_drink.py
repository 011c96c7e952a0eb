"""drink.in_front: a cup or bottle at the mouth while a client is at the window (001 第七条6).

Drinking with nobody at the window is allowed (the cup itself on the desk is a desk rule, a site setting).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, best, body_of, dets_near
from vision.observation import Observation

DRINK_LABELS = frozenset({"cup", "bottle", "wine glass", "Mug", "Coffee cup", "Bottle", "Drink"})


class Params(TimedParams):
    min_duration: float = Field(1.0, ge=0)
    grace: float = Field(3.0, ge=0)
    mouth_radius_sw: float = Field(0.45, gt=0, description="hand point this close to the mouth")
    cup_radius_sw: float = Field(0.35, gt=0, description="cup box this close to the mouth or hand")
    cup_memory_s: float = Field(3.0, ge=0)


@register
class DrinkInFront(TrackedRule):
    rule_id = "drink.in_front"
    needs = frozenset({"pose", "hands", "detector", "people"})
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.cup_t = float("-inf")

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        ran, body = body_of(obs, ctx)
        if not ran:
            return None, {}
        if body is None or body.shoulder_width is None:
            return False, {}
        mouth = body.mouth
        if mouth is None:
            return None, {}
        side = next((s for s in ("left", "right") if body.hand_near(s, mouth, p.mouth_radius_sw, obs.hands)), None)
        if side is None:
            return False, {}
        cups = dets_near(ctx.values.get("detections"), DRINK_LABELS, [mouth, *body.hand_points(side, obs.hands)],
                         p.cup_radius_sw * body.shoulder_width)
        if cups:
            self.cup_t = ctx.clock.t
        if ctx.clock.t - self.cup_t > p.cup_memory_s:
            return False, {}
        if ctx.client_present is None:
            return None, {}
        return bool(ctx.client_present), {"side": side, **best(cups)}
