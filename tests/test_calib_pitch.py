"""Camera pitch from an upright clerk: exact on projected synthetic skeletons, robust to landmark noise."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.pitch import estimate_pitch, pitch_from_pose
from tests.fixtures.etiquette import make_cam, synth_pose
from vision.results import PoseResult


@pytest.mark.parametrize("pitch", [0.0, 8.0, 15.0, 25.0, 40.0])
@pytest.mark.parametrize("yaw", [0.0, 35.0])
def test_upright_clerk_gives_the_camera_pitch(pitch, yaw):
    pose, _ = synth_pose(make_cam(yaw=yaw, pitch=pitch))
    assert pitch_from_pose(pose) == pytest.approx(pitch, abs=0.5)


def test_median_over_noisy_frames():
    rng = np.random.default_rng(3)
    pose, _ = synth_pose(make_cam(pitch=18.0))
    noisy = []
    for _ in range(25):  # MediaPipe-like world noise: a few centimetres, mostly in depth
        w = np.array(pose.world) + rng.normal(0, [0.01, 0.01, 0.04], (33, 3))
        noisy.append(PoseResult(landmarks=pose.landmarks, world=[tuple(p) for p in w]))
    est = estimate_pitch(noisy + [None])
    assert est is not None and est.frames == 25
    assert est.pitch_deg == pytest.approx(18.0, abs=2.0) and est.spread_deg < 6.0


def test_unusable_poses_give_no_estimate():
    pose, _ = synth_pose(make_cam(pitch=10.0))
    assert estimate_pitch([]) is None
    assert pitch_from_pose(PoseResult(landmarks=pose.landmarks, world=[])) is None
    flipped = PoseResult(landmarks=pose.landmarks, world=[(x, -y, z) for x, y, z in pose.world])  # upside down
    assert pitch_from_pose(flipped) is None
