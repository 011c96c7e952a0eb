"""DeskChangeDetector on synthetic desks with real photos composited in (no model unless stated)."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from tests.fixtures.desk import EVAL_PAD, PEN_HOLDER, composite, desk_scene, relight
from vision.desk_change import DeskChangeDetector, heuristic_label
from vision.results import Detection, HandResult

CUP_AT, CUP_W = (600, 500), 200


def run(det: DeskChangeDetector, frames, t0: float = 0.0, dt: float = 0.5, **kw) -> list[Detection]:
    out: list[Detection] = []
    for i, f in enumerate(frames):
        out = det.process(f, t=t0 + i * dt, **kw)
    return out


def iou(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


@pytest.fixture(scope="module")
def cup_frame(scene):
    return composite(scene.reference, skimage.data.coffee(), CUP_AT, CUP_W, key_background=True)


def test_clean_desk_reports_nothing(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    assert run(det, [scene.reference] * 4) == []
    assert det.state.slots == {"pen_holder": "present", "evaluator_pad": "present"}


def test_composited_cup_is_one_unknown_object_at_its_place(scene, cup_frame):
    frame, box = cup_frame
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [frame] * 12)
    assert [d.label for d in out] == ["unknown object"]
    assert out[0].source == "change" and iou(out[0].box, box) > 0.7


@pytest.mark.parametrize("gain,gradient,warm", [(0.6, 0.4, 0.0), (1.35, 0.3, 0.08), (0.8, 0.0, -0.1)])
def test_lighting_changes_raise_nothing_and_do_not_hide_the_cup(scene, cup_frame, gain, gradient, warm):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    assert run(det, [relight(scene.reference, gain, gradient, warm)] * 4) == []
    frame, box = cup_frame
    out = run(det, [relight(frame, gain, gradient, warm)] * 12, t0=10.0)
    assert len(out) == 1 and iou(out[0].box, box) > 0.6


def _skin_blob(img: np.ndarray, x: int, y: int) -> np.ndarray:
    import cv2

    out = img.copy()
    cv2.ellipse(out, (x, y), (70, 40), 15, 0, 360, (120, 160, 215), -1)  # a hand-sized skin patch
    return out


def test_a_hand_sweeping_over_the_desk_raises_nothing(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    seen = [det.process(_skin_blob(scene.reference, 300 + 60 * i, 560 - 8 * i), t=0.5 * i) for i in range(14)]
    assert all(frame == [] for frame in seen)


def test_a_resting_hand_is_masked_by_its_landmarks(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    frame = _skin_blob(scene.reference, 640, 600)
    pts = [(640 + 60 * np.cos(a), 600 + 30 * np.sin(a), 0.0) for a in np.linspace(0, 2 * np.pi, 21)]
    hand = HandResult(landmarks=[tuple(map(float, p)) for p in pts])
    assert run(det, [frame] * 8, hands=[hand]) == []
    unmasked = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    assert len(run(unmasked, [frame] * 12)) == 1  # the same still patch without the mask is an object


def _move_pen_holder(ref: np.ndarray, to_x: int | None) -> np.ndarray:
    x1, y1, x2, y2 = PEN_HOLDER
    y1 -= 60
    out = ref.copy()
    patch = ref[y1:y2 + 5, x1 - 5:x2 + 5].copy()
    out[y1:y2 + 5, x1 - 5:x2 + 5] = ref[y1:y2 + 5, 520:520 + patch.shape[1]]  # desk and wall from elsewhere
    if to_x is not None:
        out[y1:y2 + 5, to_x:to_x + patch.shape[1]] = patch
    return out


def test_slot_item_moved_is_reported_where_it_went(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [_move_pen_holder(scene.reference, 350)] * 12)
    assert [d.label for d in out] == ["slot_moved:pen_holder"]
    assert abs((out[0].box[0] + out[0].box[2]) / 2 - (350 + 50)) < 25
    assert det.state.slots["evaluator_pad"] == "present"


def test_slot_item_removed_is_missing(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [_move_pen_holder(scene.reference, None)] * 12)
    assert [d.label for d in out] == ["slot_missing:pen_holder"]


def test_injected_classifier_labels_objects_and_people_are_dropped(scene, cup_frame):
    frame, _ = cup_frame
    calls = []

    def as_cup(crop):
        calls.append(crop.shape)
        h, w = crop.shape[:2]
        return [Detection((0.2 * w, 0.2 * h, 0.8 * w, 0.8 * h), "cup", 0.9, "fake")]

    out = run(DeskChangeDetector(scene.reference, scene.counter, classifier=as_cup), [frame] * 12)
    assert [d.label for d in out] == ["cup"] and out[0].score > 0.5
    assert len(calls) < 4  # cached while the object stays (not once per frame)

    def as_person(crop):
        h, w = crop.shape[:2]
        return [Detection((0, 0, w, h), "person", 0.9, "fake")]

    assert run(DeskChangeDetector(scene.reference, scene.counter, classifier=as_person), [frame] * 12) == []


def test_papers_and_seal_heuristics(scene):
    import cv2

    img = scene.reference.copy()
    cv2.rectangle(img, (500, 520), (700, 660), (245, 245, 240), -1)
    cv2.rectangle(img, (800, 540), (840, 580), (30, 30, 200), -1)
    assert heuristic_label(img, (500, 520, 700, 660)).label == "papers"
    assert heuristic_label(img, (800, 540, 840, 580)).label == "seal"
    assert heuristic_label(img, EVAL_PAD).label == "unknown object"
    out = run(DeskChangeDetector(scene.reference, scene.counter, classifier=None), [img] * 12)
    assert sorted(d.label for d in out) == ["papers", "seal"]


@pytest.fixture(scope="module")
def real_classifier():
    from vision.desk_change import load_desk_classifier

    try:
        return load_desk_classifier()
    except Exception as exc:  # the registry's models are not installed on this machine
        pytest.skip(f"desk detectors not installed: {exc}")


def test_real_detector_finds_coffee_as_a_cup(scene, cup_frame, real_classifier):
    frame, box = cup_frame
    out = run(DeskChangeDetector(scene.reference, scene.counter, classifier=real_classifier), [frame] * 12)
    assert len(out) == 1 and out[0].label in {"cup", "mug", "coffee cup"}, out
    assert iou(out[0].box, box) > 0.6


def test_real_detector_does_not_take_a_person_for_a_desk_item(scene, real_classifier):
    frame, _ = composite(scene.reference, skimage.data.astronaut(), (500, 440), 260)
    out = run(DeskChangeDetector(scene.reference, scene.counter, classifier=real_classifier), [frame] * 12)
    assert out == []


def _pen_holder_put_down_rotated(ref: np.ndarray, to_x: int) -> np.ndarray:
    """The pen holder taken from its slot and laid down elsewhere, turned on its side (its template no
    longer matches, as with an item a hand half-covers)."""
    x1, y1, x2, y2 = PEN_HOLDER
    y1 -= 60
    out = _move_pen_holder(ref, None)
    patch = np.ascontiguousarray(np.rot90(ref[y1:y2 + 5, x1 - 5:x2 + 5]))
    out[560:560 + patch.shape[0], to_x:to_x + patch.shape[1]] = patch
    return out


def test_an_emptied_slot_with_a_new_item_of_its_size_is_moved_not_missing(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [scene.reference] * 2 + [_pen_holder_put_down_rotated(scene.reference, 420)] * 12)
    assert [d.label for d in out] == ["slot_moved:pen_holder"]
    assert out[0].box[0] >= 400  # reported where it lies now, not at the slot
    assert det.state.slots["pen_holder"] == "moved"


def test_a_slot_hidden_behind_a_bigger_object_is_covered_not_missing(scene):
    import cv2

    img = scene.reference.copy()
    x1, y1, x2, y2 = PEN_HOLDER
    cv2.rectangle(img, (x1 - 40, y1 - 80), (x2 + 200, y2 + 60), (40, 90, 160), -1)  # a bag in front of it
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = run(det, [img] * 12)
    assert det.state.slots["pen_holder"] == "covered"
    assert [d.label for d in out] == ["unknown object"]  # the bag, and no slot report


def test_a_slot_is_missing_only_once_it_stayed_empty(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    empty = _move_pen_holder(scene.reference, None)
    first = [det.process(empty, t=0.5 * i) for i in range(4)]  # 1.5 s: less than min_still_s
    assert all(f == [] for f in first) and det.state.slots["pen_holder"] == "missing"
    assert [d.label for d in run(det, [empty] * 4, t0=2.0)] == ["slot_missing:pen_holder"]


def test_phone_heuristic_and_papers_need_the_changed_pixels(scene):
    import cv2

    img = scene.reference.copy()
    cv2.rectangle(img, (600, 560), (660, 660), (20, 20, 20), -1)  # a phone: black slab, lit screen with icons
    cv2.rectangle(img, (606, 568), (654, 652), (235, 225, 215), -1)
    for k, c in enumerate([(40, 40, 220), (40, 200, 40), (220, 120, 30)] * 2):
        cv2.rectangle(img, (610 + 14 * (k % 3), 575 + 16 * (k // 3)), (622 + 14 * (k % 3), 588 + 16 * (k // 3)), c, -1)
    assert heuristic_label(img, (600, 560, 660, 660)).label == "cell phone"
    # a box mostly of pale wall around a thin dark object: with the mask only the object's pixels count
    wall = np.full((200, 200, 3), 200, np.uint8)
    cv2.rectangle(wall, (90, 0), (110, 199), (40, 60, 90), -1)
    mask = np.zeros((200, 200), np.uint8)
    mask[:, 90:111] = 1
    assert heuristic_label(wall, (0, 0, 200, 200)).label == "papers"  # the unmasked box looks like a sheet
    assert heuristic_label(wall, (0, 0, 200, 200), mask).label == "unknown object"


def test_the_sign_zone_is_skipped_only_while_the_clerk_is_away(scene):
    import cv2

    from calibration.config import Zones
    from vision.results import Landmark, PoseResult

    counter = scene.counter.model_copy(update={"zones": Zones(
        post=scene.counter.zones.post, desk=scene.counter.zones.desk,
        sign=[(500.0, 450.0), (700.0, 450.0), (700.0, 700.0), (500.0, 700.0)])})
    img = scene.reference.copy()
    cv2.rectangle(img, (540, 480), (660, 660), (40, 90, 160), -1)  # something standing in the sign zone
    # a pose fitted elsewhere (someone passing on the client side) is not the clerk at the post
    stray = PoseResult(landmarks=[Landmark(1200.0, 650.0, 0.0, 0.9) for _ in range(33)])
    assert run(DeskChangeDetector(scene.reference, counter, classifier=None), [img] * 12, pose=stray) == []
    clerk = PoseResult(landmarks=[Landmark(640.0, 150.0, 0.0, 0.9) for _ in range(33)])  # at the post
    out = run(DeskChangeDetector(scene.reference, counter, classifier=None), [img] * 12, pose=clerk)
    assert [d.label for d in out] == ["unknown object"]


def test_a_moved_item_briefly_unseen_is_not_reported_missing(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    moved = _pen_holder_put_down_rotated(scene.reference, 420)
    assert [d.label for d in run(det, [scene.reference] * 2 + [moved] * 12)] == ["slot_moved:pen_holder"]
    # a hand rests on the moved item (its blob must settle again): the slot is held as moved, not missing
    hidden = _move_pen_holder(scene.reference, None)
    seen = [det.process(hidden, t=7.0 + 0.5 * i) for i in range(4)]
    assert all("slot_missing:pen_holder" not in [d.label for d in f] for f in seen)
    late = run(det, [hidden] * 16, t0=9.0)  # gone for good: missing after moved_window_s
    assert [d.label for d in late] == ["slot_missing:pen_holder"]


def test_a_hand_beside_papers_is_no_lit_phone_screen():
    # the clerk's sleeve (dark), a sheet (lit) and the hand (vivid, but only skin-orange): every share of the
    # lit-screen test is met, yet a screen's icons come in several hues (tune_wide desk_clutter at -40 deg)
    import cv2

    img = np.full((480, 640, 3), (70, 120, 170), np.uint8)  # wooden desk (the box must be phone-sized in it)
    cv2.rectangle(img, (30, 30), (90, 90), (235, 235, 235), -1)  # the sheet
    for y in range(36, 90, 8):
        cv2.line(img, (34, y), (86, y), (120, 120, 120), 2)  # its printed lines
    cv2.rectangle(img, (30, 30), (90, 42), (40, 60, 35), -1)  # the dark green sleeve
    cv2.rectangle(img, (30, 42), (50, 60), (120, 160, 220), -1)  # the hand (skin)
    box = (30, 30, 91, 91)
    assert heuristic_label(img, box).label != "cell phone"
    # control: the same patch with app icons of other hues on the lit part reads as a phone
    for k, c in enumerate([(220, 120, 30), (40, 200, 40)]):
        cv2.rectangle(img, (58 + 14 * k, 50), (68 + 14 * k, 60), c, -1)
    assert heuristic_label(img, box).label == "cell phone"
