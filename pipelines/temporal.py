"""Temporal primitives shared by the rules: turn a per-frame condition into ONE incident.

`IncidentTracker` gives every duration rule the same behaviour:
- minimum duration: the condition must hold `min_duration` s before the event opens (`new`), and
  the event's start_time is when the condition began, not when it was confirmed; a rule whose
  duration depends on which condition holds (a client present or not, the pause sign up or not) passes
  it with each frame (`step(..., min_duration=)`) instead of changing its `timing`;
- inertia against flicker: a gap shorter than `grace` neither resets a candidate nor ends an
  open incident; an unknown frame (`None`: not measured, occluded) holds the current state;
- `update` messages at most every `update_every` s while open (never per frame);
- `end` once the condition has been off for `grace` s, with end_time = the last time it held;
- `max_open`: an incident open that long is ended (a new one may start after the cooldown);
- `cooldown`: after an end, no new candidate for that many seconds.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from pipelines.events import Event, Outcome, Severity

# Durations are differences of clip times (frame index / fps), so a span of exactly `min_duration` may read a hair
# under it (1.4 - 1.0 = 0.3999...): a threshold is met within this much.
TIME_EPS = 1e-6


class Timing(BaseModel):
    """The temporal parameters every duration rule exposes in the counter config."""

    min_duration: float = Field(3.0, ge=0, description="seconds the condition must hold")
    grace: float = Field(2.0, ge=0, description="seconds of absence that do not break an incident")
    cooldown: float = Field(0.0, ge=0, description="seconds after an end before a new incident")
    max_open: float | None = Field(None, gt=0, description="end an incident open this long")
    update_every: float | None = Field(60.0, gt=0, description="seconds between update messages")


@dataclass(slots=True)
class Clock:
    """One frame's times: clip-relative seconds and wall-clock seconds."""

    t: float
    wall: float


class IncidentTracker:
    def __init__(
        self,
        rule_id: str,
        counter_id: str,
        timing: Timing,
        *,
        severity: Severity = "minor",
        outcome: Outcome = "violation",
        hall_id: str = "",
    ) -> None:
        self.rule_id, self.counter_id, self.hall_id = rule_id, counter_id, hall_id
        self.timing, self.severity, self.outcome = timing, severity, outcome
        self.candidate: Clock | None = None  # when the condition began (not yet confirmed)
        self.started: Clock | None = None  # the open incident's start
        self.last_true: Clock | None = None
        self.open_event: Event | None = None
        self.last_sent: float = 0.0
        self.cooldown_until: float = float("-inf")
        self.evidence: dict[str, Any] = {}

    @property
    def is_open(self) -> bool:
        return self.open_event is not None

    def step(
        self,
        clock: Clock,
        active: bool | None,
        evidence: dict[str, Any] | None = None,
        min_duration: float | None = None,
    ) -> list[Event]:
        """Feed one frame. `active=None` means the condition could not be measured on this frame.
        `min_duration`: how long the condition that holds on this frame must hold (None: `timing`'s)."""
        if active is None:
            return self._maybe_timeout(clock)
        if active:
            hold = self.timing.min_duration if min_duration is None else min_duration
            return self._on_true(clock, evidence or {}, hold)
        return self._on_false(clock)

    def finish(self, clock: Clock) -> list[Event]:
        """End of stream: close an open incident at the last time the condition held."""
        self.candidate = None
        return self._end() if self.open_event else []

    def _on_true(self, clock: Clock, evidence: dict[str, Any], min_duration: float) -> list[Event]:
        if self.open_event is None and clock.t < self.cooldown_until:
            return []
        gap_broke = self.last_true is not None and clock.t - self.last_true.t > self.timing.grace
        if self.open_event is None and (self.candidate is None or gap_broke):
            self.candidate, self.evidence = clock, {}
        self.evidence.update(evidence)
        self.last_true = clock
        if self.open_event is None:
            assert self.candidate is not None
            if clock.t - self.candidate.t >= min_duration - TIME_EPS:
                return [self._new(clock)]
            return []
        return self._maybe_update(clock) + self._maybe_timeout(clock)

    def _on_false(self, clock: Clock) -> list[Event]:
        if self.last_true is None or clock.t - self.last_true.t > self.timing.grace:
            self.candidate = None
            if self.open_event is not None:
                return self._end()
        return self._maybe_timeout(clock)

    def _new(self, clock: Clock) -> Event:
        assert self.candidate is not None
        self.started = self.candidate
        ev = Event.open(
            self.rule_id,
            self.counter_id,
            start_time=self.candidate.wall,
            clip_start=self.candidate.t,
            hall_id=self.hall_id,
            severity=self.severity,
            outcome=self.outcome,
            evidence=self._evidence(clock),
        )
        self.open_event, self.last_sent = ev, clock.t
        return ev

    def _maybe_update(self, clock: Clock) -> list[Event]:
        every = self.timing.update_every
        if self.open_event is None or every is None or clock.t - self.last_sent < every:
            return []
        self.open_event = self.open_event.next("update", evidence=self._evidence(clock))
        self.last_sent = clock.t
        return [self.open_event]

    def _maybe_timeout(self, clock: Clock) -> list[Event]:
        ev, limit = self.open_event, self.timing.max_open
        if ev is None or limit is None or ev.clip_start is None or clock.t - ev.clip_start < limit:
            return []
        self.candidate = None
        return self._end(clock)

    def _end(self, at: Clock | None = None) -> list[Event]:
        assert self.open_event is not None
        end = at or self.last_true
        assert end is not None
        done = self.open_event.next(
            "end", end_time=end.wall, clip_end=end.t, evidence=self._evidence(end)
        )
        self.open_event, self.started, self.evidence = None, None, {}
        self.cooldown_until = end.t + self.timing.cooldown
        self.last_true = None
        return [done]

    def _evidence(self, clock: Clock) -> dict[str, Any]:
        start = self.started or self.candidate
        duration = clock.t - start.t if start else 0.0
        return {**self.evidence, "duration_s": round(duration, 2)}


