"""chair.reset end to end without models: the desk stage's client-chair zone on a synthetic hall view, the rule on
replayed Observation streams (the context's client zone and queue calls), and the simulator's hall views."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from calibration.config import Camera, CounterConfig, Zones
from pipelines.messages import QueueCall
from pipelines.replay import replay
from tests.fixtures.desk import relight
from vision.desk_change import DeskChangeDetector
from vision.observation import Observation
from vision.results import Detection

W, H = 1280, 720
CHAIR = (120, 420, 320, 640)  # the chair's seat and back as drawn in its place (x1, y1, x2, y2)
CHAIR_ZONE = [(100, 400), (340, 400), (340, 660), (100, 660)]
CLIENT_ZONE = [(60, 250), (420, 250), (420, 700), (60, 700)]


def hall(chair_dx: int = 0, chair_dy: int = 0, seed: int = 0) -> np.ndarray:
    """Wall, floor with a faint texture, the counter top at the right, the client chair at the lower left."""
    rng = np.random.default_rng(seed)
    img = np.zeros((H, W, 3), np.uint8)
    img[:300] = (175, 182, 186)
    floor = cv2.GaussianBlur(rng.normal(0, 1, (H - 300, W)).astype(np.float32), (0, 0), 4)
    img[300:] = np.clip(np.array([128, 130, 132], np.float32) + 18 * floor[..., None], 0, 255)
    cv2.rectangle(img, (420, 320), (1280, 470), (70, 110, 150), -1)  # the counter's front and top
    x1, y1, x2, y2 = CHAIR
    x1, x2, y1, y2 = x1 + chair_dx, x2 + chair_dx, y1 + chair_dy, y2 + chair_dy
    cv2.rectangle(img, (x1, y1), (x2, y1 + 120), (54, 70, 90), -1)  # the back, toward the camera
    cv2.rectangle(img, (x1 + 10, y1 + 120), (x2 - 10, y1 + 150), (44, 58, 76), -1)  # the seat's front edge
    cv2.line(img, ((x1 + x2) // 2, y1 + 150), ((x1 + x2) // 2, y2), (80, 80, 80), 10)  # the pole
    return img


def counter(chair_zone: list | None = CHAIR_ZONE) -> CounterConfig:
    return CounterConfig(counter_id="c01", camera=Camera(width=W, height=H),
                         zones=Zones(post=[(700, 0), (1100, 0), (1100, 360), (700, 360)],
                                     desk=[(420, 320), (1280, 320), (1280, 470), (420, 470)],
                                     client=CLIENT_ZONE, client_chair=chair_zone))


def chair_reports(frames, cfg: CounterConfig | None = None, dt: float = 0.5) -> list[list[Detection]]:
    det = DeskChangeDetector(hall(), cfg or counter(), classifier=None)
    return [[d for d in det.process(f, t=i * dt) if d.label == "chair_out"] for i, f in enumerate(frames)]


def test_chair_in_its_place_is_not_reported_in_any_light():
    frames = [hall(), relight(hall(), 0.7, 0.3), relight(hall(), 1.3, 0.2, 0.06)]
    assert chair_reports(frames) == [[], [], []]


def test_chair_pushed_out_is_reported_with_the_zone_and_the_share_changed():
    out = chair_reports([hall()] * 2 + [hall(-150, 60)] * 3)
    assert out[:2] == [[], []]
    last = out[-1]
    assert len(last) == 1 and last[0].box == pytest.approx((100, 400, 340, 660))
    assert 0.3 < last[0].score <= 1.0


def test_chair_put_back_is_no_longer_reported():
    out = chair_reports([hall()] + [hall(-150, 60)] * 3 + [hall()] * 2)
    assert [bool(o) for o in out] == [False, True, True, True, False, False]


def test_a_chair_left_out_for_an_hour_is_not_learnt_into_the_reference():
    # the slow reference update (180 s) would take a changed look in after minutes; the chair's changed pixels are
    # kept out of it
    out = chair_reports([hall()] + [hall(-150, 60)] * 120, dt=30.0)
    assert all(out[1:])


def test_without_a_chair_zone_nothing_is_judged():
    assert chair_reports([hall(-150, 60)] * 3, counter(None)) == [[], [], []]


# --- the rule, on replayed streams (the context derives who is at the window) ---------------------------------

CLIENT = Detection(box=(120.0, 300.0, 330.0, 640.0), label="person", score=0.9, source="detector")


def stream(segments, fps: float = 1.0) -> list[Observation]:
    """segments: [(seconds, client at the window, chair out)]: the people stage runs every 2 s, the desk every frame."""
    out, t, i = [], 0.0, 0
    for seconds, client, out_of_place in segments:
        for _ in range(int(seconds * fps)):
            ran = ["desk"] + (["people"] if i % 2 == 0 else [])
            desk = [Detection(box=(100.0, 400.0, 340.0, 660.0), label="chair_out", score=0.45, source="change")] \
                if out_of_place else []
            out.append(Observation(counter_id="c01", frame_index=i, t=t, image_size=(W, H), ran=ran,
                                   people=[CLIENT] if client and "people" in ran else [], desk_objects=desk))
            t += 1.0 / fps
            i += 1
    return out


def chair_events(segments, calls=(), cfg: CounterConfig | None = None):
    return [e for e in replay(stream(segments), cfg or counter(), calls, only=["chair.reset"])]


def test_chair_left_out_after_the_client_left_is_one_incident():
    evs = chair_events([(60, True, True), (90, False, True), (10, False, False)])
    assert [e.type for e in evs if e.type != "update"] == ["new", "end"]
    new = evs[0]
    assert new.rule_id == "chair.reset" and new.clause == "000 一(三)3"
    assert new.clip_start == pytest.approx(60, abs=2.5)  # from when the client was last seen gone, not before
    assert new.evidence["box"] == [100.0, 400.0, 340.0, 660.0]


def test_chair_put_back_within_the_limit_raises_nothing():
    assert chair_events([(60, True, True), (20, False, True), (60, False, False)]) == []


def test_client_on_the_chair_is_never_an_incident():
    assert chair_events([(300, True, True)]) == []


def test_a_queue_call_does_not_hold_the_client_after_they_left():
    # the context's client_present holds for 180 s after a call; the chair is judged from the client zone
    evs = chair_events([(20, True, True), (90, False, True)], calls=[QueueCall("c01", "A001", 0.0)])
    assert [e.type for e in evs if e.type != "update"] == ["new", "end"]


def test_without_a_client_zone_the_calls_stand_for_the_client():
    cfg = counter().model_copy(update={"zones": counter().zones.model_copy(update={"client": None})})
    segs = [(20, True, True), (90, False, True)]
    assert chair_events(segs, calls=[QueueCall("c01", "A001", 0.0)], cfg=cfg) == []
    assert [e.type for e in chair_events(segs, cfg=cfg) if e.type != "update"] == ["new", "end"]


def test_the_clerk_lying_on_the_desk_pauses_the_desk_item_rules_but_not_the_chair():
    # the clerk's arms and head on the desk are read as objects there; the client chair stands elsewhere
    from types import SimpleNamespace

    from pipelines.rules.chair_reset import ChairNotReset
    from pipelines.rules.desk_personal import PersonalItems

    obs = stream([(1, False, True)])[0]
    on_desk = SimpleNamespace(values={"clerk_on_desk": True})
    chair, items = (cls(counter(), cls.Params()) for cls in (ChairNotReset, PersonalItems))
    assert chair.judged(obs, on_desk) and not items.judged(obs, on_desk)
    assert items.judged(obs, SimpleNamespace(values={}))


# --- the simulator: which views see the chair ---------------------------------------------------------------------

def test_only_hall_views_get_a_chair_zone_and_the_chair_clips_render_from_them():
    from simulator.clip import camera_for, suggested_counter
    from simulator.suite import HALL_BACK_M, HALL_RISE_M, SPLITS, jobs

    assert suggested_counter(camera_for(None, height_m=1.35, distance_m=1.5))["zones"]["client_chair"] is None
    zone = suggested_counter(camera_for(None, height_m=2.45, distance_m=3.5))["zones"]["client_chair"]
    assert zone is not None and len(zone) >= 4
    for split, (_, views) in SPLITS.items():
        hall_views = {(j.height_m, j.distance_m, j.yaw_deg) for j in jobs(["chair_left_out"], split)}
        assert hall_views == {(round(h + HALL_RISE_M, 2), round(d + HALL_BACK_M, 2), y) for h, d, y in views}
        for h, d, y in hall_views:  # every hall view sees the whole chair in its place
            assert suggested_counter(camera_for(None, height_m=h, distance_m=d, yaw_deg=y))["zones"]["client_chair"]
    assert {(j.height_m, j.distance_m) for j in jobs(["upright_idle"], "tune")} == {(h, d) for h, d, _ in
                                                                                 SPLITS["tune"][1]}


def test_the_hall_camera_runs_chair_reset_alone_and_is_scored_on_it_alone(tmp_path):
    """A hall camera is set up for the chair (counter.yaml disables the rest); the eval does not score it on the rules
    it does not run (the greeting the chair clips' queue call labels)."""
    from calibration.config import CounterConfig
    from pipelines.catalogue import catalogue
    from pipelines.evaluate import Interval, Labels, for_enabled_rules
    from simulator.suite import SuiteSettings, _options, jobs

    hall_job = jobs(["chair_put_back"], "heldout")[0]
    assert _options(hall_job, SuiteSettings()).only_rules == ("chair.reset",)
    assert _options(jobs(["greet_missed"], "heldout")[0], SuiteSettings()).only_rules is None
    hall = CounterConfig(counter_id="h", disabled_rules=[r for r in catalogue() if r != "chair.reset"])
    labels = Labels([Interval("chair.reset", 3.0, 10.0), Interval("greet.raise_hand", 0.0, 4.0),
                     Interval("greet.raise_hand:pass", 0.0, 4.0)], [])
    assert [x.rule for x in for_enabled_rules(labels, hall).intervals] == ["chair.reset"]
    assert for_enabled_rules(labels, CounterConfig(counter_id="c")) is labels


def test_a_chair_only_desk_stage_judges_the_chair_and_nothing_on_the_desk():
    """A hall camera runs chair.reset alone: the stage builds no classifier and reports no desk item, the chair the
    same as the full stage does."""
    frame = hall(-150, 60)
    cv2.rectangle(frame, (700, 360), (820, 440), (30, 30, 200), -1)  # an item on the counter top
    full = DeskChangeDetector(hall(), counter(), classifier=None)
    chair_only = DeskChangeDetector(hall(), counter(), classifier=lambda crop: [], items=False)
    assert chair_only.classifier is None
    for i in range(8):
        a, b = full.process(frame, t=i * 0.5), chair_only.process(frame, t=i * 0.5)
    assert {d.label for d in a} == {"chair_out", "unknown object"}
    assert [(d.label, d.box) for d in b] == [(d.label, d.box) for d in a if d.label == "chair_out"]


def test_the_pipeline_builds_the_chair_only_stage_when_no_rule_reads_the_desk_items(tmp_path):
    from pipelines.catalogue import catalogue
    from pipelines.pipeline import CounterPipelineImpl

    cv2.imwrite(str(tmp_path / "ref.png"), hall())
    others = [r for r in catalogue() if r != "chair.reset"]
    cfg = counter().model_copy(update={"reference_image": str(tmp_path / "ref.png"), "disabled_rules": others})
    pipe = CounterPipelineImpl(cfg, wall_clock=False, perception=False)
    assert pipe.needs == {"chair", "people"}
    assert pipe._desk_detector().items is False
    both = CounterPipelineImpl(counter().model_copy(update={"reference_image": str(tmp_path / "ref.png")}),
                               wall_clock=False, perception=False)
    assert {"desk", "chair"} <= both.needs and both._desk_detector().items is True
