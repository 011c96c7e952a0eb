"""The palm normal of a hand seen off the image centre (geometry.palm_normal_image with the camera): through a pinhole
a point that moves in depth off the image centre also moves across the image, so the landmarks' pixels are the
camera's x, y less the depth times the ray's slope."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.geometry import HAND_DEPTH_SCALE, CameraModel, angle_between, palm_normal_image, palm_up_score
from vision.results import HandResult

CAM = CameraModel.make(yaw_deg=0.0, pitch_deg=5.0, height_m=1.35, distance_m=1.5, hfov_deg=70.0, width=640,
                       height=480)


def seen_hand(centre_px: tuple[float, float], depth: float, normal_cam: np.ndarray) -> HandResult:
    """A flat right hand whose palm faces `normal_cam` (camera axes), its palm centre at pixel `centre_px` and
    `depth` m along the optical axis, projected through the pinhole; the landmarks' z is the relative depth on the
    x scale, flattened the way the hand model reports it."""
    n = normal_cam / np.linalg.norm(normal_cam)
    along = np.cross(n, [1.0, 0.0, 0.0])
    along /= np.linalg.norm(along)
    across = np.cross(n, along)  # index side -> pinky side, so index x pinky = the palm normal
    local = np.zeros((21, 3))
    local[5], local[17] = 0.08 * along - 0.02 * across, 0.07 * along + 0.02 * across
    local[9], local[13] = 0.085 * along - 0.007 * across, 0.08 * along + 0.007 * across
    centre = np.array([(centre_px[0] - CAM.cx) / CAM.f, (centre_px[1] - CAM.cy) / CAM.f, 1.0]) * depth
    pts = centre + local - local[[0, 5, 9, 17]].mean(axis=0)
    lms = [(CAM.f * p[0] / p[2] + CAM.cx, CAM.f * p[1] / p[2] + CAM.cy,
            (p[2] - pts[0][2]) * CAM.f / pts[0][2] / HAND_DEPTH_SCALE) for p in pts]
    return HandResult(landmarks=lms, handedness="Right")


UP_CAM = CAM.to_camera_axes(np.array([0.0, 1.0, 0.0]))


# an upward palm tips with the image's vertical offset, a sideways one with the horizontal
CASES = [((320.0, 450.0), UP_CAM), ((560.0, 440.0), UP_CAM), ((600.0, 240.0), np.array([1.0, 0.0, 0.3])),
         ((40.0, 260.0), np.array([-1.0, 0.2, 0.2]))]


@pytest.mark.parametrize(("centre_px", "normal"), CASES)
def test_a_palm_off_the_image_centre_reads_its_own_normal(centre_px, normal):
    hand = seen_hand(centre_px, 1.3, normal)
    assert angle_between(palm_normal_image(hand, CAM), normal) < 2.0


@pytest.mark.parametrize(("centre_px", "normal"), CASES)
def test_control_with_the_pixels_as_the_cameras_axes_the_same_palm_reads_tilted(centre_px, normal):
    assert angle_between(palm_normal_image(seen_hand(centre_px, 1.3, normal)), normal) > 12.0


@pytest.mark.parametrize("centre_px", [(320.0, 450.0), (560.0, 440.0)])
def test_an_upward_palm_below_the_image_centre_reads_up(centre_px):
    assert palm_up_score(seen_hand(centre_px, 1.3, UP_CAM), CAM) > 0.99


def test_at_the_image_centre_the_ray_changes_nothing():
    hand = seen_hand((CAM.cx, CAM.cy), 1.3, UP_CAM)
    assert angle_between(palm_normal_image(hand, CAM), palm_normal_image(hand)) < 1.0
