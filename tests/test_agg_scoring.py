"""Scoring: deductions, duration tiers, caps, site weights, false-alarm removal, compliance rates,
per-staff scores through the roster, and recomputation reproducing saved scores (both backends)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from dashboards.config import ConfigError
from dashboards.ingest import Ingestor
from dashboards.roster import Span, import_spans
from dashboards.scoring import ScoringPolicy, compute_day, load_policy, recompute_differences, save_day
from dashboards.store import Store
from pipelines.events import Event

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 3, 3)
POLICY = {
    "version": "t1",
    "timezone": "Asia/Shanghai",
    "base": 100,
    "duration_tiers": [{"over_s": 300, "multiplier": 1.5}],
    "category_caps": {"工作纪律": 10},
    "sites": {"hall1": {"weight": 1.0, "rule_weights": {"drink.in_front": 0}}},
    "rules": {
        "phone.use": {"category": "工作纪律", "deduction": 3},
        "post.empty": {"category": "工作纪律", "deduction": 5, "duration_tiers": [{"over_s": 900, "multiplier": 2}]},
        "dress.badge": {"category": "仪容仪表", "deduction": 2},
        "drink.in_front": {"category": "工作纪律", "deduction": 1},
        "greet.raise_hand": {"category": "行为举止", "deduction": 1},
        "bow.angle": {"category": "行为举止", "deduction": 1},
    },
}


def at(hh: int, mm: int = 0, day: date = DAY) -> float:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).timestamp()


def ended(rule: str, start: float, duration: float, counter: str = "c05", outcome: str = "violation") -> Event:
    ev = Event.open(rule, counter, start, hall_id="hall1", outcome=outcome)
    return ev.next("end", end_time=start + duration)


@pytest.fixture
def policy() -> ScoringPolicy:
    return ScoringPolicy.model_validate(POLICY)


@pytest.fixture
def day_store(db_url: str):
    store = Store.open(db_url)
    evs = {
        "phone1": ended("phone.use", at(9), 60),  # 3
        "phone2": ended("phone.use", at(10), 400),  # 3 × 1.5 = 4.5
        "empty": ended("post.empty", at(11), 1000),  # 5 × 2 = 10, capped to 2.5 (工作纪律 cap 10)
        "badge": ended("dress.badge", at(12, 30), 10),  # 2
        "drink": ended("drink.in_front", at(13), 5),  # site weight 0
        "greet_v": ended("greet.raise_hand", at(14), 3),  # 1, and a missed greeting
        "bow_v": ended("bow.angle", at(15), 2),  # dismissed below
        "midnight": ended("phone.use", at(0, 30), 10, counter="c06"),  # 16:30 UTC the day before: still today
        "yesterday": ended("phone.use", at(23, 59, date(2025, 3, 2)), 10),  # another day
    }
    passes = [ended("greet.raise_hand", at(14, i), 2, outcome="pass") for i in range(1, 4)]
    passes.append(ended("bow.angle", at(15, 5), 2, outcome="pass"))
    passes.append(ended("smile", at(15, 6), 2, outcome="info"))
    Ingestor(store).handle_batch(
        [(f"counterwatch/hall1/{e.counter_id}/events", e.to_json().encode(), 0.0, None)
         for e in list(evs.values()) + passes])
    store.follow_up(evs["bow_v"].id, "dismiss", actor="mgr1", comment="false alarm")
    import_spans(store, [Span("hall1", "c05", "s-li", at(8), at(12)), Span("hall1", "c05", "s-wang", at(12), at(18))])
    yield store, evs
    store.close()


def by_id(subjects: list) -> dict:
    return {s.subject_id: s for s in subjects}


def test_counter_score_deductions_caps_and_compliance(day_store, policy: ScoringPolicy) -> None:
    store, evs = day_store
    result = compute_day(store, "hall1", DAY, policy)
    c05 = by_id(result.counters)["c05"]
    assert c05.deductions_by_category == {"工作纪律": 10.0, "仪容仪表": 2.0, "行为举止": 1.0}
    assert c05.score == 87.0
    lines = {(ln.rule_id): ln for ln in c05.lines}
    assert lines["phone.use"].event_ids == [evs["phone1"].id, evs["phone2"].id]
    assert (lines["phone.use"].raw_deduction, lines["phone.use"].deduction) == (7.5, 7.5)
    assert (lines["post.empty"].raw_deduction, lines["post.empty"].deduction) == (10.0, 2.5)
    assert lines["drink.in_front"].deduction == 0.0
    assert evs["yesterday"].id not in {i for ln in c05.lines for i in ln.event_ids}
    assert (c05.greet.passed, c05.greet.violated, c05.greet.rate) == (3, 1, 0.75)
    assert (c05.bow.passed, c05.bow.violated, c05.bow.rate) == (1, 0, 1.0)  # the dismissed miss is removed
    assert c05.dismissed_event_ids == [evs["bow_v"].id]
    assert by_id(result.counters)["c06"].score == 97.0  # the 00:30 local event belongs to this day


def test_staff_scores_come_from_the_roster(day_store, policy: ScoringPolicy) -> None:
    store, evs = day_store
    result = compute_day(store, "hall1", DAY, policy)
    staff = by_id(result.staff)
    assert set(staff) == {"s-li", "s-wang"}
    assert staff["s-li"].score == 90.0  # phone1 + phone2 + empty, capped at 10
    assert staff["s-wang"].score == 97.0  # badge 2 + missed greeting 1
    assert staff["s-wang"].greet.rate == 0.75
    assert evs["midnight"].id in result.unassigned_event_ids  # c06 has no roster span


def test_false_alarm_dismissal_restores_the_points(day_store, policy: ScoringPolicy) -> None:
    store, evs = day_store
    store.follow_up(evs["badge"].id, "dismiss", actor="mgr1")
    c05 = by_id(compute_day(store, "hall1", DAY, policy).counters)["c05"]
    assert c05.score == 89.0
    assert evs["badge"].id in c05.dismissed_event_ids
    assert all(evs["badge"].id not in ln.event_ids for ln in c05.lines)


def test_recomputation_reproduces_saved_scores(day_store, policy: ScoringPolicy) -> None:
    store, evs = day_store
    save_day(store, compute_day(store, "hall1", DAY, policy), computed_at=1.0)
    assert recompute_differences(store, "hall1", DAY, policy) == []
    saved = {(r["subject_kind"], r["subject_id"]): r for r in store.saved_scores("hall1", DAY.isoformat())}
    assert saved[("counter", "c05")]["score"] == 87.0
    store.follow_up(evs["phone1"].id, "dismiss", actor="mgr1")
    store.follow_up(evs["badge"].id, "dismiss", actor="mgr1")
    diffs = recompute_differences(store, "hall1", DAY, policy)
    assert any(d.startswith("counter c05: saved 87.0, recomputed 89.0") for d in diffs), diffs


def test_scores_command_prints_json(day_store, policy: ScoringPolicy, tmp_path: Path) -> None:
    from counterwatch.cli import app

    store, evs = day_store
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(POLICY, allow_unicode=True), encoding="utf-8")
    url = store.engine.url.render_as_string(hide_password=False)
    args = ["scores", "--hall", "hall1", "--day", "2025-03-03", "--db", url, "--policy", str(policy_file)]
    out = CliRunner().invoke(app, [*args, "--json", "--save"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    c05 = next(c for c in data["counters"] if c["subject_id"] == "c05")
    assert c05["score"] == 87.0 and c05["greet"]["rate"] == 0.75
    out = CliRunner().invoke(app, [*args, "--verify"])
    assert out.exit_code == 0 and "reproduced" in out.output
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0 and "s-wang" in table.output


def test_shipped_policy_loads_and_prices_every_catalogue_rule() -> None:
    policy = load_policy()
    assert policy.missing_rules() == []
    assert policy.timezone == "Asia/Shanghai"


@pytest.mark.parametrize("change, message", [
    ({"rules": {"phone.juggle": {"category": "工作纪律", "deduction": 1}}}, "rules.phone.juggle"),
    ({"rules": {"phone.use": {"category": "仪容仪表", "deduction": 1}}}, "differs from the catalogue"),
    ({"timezone": "Mars/Olympus"}, "unknown timezone"),
    ({"category_caps": {"纪律": 5}}, "unknown category"),
])
def test_policy_errors_name_the_field(tmp_path: Path, change: dict, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**POLICY, **change}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        load_policy(path)
    assert str(path) in str(err.value)
