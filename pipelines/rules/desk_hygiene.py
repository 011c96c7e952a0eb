"""desk.end_of_day (a check after working hours) and desk.clutter (a clutter score over time)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from pydantic import Field

from pipelines.engine import CHINA, Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.rules.desk_common import (
    DeskTiming,
    describe,
    desk_area,
    desk_ran,
    foreign_objects,
    min_duration,
    owner,
)
from pipelines.temporal import Clock, IncidentTracker, instant_event
from vision.observation import Observation
from vision.roi import box_area


@register
class EndOfDay(Rule):
    """Once per working day, `check_after_min` after closing time: is the desk clear? Observes the desk
    for `window_s` and reports a violation (items left out) or a pass. Recorded clips without a wall clock
    can be checked at a clip time with `at_clip_time`."""

    rule_id = "desk.end_of_day"
    needs = frozenset({"desk"})

    class Params(RuleParams):
        check_after_min: float = Field(15.0, ge=0, description="minutes after closing time")
        window_s: float = Field(30.0, gt=0, description="seconds of desk frames the check looks at")
        share: float = Field(0.6, gt=0, le=1, description="share of frames with items that fails the check")
        at_clip_time: float | None = Field(None, ge=0, description="check at this clip time instead")

    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.done: set[date | str] = set()
        self.window: list[tuple[Clock, list]] = []

    def _due(self, obs: Observation) -> date | str | None:
        if self.params.at_clip_time is not None:
            return "clip" if obs.t >= self.params.at_clip_time else None
        if obs.wall_time is None:
            return None
        now = datetime.fromtimestamp(obs.wall_time, CHINA)
        hours = self.counter.hours
        if now.weekday() not in hours.weekdays:
            return None
        due = datetime.combine(now.date(), hours.close, CHINA) + timedelta(minutes=self.params.check_after_min)
        return now.date() if now >= due else None

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        key = self._due(obs)
        if key is None or key in self.done or not desk_ran(obs):
            return []
        items = foreign_objects(obs)  # not the slot reports: stored devices are fine
        self.window.append((ctx.clock, items))
        if ctx.clock.t - self.window[0][0].t < self.params.window_s:
            return []
        frames_with = [its for _, its in self.window if its]
        failed = len(frames_with) >= self.params.share * len(self.window)
        left = [d for its in frames_with for d in its]
        start, end = self.window[0][0], ctx.clock
        self.done.add(key)
        self.window = []
        return instant_event(
            self.rule_id, self.counter.counter_id, start, end, outcome="violation" if failed else "pass",
            evidence={**describe(left), "frames": len(frames_with)}, hall_id=self.counter.hall_id,
        )


@register
class Clutter(Rule):
    """Clutter score = share of the desk covered by foreign objects + `per_item` per object, smoothed
    with time constant `smooth_s`; an incident while the smoothed score stays above `threshold`.
    Only objects no other rule answers for count (desk_common.owner): a handbag is desk.personal_items,
    papers left behind post.leave_secure, a phone phone.on_desk; after hours the desk is desk.end_of_day's."""

    rule_id = "desk.clutter"
    needs = frozenset({"desk"})

    class Params(DeskTiming):
        min_duration: float = min_duration(120.0)
        grace: float = 30.0
        update_every: float | None = 600.0
        threshold: float = Field(0.12, gt=0)
        per_item: float = Field(0.02, ge=0)
        smooth_s: float = Field(30.0, gt=0)

    def __init__(self, counter, params) -> None:
        super().__init__(counter, params)
        self.tracker = IncidentTracker(self.rule_id, counter.counter_id, params.timing(), hall_id=counter.hall_id)
        self.score: float | None = None
        self.peak = 0.0
        self.last: tuple[float, Clock] | None = None

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        if not desk_ran(obs):
            return self.tracker.step(ctx.clock, None)
        objs = [d for d in foreign_objects(obs) if owner(d, obs, ctx) is None]  # after hours: none (end_of_day's)
        covered = sum(box_area(d.box) for d in objs) / desk_area(self.counter, obs.image_size)
        raw = covered + self.params.per_item * len(objs)
        dt = 0.0 if self.last is None else max(0.0, ctx.clock.t - self.last[1].t)
        a = 1.0 if self.score is None else 1.0 - math.exp(-dt / self.params.smooth_s)
        self.score = raw if self.score is None else self.score + a * (raw - self.score)
        self.last = (self.score, ctx.clock)
        ctx.values["desk.clutter_score"] = round(self.score, 4)
        active = self.score > self.params.threshold
        self.peak = max(self.peak, self.score) if active else 0.0
        ev = {"score": round(self.score, 3), "peak": round(self.peak, 3), "items": len(objs)}
        return self.tracker.step(ctx.clock, active, ev)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self.tracker.finish(self.last[1] if self.last else ctx.clock)
