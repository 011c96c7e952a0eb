"""The palm normal from the hand's image landmarks with MediaPipe's flat relative depth scaled back
(geometry.HAND_DEPTH_SCALE)."""

from __future__ import annotations

import numpy as np
import pytest

import pipelines.geometry as geometry
from pipelines.geometry import HAND_DEPTH_SCALE, angle_between, palm_normal_image
from vision.results import HandResult


def flat_hand(normal_cam: np.ndarray) -> HandResult:
    """A right hand whose palm faces `normal_cam` (camera axes: x right, y down, z away), seen orthographically, with
    its depth flattened the way the hand model reports it."""
    n = normal_cam / np.linalg.norm(normal_cam)
    along = np.cross(n, [1.0, 0.0, 0.0])  # wrist -> fingers, in the palm plane
    along /= np.linalg.norm(along)
    across = np.cross(n, along)  # index side -> pinky side, so index x pinky = the palm normal
    pts = np.zeros((21, 3))
    pts[5] = 80 * along - 20 * across  # index base
    pts[17] = 70 * along + 20 * across  # pinky base
    pts[9], pts[13] = 85 * along - 7 * across, 80 * along + 7 * across
    pts[:, 2] /= HAND_DEPTH_SCALE
    return HandResult(landmarks=[tuple(p + [300.0, 200.0, 0.0]) for p in pts], handedness="Right")


# palms tipped toward or away from the camera: the out-of-image part of the normal comes from the depth
@pytest.mark.parametrize("normal", [[0.0, -0.6, -0.8], [0.0, -0.8, 0.6], [0.5, -0.7, -0.5]])
def test_the_scaled_depth_recovers_a_tilted_palm(normal):
    n = np.array(normal) / np.linalg.norm(normal)
    got = palm_normal_image(flat_hand(n))
    assert got is not None and angle_between(got, n) < 1.0


def test_with_the_depth_as_given_the_same_palm_reads_flattened_toward_the_image_plane(monkeypatch):
    n = np.array([0.0, -0.6, -0.8])
    monkeypatch.setattr(geometry, "HAND_DEPTH_SCALE", 1.0)
    got = palm_normal_image(flat_hand(n))
    assert got is not None and angle_between(got, n) > 15.0
