"""A pause sign whose marker is never read, standing in a zone the frame's edge cuts, joined to papers lying against it:
with the clerk away the zone is cut out of the area, so the papers stay an object of their own and the sign is none
(synthetic desk, no model)."""

from __future__ import annotations

import cv2

from tests.fixtures.desk import desk_scene
from vision.desk_change import DeskChangeDetector

ZONE = [(0.0, 600.0), (120.0, 600.0), (120.0, 720.0), (0.0, 720.0)]  # at the frame's bottom-left corner
BOARD = (0, 650, 90, 720)  # the board holds ~0.6 of the zone (under `sign_hold`): a view from aside
PAPERS = (85, 655, 300, 715)


def _run(papers: bool, frames: int = 12) -> list:
    scene = desk_scene()
    counter = scene.counter.model_copy(update={"zones": scene.counter.zones.model_copy(update={"sign": ZONE})})
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    img = scene.reference.copy()
    if papers:
        cv2.rectangle(img, PAPERS[:2], PAPERS[2:], (235, 235, 235), -1)
    cv2.rectangle(img, BOARD[:2], BOARD[2:], (40, 40, 200), -1)
    out: list = []
    for i in range(frames):  # no pose: the clerk is away
        out = det.process(img, t=0.5 * i)
    return out


def test_papers_joined_to_the_sign_are_an_object_without_the_sign():
    out = _run(papers=True)
    assert len(out) == 1
    x1, _, x2, _ = out[0].box
    assert x1 >= ZONE[1][0] and x2 >= PAPERS[2] - 6  # the papers, not the board


def test_the_sign_alone_is_no_object():
    assert _run(papers=False) == []
