"""Etiquette geometry on exact pinhole projections of a synthetic clerk, from several viewpoints."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calibration.config import Camera
from pipelines.geometry import (
    HAND_DEPTH_SCALE,
    CameraModel,
    elbow_angle,
    elbow_angle_2d,
    elbow_angle_on_plane,
    elbow_angle_relative_depth,
    forearm_from_vertical,
    learn_upright,
    measurable_from,
    measure_bow,
    naive_world_bow,
    palm_up_score,
    perspective_bow,
    world_bow_sigma,
)
from tests.fixtures.etiquette import GUIDE_120, ArmPose, make_cam, synth_hand, synth_pose

VIEWS = [(0, 10), (0, 30), (30, 10), (45, 10), (-45, 20), (70, 10)]


def upright_model(cam: CameraModel):
    return learn_upright([synth_pose(cam, 0.0)[0] for _ in range(3)], cam)


def test_camera_projects_and_back_projects_consistently():
    cam = make_cam(yaw=30, pitch=15)
    pts = np.array([[0.1, 1.2, 0.0], [-0.2, 0.9, 0.1]])
    uv = cam.project(pts)
    back = cam.on_plane(uv, np.array([0.0, 0.0, 1.0]), np.zeros(3))
    assert np.allclose(back[0], pts[0], atol=1e-9)
    # the clerk's axis projects to the image's horizontal centre (the camera aims at it)
    assert cam.project(np.array([0.0, 1.0, 0.0]))[0] == pytest.approx(640.0)


@pytest.mark.parametrize("yaw,pitch", VIEWS)
@pytest.mark.parametrize("bow", [15.0, 30.0, 45.0])
def test_fused_bow_angle_within_two_degrees_from_every_view(yaw, pitch, bow):
    cam = make_cam(yaw=yaw, pitch=pitch)
    m = measure_bow(synth_pose(cam, bow)[0], cam, upright_model(cam))
    assert abs(m.angle - bow) <= 2.0, (yaw, pitch, m)
    assert set(m.cues) == {"perspective", "world"}


def test_naive_world_angle_carries_the_camera_pitch_and_ours_does_not():
    cam = make_cam(yaw=0, pitch=30)
    pose = synth_pose(cam, 0.0)[0]
    assert naive_world_bow(pose) == pytest.approx(30.0, abs=0.5)
    assert abs(measure_bow(pose, cam, upright_model(cam)).angle) < 0.5


def test_conditioning_weights_follow_the_view():
    """From the front the bend runs along the optical axis: both cues are worse conditioned there."""
    frontal, oblique = make_cam(yaw=0), make_cam(yaw=45)
    s_front = perspective_bow(synth_pose(frontal, 15)[0], frontal, upright_model(frontal))[0].sigma
    s_obl = perspective_bow(synth_pose(oblique, 15)[0], oblique, upright_model(oblique))[0].sigma
    assert s_front > 2 * s_obl
    assert world_bow_sigma(frontal, 15) > world_bow_sigma(oblique, 15) > world_bow_sigma(make_cam(yaw=90), 15)


def test_bow_learned_baseline_absorbs_a_fixed_world_bias():
    """A world-landmark reader that leans the torso by 5.7 deg everywhere is corrected by the baseline."""
    cam = make_cam(yaw=45)
    def biased(bow):
        pose = synth_pose(cam, bow)[0]
        c, s = math.cos(0.1), math.sin(0.1)
        rot = cam.R @ np.array([[1, 0, 0], [0, c, -s], [0, s, c]]) @ cam.R.T  # 5.7 deg about the lateral axis
        pose.world = [tuple(rot @ np.array(p)) for p in pose.world]
        return pose
    model = learn_upright([biased(0.0)], cam)
    m = measure_bow(biased(30.0), cam, model)
    assert abs(m.cues["world"].value - 30.0) < 1.5


@pytest.mark.parametrize("yaw", [0, 45, -30])
def test_elbow_angle_on_the_arm_plane(yaw):
    cam = make_cam(yaw=yaw)
    pose = synth_pose(cam, 15.0, right=GUIDE_120)[0]
    assert abs(elbow_angle_on_plane(pose, cam).value - 120.0) < 2.0  # exact with exact world landmarks
    err_2d = abs(elbow_angle_2d(pose) - 120.0)
    assert err_2d > 5.0  # the raw 2D angle is distorted by the view
    # the estimate is the median of 2D, relative-depth lift and plane: the two exact cues outvote the 2D one
    assert abs(elbow_angle_relative_depth(pose) - 120.0) < 6.0  # weak perspective: a few degrees off axis
    assert abs(elbow_angle(pose, cam).value - 120.0) < 3.0
    # a near-straight arm swung out to the side (one pointing at the lens reads straighter in 2D)
    straight = synth_pose(cam, 0.0, right=ArmPose(upper_dir=(-0.5, -1.0, 0.1), elbow_deg=170.0,
                                                  toward=(-1.0, 0.0, 0.2)))[0]
    assert abs(elbow_angle(straight, cam).value - 170.0) < 8.0


def test_forearm_vertical_and_tilted():
    cam = make_cam(yaw=20)
    raised = ArmPose(upper_dir=(-1.0, 0.0, 0.2), elbow_deg=90.0, toward=(0.0, 1.0, 0.0))
    assert forearm_from_vertical(synth_pose(cam, 0.0, right=raised)[0], cam) < 3.0
    tilted = ArmPose(upper_dir=(-1.0, 0.0, 0.0), elbow_deg=135.0, toward=(0.0, 1.0, 0.0))
    assert forearm_from_vertical(synth_pose(cam, 0.0, right=tilted)[0], cam) == pytest.approx(45.0, abs=4.0)


def test_palm_up_score_in_world_axes():
    cam = make_cam(yaw=45, pitch=25)
    wrist = np.array([-0.3, 1.1, 0.2])
    assert palm_up_score(synth_hand(cam, wrist, (0.0, 1.0, 0.0)), cam) == pytest.approx(1.0)
    assert palm_up_score(synth_hand(cam, wrist, (0.0, -1.0, 0.0)), cam) == pytest.approx(-1.0)
    assert abs(palm_up_score(synth_hand(cam, wrist, (0.0, 0.0, 1.0)), cam)) < 1e-9


def test_measurable_from_reports_each_rule_with_a_reason():
    good = measurable_from(Camera(height_m=1.35, pitch_deg=10, yaw_deg=45, distance_m=1.5))
    assert set(good) == {"bow.angle", "guide.gesture", "greet.raise_hand", "handover.two_hands",
                         "point.one_finger", "stand.for_visitor"}
    assert good["bow.angle"][0] and good["guide.gesture"][0]
    uncal = measurable_from(Camera())
    assert not uncal["bow.angle"][0] and "pitch" in uncal["bow.angle"][1]
    side = measurable_from(Camera(height_m=1.35, pitch_deg=10, yaw_deg=80, distance_m=1.5))
    assert not side["guide.gesture"][0] and not side["greet.raise_hand"][0]
    far = measurable_from(Camera(height_m=3.0, pitch_deg=30, yaw_deg=0, distance_m=8.0, hfov_deg=110))
    assert not far["point.one_finger"][0]


def _image_hand(cam, wrist, normal, spread_deg: float, handedness: str = "Right", flatten: float = 1.0):
    """A flat hand (palm normal `normal`, world axes) with its fingers fanned `spread_deg` apart, projected
    as MediaPipe gives image landmarks: pixels and a relative depth on the x scale, divided by `flatten` (the hand
    model's depth is flatter than the hand by about HAND_DEPTH_SCALE, which palm_normal_image undoes)."""
    from vision.results import HandResult

    n = np.asarray(normal, float) / np.linalg.norm(normal)
    f = np.cross(n, [1.0, 0.0, 0.0])
    f = f if np.linalg.norm(f) > 1e-6 else np.cross(n, [0.0, 0.0, 1.0])
    f /= np.linalg.norm(f)
    lat = np.cross(f, n)  # index side: (index base - wrist) x (pinky base - wrist) is along +n for a right hand
    if handedness == "Left":
        lat = -lat
    pts = [np.asarray(wrist, float)]
    pts += [pts[0] + 0.03 * lat + 0.02 * j * f for j in range(1, 5)]  # thumb (landmarks 1-4)
    for off in (1.5, 0.5, -0.5, -1.5):  # index, middle, ring, pinky: base and three joints out to the tip
        a = math.radians(spread_deg * off)
        d = math.cos(a) * f + math.sin(a) * lat
        base = pts[0] + 0.09 * f + 0.02 * off * lat
        pts += [base + s * d for s in (0.0, 0.03, 0.05, 0.07)]
    arr = np.array(pts)
    uv = cam.project(arr)
    depth = (arr - cam.C) @ cam.R[2]
    z = (depth - depth[0]) * cam.f / depth[0] / flatten
    return HandResult(landmarks=[(float(u), float(v), float(d)) for (u, v), d in zip(uv, z, strict=True)],
                      handedness=handedness)


@pytest.mark.parametrize("yaw", [0, 45])
def test_palm_and_finger_spread_from_image_landmarks(yaw):
    from pipelines.geometry import finger_spread_deg, fingers_together_score

    cam = make_cam(yaw=yaw, pitch=15)
    wrist = np.array([-0.25, 1.05, 0.35])
    for hand in ("Right", "Left"):
        for normal, cosine, tol in (((0, 1, 0), 1.0, 0.05), ((0, -1, 0), -1.0, 0.05), ((1, 0, 0), 0.0, 0.2)):
            hand_lms = _image_hand(cam, wrist, normal, 0.0, hand, HAND_DEPTH_SCALE)
            assert palm_up_score(hand_lms, cam) == pytest.approx(cosine, abs=tol)
    together, spread = _image_hand(cam, wrist, (0.0, 1.0, 0.0), 0.0), _image_hand(cam, wrist, (0.0, 1.0, 0.0), 14.0)
    assert finger_spread_deg(together) < 2.0 and fingers_together_score(together) == pytest.approx(1.0)
    assert finger_spread_deg(spread) > 10.0 and fingers_together_score(spread) < 0.4


def test_the_bow_grid_projection_is_kept_per_camera_by_value():
    from pipelines.geometry import PERSPECTIVE_GRID, learn_upright, rotate_forward

    front, side = make_cam(), make_cam(yaw=45)
    model = learn_upright([synth_pose(front, 0.0)[0] for _ in range(3)], front)
    fresh = front.project(model.hip + rotate_forward(model.offsets, PERSPECTIVE_GRID))
    assert np.array_equal(model.grid_projection(front), fresh)
    assert model.grid_projection(make_cam()) is model.grid_projection(front)  # an equal camera: the same grid
    assert not np.allclose(model.grid_projection(side), fresh)  # another camera: recomputed, not reused
    assert np.array_equal(model.grid_projection(front), fresh)


def test_the_bow_verdict_compares_a_predicted_mae_with_the_mae_target():
    # frontal at 1.35 m, 1.5 m (11.3 deg down): the fused sigma is 4.2 deg, an MAE of 3.3 (measured on the tune
    # split's renders there: 2.4), so the bow is measurable within its 4-deg MAE target
    ok, why = measurable_from(Camera(height_m=1.35, pitch_deg=11.31, yaw_deg=0, distance_m=1.5))["bow.angle"]
    assert ok and "predicted bow MAE 3.3 deg (sigma 4.2)" in why
