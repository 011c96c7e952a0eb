"""phone.use's dark-slab evidence: a handset's back or edge the SSDs do not name (vision/phone_slab.py)."""

from __future__ import annotations

import numpy as np

from tests.fixtures.rules import clerk, det, face, frame, hand_to, run_rules, seconds, spans, stream
from vision.phone_slab import SLAB_LABEL, SlabParams, dark_slabs
from vision.results import Detection

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
    # one far larger than a handset is not
    assert dark_slabs(_crop_with((20, 20, 120, 180)), (0, 0, 200, 200), 100.0, p) == []


def test_a_handset_foreshortened_to_a_square_is_a_slab():
    # held tilted back towards the face and seen from a camera above it (1.4-1.75 m, near-frontal), a handset's long
    # side is foreshortened and the fingers cover its foot: it reads 1.05-1.25:1 (session 27; the bound was 1.2)
    p = SlabParams()
    assert [d.box for d in dark_slabs(_crop_with((80, 80, 110, 112)), (0, 0, 200, 200), 100.0, p)] == [
        (80.0, 80.0, 110.0, 112.0)]
    assert dark_slabs(_crop_with((80, 80, 110, 112)), (0, 0, 200, 200), 100.0, SlabParams(min_aspect=1.2)) == []
    # a round cap of hair over a face (the head seen from a camera above it: 0.60-0.67 of its box) is not
    img = np.full((200, 200, 3), 200, np.uint8)
    yy, xx = np.mgrid[0:200, 0:200]
    img[((yy - 100) ** 2 + (xx - 100) ** 2 <= 24**2) & ~((yy - 118) ** 2 + (xx - 100) ** 2 <= 16**2)] = 20  # 0.64
    assert dark_slabs(img, (0, 0, 200, 200), 100.0, p) == []
    assert len(dark_slabs(img, (0, 0, 200, 200), 100.0, SlabParams(square_min_fill=0.6))) == 1


def test_a_handset_on_a_dark_shirt_is_found_below_the_second_threshold():
    # the simulator's dark green shirt reads 40-60 in its shaded folds: under max_value (60) the handset (16-22) joins
    # the shirt into one patch running out of the crop; under second_value (40) it stands alone
    img = np.full((200, 200, 3), 200, np.uint8)
    img[40:200, 30:170] = 50  # the shirt, running out of the crop's foot
    img[70:120, 80:110] = 20  # the handset in front of it
    found = dark_slabs(img, (0, 0, 200, 200), 100.0, SlabParams())
    assert [d.box for d in found] == [(80.0, 70.0, 110.0, 120.0)]
    assert dark_slabs(img, (0, 0, 200, 200), 100.0, SlabParams(second_value=0)) == []
    # on a light shirt the one handset is found at both thresholds and reported once
    assert len(dark_slabs(_crop_with((80, 70, 110, 120)), (0, 0, 200, 200), 100.0, SlabParams())) == 1


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


def test_the_slab_look_searches_beyond_the_held_crops_edge():
    # a handset held up stands above the fingers; the held crop (centred beyond the pose's fingers, its top 0.84 sw
    # above the wrists here) cut its top off, and a patch cut by the edge is no slab (scratch (1.5 m, 1.5 m, -20))
    from calibration.config import default_counter
    from pipelines.pipeline import PipelineSettings, make_pipeline
    from tests.test_rules_pipeline import FakePose, FakeStage, RoiDetector

    def held_finds(patch: tuple[int, int, int, int], **settings) -> list:
        pose = FakePose()
        pose.pose = clerk({13: (760, 600), 14: (520, 600)})  # both forearms raised: hands held up in front
        det_ = RoiDetector(phone_box=(0.0, 0.0, 1.0, 1.0))
        models = {"pose": pose, "face": FakeStage(face(pitch=35.0)), "hands": FakeStage([]), "detector": det_}
        cfg = default_counter(1280, 720, counter_id="c1").model_copy(update={"disabled_rules": ["post.chatting"]})
        img = np.full((720, 1280, 3), 200, np.uint8)
        x0, y0, x1, y1 = patch
        img[y0:y1, x0:x1] = 20
        obs, _, _ = make_pipeline(cfg, shared_models=models, settings=PipelineSettings(**settings)).process(img, 1.0)
        return [d.box for d in obs.detections]

    handset = (600, 400, 640, 470)  # its top 33 px above the held crops' top (y 432.6), its centre inside them
    assert held_finds(handset) == [(600.0, 400.0, 640.0, 470.0)]
    assert held_finds(handset, held_slab_margin_sw=0.0) == []
    # a patch the wider window takes in whole but centred above the crops (the head's hair) is not kept
    assert held_finds((600, 350, 640, 400)) == []