def toward(usual: tuple[float, ...], now: tuple[float, ...], dt: float, tau_s: float) -> tuple[float, ...]:
    """A slow baseline moved toward this frame's values: dt / tau_s of the way, all of it after tau_s or more."""
    a = min(1.0, max(0.0, dt) / tau_s)
    return tuple(u + a * (v - u) for u, v in zip(usual, now, strict=True))


class SlowBaseline:
    """One person's usual values (where the nose sits over the shoulders, the upright posture), updated slowly so a
    behaviour is read against them. `update` returns the baseline before this frame, then moves it toward the
    frame (`toward`). The first frame, or the first after more than `tau_s` unseen, starts it afresh.

    A rule that learns only from some frames (an untilted head, no hand held up) calls `look` on every frame it
    reads and `learn` on those: the restart still follows the frames seen, the time constant the frames learnt
    from, and `stale` says none taught it for longer than `tau_s`.

    `seed_s` > 0: a (re)start is the median of the frames learnt from over its first `seed_s` seconds (`seeding`
    while it lasts), so one misfitted first frame does not set the baseline for a time constant."""

    def __init__(self, tau_s: float, seed_s: float = 0.0) -> None:
        self.tau_s, self.seed_s = tau_s, seed_s
        self.usual: tuple[float, ...] | None = None
        self.t: float | None = None  # the last frame it learnt from (or started on)
        self.seen: float | None = None  # the last frame it was read on
        self.seeds: list[tuple[float, ...]] = []  # the frames of the current start, while seeding
        self.start: float | None = None

    def fresh(self, t: float) -> bool:
        """Whether a frame at t starts the baseline afresh (first sight, or back after long)."""
        return self.usual is None or self.seen is None or t - self.seen > self.tau_s

    def look(self, t: float, now: tuple[float, ...]) -> tuple[float, ...]:
        """The baseline before this frame (this frame's values when it starts afresh); nothing learnt."""
        if self.usual is None or self.fresh(t):
            self.usual, self.t, self.start, self.seeds = now, t, t, []
        self.seen = t
        return self.usual

    def seeding(self, t: float) -> bool:
        """Still within the first `seed_s` seconds of its (re)start: the baseline is not settled yet."""
        return self.start is not None and t - self.start < self.seed_s

    def learn(self, t: float, now: tuple[float, ...]) -> None:
        """Move the baseline toward this frame (after `look`); while seeding, the median of the frames so far."""
        assert self.usual is not None and self.t is not None
        if self.seeding(t):
            self.seeds.append(now)
            self.usual = tuple(float(statistics.median(v)) for v in zip(*self.seeds, strict=True))
        else:
            self.usual = toward(self.usual, now, t - self.t, self.tau_s)
        self.t = t

    def stale(self, t: float) -> bool:
        """No frame learnt from for longer than `tau_s` (its values may no longer be the usual ones)."""
        return self.t is None or t - self.t > self.tau_s

    def update(self, t: float, now: tuple[float, ...]) -> tuple[float, ...]:
        before = self.look(t, now)
        self.learn(t, now)
        return before


def instant_event(
    rule_id: str,
    counter_id: str,
    start: Clock,
    end: Clock,
    *,
    outcome: Outcome,
    evidence: dict[str, Any],
    severity: Severity = "minor",
    hall_id: str = "",
) -> list[Event]:
    """A completed check (a bow, a greeting): its `new` and `end` at once, under one id."""
    ev = Event.open(
        rule_id, counter_id, start_time=start.wall, clip_start=start.t, hall_id=hall_id,
        severity=severity, outcome=outcome, evidence=evidence,
    )
    return [ev, ev.next("end", end_time=end.wall, clip_end=end.t)]
