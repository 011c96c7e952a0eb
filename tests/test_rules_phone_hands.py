"""Which hand is which: the hand model's hands paired one to one with the pose wrists (`Body.matched_hands`), and
phone.use's slab-only look at a hand its own test holds that the held look's gate skips (pipelines/pipeline.py)."""

from __future__ import annotations

import numpy as np

from pipelines.rules._body import Body
from tests.fixtures.rules import clerk, det, face, frame, hand_to, run_rules, seconds, spans, stream
from vision.phone_slab import SLAB_LABEL
from vision.results import HandResult


def _hand_at(x: float, y: float) -> HandResult:
    """A hand model's hand, its wrist at (x, y), the fingers spread 20-60 px below it."""
    return HandResult(landmarks=[(x, y, 0.0)] + [(x + 3 * (k % 5), y + 20 + 2 * k, 0.0) for k in range(20)])


# The phone hand (right) held at the chest, its elbow beside it; the other (left) resting on the desk with its wrist
# 0.54 sw from the phone hand's (tune_side phone_in_hand (1.55, 1.45, -30): 0.32 sw, the hand model finding only it)
PHONE_POSE = clerk({**hand_to("right", 600, 470), 14: (520, 470), 15: (650, 590)})
RESTING = _hand_at(652, 592)


def test_a_hand_the_model_finds_goes_to_the_nearer_wrist_only():
    body = Body(PHONE_POSE, min_vis=0.3)
    assert body.matched_hands([RESTING]) == {"left": RESTING}
    right = body.hand_points("right", [RESTING])
    assert len(right) == 4 and max(p[1] for p in right) < 500  # the pose's own points, none of the desk hand's
    assert len(body.hand_points("left", [RESTING])) == 4 + 6
    # two hands, each at its own wrist: each keeps its own, the nearer pair taken first
    held = _hand_at(600, 495)
    assert body.matched_hands([RESTING, held]) == {"left": RESTING, "right": held}
    # both wrists on one spot (the pose put both on the desk hand): the one hand goes to one side only
    both = Body(clerk({15: (650, 590), 16: (650, 590)}), min_vis=0.3)
    assert list(both.matched_hands([RESTING])) == ["left"]


def test_phone_use_holds_the_phone_hand_when_the_other_hand_lies_near_its_wrist():
    # with the desk hand's points given to it too, the phone hand's centre dropped onto the desk and its elbow read
    # 0.47 sw above it (over min_forearm_sw): not held, no phone use
    slab = det(SLAB_LABEL, 600, 440, size=40, score=0.8)
    reading = frame(pose=PHONE_POSE, face_=face(pitch=35.0), hands=[RESTING], detections=[slab])
    evs = run_rules(stream(seconds(frame(), 2) + seconds(reading, 8) + seconds(frame(), 6)), ["phone.use"])
    assert spans(evs, "phone.use") and evs[0].evidence["side"] == "right"


def test_a_hand_phone_use_holds_but_the_look_skips_gets_a_slab_only_look():
    from calibration.config import default_counter
    from pipelines.pipeline import PipelineSettings, make_pipeline
    from tests.test_rules_pipeline import FakePose, FakeStage, RoiDetector

    def look(**settings) -> tuple[list, list]:
        # the right wrist 0.3 sw below its elbow (not the gate's forearm_up, -0.15), the hand far from the nose and
        # the gate's image-x test, yet level enough with its elbow for phone.use's held_in_front
        pose = FakePose()
        pose.pose = clerk({**hand_to("right", 600, 470), 14: (520, 435)})
        det_ = RoiDetector(phone_box=(0.0, 0.0, 1.0, 1.0))
        models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det_}
        cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
        img = np.full((720, 1280, 3), 200, np.uint8)
        img[400:470, 580:620] = 20  # a handset's back above the fingers
        obs, _, _ = make_pipeline(cfg, shared_models=models, settings=PipelineSettings(**settings)).process(img, 1.0)
        return [d.label for d in obs.detections], [r for r in det_.rois if r is not None]

    labels, ssd_crops = look()
    assert labels == [SLAB_LABEL] and ssd_crops == []  # found without an SSD run
    assert look(held_slab_only=False) == ([], [])


def test_the_look_between_detector_runs_leaves_the_carried_stage_list_alone():
    # it once kept the last run's finds in the variable naming the carried stages, and recorded those detections
    # as extra["carried"]
    from calibration.config import default_counter
    from pipelines.pipeline import make_pipeline
    from tests.test_rules_pipeline import FakePose, FakeStage, _frames
    from vision.results import Detection

    class Flicker:  # a cup on the desk on the detector's run, a phone in the held look on the next frame only
        frame = 0

        def detect(self, frame, roi=None, min_score=0.3, *, rgb=False):
            if roi is None:
                return []
            if min_score >= 0.3:
                return [Detection(box=(700.0, 560.0, 740.0, 600.0), label="cup", score=0.6, source="fake")]
            if self.frame == 1:
                return [Detection(box=(560.0, 440.0, 600.0, 500.0), label="cell phone", score=0.25, source="fake")]
            return []

    det, pose = Flicker(), FakePose()
    pose.pose = clerk({13: (760, 600), 14: (520, 600)})  # both forearms raised: hands held up in front
    models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det}
    cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
    pipe = make_pipeline(cfg, shared_models=models)
    for i, img in enumerate(_frames(2, size=(720, 1280))):
        det.frame = i
        obs, _, _ = pipe.process(img, 100.0 + i / 5)
    assert sorted(d.label for d in obs.detections) == ["cell phone", "cup"]
    assert all(isinstance(s, str) for s in obs.extra.get("carried", []))
