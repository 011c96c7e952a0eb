"""An item standing on the desk beyond the frame's edge, only its top in view (session 27): a close, low camera cuts
the umbrella at the desk's near left corner off at the frame's left edge, its canopy alone showing over the desk's
edge (tune_wide (1.2 m, 1.25 m, -10 deg)). Synthetic desk, no model: the desk zone runs off both side edges."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import DESK_TOP, desk_scene
from vision.desk_change import DeskChangeDetector, DeskChangeParams

CANOPY = np.array([(0, 200), (220, 250), (0, 290)], np.int32)  # a blue canopy cut by the left edge, above the desk


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def objects(scene, img, **params):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None, params=DeskChangeParams(**params))
    return [det.process(img, t=0.5 * i) for i in range(12)][-1]


def with_canopy(scene, dx: int = 0) -> np.ndarray:
    img = scene.reference.copy()
    cv2.fillPoly(img, [CANOPY + (dx, 0)], (160, 60, 30))
    return img


def test_a_canopy_cut_by_the_frames_edge_over_the_desk_is_an_item(scene):
    out = objects(scene, with_canopy(scene))
    assert len(out) == 1 and out[0].box[0] == 0.0 and out[0].box[3] < DESK_TOP
    assert objects(scene, with_canopy(scene), off_frame_px=0) == []  # the footprint test alone: dropped


def test_the_same_shape_inside_the_frame_with_no_footprint_is_not(scene):
    assert objects(scene, with_canopy(scene, dx=120)) == []


def test_an_item_standing_in_view_below_it_is_where_it_stands(scene):
    # the canopy's own pole (or any item) on the desk below it, in its columns: the item is in view, not beyond
    img = with_canopy(scene)
    cv2.rectangle(img, (60, 330), (130, 560), (40, 90, 200), -1)
    out = objects(scene, img)
    assert len(out) == 1 and out[0].box[1] > 300
