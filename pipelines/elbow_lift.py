"""A learned 2D -> 3D reading of the right elbow angle (issue #7, session 29; guide.gesture's `elbow_lifter`, on by
default since session 29's elbow2 note: the rule takes a hold's lifted median only where `lifter_agrees` with the cue
median's).

The "simple baseline" of Martinez et al. (2017) at the size of one arm, trained on the simulator's exact joints, in
numpy at inference. Inputs (`features`): the pose's 2D shoulders, elbows, wrists and hips as camera rays (relative to
the right shoulder, over the torso's image length), the arm segments' 2D directions and lengths, MediaPipe's world
landmarks of the same joints (relative to the right shoulder, over MediaPipe's torso length), the visibility scores,
the camera's pitch, the elbow's place in the image and the torso's image length. No yaw, no body, no scene label.
The reading is the mean of two models:
- a ridge regression of the elbow angle;
- a one-hidden-layer MLP (16 tanh units) of each arm segment's out-of-image component (the sine of its angle out of the
  plane perpendicular to the elbow's ray); the angle then follows exactly from those and the 2D joints
  (`angle_from_depth`), so that half learns only the depth the image lacks.
Weights: `elbow_lift.json` beside this module (a few kB), written by `bench/guide_lift.py --save` from 400 random-arm
clips of bench/guide_lift_data.py (tune bodies, scratch yaws only, elbow uniform 60-180 deg: no guide's prior of 120);
how they were trained and measured is in the JSON's `trained` and docs/rules.md (guide.gesture, session 29).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipelines.geometry import CameraModel, angle_between, image_points, visibility, world_points
from vision.results import PoseResult

# pose landmarks read: left/right shoulder, elbow, wrist, hip
JOINTS = (11, 12, 13, 14, 15, 16, 23, 24)
RS, RE, RW = 1, 3, 5  # their positions in JOINTS
WEIGHTS = Path(__file__).with_name("elbow_lift.json")


def cam_rays(cam: CameraModel, uv: np.ndarray) -> np.ndarray:
    """Unit rays through pixels, camera axes (`CameraModel.ray`'s, turned back from the world's)."""
    return cam.to_camera_axes(cam.ray(uv))


def angle_from_depth(cam: CameraModel, uv: np.ndarray, s_upper: float, s_fore: float) -> float:
    """Elbow angle from the 2D shoulder, elbow, wrist (`uv`, 3x2 pixels) and each segment's out-of-image sine (+ away
    from the camera): a segment lies in the plane through the camera centre, the elbow and its other end's ray, so its
    direction is sqrt(1 - s^2) along that plane's part perpendicular to the elbow's ray plus s along the ray. Exact with
    the true joints (the simulator's: 0.0 deg over 5999 frames)."""
    r = cam_rays(cam, uv)
    d = r[1]
    dirs = []
    for k, s in ((0, s_upper), (2, s_fore)):
        q = r[k] / max(float(r[k] @ d), 1e-6) - d
        n = float(np.linalg.norm(q))
        perp = q / n if n > 1e-9 else np.zeros(3)
        s = float(np.clip(s, -1.0, 1.0))
        dirs.append(np.sqrt(1.0 - s * s) * perp + s * d)
    return angle_between(dirs[0], dirs[1])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (float(np.linalg.norm(v)) or 1e-6)


def features(uv: np.ndarray, vis: np.ndarray, world: np.ndarray, cam: CameraModel) -> np.ndarray:
    """The models' inputs from the 8 joints' pixels `uv`, visibility `vis` and MediaPipe world points `world` (JOINTS
    order)."""
    r = cam_rays(cam, uv)
    p = r[:, :2] / r[:, 2:3]
    torso = float(np.linalg.norm(0.5 * (p[0] + p[1]) - 0.5 * (p[6] + p[7]))) or 1e-3
    rel = (p - p[RS]) / torso
    up2, fo2 = p[RS] - p[RE], p[RW] - p[RE]
    wt = float(np.linalg.norm(0.5 * (world[0] + world[1]) - 0.5 * (world[6] + world[7]))) or 1e-3
    wrel = (world - world[RS]) / wt
    uw, fw = world[RS] - world[RE], world[RW] - world[RE]
    return np.concatenate([
        np.delete(rel, RS, axis=0).ravel(), _unit(up2), _unit(fo2),
        [np.linalg.norm(up2) / torso, np.linalg.norm(fo2) / torso, float(_unit(up2) @ _unit(fo2))],
        np.delete(wrel, RS, axis=0).ravel(), _unit(uw), _unit(fw), [float(_unit(uw) @ _unit(fw))],
        vis, [np.sin(np.radians(cam.pitch_deg))], p[RE], [torso],
    ])


def pose_inputs(pose: PoseResult) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The 8 joints' pixels, visibility and world points; None without world landmarks."""
    world = world_points(pose, JOINTS)
    if len(pose.landmarks) < 33 or world is None:
        return None
    return image_points(pose, JOINTS), visibility(pose, JOINTS), world


class Lifter:
    """The ridge (angle) and MLP (segment depths) halves from their weights; `angle` is their mean."""

    def __init__(self, weights: dict) -> None:
        rg, mlp = weights["ridge_angle"], weights["mlp_depth"]
        self.r_mu, self.r_sd, self.r_w, self.r_ym = (np.array(rg[k], float) for k in ("mu", "sd", "w", "ym"))
        self.m_mu, self.m_sd, self.m_ym, self.m_ys = (np.array(mlp[k], float) for k in ("mu", "sd", "ym", "ys"))
        self.m_p = [np.array(a, float) for a in mlp["p"]]
        self.sigma_deg = float(weights["sigma_deg"])

    def ridge_angle(self, x: np.ndarray) -> np.ndarray:
        return np.clip(((x - self.r_mu) / self.r_sd) @ self.r_w + self.r_ym, 0.0, 180.0)

    def mlp_depth(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.m_mu) / self.m_sd
        return (np.tanh(z @ self.m_p[0] + self.m_p[1]) @ self.m_p[2] + self.m_p[3]) * self.m_ys + self.m_ym

    def angle(self, pose: PoseResult, cam: CameraModel) -> float | None:
        got = pose_inputs(pose)
        if got is None:
            return None
        uv, vis, world = got
        x = features(uv, vis, world, cam)[None]
        s = self.mlp_depth(x)[0]
        return 0.5 * (float(self.ridge_angle(x)[0]) + angle_from_depth(cam, uv[[RS, RE, RW]], s[0], s[1]))


def lifter_agrees(lifted: float | None, cue: float | None, cue_sigma: float | None, lifter_sigma: float,
                  k: float) -> bool:
    """Whether the lifter's reading of a hold (its median) may stand for the cue median's: both measured and no
    further apart than k of their combined sigma. Where the 2D joints say little the lifter shrinks toward its
    training mean (a straight arm pointing at the camera, tune_wide (1.8 m, -40 deg): 123 for 170, the cues 170)
    while the cues keep the image's own reading: there the two part and the cue's reading stands (session 29,
    elbow2)."""
    if lifted is None or cue is None:
        return False
    return abs(lifted - cue) <= k * float(np.hypot(cue_sigma or 0.0, lifter_sigma))


@lru_cache(maxsize=1)
def lifter() -> Lifter:
    return Lifter(json.loads(WEIGHTS.read_text()))
