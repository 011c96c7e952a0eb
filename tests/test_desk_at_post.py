"""One point-in-zone test for the product: the desk stage's "clerk at the post" is the rules' and the pipeline's
`point_in_polygon` (calibration/config.py), boundary included (synthetic desk, no model)."""

from __future__ import annotations

from calibration.config import point_in_polygon
from pipelines.context import point_in_polygon as rules_point_in_polygon
from tests.fixtures.desk import DESK_TOP, desk_scene
from vision.desk_change import DeskChangeDetector
from vision.results import Landmark, PoseResult

SQUARE = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]


def test_the_zone_test_is_half_open():
    """A point on a left or top edge is inside, on a right or bottom edge outside: zones sharing an edge never both
    hold it (cv2.pointPolygonTest >= 0, the desk stage's test before, held every edge point)."""
    assert point_in_polygon((5.0, 5.0), SQUARE)
    assert point_in_polygon((0.0, 5.0), SQUARE) and point_in_polygon((5.0, 0.0), SQUARE)
    assert not point_in_polygon((10.0, 5.0), SQUARE) and not point_in_polygon((5.0, 10.0), SQUARE)
    right = [(10.0, 0.0), (20.0, 0.0), (20.0, 10.0), (10.0, 10.0)]
    assert point_in_polygon((10.0, 5.0), right)
    assert rules_point_in_polygon is point_in_polygon  # the rules' name is the same function


def pose_at(x: float, y: float) -> PoseResult:
    return PoseResult(landmarks=[Landmark(x, y, 0.0, 0.9) for _ in range(33)])


def test_the_desk_stage_places_the_clerk_with_the_shared_test():
    scene = desk_scene()
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    post = scene.counter.zones.post
    assert post is not None
    assert det._at_post(pose_at(640.0, 150.0))
    assert not det._at_post(pose_at(1000.0, 150.0)) and not det._at_post(None)
    for x, y in [(400.0, 150.0), (880.0, 150.0), (640.0, 0.0), (640.0, DESK_TOP + 40.0)]:  # on the post's edges
        assert det._at_post(pose_at(x, y)) == point_in_polygon((x, y), post)
