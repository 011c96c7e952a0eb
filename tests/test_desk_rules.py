"""The desk rules on recorded-style Observation streams (desk_objects as the desk detector reports them)."""

from __future__ import annotations

from datetime import datetime

import pytest

from calibration.config import default_counter
from pipelines.engine import CHINA, Engine
from vision.observation import Observation
from vision.results import Detection, Landmark, PoseResult

CLERK = PoseResult(landmarks=[Landmark(640.0, 300.0, 0.0, 0.9) for _ in range(33)])


def obj(label: str, box=(600.0, 560.0, 700.0, 640.0), score: float = 0.8) -> Detection:
    return Detection(box=box, label=label, score=score, source="change")


def run(rule_id, segments, counter=None, fps=1.0, wall0=None, ran=("pose", "desk")):
    """segments: [(seconds, desk_objects, clerk_present)] played back at `fps`."""
    counter = counter or default_counter(counter_id="c01")
    eng = Engine(counter, only=[rule_id])
    events, t, i = [], 0.0, 0
    for seconds, objects, clerk in segments:
        for _ in range(int(seconds * fps)):
            obs = Observation(counter_id="c01", frame_index=i, t=t, wall_time=None if wall0 is None else wall0 + t,
                              image_size=(1280, 720), ran=list(ran), pose=CLERK if clerk else None,
                              desk_objects=list(objects))
            events += eng.step(obs)
            t += 1.0 / fps
            i += 1
    return events + eng.finish()


def kinds(events):
    return [e.type for e in events if e.type != "update"]


def test_bag_all_morning_is_one_event_with_updates():
    evs = run("desk.personal_items", [(10, [], True), (3 * 3600, [obj("handbag")], True), (30, [], True)], fps=0.2)
    assert kinds(evs) == ["new", "end"] and len({e.id for e in evs}) == 1
    updates = [e for e in evs if e.type == "update"]
    assert 30 <= len(updates) <= 40  # every 300 s over three hours, never per frame
    assert evs[0].evidence["items"] == ["handbag"] and evs[0].clip_start == pytest.approx(10, abs=5)
    assert evs[-1].evidence["duration_s"] == pytest.approx(3 * 3600, abs=10)


def test_water_cup_follows_the_site_exception():
    segments = [(120, [obj("cup")], True)]
    allowed = default_counter(counter_id="c01")
    assert run("desk.personal_items", segments, allowed) == []
    strict = default_counter(counter_id="c01")
    strict.exceptions.water_cup_allowed = False
    evs = run("desk.personal_items", segments, strict)
    assert kinds(evs) == ["new", "end"] and evs[0].evidence["items"] == ["cup"]


def test_short_glimpses_and_unknown_frames_raise_nothing():
    assert run("desk.personal_items", [(8, [obj("umbrella")], True), (60, [], True)]) == []
    assert run("phone.on_desk", [(120, [obj("cell phone")], True)], ran=("pose",)) == []  # desk stage not run


def test_phone_on_desk():
    evs = run("phone.on_desk", [(5, [], True), (40, [obj("cell phone")], True), (20, [], True)])
    assert kinds(evs) == ["new", "end"] and evs[0].rule_id == "phone.on_desk"
    assert evs[-1].evidence["duration_s"] == pytest.approx(39, abs=1.5)


def test_unattended_needs_nobody_present_for_the_whole_wait():
    item = [obj("backpack")]
    assert run("item.unattended", [(300, item, True)]) == []  # the clerk sits beside it
    assert run("item.unattended", [(50, item, False), (30, item, True), (50, item, False)]) == []
    evs = run("item.unattended", [(20, item, True), (90, item, False), (30, item, True)])
    assert kinds(evs) == ["new", "end"] and evs[0].severity == "major"
    assert evs[0].clip_start == pytest.approx(20, abs=1)


def test_unattended_counts_a_client_standing_in_the_client_zone():
    counter = default_counter(counter_id="c01")
    counter.zones.client = [(0.0, 600.0), (1280.0, 600.0), (1280.0, 720.0), (0.0, 720.0)]
    eng = Engine(counter, only=["item.unattended"])
    evs = []
    for i in range(120):
        obs = Observation(counter_id="c01", frame_index=i, t=float(i), ran=["pose", "desk", "people"],
                          desk_objects=[obj("unknown object")],
                          people=[Detection((500.0, 550.0, 700.0, 720.0), "person", 0.9, "ssd")])
        evs += eng.step(obs)
    assert evs == []


def test_papers_left_when_leaving_the_post():
    evs = run("post.leave_secure", [(10, [obj("papers")], True), (60, [obj("papers")], False), (10, [], False)])
    assert kinds(evs) == ["new", "end"] and evs[0].evidence["items"] == ["papers"]
    assert run("post.leave_secure", [(10, [obj("papers")], True), (60, [], False)]) == []
    # the same papers are not also an unattended item: one incident, one rule
    assert run("item.unattended", [(10, [obj("papers")], True), (120, [obj("papers")], False)]) == []


