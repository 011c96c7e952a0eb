"""Daily supervision scores per counter and per staff member, from the stored events.

score = base − Σ deductions (floored at 0), where one violation event costs
`rule.deduction × duration multiplier × site weight × site rule weight`, and each category's total
per subject and day is capped. Events dismissed as false alarms, and pass/info events, cost nothing.
Caps are applied in event order (start time, then id), so the result is deterministic: recomputing
from the same stored events and the same policy version reproduces every line.

Staff scores reach people through the roster only: an event counts for whoever's roster span at
that counter covers the event's start time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from counterwatch.configfile import load_yaml_model
from dashboards.config import DEFAULT_POLICY, ConfigError
from dashboards.store import EventFilter, EventRow, Store
from pipelines.catalogue import CATEGORIES, catalogue

COMPLIANCE_RULES = {"greet": "greet.raise_hand", "bow": "bow.angle"}


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid")
    over_s: float = Field(ge=0)
    multiplier: float = Field(ge=0)


class RulePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    deduction: float = Field(ge=0)
    duration_tiers: list[Tier] | None = None


class SitePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight: float = Field(1.0, ge=0)
    rule_weights: dict[str, float] = {}


class ScoringPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1, max_length=32)
    timezone: str = "Asia/Shanghai"
    base: float = Field(100, gt=0)
    duration_tiers: list[Tier] = []
    category_caps: dict[str, float] = {}
    sites: dict[str, SitePolicy] = {}
    rules: dict[str, RulePolicy]

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone '{value}'; use an IANA name such as Asia/Shanghai") from None
        return value

    @field_validator("category_caps")
    @classmethod
    def _caps(cls, caps: dict[str, float]) -> dict[str, float]:
        for cat, cap in caps.items():
            if cat not in CATEGORIES:
                raise ValueError(f"unknown category '{cat}'; use one of {', '.join(CATEGORIES)}")
            if cap < 0:
                raise ValueError(f"cap for {cat} must be >= 0")
        return caps

    @model_validator(mode="after")
    def _rules_match_catalogue(self) -> ScoringPolicy:
        known = catalogue()
        for rid, rule in self.rules.items():
            if rid not in known:
                raise ValueError(f"rules.{rid}: not a rule id of pipelines/catalogue.yaml")
            if rule.category != known[rid].category:
                raise ValueError(
                    f"rules.{rid}: category {rule.category} differs from the catalogue's {known[rid].category}"
                )
        for site, sp in self.sites.items():
            for rid in sp.rule_weights:
                if rid not in known:
                    raise ValueError(f"sites.{site}.rule_weights.{rid}: not a rule id of the catalogue")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def missing_rules(self) -> list[str]:
        """Catalogue rules the policy does not price (they cost nothing)."""
        return sorted(set(catalogue()) - set(self.rules))

    def event_deduction(self, ev: EventRow) -> float:
        rule = self.rules.get(ev.rule_id)
        if rule is None:
            return 0.0
        duration = event_duration(ev)
        multiplier = 1.0
        for tier in sorted(rule.duration_tiers if rule.duration_tiers is not None else self.duration_tiers,
                           key=lambda t: t.over_s):
            if duration > tier.over_s:
                multiplier = tier.multiplier
        site = self.sites.get(ev.hall_id, SitePolicy())
        return round(rule.deduction * multiplier * site.weight * site.rule_weights.get(ev.rule_id, 1.0), 4)


def load_policy(path: Path = DEFAULT_POLICY) -> ScoringPolicy:
    """Read and validate a scoring policy; ConfigError names the file, the field and the fix."""
    return load_yaml_model(path, ScoringPolicy, ConfigError, "scoring policy")


@cache
def default_policy() -> ScoringPolicy:
    return load_policy(DEFAULT_POLICY)


def event_duration(ev: EventRow) -> float:
    """Seconds the incident lasted: end − start once ended, else the edge's measured duration_s."""
    if ev.end_time is not None:
        return max(0.0, ev.end_time - ev.start_time)
    measured = ev.evidence.get("duration_s") if isinstance(ev.evidence, dict) else None
    if isinstance(measured, int | float) and math.isfinite(measured):
        return max(0.0, float(measured))
    return 0.0


