"""The shape most behaviour rules share: a per-frame condition fed to one IncidentTracker."""

from __future__ import annotations

from typing import Any, ClassVar

from calibration.config import CounterConfig
from pipelines.engine import Rule, RuleContext, RuleParams
from pipelines.events import Event, Severity
from pipelines.rules._body import Body, box_center, dist
from pipelines.temporal import IncidentTracker, Timing
from vision.observation import Observation
from vision.results import Detection


class TimedParams(RuleParams, Timing):
    """Timing (min_duration, grace, cooldown, max_open, update_every) plus the rule's own parameters."""


class TrackedRule(Rule):
    severity: ClassVar[Severity] = "minor"
    Params: ClassVar[type[RuleParams]] = TimedParams
    # The perception stage this rule's condition is measured from: on a frame where it did not run,
    # the condition is unknown (the tracker holds its state) and `condition` is not called.
    measured_by: ClassVar[str | None] = None

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        timing = Timing(**params.model_dump(include=set(Timing.model_fields)))
        self.tracker = IncidentTracker(
            self.rule_id, counter.counter_id, timing, severity=self.severity, hall_id=counter.hall_id
        )

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        """True/False for this frame, or None when it cannot be measured (stage not run, occluded)."""
        raise NotImplementedError

    def min_duration_for(self, evidence: dict[str, Any]) -> float | None:
        """How long the condition that held on this frame (its evidence says which) must hold, for a rule
        whose duration depends on it; None: the rule's `min_duration`."""
        return None

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        if not obs.camera_ok or (self.measured_by is not None and self.measured_by not in obs.ran):
            return self.tracker.step(ctx.clock, None)
        active, evidence = self.condition(obs, ctx)
        hold = self.min_duration_for(evidence) if active else None
        return self.tracker.step(ctx.clock, active, evidence, hold)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self.tracker.finish(ctx.clock)


def body_of(ctx: RuleContext) -> Body | None:
    """The clerk's body measured on this frame (pipelines/context.py), or None."""
    return ctx.values.get("body")


def dets_near(
    dets: list[Detection] | None, labels: frozenset[str] | set[str], points: list, radius: float
) -> list[Detection]:
    """Detections of those labels whose box lies within `radius` px of any of the points."""
    out = []
    for d in dets or []:
        if d.label not in labels:
            continue
        x1, y1, x2, y2 = d.box
        for p in points:
            if p is None:
                continue
            dx = max(x1 - p[0], 0.0, p[0] - x2)
            dy = max(y1 - p[1], 0.0, p[1] - y2)
            if (dx * dx + dy * dy) ** 0.5 <= radius:
                out.append(d)
                break
    return out


def best(dets: list[Detection]) -> dict[str, Any]:
    if not dets:
        return {}
    d = max(dets, key=lambda d: d.score)
    return {"object": d.label, "object_score": round(d.score, 3), "object_box": [round(v, 1) for v in d.box]}


__all__ = ["TimedParams", "TrackedRule", "body_of", "dets_near", "best", "box_center", "dist"]