def test_slot_missing_and_moved():
    missing = run("desk.allowed_items", [(60, [obj("slot_missing:pen_holder")], True), (20, [], True)])
    assert kinds(missing) == ["new", "end"] and missing[0].evidence["slot"] == "pen_holder"
    assert run("desk.allowed_items", [(15, [obj("slot_missing:barcode_gun")], True), (60, [], True)]) == []
    moved = run("desk.displaced", [(60, [obj("slot_moved:monitor")], True)])
    assert kinds(moved) == ["new", "end"] and moved[0].evidence["slot"] == "monitor"
    assert run("desk.displaced", [(60, [obj("slot_missing:monitor")], True)]) == []


def _after_close(hour=17, minute=20) -> float:
    return datetime(2026, 3, 2, hour, minute, tzinfo=CHINA).timestamp()  # a Monday


def test_end_of_day_check_fails_with_items_and_passes_when_clear():
    bad = run("desk.end_of_day", [(120, [obj("papers")], False)], wall0=_after_close())
    assert kinds(bad) == ["new", "end"] and bad[0].outcome == "violation" and bad[0].evidence["items"] == ["papers"]
    good = run("desk.end_of_day", [(120, [obj("slot_missing:scanner")], False)], wall0=_after_close())
    assert [e.outcome for e in good] == ["pass", "pass"]
    assert run("desk.end_of_day", [(120, [obj("papers")], True)], wall0=_after_close(10, 0)) == []  # in hours


def test_end_of_day_runs_once_per_day():
    evs = run("desk.end_of_day", [(600, [obj("unknown object")], False)], wall0=_after_close(), fps=0.5)
    assert len({e.id for e in evs}) == 1


def test_clutter_score_over_time():
    many = [obj("papers", (100.0 * k, 500.0, 100.0 * k + 90, 600.0)) for k in range(8)]
    evs = run("desk.clutter", [(60, [], True), (300, many, True), (200, [], True)])
    assert kinds(evs) == ["new", "end"]
    assert evs[0].evidence["score"] > 0.12 and evs[0].evidence["items"] == 8
    assert run("desk.clutter", [(600, many[:1], True)]) == []  # one item is not clutter
    # a personal item is desk.personal_items' alone: it adds nothing to the clutter score
    bags = [obj("handbag", (100.0 * k, 500.0, 100.0 * k + 90, 600.0)) for k in range(8)]
    assert run("desk.clutter", [(600, bags, True)]) == []


ALL_DESK = ["desk.personal_items", "phone.on_desk", "item.unattended", "post.leave_secure", "desk.clutter"]


def run_all(segments, wall0=None):
    """Every desk rule on the same stream: which rule ids raised a violation incident."""
    return sorted({e.rule_id for r in ALL_DESK for e in run(r, segments, wall0=wall0) if e.type == "new"})


def test_one_object_raises_one_rule():
    bag, papers, phone = obj("handbag"), obj("papers"), obj("cell phone")
    assert run_all([(200, [bag], True)]) == ["desk.personal_items"]
    assert run_all([(200, [phone], True)]) == ["phone.on_desk"]  # a phone is not also a personal item
    assert run_all([(200, [bag], False)]) == ["item.unattended"]  # clerk away: unattended, not personal
    assert run_all([(200, [papers], False)]) == ["post.leave_secure"]
    assert run_all([(200, [papers], True)]) == []  # papers on a staffed desk are work


def test_after_hours_the_desk_is_end_of_day_alone():
    left = [obj("papers"), obj("handbag", (100.0, 500.0, 300.0, 700.0))]
    assert run_all([(300, left, False)], wall0=_after_close()) == []
    assert run_all([(300, left, False)], wall0=_after_close(10, 0)) == ["item.unattended", "post.leave_secure"]
    assert run("desk.allowed_items", [(120, [obj("slot_missing:scanner")], False)], wall0=_after_close()) == []


def test_two_unnamed_items_in_two_places_are_two_personal_incidents():
    a, b = obj("unknown object", (100.0, 500.0, 200.0, 600.0)), obj("box", (800.0, 500.0, 950.0, 640.0))
    evs = run("desk.personal_items", [(5, [a], True), (60, [a, b], True), (20, [], True)])
    assert kinds(evs) == ["new", "new", "end", "end"] and len({e.id for e in evs}) == 2
    # the same item whose box shrinks while a hand cuts it stays one incident
    cut = obj("unknown object", (100.0, 540.0, 160.0, 600.0))
    assert kinds(run("desk.personal_items", [(30, [a], True), (30, [cut], True), (30, [a], True)])) == ["new", "end"]


def test_eval_compresses_the_desk_cadence_and_durations_with_the_clip():
    from pipelines.evaluate import compressed, desk_cadence
    from pipelines.pipeline import PipelineSettings

    shipped = PipelineSettings()
    assert desk_cadence(shipped, 1.0).desk_every == shipped.desk_every == 25  # real-time clips as shipped
    assert desk_cadence(shipped, 10.0).desk_every == 2 and desk_cadence(shipped, 60.0).desk_every == 1
    cfg, _ = compressed(default_counter(counter_id="c01"), shipped, 60.0)
    assert cfg.rules["item.unattended"]["min_duration"] == pytest.approx(1.0)  # 60 s of real time
    assert cfg.rules["desk.clutter"]["smooth_s"] == pytest.approx(0.5)