def test_a_phone_find_standing_on_a_desk_slot_is_the_slots_item():
    # From 50 deg aside the pen holder stands beside hands held together at the chest and the SSD names it a cell phone
    # in the held hand's crop: a find whose box stands on a slot (bottom-centre inside) over much of it is that item
    from calibration.config import Slot, default_counter

    def counter(polygon: list[tuple[float, float]]):
        cfg = default_counter(1280, 720, counter_id="c1")
        return cfg.model_copy(update={"slots": [Slot(name="pen_holder", polygon=polygon)]})

    box_on = det("cell phone", 600, 460, size=60, score=0.5)  # box 570-630 x 430-490
    reading = stream(seconds(frame(pose=HELD, face_=face(pitch=35.0), detections=[box_on]), 8))
    pen_holder = counter([(570, 475), (630, 475), (630, 500), (570, 500)])  # covered 0.6, the box stands on it
    assert run_rules(reading, ["phone.use"], counter=pen_holder) == []
    assert spans(run_rules(reading, ["phone.use"], counter=pen_holder,
                           overrides={"phone.use": {"slot_cover": 1.1}}), "phone.use")  # off: read as a phone
    # a phone held up beside a slot, covering half of it with its bottom edge off it, or in front of a large one (the
    # monitor) covering a sliver of it
    assert spans(run_rules(reading, ["phone.use"], counter=counter([(540, 450), (600, 450), (600, 480), (540, 480)])),
                 "phone.use")
    assert spans(run_rules(reading, ["phone.use"], counter=counter([(400, 300), (800, 300), (800, 700), (400, 700)])),
                 "phone.use")
    # a slab standing there is the item too
    slab = stream(seconds(frame(pose=HELD, face_=face(pitch=35.0), detections=[SLAB]), 8))  # box 580-620 x 420-460
    assert run_rules(slab, ["phone.use"], counter=counter([(580, 450), (620, 450), (620, 470), (580, 470)])) == []
    # the slot's item named a phone does not hide a handset the slab look finds in the hand: it is the evidence then
    item_beside = det("cell phone", 700, 460, size=60, score=0.5)  # box 670-730 x 430-490, on the pen holder's slot
    both = stream(seconds(frame(pose=HELD, face_=face(pitch=35.0), detections=[item_beside, SLAB]), 8))
    evs = run_rules(both, ["phone.use"], counter=counter([(670, 475), (730, 475), (730, 500), (670, 500)]))
    assert spans(evs, "phone.use") and evs[0].evidence["evidence"] == "slab"


def test_box_cover_and_row_inside():
    from calibration.config import box_cover, row_inside

    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    assert box_cover((0, 0, 5, 10), square) == 0.5 and box_cover((5, 5, 20, 20), square) == 0.25
    assert box_cover((20, 20, 30, 30), square) == 0.0 and box_cover((-1, -1, 11, 11), square) == 1.0
    assert abs(box_cover((0, 0, 5, 5), [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]) - 0.5) < 1e-9
    assert row_inside(5, 0, 10, square) == 1.0 and row_inside(5, -10, 10, square) == 0.5
    assert row_inside(20, 0, 10, square) == 0.0 and row_inside(5, 0, 10, [(0.0, 0.0), (10.0, 10.0), (0.0, 10.0)]) == 0.5


def test_a_slab_above_the_nose_is_the_hair_not_a_phone():
    # the slab look's wider window takes the head's hair in whole; beside a hand on its way down from the hair, just
    # under the shoulder line, it read as a phone (tune_sweep fidget_hair (1.6 m, 1.15 m, -15 deg): 0.41 sw above
    # the nose, where every handset beside a held hand measured lies 0.18-1.85 sw below it)
    hand_down = clerk(hand_to("right", 600, 395))  # held: its centre just under the shoulder line (y 400)
    hair = Detection((570.0, 190.0, 630.0, 330.0), SLAB_LABEL, 0.61, "dark_slab")  # centre y 260, nose at 270
    reading = stream(seconds(frame(pose=hand_down, face_=face(pitch=35.0), detections=[hair]), 8))
    assert run_rules(reading, ["phone.use"]) == []
    assert spans(run_rules(reading, ["phone.use"], overrides={"phone.use": {"slab_below_nose_sw": -1.0}}),
                 "phone.use")
    # a handset below the nose beside the same hand is a phone
    handset = Detection((580.0, 300.0, 620.0, 370.0), SLAB_LABEL, 0.8, "dark_slab")
    assert spans(run_rules(stream(seconds(frame(pose=hand_down, face_=face(pitch=35.0), detections=[handset]), 8)),
                           ["phone.use"]), "phone.use")
