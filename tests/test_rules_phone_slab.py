"""phone.use's dark-slab evidence: a handset's back or edge the SSDs do not name (vision/phone_slab.py)."""

from __future__ import annotations

import numpy as np

from tests.fixtures.rules import clerk, det, face, frame, hand_to, run_rules, seconds, spans, stream
from vision.phone_slab import SLAB_LABEL, SlabParams, dark_slabs

HELD = clerk(hand_to("right", 600, 470))  # the right hand held up in front of the chest
SLAB = det(SLAB_LABEL, 600, 440, size=40, score=0.8)


def _crop_with(patch: tuple[int, int, int, int], value: int = 20) -> np.ndarray:
    img = np.full((200, 200, 3), 200, np.uint8)  # a light shirt
    x0, y0, x1, y1 = patch
    img[y0:y1, x0:x1] = value
    return img


def test_a_near_black_handset_shaped_patch_inside_the_crop_is_a_slab():
    p = SlabParams()
    found = dark_slabs(_crop_with((80, 60, 110, 110)), (0, 0, 200, 200), 100.0, p)  # 0.15 sw2, 1.7:1
    assert [d.label for d in found] == [SLAB_LABEL] and found[0].box == (80.0, 60.0, 110.0, 110.0)
    # a patch cut by the crop's edge (a monitor, hair running out of it) is not
    assert dark_slabs(_crop_with((0, 60, 30, 110)), (0, 0, 200, 200), 100.0, p) == []
    # a grey shadow between fingers or under papers (mean brightness 44-46) is not
    assert dark_slabs(_crop_with((80, 60, 110, 110), value=45), (0, 0, 200, 200), 100.0, p) == []
    # a square blob, or one far larger than a handset, is not
    assert dark_slabs(_crop_with((80, 80, 110, 110)), (0, 0, 200, 200), 100.0, p) == []
    assert dark_slabs(_crop_with((20, 20, 120, 180)), (0, 0, 200, 200), 100.0, p) == []


def test_a_slab_beside_a_hand_held_in_front_with_the_gaze_down_is_phone_use():
    reading = frame(pose=HELD, face_=face(pitch=35.0), detections=[SLAB])
    evs = run_rules(stream(seconds(frame(), 2) + seconds(reading, 8) + seconds(frame(), 6)), ["phone.use"])
    assert spans(evs, "phone.use") and evs[0].evidence["evidence"] == "slab"
    off = {"phone.use": {"slab_evidence": False}}
    assert run_rules(stream(seconds(reading, 8)), ["phone.use"], overrides=off) == []
    # a phone the detector names outranks the slab in the evidence
    both = frame(pose=HELD, face_=face(pitch=35.0), detections=[SLAB, det("cell phone", 600, 460, score=0.3)])
    assert run_rules(stream(seconds(both, 8)), ["phone.use"])[0].evidence["evidence"] == "phone"


def test_a_slab_counts_only_as_found_on_its_frame_beside_a_held_hand():
    # found beside a hand raised over the shoulder line (the hair beside a hand on its way to the head), then the
    # hand at the chest with those detections carried, or found again with the hand still up: no phone
    at_head = frame(pose=clerk(hand_to("right", 600, 380)), face_=face(pitch=35.0), detections=[SLAB])
    carried = frame(pose=HELD, face_=face(pitch=35.0), detections=[SLAB], ran=["pose", "face", "hands"])
    assert run_rules(stream([at_head, carried] * 20), ["phone.use"]) == []
    # ... found afresh on the held frames it is a phone
    fresh = frame(pose=HELD, face_=face(pitch=35.0), detections=[SLAB])
    assert spans(run_rules(stream([at_head, fresh] * 20), ["phone.use"]), "phone.use")


def test_the_held_look_reports_a_slab_the_detector_does_not_name():
    from calibration.config import default_counter
    from pipelines.pipeline import PipelineSettings, make_pipeline
    from tests.test_rules_pipeline import FakePose, FakeStage, RoiDetector

    def held_finds(**settings) -> list:
        pose = FakePose()
        pose.pose = clerk({13: (760, 600), 14: (520, 600)})  # both forearms raised: hands held up in front
        det = RoiDetector(phone_box=(0.0, 0.0, 1.0, 1.0))  # names nothing there
        models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det}
        cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
        img = np.full((720, 1280, 3), 200, np.uint8)
        img[540:620, 600:650] = 20  # a handset's back in the right hand
        obs, _, _ = make_pipeline(cfg, shared_models=models, settings=PipelineSettings(**settings)).process(img, 1.0)
        return [d.label for d in obs.detections]

    assert held_finds() == [SLAB_LABEL]
    assert held_finds(held_slab=None) == []
