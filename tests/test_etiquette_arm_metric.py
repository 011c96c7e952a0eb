"""The metric elbow cue: the clerk's learned segment lengths put a foreshortened forearm back out of the image."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipelines.geometry import (
    ArmScale,
    elbow_angle,
    elbow_angle_2d,
    elbow_angle_metric,
    forearm_ratio,
    on_ray_at_distance,
    segment_length_lower_bound,
)
from pipelines.rules.etiquette_common import ClerkGeometry
from tests.fixtures.etiquette import FOREARM, UPPER_ARM, ArmPose, counter_for, make_cam, synth_pose
from vision.observation import Observation

HIGH_RIGHT = dict(yaw=-40.0, pitch=19.4, height=1.8, distance=1.7)  # tune_wide's hardest view for the guide


def guide_arm(azimuth_deg: float, elevation_deg: float) -> ArmPose:
    """The simulator's guide: forearm at this azimuth (from forward toward the clerk's right) and elevation,
    elbow 120 deg, the elbow below and behind the forearm line."""
    a, e = math.radians(azimuth_deg), math.radians(elevation_deg)
    fore = np.array([-math.sin(a) * math.cos(e), math.sin(e), math.cos(a) * math.cos(e)])
    ref = np.array([-0.2, -1.0, -0.2])
    ref = ref - (ref @ fore) * fore
    upper = 0.5 * fore + math.sin(math.radians(60)) * ref / np.linalg.norm(ref)
    return ArmPose(upper_dir=tuple(upper), elbow_deg=120.0, toward=tuple(fore))


def mediapipe_depth(pose, k: float = 0.5):
    """MediaPipe's world landmarks put an arm pointing at the camera only part of the way out of the image
    (about half on the tune guides): scale the right arm's camera depth about the shoulder."""
    w = np.array(pose.world)
    for i in (14, 16, 18, 20, 22):
        w[i][2] = w[12][2] + k * (w[i][2] - w[12][2])
    pose.world = [tuple(p) for p in w]
    return pose


def test_ray_sphere_roots_and_a_ray_that_misses():
    cam = make_cam()
    centre = np.array([0.0, 1.2, 0.0])
    target = centre + np.array([-0.1, -0.1, 0.2])
    uv = cam.project(target)
    length = float(np.linalg.norm(target - centre))
    near = on_ray_at_distance(cam, uv, centre, length, toward_camera=True)
    far = on_ray_at_distance(cam, uv, centre, length, toward_camera=False)
    assert np.allclose(near, target, atol=1e-9)  # the target is the root toward the camera (+Z)
    assert np.linalg.norm(far - centre) == pytest.approx(length) and far[2] < near[2]
    short = on_ray_at_distance(cam, uv, centre, 0.01, toward_camera=True)  # no root: the closest point
    assert np.linalg.norm(np.cross(short - cam.C, cam.ray(uv))) < 1e-9


@pytest.mark.parametrize("azimuth,elevation,tol", [(40, 0, 6.0), (35, 35, 2.0)])
def test_metric_cue_recovers_a_forearm_pointing_at_the_camera(azimuth, elevation, tol):
    cam = make_cam(**HIGH_RIGHT)
    pose, pts = synth_pose(cam, 15.0, right=guide_arm(azimuth, elevation))
    pose = mediapipe_depth(pose)
    arm = ArmScale(float((pts[12] - cam.C) @ cam.R[2]), 0.29, 0.25)
    assert forearm_ratio(pose, cam, arm) < 0.75  # the forearm is foreshortened in the image
    old = elbow_angle(pose, cam).value
    assert abs(old - 120.0) > 20.0, old  # the median of 2D, lift and plane reads the arm straighter
    assert abs(elbow_angle_2d(pose) - 120.0) > 25.0
    assert abs(elbow_angle_metric(pose, cam, arm).value - 120.0) < tol
    assert abs(elbow_angle(pose, cam, arm=arm).value - 120.0) < tol


def test_an_arm_in_the_image_plane_keeps_the_median():
    cam = make_cam(yaw=0.0)
    pose, pts = synth_pose(cam, 15.0, right=guide_arm(85, 0))
    arm = ArmScale(float((pts[12] - cam.C) @ cam.R[2]), 0.29, 0.25)
    assert forearm_ratio(pose, cam, arm) > 0.9
    assert elbow_angle(pose, cam, arm=arm) == elbow_angle(pose, cam)


def test_clerk_geometry_learns_the_arm_lengths_and_measures_the_guide():
    """The lengths are the long end of each segment's image length at the shoulder's depth: they are learned
    once the arm has lain near the image plane in the window (here: held down along the image's vertical)."""
    cam = make_cam(**HIGH_RIGHT)
    counter = counter_for(cam)
    counter.camera.distance_m = HIGH_RIGHT["distance"]  # the fixture's counter assumes 1.5 m
    geom = ClerkGeometry(counter)
    in_plane = ArmPose(upper_dir=tuple(cam.R[1]), elbow_deg=179.0, toward=tuple(cam.R[0]))
    frames = [synth_pose(cam, 0.0)[0] for _ in range(8)] + [synth_pose(cam, 0.0, right=in_plane)[0] for _ in range(4)]
    frames += [mediapipe_depth(synth_pose(cam, 15.0, right=guide_arm(40, 0))[0]) for _ in range(5)]
    measured = []
    for i, pose in enumerate(frames):
        obs = Observation(counter_id="c1", frame_index=i, t=i / 5, image_size=(1280, 720), ran=["pose"], pose=pose)
        measured.append(geom.measure(obs))
    last = measured[-1]
    arm = last.arms["right"]
    assert arm.upper_m == pytest.approx(UPPER_ARM, rel=0.05) and arm.fore_m == pytest.approx(FOREARM, rel=0.05)
    assert abs(elbow_angle(last.pose, last.cam, "right", arm).value - 120.0) < 6.0
    assert abs(elbow_angle(last.pose, last.cam, "right").value - 120.0) > 20.0
    assert not measured[0].arms  # nothing before the upright baseline and a few fitted frames


NEAR_RIGHT = dict(yaw=-15.0, pitch=19.2, height=1.6, distance=1.15)  # tune_sweep's close view on the guiding arm's side


def test_the_forearm_ratio_is_taken_against_the_line_of_sight():
    """A wrist coming toward a close camera off its axis grows in the image with its nearness: the forearm's image
    length at the elbow's depth reads 0.74 of its length here (in the image plane by the 0.7 gate), while the elbow's
    distance from the wrist's ray (the sine of the forearm's angle to the line of sight) is 0.68: foreshortened, so the
    length-based cue reads the 120-deg guide."""
    cam = make_cam(**NEAR_RIGHT)
    pose, pts = synth_pose(cam, 15.0, right=guide_arm(20, 10))
    pose = mediapipe_depth(pose)
    arm = ArmScale(float((pts[12] - cam.C) @ cam.R[2]), UPPER_ARM, FOREARM)
    at_elbow_depth = float((pts[14] - cam.C) @ cam.R[2])
    uv = cam.project(np.array([pts[14], pts[16]]))
    assert segment_length_lower_bound(cam, uv[0], uv[1], at_elbow_depth) / FOREARM > 0.72  # the former reading
    assert forearm_ratio(pose, cam, arm) < 0.7
    assert abs(elbow_angle(pose, cam).value - 120.0) > 12.0  # the median reads it straighter
    assert abs(elbow_angle(pose, cam, arm=arm).value - 120.0) < 5.0
