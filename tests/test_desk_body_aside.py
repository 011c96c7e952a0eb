"""The clerk seen from a steep side (session 13): the shoulders-hips polygon joins joint centres, so the body's depth
and the lap between the hips and the desk's back edge lie outside it, in the trousers' colours as often as the
shirt's. A blob mostly off the desk zone within a body scale of that polygon is the clerk; an item with its footprint
on the desk, or standing away from the clerk, stays an object (synthetic desk, no model)."""

from __future__ import annotations

import cv2
import pytest

from tests.fixtures.desk import DESK_TOP, desk_scene
from vision.desk_change import DeskChangeDetector, DeskChangeParams
from vision.results import Box, Landmark, PoseResult

TROUSERS = (35, 35, 40)  # BGR: dark, unlike anything on the torso


def side_pose() -> PoseResult:
    """Shoulders 25 px apart (foreshortened), hips seen 180 px below them: body scale 0.6 x 180 = 108 px."""
    lm = [Landmark(620.0, 300.0, 0.0, 0.1) for _ in range(33)]  # arms unseen: no limb masks
    lm[0] = Landmark(650.0, 150.0, 0.0, 0.9)
    lm[11], lm[12] = Landmark(650.0, 200.0, 0.0, 0.9), Landmark(630.0, 215.0, 0.0, 0.9)
    lm[23], lm[24] = Landmark(600.0, 380.0, 0.0, 0.9), Landmark(590.0, 390.0, 0.0, 0.9)
    return PoseResult(landmarks=lm)


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def run(scene, rect: Box, params: DeskChangeParams | None = None) -> list:
    img = scene.reference.copy()
    cv2.rectangle(img, (int(rect[0]), int(rect[1])), (int(rect[2]), int(rect[3])), TROUSERS, -1)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None, params=params)
    out: list = []
    for i in range(12):
        out = det.process(img, side_pose(), t=0.5 * i)
    return out


LAP = (640, 350, 690, 440)  # right of the hips, 10 of its 90 rows on the desk zone


def test_the_lap_over_the_desk_edge_seen_from_aside_is_the_clerk(scene):
    assert run(scene, LAP) == []


def test_without_the_reach_the_lap_is_an_object(scene):
    out = run(scene, LAP, DeskChangeParams(body_reach=0.0))
    assert len(out) == 1 and out[0].box[1] <= LAP[1] + 8


def test_an_item_lying_on_the_desk_beside_the_clerk_stays(scene):
    out = run(scene, (640, DESK_TOP + 5, 700, DESK_TOP + 60))
    assert len(out) == 1


def test_an_item_standing_on_the_desk_away_from_the_clerk_stays(scene):
    """Mostly above the desk's back edge (an umbrella, a bottle), but two body scales from the torso."""
    out = run(scene, (860, 300, 900, DESK_TOP + 12))
    assert len(out) == 1
