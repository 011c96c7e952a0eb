"""The per-counter pipeline with fake perception (stage gating, status, outage), replay determinism,
the evaluation's matching, and the analyze/replay/eval commands' bad-input errors."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from typer.testing import CliRunner

from calibration.config import default_counter
from counterwatch.cli import app
from pipelines.engine import CHINA
from pipelines.evaluate import Incident, Interval, match
from pipelines.messages import QueueCall
from pipelines.pipeline import make_pipeline
from tests.fixtures.rules import BEHAVIOUR_RULES, clerk, face, frame, hand_to, run_rules, seconds, stream

runner = CliRunner()


class FakePose:
    def __init__(self) -> None:
        self.pose = clerk()
        self.calls = 0

    def process(self, frame, roi=None, *, rgb=False):
        self.calls += 1
        return self.pose


class FakeStage:
    def __init__(self, result) -> None:
        self.result, self.calls = result, 0

    def process(self, frame, roi=None, *, rgb=False):
        self.calls += 1
        return self.result

    def detect(self, frame, roi=None, min_score=0.3, *, rgb=False):
        self.calls += 1
        return self.result


def _pipeline():
    models = {"pose": FakePose(), "face": FakeStage(None), "hands": FakeStage([]), "detector": FakeStage([])}
    cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": [
        r for r in ("greet.raise_hand", "guide.gesture", "point.one_finger", "handover.two_hands",
                    "bow.angle", "stand.for_visitor")]})
    return make_pipeline(cfg, shared_models=models), models


def _frames(n: int, moving: bool = True, size: tuple[int, int] = (72, 128)):
    rng = np.random.default_rng(0)
    for _ in range(n):
        yield rng.integers(0, 255, (*size, 3), dtype=np.uint8) if moving else np.zeros((*size, 3), np.uint8)


def test_perception_runs_only_as_often_as_needed():
    pipe, m = _pipeline()  # a typing clerk: forearms down on the desk, hands apart
    t0 = 1_764_000_000.0
    for i, f in enumerate(_frames(50)):
        obs, events, _ = pipe.process(f, t0 + i * 0.1)
    assert m["pose"].calls == 50  # every analysed frame
    # dozing and gaze are armed and no etiquette rule: every 0.35 s while the head holds still (t = 0, 0.4, ...)
    assert m["face"].calls == 13
    assert "face" in obs.ran and "face" in obs.extra["carried"]  # ... and carried in between
    assert m["hands"].calls == 5  # no hand near the face, raised or together: the 1-s idle rate
    assert m["detector"].calls == 5  # only the person detector, every 10th frame: nothing held, no crop
    assert obs.t == pytest.approx(4.9) and obs.wall_time == pytest.approx(t0 + 4.9)
    assert set(obs.timings_ms) >= {"motion", "pose"}
    m["pose"].pose = clerk(hand_to("right", 600, 270))  # a hand at the face: hands every frame, objects every 3rd
    for i, f in enumerate(_frames(30, size=(720, 1280))):  # full size: the crops fit in the frame
        obs, events, _ = pipe.process(f, t0 + 5 + i * 0.1)
    assert m["hands"].calls == 5 + 30
    assert m["detector"].calls == 5 + 3 + 10 * 2  # people; the hands+face crop and the right hand's crop


def test_a_raised_or_moving_arm_wakes_the_hands_for_the_gesture_rules():
    models = {"pose": FakePose(), "face": FakeStage(None), "hands": FakeStage([]), "detector": FakeStage([])}
    pipe = make_pipeline(default_counter(1280, 720, counter_id="c1"), shared_models=models)
    for i, f in enumerate(_frames(20)):  # at rest on the desk: the idle rate
        pipe.process(f, 10.0 + i * 0.1)
    assert models["hands"].calls == 2
    models["pose"].pose = clerk({16: (470, 480)})  # the right wrist out to the side, above its elbow
    for i, f in enumerate(_frames(10)):
        obs, _, _ = pipe.process(f, 12.0 + i * 0.1)
    assert models["hands"].calls == 2 + 10 and "hands" in obs.ran


def test_face_runs_every_frame_while_the_head_moves_or_an_etiquette_rule_reads_its_pitch():
    pipe, m = _pipeline()
    for i, f in enumerate(_frames(10)):  # a nod: the nose moves 12 px (0.06 shoulder widths) per frame
        m["pose"].pose = clerk(shift=(0.0, 12.0 * i))
        pipe.process(f, 10.0 + i * 0.1)
    assert m["face"].calls == 10
    models = {"pose": FakePose(), "face": FakeStage(None), "hands": FakeStage([]), "detector": FakeStage([])}
    pipe = make_pipeline(default_counter(1280, 720, counter_id="c1"), shared_models=models)  # bow.angle armed
    for i, f in enumerate(_frames(10)):  # a still head
        obs, _, _ = pipe.process(f, 10.0 + i * 0.1)
    assert models["face"].calls == 10 and "carried" not in obs.extra


def test_face_runs_at_a_lower_rate_without_face_rules():
    models = {"pose": FakePose(), "face": FakeStage(None), "hands": FakeStage([]), "detector": FakeStage([])}
    cfg = default_counter(1280, 720, counter_id="c1")
    pipe = make_pipeline(cfg.model_copy(update={"disabled_rules": ["posture.dozing", "gaze.away"]}), models=models)
    for i, f in enumerate(_frames(50)):
        pipe.process(f, 1000 + i * 0.1)
    assert models["face"].calls == 10


def test_motion_gate_carries_heavy_stages_on_a_still_frame():
    pipe, m = _pipeline()
    for i, f in enumerate(_frames(20, moving=False)):
        obs, _, _ = pipe.process(f, 100.0 + i * 0.1)
    # the first frame and 2 settling still frames run, then results are carried, with one fresh run after
    # 10 carried frames (frame 12); the face (no etiquette rule armed, the head still) runs at most every
    # 0.35 s anyway, so only on frames 0 and 12
    assert m["pose"].calls == 4 and m["face"].calls == 2 and obs.pose is not None
    assert obs.extra["carried"][:2] == ["pose", "face"] and "pose" in obs.ran


def test_status_changes_and_camera_outage_is_camera_offline_never_empty():
    pipe, m = _pipeline()
    statuses = []
    monday_10am = datetime(2025, 11, 24, 10, 0, tzinfo=CHINA).timestamp()
    for i, f in enumerate(_frames(30)):
        statuses.append(pipe.process(f, monday_10am + i * 0.2)[2])
    assert statuses[0] is not None and statuses[0].state == "idle"
    m["pose"].pose = None  # the clerk leaves (and no person box)
    for i, f in enumerate(_frames(300)):
        _, evs, st = pipe.process(f, monday_10am + 6 + i * 0.5)
        statuses.append(st)
    states = [s.state for s in statuses if s is not None]
    assert states == ["idle", "empty"]
    obs, evs, st = pipe.camera_lost(monday_10am + 200)
    assert st is not None and st.state == "camera_offline" and not obs.camera_ok
    for i in range(100):
        _, evs, _ = pipe.camera_lost(monday_10am + 201 + i)
        assert all(e.rule_id != "post.empty" or e.type != "new" for e in evs)
    assert [e.type for e in pipe.finish() if e.rule_id == "post.empty"] == ["end"]


def test_live_queue_calls_move_onto_the_stream_clock():
    pipe, _ = _pipeline()
    pipe.process(np.zeros((72, 128, 3), np.uint8), 1000.0)
    pipe.on_queue_call(QueueCall("c1", "A001", 1005.0))
    assert pipe.engine.ctx.calls[0].time == 5.0


def test_replay_is_deterministic():
    obs = stream(seconds(frame(), 5) + seconds(frame(pose=clerk(hand_to("left", 650, 345) | {13: (700, 480)})), 20))
    a = [(e.rule_id, e.type, e.clip_start, e.clip_end, e.evidence) for e in run_rules(obs, BEHAVIOUR_RULES)]
    b = [(e.rule_id, e.type, e.clip_start, e.clip_end, e.evidence) for e in run_rules(obs, BEHAVIOUR_RULES)]
    assert a == b and a


def test_matching_is_one_to_one_so_a_split_incident_costs_precision():
    labels = [Interval("phone.use", 2.0, 10.0)]
    split = [Incident("phone.use", 2.5, 5.0, 3.0), Incident("phone.use", 6.0, 10.0, 7.0)]
    pairs = match(split, labels, tolerance_s=1.0)
    assert len(pairs) == 1 and pairs[0][0].start == 6.0  # the larger overlap wins
    assert match([Incident("phone.use", 12.0, 14.0, 12.0)], labels, 1.0) == []
    assert len(match([Incident("phone.use", 10.5, 14.0, 12.0)], labels, 1.0)) == 1  # within the tolerance


# ---- bad input: clear errors, exit code != 0, nothing half-written ----------------------------

def test_undecodable_clip(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x01 not a video" * 100)
    rec = tmp_path / "obs.jsonl"
    res = runner.invoke(app, ["analyze", str(bad), "--record", str(rec)])
    assert res.exit_code == 2
    assert "broken.mp4" in res.output and "cannot be decoded" in res.output and "Fix:" in res.output
    assert list(tmp_path.iterdir()) == [bad]


def test_unknown_rule_and_bad_parameter_in_counter_config(tmp_path):
    obs = tmp_path / "obs.jsonl"
    obs.write_text("".join(o.to_json() + "\n" for o in stream(seconds(frame(), 1))))
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("counter_id: c1\nrules:\n  phone.usage: {min_duration: 3}\n")
    res = runner.invoke(app, ["replay", str(obs), "--counter", str(unknown)])
    assert res.exit_code == 2 and "unknown.yaml" in res.output and "phone.usage" in res.output
    badp = tmp_path / "badparam.yaml"
    badp.write_text("counter_id: c1\nrules:\n  post.empty: {paused_limit_s: -5}\n")
    res = runner.invoke(app, ["replay", str(obs), "--counter", str(badp)])
    assert res.exit_code == 2
    assert "badparam.yaml" in res.output and "rules.post.empty.paused_limit_s" in res.output and "Fix:" in res.output
    typo = tmp_path / "typo.yaml"
    typo.write_text("counter_id: c1\nrules:\n  post.empty: {pause_limit: 600}\n")
    res = runner.invoke(app, ["replay", str(obs), "--counter", str(typo)])
    assert res.exit_code == 2 and "pause_limit" in res.output and "paused_limit_s" in res.output


def test_observation_line_that_does_not_parse(tmp_path):
    obs = tmp_path / "obs.jsonl"
    lines = [o.to_json() for o in stream(seconds(frame(), 1))]
    lines[3] = lines[3].replace('"t":', '"t":"soon","x":', 1)
    obs.write_text("\n".join(lines) + "\n")
    res = runner.invoke(app, ["replay", str(obs)])
    assert res.exit_code == 2 and "obs.jsonl:4" in res.output and "field 't'" in res.output and "Fix:" in res.output


def test_bad_calls_file(tmp_path):
    obs = tmp_path / "obs.jsonl"
    obs.write_text("".join(o.to_json() + "\n" for o in stream(seconds(frame(), 1))))
    calls = tmp_path / "calls.jsonl"
    calls.write_text('{"counter_id": "c1", "ticket": "A1", "time": 1.0}\n{"counter_id": "c1", "ticket": "A2"}\n')
    res = runner.invoke(app, ["replay", str(obs), "--calls", str(calls)])
    assert res.exit_code == 2 and "calls.jsonl:2" in res.output and "time" in res.output


def test_replay_json_prints_only_json(tmp_path):
    obs = tmp_path / "obs.jsonl"
    away = frame(pose=None, face_=None)
    obs.write_text("".join(o.to_json() + "\n" for o in stream(seconds(frame(), 2) + seconds(away, 70))))
    res = runner.invoke(app, ["replay", str(obs), "--json"], catch_exceptions=False)
    assert res.exit_code == 0
    payload = json.loads(res.stdout)
    rules = {e["rule_id"] for e in payload["events"]}
    assert "post.empty" in rules and payload["frames"] == 360


def test_eval_on_a_missing_suite(tmp_path):
    res = runner.invoke(app, ["eval", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "nope" in res.output and "counterwatch sim suite" in res.output


class RoiDetector:
    """Records the crops it is asked about; finds the same phone in every crop that contains it."""

    def __init__(self, phone_box, score: float = 0.6, label: str = "cell phone") -> None:
        self.rois: list = []
        self.phone_box, self.score, self.label = phone_box, score, label

    def detect(self, frame, roi=None, min_score=0.3, *, rgb=False):
        from vision.results import Detection

        self.rois.append(roi)
        x1, y1, x2, y2 = self.phone_box
        if roi is None or not (roi[0] <= x1 and roi[1] <= y1 and x2 <= roi[2] and y2 <= roi[3]):
            return []
        if self.score < min_score:
            return []
        return [Detection(box=self.phone_box, label=self.label, score=self.score, source="fake")]


def test_detector_runs_on_a_tight_crop_per_hand_and_merges_repeated_finds():
    det = RoiDetector(phone_box=(595.0, 575.0, 625.0, 605.0))  # a small phone in the right hand
    pose = FakePose()
    pose.pose = clerk({13: (760, 600), 14: (520, 600)})  # both forearms raised: hands held up in front
    models = {"pose": pose, "face": FakeStage(face(pitch=25.0)), "hands": FakeStage([]), "detector": det}
    cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
    pipe = make_pipeline(cfg, shared_models=models)
    rng = np.random.default_rng(1)
    obs, _, _ = pipe.process(rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8), 100.0)
    crops = [r for r in det.rois if r is not None]  # None = the full-frame person detector
    assert len(crops) == 5  # both hands + face, one crop per hand, then phone.use's look per hand held up
    sides = sorted(round(r[2] - r[0]) for r in crops[:3])
    assert sides[:2] == [200, 200] and sides[2] > 300  # 1 shoulder width (200 px) per hand, then the big one
    assert [round(r[2] - r[0]) for r in crops[3:]] == [400, 400]  # 2 shoulder widths
    assert [d.label for d in obs.detections] == ["cell phone"]  # found in several crops, reported once
    assert "detector" in obs.ran


def _held_up_looking_down(det, nose=(640, 270)):
    pose = FakePose()
    pose.pose = clerk({13: (760, 600), 14: (520, 600), 0: nose})  # both forearms raised: hands held up in front
    models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det}
    cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
    pipe = make_pipeline(cfg, shared_models=models)
    obs, _, _ = pipe.process(np.random.default_rng(1).integers(0, 255, (720, 1280, 3), dtype=np.uint8), 100.0)
    return obs


def test_a_phone_held_up_is_looked_for_beyond_the_fingers_from_a_lower_score():
    # the SSDs score a handset seen from the back 0.2-0.3 and only in a crop reaching past the fingers
    obs = _held_up_looking_down(RoiDetector(phone_box=(560.0, 440.0, 600.0, 500.0), score=0.25))
    assert [d.label for d in obs.detections] == ["cell phone"]
    # ... that look keeps phones only: anything else still needs the detector's usual score
    obs = _held_up_looking_down(RoiDetector(phone_box=(560.0, 440.0, 600.0, 500.0), score=0.25, label="cup"))
    assert obs.detections == []
    # the head bent over the phone brings the hands within reach of the nose (near the face): still looked at
    obs = _held_up_looking_down(RoiDetector(phone_box=(560.0, 440.0, 600.0, 500.0), score=0.25), nose=(640, 420))
    assert [d.label for d in obs.detections] == ["cell phone"]


def test_hands_held_up_while_looking_at_the_client_get_no_detector_crop():
    det = RoiDetector(phone_box=(595.0, 575.0, 625.0, 605.0))
    pose = FakePose()
    pose.pose = clerk({13: (760, 600), 14: (520, 600)})  # hands held up in front (a form, a phone?) ...
    models = {"pose": pose, "face": FakeStage(face(pitch=0.0)), "hands": FakeStage([]), "detector": det}
    pipe = make_pipeline(default_counter(1280, 720, counter_id="c1"), shared_models=models)
    obs, _, _ = pipe.process(np.zeros((720, 1280, 3), np.uint8), 100.0)
    # ... but the gaze is level: phone.use cannot hold, nothing else reads objects there
    assert [r for r in det.rois if r is not None] == [] and "detector" not in obs.ran


def test_a_phone_at_the_chest_is_looked_for_when_phone_use_takes_the_hand_as_held_up():
    # the wrist 0.2 sw below the elbow (the gate's held_front wants at most 0.15) but the hand centre level enough
    # for phone.use, the head bent over it: the hand is near the face and phone.use's own test decides
    det = RoiDetector(phone_box=(560.0, 600.0, 600.0, 650.0), score=0.25)
    pose = FakePose()
    pose.pose = clerk({0: (640, 420)})
    models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det}
    cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
    obs, _, _ = make_pipeline(cfg, shared_models=models).process(np.zeros((720, 1280, 3), np.uint8), 100.0)
    assert [d.label for d in obs.detections] == ["cell phone"]
    # ... typing: the hand on the desk, the elbow well above it, gets no such look
    det = RoiDetector(phone_box=(560.0, 600.0, 600.0, 650.0), score=0.25)
    pose.pose = clerk({0: (640, 420), 13: (775, 480), 14: (505, 480)})
    models["detector"] = det
    obs, _, _ = make_pipeline(cfg, shared_models=models).process(np.zeros((720, 1280, 3), np.uint8), 100.0)
    assert obs.detections == []


def test_the_held_phone_look_asks_phone_use_own_gaze_test_with_the_named_slack():
    # the face at 22 degrees: under phone.use's pitch_down_deg (25), within the pipeline's 5 degrees of slack
    from pipelines.pipeline import PipelineSettings

    def held_crops(**settings):
        det = RoiDetector(phone_box=(560.0, 440.0, 600.0, 500.0), score=0.25)
        pose = FakePose()
        pose.pose = clerk({13: (760, 600), 14: (520, 600)})
        models = {"pose": pose, "face": FakeStage(face(pitch=22.0)), "hands": FakeStage([]), "detector": det}
        cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
        pipe = make_pipeline(cfg, shared_models=models, settings=PipelineSettings(**settings))
        obs, _, _ = pipe.process(np.random.default_rng(1).integers(0, 255, (720, 1280, 3), dtype=np.uint8), 100.0)
        return [d.label for d in obs.detections]

    assert held_crops() == ["cell phone"]
    assert held_crops(held_gaze_slack_deg=2.0) == []


def test_a_phone_held_in_front_seen_from_aside_gets_the_held_look_on_its_own():
    # from 40 degrees aside the hand held in front shows 0.9 sw beside the nose: not the gate's held_front (0.9 sw
    # is its limit, the wrist 0.95 sw out) nor near the face, so no other crop runs; phone.use's own test takes it
    def looks(yaw_deg: float, moves: dict) -> list:
        det = RoiDetector(phone_box=(800.0, 420.0, 840.0, 480.0), score=0.25)
        pose = FakePose()
        pose.pose = clerk(moves)
        models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det}
        cfg = default_counter(1280, 720, counter_id="c1")
        cfg = cfg.model_copy(update={"disabled_rules": ["post.chatting"],
                                     "camera": cfg.camera.model_copy(update={"yaw_deg": yaw_deg})})
        obs, _, _ = make_pipeline(cfg, shared_models=models).process(np.zeros((720, 1280, 3), np.uint8), 100.0)
        return [d.label for d in obs.detections]

    held = {**hand_to("left", 830, 470), 15: (830, 520)}  # the wrist over the elbow (775, 530)
    assert looks(-40.0, held) == ["cell phone"]
    assert looks(0.0, held) == []  # face-on that hand is out to the side
    # ... a hand there with the wrist well below its elbow (resting on the desk edge) gets no look
    assert looks(-40.0, {**hand_to("left", 830, 470), 13: (790, 460)}) == []


def test_the_held_look_runs_between_the_detector_runs_and_keeps_a_phone_it_finds():
    from pipelines.pipeline import PipelineSettings
    from vision.results import Detection

    class Flicker:  # a handset seen from the back scores over 0.2 on some frames only
        def __init__(self) -> None:
            self.frame = 0

        def detect(self, frame, roi=None, min_score=0.3, *, rgb=False):
            if roi is None:
                return []
            if min_score >= 0.3:  # the detector frame's usual crops find a cup on the desk
                return [Detection(box=(700.0, 560.0, 740.0, 600.0), label="cup", score=0.6, source="fake")]
            if self.frame == 1:
                return [Detection(box=(560.0, 440.0, 600.0, 500.0), label="cell phone", score=0.25, source="fake")]
            return []

    def run(**settings) -> list:
        det, pose = Flicker(), FakePose()
        pose.pose = clerk({13: (760, 600), 14: (520, 600)})  # both forearms raised: hands held up in front
        models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det}
        cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
        pipe = make_pipeline(cfg, shared_models=models, settings=PipelineSettings(**settings))
        out = []
        for i, img in enumerate(_frames(3, size=(720, 1280))):
            det.frame = i
            obs, _, _ = pipe.process(img, 100.0 + i / 5)
            out.append(sorted(d.label for d in obs.detections) if "detector" in obs.ran else None)
        return out

    # frame 0 runs the detector (no phone), frame 1 only the held look (a phone, beside frame 0's cup), frame 2
    # the held look again, which finds nothing and records nothing
    assert run() == [["cup"], ["cell phone", "cup"], None]
    assert run(held_every=0) == [["cup"], None, None]


def test_eval_takes_pipeline_settings_from_a_yaml_file_and_names_a_bad_field(tmp_path, monkeypatch):
    import pipelines.evaluate as ev

    seen = {}

    def fake_evaluate(suite, *args, settings=None, **kw):
        seen["settings"] = settings
        return {"rules": []}

    monkeypatch.setattr(ev, "evaluate", fake_evaluate)
    good = tmp_path / "lite.yaml"
    good.write_text("pose_complexity: 0\n")
    res = runner.invoke(app, ["eval", str(tmp_path), "--settings", str(good), "--json"])
    assert res.exit_code == 0, res.output
    assert seen["settings"].pose_complexity == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("pose_complexity: 5\n")
    res = runner.invoke(app, ["eval", str(tmp_path), "--settings", str(bad)])
    assert res.exit_code == 2 and "bad.yaml" in res.output and "pose_complexity" in res.output
