"""A pause sign standing where the frame's edge cuts its zone (and its marker, never read) is no object while the
clerk is away: its board, foot and shadow reach past the strip of zone left in the frame (synthetic desk, no model)."""

from __future__ import annotations

import cv2

from tests.fixtures.desk import desk_scene
from vision.desk_change import DeskChangeDetector

SIGN = (0, 470, 90, 600)  # the board, its foot and shadow at the frame's left edge, x1, y1, x2, y2


def _run(zone: list[tuple[float, float]], frames: int = 12) -> list:
    scene = desk_scene()
    counter = scene.counter.model_copy(update={"zones": scene.counter.zones.model_copy(update={"sign": zone})})
    det = DeskChangeDetector(scene.reference, counter, classifier=None)
    img = scene.reference.copy()
    cv2.rectangle(img, SIGN[:2], SIGN[2:], (40, 40, 200), -1)
    cv2.rectangle(img, (0, 560), (SIGN[2], SIGN[3]), (30, 30, 30), -1)  # the foot's plate and shadow
    out: list = []
    for i in range(frames):  # no pose: the clerk is away
        out = det.process(img, t=0.5 * i)
    return out


def test_a_blob_holding_an_edge_zone_is_the_sign():
    strip = [(0.0, 470.0), (35.0, 480.0), (35.0, 600.0), (0.0, 600.0)]  # the zone's strip left in the frame
    assert _run(strip) == []


def test_the_same_blob_by_a_zone_inside_the_frame_is_an_object():
    inside = [(5.0, 470.0), (40.0, 480.0), (40.0, 600.0), (5.0, 600.0)]  # as big, off the edge: its marker is read
    out = _run(inside)
    assert len(out) == 1 and out[0].box[0] <= 2 and out[0].box[2] >= SIGN[2] - 4


def test_a_bag_much_bigger_than_the_zone_is_kept():
    strip = [(0.0, 560.0), (12.0, 562.0), (12.0, 600.0), (0.0, 600.0)]  # a small zone: the blob is > 3x its size
    assert len(_run(strip)) == 1