def day_bounds(day: date, tz: ZoneInfo) -> tuple[float, float]:
    """[start, end) of a calendar day in a timezone, as unix seconds."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.timestamp(), end.timestamp()


@dataclass(slots=True)
class ScoreLine:
    category: str
    rule_id: str
    count: int
    raw_deduction: float  # before the category cap
    deduction: float  # after the cap
    event_ids: list[str]


@dataclass(slots=True)
class Compliance:
    passed: int = 0
    violated: int = 0

    @property
    def rate(self) -> float | None:
        total = self.passed + self.violated
        return None if total == 0 else round(self.passed / total, 4)


@dataclass(slots=True)
class SubjectScore:
    kind: str  # counter / staff
    subject_id: str
    score: float
    deductions_by_category: dict[str, float]
    lines: list[ScoreLine]
    greet: Compliance
    bow: Compliance
    dismissed_event_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["greet"]["rate"] = self.greet.rate
        d["bow"]["rate"] = self.bow.rate
        return d


@dataclass(slots=True)
class DayScores:
    hall_id: str
    day: str
    timezone: str
    policy_version: str
    counters: list[SubjectScore]
    staff: list[SubjectScore]
    unassigned_event_ids: list[str]  # scored for the counter, but no roster span covers them

    def to_dict(self) -> dict[str, Any]:
        return {
            "hall_id": self.hall_id, "day": self.day, "timezone": self.timezone,
            "policy_version": self.policy_version,
            "counters": [s.to_dict() for s in self.counters], "staff": [s.to_dict() for s in self.staff],
            "unassigned_event_ids": self.unassigned_event_ids,
        }


def score_subject(kind: str, subject_id: str, events: list[EventRow], policy: ScoringPolicy) -> SubjectScore:
    """One subject's day: deductions in event order with per-category caps, and compliance counts."""
    used: dict[str, float] = defaultdict(float)
    lines: dict[tuple[str, str], ScoreLine] = {}
    greet, bow, dismissed = Compliance(), Compliance(), []
    for ev in sorted(events, key=lambda e: (e.start_time, e.id)):
        if ev.status == "dismissed":
            dismissed.append(ev.id)
            continue
        for name, tally in (("greet", greet), ("bow", bow)):
            if ev.rule_id == COMPLIANCE_RULES[name]:
                if ev.outcome == "pass":
                    tally.passed += 1
                elif ev.outcome == "violation":
                    tally.violated += 1
        if ev.outcome != "violation":
            continue
        rule = policy.rules.get(ev.rule_id)
        category = rule.category if rule else ev.category
        raw = policy.event_deduction(ev)
        cap = policy.category_caps.get(category, math.inf)
        applied = round(max(0.0, min(raw, cap - used[category])), 4)
        used[category] = round(used[category] + applied, 4)
        line = lines.setdefault((category, ev.rule_id), ScoreLine(category, ev.rule_id, 0, 0.0, 0.0, []))
        line.count += 1
        line.raw_deduction = round(line.raw_deduction + raw, 4)
        line.deduction = round(line.deduction + applied, 4)
        line.event_ids.append(ev.id)
    total = sum(used.values())
    return SubjectScore(
        kind=kind, subject_id=subject_id, score=round(max(0.0, policy.base - total), 2),
        deductions_by_category={c: used[c] for c in CATEGORIES if used.get(c)},
        lines=[lines[k] for k in sorted(lines)], greet=greet, bow=bow, dismissed_event_ids=dismissed,
    )


def staff_for(ev: EventRow, spans: list[dict[str, Any]]) -> str | None:
    """The roster span at the event's counter that covers its start (the latest-starting one wins)."""
    best = None
    for s in spans:
        if (s["counter_id"] == ev.counter_id and s["start_time"] <= ev.start_time
                and (s["end_time"] is None or s["end_time"] > ev.start_time)
                and (best is None or s["start_time"] > best["start_time"])):
            best = s
    return None if best is None else best["staff_id"]


def compute_day(store: Store, hall_id: str, day: date, policy: ScoringPolicy | None = None) -> DayScores:
    """All scores of one hall and day, computed from the stored events and roster."""
    policy = policy or default_policy()
    since, until = day_bounds(day, policy.tz)
    events = store.events(EventFilter(hall_id=hall_id, since=since, until=until, newest_first=False))
    spans = store.roster_spans(hall_id, since, until)
    by_counter: dict[str, list[EventRow]] = defaultdict(list)
    by_staff: dict[str, list[EventRow]] = defaultdict(list)
    unassigned = []
    for ev in events:
        by_counter[ev.counter_id].append(ev)
        staff = staff_for(ev, spans)
        if staff is None:
            if ev.outcome == "violation" and ev.status != "dismissed":
                unassigned.append(ev.id)
        else:
            by_staff[staff].append(ev)
    # Counters and staff on duty with no event at all score the full base.
    for s in spans:
        by_counter.setdefault(s["counter_id"], [])
        by_staff.setdefault(s["staff_id"], [])
    for row in store.counter_statuses(hall_id):
        by_counter.setdefault(row.counter_id, [])
    return DayScores(
        hall_id=hall_id, day=day.isoformat(), timezone=policy.timezone, policy_version=policy.version,
        counters=[score_subject("counter", c, by_counter[c], policy) for c in sorted(by_counter)],
        staff=[score_subject("staff", s, by_staff[s], policy) for s in sorted(by_staff)],
        unassigned_event_ids=unassigned,
    )


def save_day(store: Store, scores: DayScores, computed_at: float) -> None:
    """Keep a day's scores (for reports and trends); recompute_matches() checks them later."""
    store.save_scores(
        {"hall_id": scores.hall_id, "day": scores.day, "subject_kind": s.kind, "subject_id": s.subject_id,
         "policy_version": scores.policy_version, "score": s.score, "detail": s.to_dict(), "computed_at": computed_at}
        for s in scores.counters + scores.staff
    )


def recompute_differences(store: Store, hall_id: str, day: date, policy: ScoringPolicy | None = None) -> list[str]:
    """Recompute a saved day from the stored events; the subjects whose saved detail differs."""
    fresh = compute_day(store, hall_id, day, policy)
    fresh_by_key = {(s.kind, s.subject_id): s.to_dict() for s in fresh.counters + fresh.staff}
    diffs = []
    for row in store.saved_scores(hall_id, day.isoformat()):
        key = (row["subject_kind"], row["subject_id"])
        if row["policy_version"] != fresh.policy_version:
            diffs.append(f"{key[0]} {key[1]}: saved with policy {row['policy_version']}, now {fresh.policy_version}")
        elif fresh_by_key.get(key) != row["detail"]:
            diffs.append(f"{key[0]} {key[1]}: saved {row['score']}, recomputed "
                         f"{fresh_by_key[key]['score'] if key in fresh_by_key else 'nothing'}")
    return diffs
