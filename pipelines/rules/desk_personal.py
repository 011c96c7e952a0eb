"""desk.personal_items (bags, snacks, umbrellas, ... and the cup unless the site allows it) and phone.on_desk."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import (
    DRINK_LABELS,
    PERSONAL_LABELS,
    PHONE_LABELS,
    DeskRule,
    DeskTiming,
    describe,
    foreign_objects,
    min_duration,
)
from vision.observation import Observation


class _LabelRule(DeskRule):
    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.labels = set(self.watched_labels())

    def watched_labels(self) -> list[str]:
        return list(self.params.labels)

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]]:
        found: dict[str, list] = {}
        for d in foreign_objects(obs):
            if d.label in self.labels and d.score >= self.params.min_score:
                found.setdefault(d.label, []).append(d)
        return {k: describe(v) for k, v in found.items()}


@register
class PersonalItems(_LabelRule):
    """Personal items on the counter; a water cup only where the site's exception does not allow it."""

    rule_id = "desk.personal_items"

    class Params(DeskTiming):
        min_duration: float = min_duration(15.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        min_score: float = Field(0.3, ge=0, le=1)
        labels: list[str] = Field(default_factory=lambda: list(PERSONAL_LABELS))
        drink_labels: list[str] = Field(default_factory=lambda: list(DRINK_LABELS))

    def watched_labels(self) -> list[str]:
        extra = [] if self.counter.exceptions.water_cup_allowed else list(self.params.drink_labels)
        return list(self.params.labels) + extra


@register
class PhoneOnDesk(_LabelRule):
    """A mobile phone lying on the counter (in the hand is phone.use, masked out by the desk detector)."""

    rule_id = "phone.on_desk"

    class Params(DeskTiming):
        min_duration: float = min_duration(10.0)
        grace: float = 5.0
        update_every: float | None = 300.0
        min_score: float = Field(0.3, ge=0, le=1)
        labels: list[str] = Field(default_factory=lambda: list(PHONE_LABELS))
