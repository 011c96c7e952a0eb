"""The pause sign is cut out of the desk objects by its marker: seen from the side, the sign joins the papers
lying beside it into one changed area; with the sign's marker passed to the desk stage the papers stay an object
of their own, the sign none (synthetic desk, no model)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import desk_scene
from vision.desk_change import DeskChangeDetector
from vision.observation import Marker
from vision.results import Detection

BOARD = (565, 445, 655, 540)  # the sign's board standing on the desk, x1, y1, x2, y2
MARKER = (590, 470, 630, 510)  # its ArUco marker, printed on the board
PAPERS = (655, 500, 815, 590)  # a sheet lying right against the board's foot


@pytest.fixture(scope="module")
def scene():
    s = desk_scene()
    return s.reference, s.counter.model_copy(update={"sign_aruco_id": 7})


def frame_with_sign_and_papers(reference: np.ndarray) -> np.ndarray:
    img = reference.copy()
    cv2.rectangle(img, BOARD[:2], BOARD[2:], (160, 60, 30), -1)
    cv2.rectangle(img, MARKER[:2], MARKER[2:], (20, 20, 20), -1)
    cv2.rectangle(img, (MARKER[0] + 10, MARKER[1] + 10), (MARKER[0] + 25, MARKER[1] + 25), (240, 240, 240), -1)
    cv2.rectangle(img, PAPERS[:2], PAPERS[2:], (235, 238, 240), -1)
    for y in range(PAPERS[1] + 12, PAPERS[3] - 8, 12):  # print lines
        cv2.line(img, (PAPERS[0] + 10, y), (PAPERS[2] - 10, y), (90, 90, 90), 2)
    return img


def marker(marker_id: int = 7) -> Marker:
    x1, y1, x2, y2 = MARKER
    return Marker(marker_id, [(x1, y1), (x2, y1), (x2, y2), (x1, y2)])


def run(reference, counter, markers_at: set[int], marker_id: int = 7):
    det = DeskChangeDetector(reference, counter, classifier=None)
    frame = frame_with_sign_and_papers(reference)
    out = []
    for i in range(12):  # the clerk away (no pose); the markers stage reads the sign on a few frames only
        out = det.process(frame, t=0.5 * i, markers=[marker(marker_id)] if i in markers_at else None)
    return out


def holds(box, x1y1x2y2) -> bool:
    return box[0] <= x1y1x2y2[0] + 4 and box[1] <= x1y1x2y2[1] + 4 and box[2] >= x1y1x2y2[2] - 4 \
        and box[3] >= x1y1x2y2[3] - 4


def test_without_the_marker_the_sign_and_the_papers_are_one_object(scene):
    out = run(*scene, markers_at=set())
    assert len(out) == 1 and holds(out[0].box, BOARD) and holds(out[0].box, PAPERS)


def test_the_remembered_marker_cuts_the_sign_out_and_keeps_the_papers(scene):
    out = run(*scene, markers_at={0, 5})
    assert len(out) == 1
    box = out[0].box
    assert holds(box, PAPERS) and box[0] >= BOARD[2] - 12  # the papers alone: nothing of the board left of them


def test_another_markers_id_is_not_the_sign(scene):
    out = run(*scene, markers_at={0, 5}, marker_id=3)
    assert len(out) == 1 and holds(out[0].box, BOARD)


def test_a_marker_read_too_long_ago_is_forgotten(scene):
    reference, counter = scene
    det = DeskChangeDetector(reference, counter, classifier=None)
    frame = frame_with_sign_and_papers(reference)
    det.process(reference, t=0.0, markers=[marker()])
    out = []
    for i in range(12):
        out = det.process(frame, t=20.0 + 0.5 * i)
    assert len(out) == 1 and holds(out[0].box, BOARD)


@pytest.mark.parametrize("sheet,label", [((235, 238, 240), "papers"), ((45, 45, 50), "keyboard")])
def test_a_printed_sheet_the_detector_calls_a_keyboard_is_papers(scene, sheet, label):
    """The SSDs read a sheet with printed lines as a "keyboard", even when sure: white and flat, it is papers
    (a dark one stays the detector's keyboard)."""
    reference, counter = scene

    def keyboard(crop):
        h, w = crop.shape[:2]
        return [Detection(box=(0.0, 0.0, float(w), float(h)), label="keyboard", score=0.9, source="test")]

    img = frame_with_sign_and_papers(reference)
    img[BOARD[1]:BOARD[3], BOARD[0]:BOARD[2]] = reference[BOARD[1]:BOARD[3], BOARD[0]:BOARD[2]]  # the papers alone
    cv2.rectangle(img, PAPERS[:2], PAPERS[2:], sheet, -1)
    for y in range(PAPERS[1] + 12, PAPERS[3] - 8, 12):
        cv2.line(img, (PAPERS[0] + 10, y), (PAPERS[2] - 10, y), (90, 90, 90), 2)
    det = DeskChangeDetector(reference, counter, classifier=keyboard)
    out = []
    for i in range(12):
        out = det.process(img, t=0.5 * i)
    assert [d.label for d in out] == [label]


def test_the_signs_foot_past_the_board_is_no_object(scene):
    """Seen from aside the sign's foot sticks out past the board's outline: a part that small is the sign's own."""
    reference, counter = scene
    img = reference.copy()
    cv2.rectangle(img, BOARD[:2], BOARD[2:], (160, 60, 30), -1)
    cv2.rectangle(img, MARKER[:2], MARKER[2:], (20, 20, 20), -1)
    cv2.rectangle(img, (640, 525), (690, 545), (40, 40, 45), -1)  # the foot, 20 px past the grown marker quad
    det = DeskChangeDetector(reference, counter, classifier=None)
    assert [det.process(img, t=0.5 * i, markers=[marker()] if i % 5 == 0 else None) for i in range(12)][-1] == []
    det = DeskChangeDetector(reference, counter, classifier=None)
    assert len([det.process(img, t=0.5 * i) for i in range(12)][-1]) == 1  # control: without the marker, an object
