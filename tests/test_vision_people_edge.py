"""The people stage's second look at a person cut by the frame's side edge (vision.detector.detect_people).

A scripted detector stands in for the SSD: it answers by the size of the image it is given (the whole 640x480 frame
or a 480x480 side square), so the crop offsets, the edge test and the merge are the real code."""

from __future__ import annotations

import numpy as np

from vision.detector import Detector, detect_people, touches_side

W, H = 640, 480
PERSON, CHAIR = 0, 61


class ScriptedDetector(Detector):
    """Boxes (x1, y1, x2, y2 in the given image's pixels), scores, class ids per image width."""

    def __init__(self, by_width: dict[int, list[tuple[tuple[float, float, float, float], float, int]]]) -> None:
        self.model_id = "scripted"
        self.labels = ["person"] + [""] * 60 + ["chair"]
        self.by_width = by_width
        self.widths: list[int] = []

    def _raw(self, image_rgb: np.ndarray, min_score: float):
        w = image_rgb.shape[1]
        self.widths.append(w)
        rows = [r for r in self.by_width.get(w, []) if r[1] >= min_score]
        boxes = np.array([r[0] for r in rows], dtype=np.float32).reshape(-1, 4)
        return boxes, np.array([r[1] for r in rows]), np.array([r[2] for r in rows])


CLERK_FULL = ((180.0, 40.0, 400.0, 470.0), 0.88, PERSON)
VISITOR_FULL = ((523.0, 60.0, 640.0, 479.0), 0.21, PERSON)  # half out of the frame: low on the squeezed frame
FRAME = np.zeros((H, W, 3), np.uint8)


def test_a_person_cut_by_the_right_edge_is_found_on_the_right_square_in_frame_pixels():
    det = ScriptedDetector({
        W: [CLERK_FULL, VISITOR_FULL],
        # the right square starts at x = 160: the clerk again (whole) and the visitor at the square's right edge
        H: [((18.0, 40.0, 236.0, 470.0), 0.95, PERSON), ((371.0, 60.0, 479.0, 479.0), 0.50, PERSON)],
    })
    people = detect_people(det, FRAME, min_score=0.3, edge_hint=0.15)
    assert det.widths == [W, H]  # one extra run, on the side the hint touches
    visitors = [d for d in people if d.box[0] > 500]
    assert len(visitors) == 1 and visitors[0].score == 0.5
    assert visitors[0].box == (531.0, 60.0, 639.0, 479.0)
    # the clerk found on both runs is one box, and the square run's box does not replace the whole-frame one
    clerks = [d for d in people if d.box[0] < 300]
    assert len(clerks) == 1 and clerks[0].box == CLERK_FULL[0]


def test_left_edge_uses_the_left_square_and_only_its_boxes_at_that_edge():
    det = ScriptedDetector({
        W: [CLERK_FULL, ((0.0, 50.0, 90.0, 479.0), 0.2, PERSON)],
        # a partial clerk cut by the square's own right side must not join as a second person
        H: [((0.0, 50.0, 100.0, 479.0), 0.45, PERSON), ((300.0, 40.0, 479.0, 470.0), 0.7, PERSON)],
    })
    people = detect_people(det, FRAME, min_score=0.3, edge_hint=0.15)
    assert det.widths == [W, H]
    assert sorted(d.box for d in people) == [(0.0, 50.0, 100.0, 479.0), CLERK_FULL[0]]


def test_no_low_box_at_an_edge_means_no_extra_run_and_low_boxes_stay_out():
    det = ScriptedDetector({W: [CLERK_FULL, ((300.0, 100.0, 360.0, 200.0), 0.2, PERSON)]})
    people = detect_people(det, FRAME, min_score=0.3, edge_hint=0.15)
    assert det.widths == [W]
    assert [d.box for d in people] == [CLERK_FULL[0]]


def test_a_confident_edge_box_or_a_non_person_at_the_edge_needs_no_second_look():
    det = ScriptedDetector({W: [((520.0, 60.0, 640.0, 479.0), 0.6, PERSON), ((0.0, 300.0, 80.0, 479.0), 0.2, CHAIR)]})
    people = detect_people(det, FRAME, min_score=0.3, edge_hint=0.15)
    assert det.widths == [W]
    assert [d.score for d in people] == [0.6]


def test_edge_hint_zero_is_the_plain_whole_frame_run():
    det = ScriptedDetector({W: [CLERK_FULL, VISITOR_FULL], H: [((371.0, 60.0, 479.0, 479.0), 0.5, PERSON)]})
    people = detect_people(det, FRAME, min_score=0.3, edge_hint=0.0)
    assert det.widths == [W]
    assert [d.box for d in people] == [CLERK_FULL[0]]


def test_touches_side():
    assert touches_side((0.0, 0.0, 50.0, 10.0), W) == -1
    assert touches_side((600.0, 0.0, 639.0, 10.0), W) == 1
    assert touches_side((100.0, 0.0, 500.0, 10.0), W) == 0
