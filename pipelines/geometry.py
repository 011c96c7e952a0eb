"""Viewpoint-aware etiquette geometry: bow angle, elbow and forearm angles, palm orientation.

Pure functions over PoseResult/HandResult and the calibrated camera (calibration/config.py Camera).

World frame (metres), centred on the clerk: origin on the floor under the hip centre, +Y up, +Z the
clerk's forward direction (toward the desk and the client), +X the clerk's left. The camera stands
`distance_m` away horizontally at azimuth `yaw_deg` (0 = straight in front of the clerk, + = toward
the clerk's left), `height_m` above the floor, aimed at the clerk's vertical axis and tilted down by
`pitch_deg`. Camera axes follow OpenCV (x right, y down, z forward); MediaPipe world landmarks are
taken as camera-aligned (x right, y down, z away), origin at the hips.

No single cue reads a bow from every viewpoint: from the front the torso moves along the optical
axis (2D sees only foreshortening, MediaPipe's depth is poor), from the side it moves in the image
plane. So each cue reports a standard deviation from its own conditioning in this view and the
estimates are fused by inverse variance (see `fuse`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from calibration.config import Camera
from vision.results import FINGER_JOINTS, HandResult, Landmark, PoseResult

NOSE, L_EAR, R_EAR, MOUTH_L, MOUTH_R = 0, 7, 8, 9, 10
L_PINKY, R_PINKY, L_INDEX, R_INDEX = 17, 18, 19, 20
L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST = 11, 12, 13, 14, 15, 16
L_HIP, R_HIP = 23, 24
UPPER_BODY = (L_SHOULDER, R_SHOULDER, L_EAR, R_EAR)  # the points a bow rotates about the hips
SIDE = {"left": (L_SHOULDER, L_ELBOW, L_WRIST), "right": (R_SHOULDER, R_ELBOW, R_WRIST)}

DEFAULT_HEIGHT_M, DEFAULT_DISTANCE_M = 1.35, 1.5
UP = np.array([0.0, 1.0, 0.0])
FORWARD = np.array([0.0, 0.0, 1.0])
LATERAL = np.array([1.0, 0.0, 0.0])


# ---------------------------------------------------------------------------------------------- camera


@dataclass(frozen=True)
class CameraModel:
    """Pinhole camera in the clerk-centred world frame."""

    f: float
    cx: float
    cy: float
    R: np.ndarray  # world -> camera rotation; rows are the camera x, y, z axes in world coordinates
    C: np.ndarray  # camera centre, world coordinates
    yaw_deg: float
    pitch_deg: float

    @classmethod
    def from_config(cls, camera: Camera, image_size: tuple[int, int] | None = None) -> CameraModel:
        """Build from the counter's Camera block; missing height/distance take typical values."""
        w, h = image_size if image_size and image_size[0] > 0 else (camera.width, camera.height)
        return cls.make(
            yaw_deg=camera.yaw_deg or 0.0,
            pitch_deg=camera.pitch_deg or 0.0,
            height_m=camera.height_m or DEFAULT_HEIGHT_M,
            distance_m=camera.distance_m or DEFAULT_DISTANCE_M,
            hfov_deg=camera.hfov_deg,
            width=w,
            height=h,
        )

    @classmethod
    def make(
        cls, *, yaw_deg: float, pitch_deg: float, height_m: float, distance_m: float,
        hfov_deg: float, width: int, height: int,
    ) -> CameraModel:
        yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
        centre = np.array([distance_m * math.sin(yaw), height_m, distance_m * math.cos(yaw)])
        fwd = np.array([-math.sin(yaw) * math.cos(pitch), -math.sin(pitch), -math.cos(yaw) * math.cos(pitch)])
        right = np.array([math.cos(yaw), 0.0, -math.sin(yaw)])
        down = np.cross(fwd, right)
        f = (width / 2) / math.tan(math.radians(hfov_deg) / 2)
        return cls(f, width / 2, height / 2, np.stack([right, down, fwd]), centre, yaw_deg, pitch_deg)

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> pixels (..., 2)."""
        pc = (np.asarray(points, float) - self.C) @ self.R.T
        z = np.maximum(pc[..., 2], 1e-6)
        out = np.empty(pc.shape[:-1] + (2,))  # filled in place, like `ray`
        out[..., 0] = self.f * pc[..., 0] / z + self.cx
        out[..., 1] = self.f * pc[..., 1] / z + self.cy
        return out

    def ray(self, uv: np.ndarray) -> np.ndarray:
        """Unit world direction(s) of the ray through pixel(s) uv (..., 2)."""
        uv = np.asarray(uv, float)
        # filled in place: np.stack cost more than the maths (the rules cast ~20 rays a frame)
        d_cam = np.empty(uv.shape[:-1] + (3,))
        d_cam[..., 0] = (uv[..., 0] - self.cx) / self.f
        d_cam[..., 1] = (uv[..., 1] - self.cy) / self.f
        d_cam[..., 2] = 1.0
        d = d_cam @ self.R
        return d / np.sqrt((d * d).sum(axis=-1, keepdims=True))

    def on_plane(self, uv: np.ndarray, normal: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Intersect the ray(s) through uv with the plane {X : normal . (X - point) = 0}."""
        d = self.ray(uv)
        denom = d @ normal
        denom = np.where(np.abs(denom) < 1e-6, 1e-6, denom)
        lam = ((point - self.C) @ normal) / denom
        return self.C + lam[..., None] * d

    def to_camera_axes(self, v_world: np.ndarray) -> np.ndarray:
        return np.asarray(v_world, float) @ self.R.T

    def to_world_axes(self, v_cam: np.ndarray) -> np.ndarray:
        return np.asarray(v_cam, float) @ self.R

    def coronal_plane_normal(self) -> np.ndarray:
        """Plane for back-projecting an upright body: the clerk's coronal plane (Z = 0), or the plane
        facing the camera when the view is nearly side-on and that plane would contain the rays."""
        return FORWARD if abs(self.yaw_deg) <= 60 else -self.R[2] * np.array([1.0, 0.0, 1.0])


# ------------------------------------------------------------------------------------------ landmarks


def image_points(pose: PoseResult, idx: tuple[int, ...] | list[int]) -> np.ndarray:
    return np.array([[pose.landmarks[i].x, pose.landmarks[i].y] for i in idx], float)


def visibility(pose: PoseResult, idx: tuple[int, ...] | list[int]) -> np.ndarray:
    return np.array([pose.landmarks[i].visibility for i in idx], float)


def world_points(pose: PoseResult, idx: tuple[int, ...] | list[int]) -> np.ndarray | None:
    if len(pose.world) < 33:
        return None
    return np.array([pose.world[i] for i in idx], float)


def angle_between(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-9 or nb < 1e-9:
        return float("nan")
    return math.degrees(math.acos(float(np.clip(a @ b / (na * nb), -1.0, 1.0))))


# ----------------------------------------------------------------------------------------------- bow


@dataclass(frozen=True)
class Cue:
    """One estimate of an angle with its standard deviation (degrees) in this view."""

    value: float
    sigma: float


def fuse(cues: dict[str, Cue]) -> Cue | None:
    """Inverse-variance weighted mean of the finite cues."""
    good = [c for c in cues.values() if math.isfinite(c.value) and math.isfinite(c.sigma) and c.sigma > 0]
    if not good:
        return None
    w = np.array([1.0 / c.sigma**2 for c in good])
    v = np.array([c.value for c in good])
    return Cue(float(w @ v / w.sum()), float(1.0 / math.sqrt(w.sum())))


@dataclass
class UprightModel:
    """One person's upright upper body, learned from frames where they sit or stand normally.

    offsets: world offsets of UPPER_BODY from the hip centre when upright (back-projected onto the
    coronal plane, so consistent with this camera); world_angle: MediaPipe's world-landmark torso
    angle when upright (its per-person, per-view bias); face_pitch: head pitch when upright.
    """

    offsets: np.ndarray
    hip: np.ndarray
    world_angle: float | None = None
    neck_angle: float | None = None
    face_pitch: float | None = None
    frames: int = 0
    # perspective_bow's projection of every bend on its grid, per camera: it depends on the model alone, and
    # recomputing it cost more than the fit itself (read-only once learned: a new baseline is a new model)
    grid_px: dict[bytes, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def grid_projection(self, cam: CameraModel) -> np.ndarray:
        """(G, N, 2) pixels of the upright upper body bent by each PERSPECTIVE_GRID angle, seen by `cam`."""
        key = np.array([cam.f, cam.cx, cam.cy, *cam.R.ravel(), *cam.C]).tobytes()  # the camera by value
        if key not in self.grid_px:
            self.grid_px.clear()  # one camera per clerk; a different one (tests) replaces it
            self.grid_px[key] = cam.project(self.hip + rotate_forward(self.offsets, PERSPECTIVE_GRID))
        return self.grid_px[key]


def hip_centre(pose: PoseResult, cam: CameraModel, fallback: np.ndarray | None = None) -> np.ndarray:
    """3D hip centre: the hip rays meet the coronal plane through the clerk's axis. Hips hidden by the
    desk (low visibility) keep the learned position, since a bow pivots about them."""
    if fallback is not None and visibility(pose, (L_HIP, R_HIP)).min() < 0.3:
        return fallback
    pts = cam.on_plane(image_points(pose, (L_HIP, R_HIP)), cam.coronal_plane_normal(), np.zeros(3))
    return pts.mean(axis=0)


def upright_offsets(pose: PoseResult, cam: CameraModel, hip: np.ndarray) -> np.ndarray:
    """UPPER_BODY offsets from the hip, assuming the body is upright (all in the coronal plane)."""
    pts = cam.on_plane(image_points(pose, UPPER_BODY), cam.coronal_plane_normal(), hip)
    return pts - hip


def rotate_forward(offsets: np.ndarray, theta_rad: np.ndarray) -> np.ndarray:
    """Bend offsets forward about the lateral axis through the hips: (G,) angles -> (G, N, 3)."""
    c, s = np.cos(theta_rad)[:, None], np.sin(theta_rad)[:, None]
    x, y, z = offsets[:, 0][None], offsets[:, 1][None], offsets[:, 2][None]
    return np.stack([np.broadcast_to(x, c.shape[:1] + x.shape[1:]), y * c - z * s, y * s + z * c], axis=-1)


PERSPECTIVE_GRID = np.radians(np.arange(-20.0, 95.01, 0.5))
# Shoulders rotate rigidly with the torso; MediaPipe's ears move less so (the head may not follow the
# spine exactly): on the simulator tune bodies weight 0.3 gave frontal MAE 1.9 vs 3.1 at weight 1.
POINT_WEIGHTS = np.array([1.0, 1.0, 0.3, 0.3])
# ... and from the front less still: there a bend barely moves the shoulders in the image (they come toward the
# lens), so a head that does not follow the bow (a guiding clerk looks at the visitor) outweighs them. The ears'
# weight falls from 0.3 at 30 deg yaw and beyond to 0.05 straight ahead: bow MAE tune (1.35 m, 0 deg) 2.83 -> 2.35
# (the guides read 5.5-6.1 deg low), tune_wide (1.2 m, -10 deg) 2.71 -> 2.53, (1.3 m, -20 deg) 2.14 -> 2.17,
# the views at 30-40 deg unchanged (ear weight 0.05 everywhere cost them 0.2-0.3 deg).
EAR_WEIGHT_FRONTAL, EAR_FULL_WEIGHT_YAW_DEG = 0.05, 30.0


def point_weights(cam: CameraModel) -> np.ndarray:
    """POINT_WEIGHTS with the ears' weight for this camera's yaw."""
    ear = float(np.clip(POINT_WEIGHTS[2] * abs(cam.yaw_deg) / EAR_FULL_WEIGHT_YAW_DEG, EAR_WEIGHT_FRONTAL,
                        POINT_WEIGHTS[2]))
    return np.array([POINT_WEIGHTS[0], POINT_WEIGHTS[1], ear, ear])


MIRROR_COST_RATIO = 1.5


def forward_branch(cost: np.ndarray) -> int:
    """Grid index of the fit. Seen from the front, a bend forward and the same bend backward project
    almost alike (both shorten the torso; only the shoulders' slight widening toward the lens tells
    them apart), so the cost has two near-equal minima at +-theta. MediaPipe noise then picks the
    backward one about half the time (the frontal guide gesture read its 15 deg bow as -9..+13 frame to
    frame). A standing clerk bends forward far more often than back, so a backward global minimum is
    kept only when it beats the best interior forward minimum clearly (cost ratio > MIRROR_COST_RATIO)."""
    i = int(np.argmin(cost))
    if PERSPECTIVE_GRID[i] >= 0:
        return i
    fwd = np.flatnonzero(np.degrees(PERSPECTIVE_GRID) >= 1.0)
    j = int(fwd[np.argmin(cost[fwd])])
    interior = 0 < j < len(cost) - 1 and cost[j - 1] > cost[j] <= cost[j + 1]
    return j if interior and cost[j] <= MIRROR_COST_RATIO * cost[i] else i


def perspective_bow(
    pose: PoseResult, cam: CameraModel, model: UprightModel, px_noise: float = 0.02
) -> tuple[Cue, float]:
    """Analysis by synthesis: the forward bend whose projection of the learned upright upper body
    best matches the observed shoulders and ears. Returns the cue and the RMS residual in pixels.

    sigma = landmark noise / |d(projection)/d(angle)|: large when the bend moves the points along the
    optical axis (frontal, camera at shoulder height), small when it moves them across the image.
    px_noise is the landmark noise as a fraction of the shoulder width in pixels.
    """
    # The hips stay put in a bow, but MediaPipe's hip landmarks slide down as the torso folds over
    # them (16 px at 15 deg on the simulator, frontal): pivot about the learned hip, not this frame's.
    hip = model.hip
    obs = image_points(pose, UPPER_BODY)
    w = np.clip(visibility(pose, UPPER_BODY), 0.05, 1.0) * point_weights(cam)
    cand = model.grid_projection(cam)  # (G, N, 2)
    err = ((cand - obs[None]) ** 2).sum(-1)  # (G, N)
    cost = (err * w[None]).sum(-1) / w.sum()
    i = forward_branch(cost)
    theta = PERSPECTIVE_GRID[i]
    if 0 < i < len(cost) - 1:  # parabolic refinement between grid points
        a, b, c = cost[i - 1], cost[i], cost[i + 1]
        den = a - 2 * b + c
        if den > 1e-12:
            theta += 0.5 * (a - c) / den * (PERSPECTIVE_GRID[1] - PERSPECTIVE_GRID[0])
    h = math.radians(0.5)
    pair = cam.project(hip + rotate_forward(model.offsets, np.array([theta - h, theta + h])))
    jac = (pair[1] - pair[0]) / (2 * h)  # (N, 2) pixels per radian
    gain = math.sqrt(float((np.linalg.norm(jac, axis=1) ** 2 * w).sum() / w.sum()))
    shoulder_px = float(np.linalg.norm(obs[0] - obs[1])) or 1.0
    rms = math.sqrt(float(cost[i]))
    noise = math.hypot(px_noise * shoulder_px, rms)
    sigma = math.degrees(noise / max(gain, 1e-6))
    return Cue(math.degrees(theta), sigma), rms


def world_torso_vector(pose: PoseResult) -> np.ndarray | None:
    pts = world_points(pose, (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP))
    if pts is None:
        return None
    return (pts[0] + pts[1]) / 2 - (pts[2] + pts[3]) / 2


def naive_world_bow(pose: PoseResult) -> float | None:
    """Baseline: the torso's angle from MediaPipe's 'up' axis, no camera or per-person correction."""
    v = world_torso_vector(pose)
    return None if v is None else angle_between(v, np.array([0.0, -1.0, 0.0]))


def world_bow_angle(pose: PoseResult, cam: CameraModel) -> float | None:
    """Torso pitch in the clerk's sagittal plane from world landmarks rotated into the world frame."""
    v = world_torso_vector(pose)
    if v is None:
        return None
    vw = cam.to_world_axes(v * np.array([1.0, 1.0, 1.0]))
    return math.degrees(math.atan2(float(vw @ FORWARD), float(vw @ UP)))


# MediaPipe's world torso follows a bow with a gain that varies by view and person (session 9: 0-0.9 of the bow by
# view on the tune splits, p10-p90 spanning ~0.7; tune_sweep (1.6 m, 1.15 m, -15): 1.2, a 45-deg bow read 55.5-57.5):
# an error that grows with the bend, which the noise terms above do not carry. Upright frames keep the full weight.
WORLD_GAIN_SD = 0.3


def world_bow_sigma(cam: CameraModel, theta_deg: float, lateral: float = 3.0, depth: float = 12.0,
                    gain_sd: float = 0.0) -> float:
    """MediaPipe world depth is much noisier than its lateral placement: weight the world cue by
    how much of the bend runs along the optical axis in this view; `gain_sd` adds an error proportional to the
    bend (the world torso's gain, `WORLD_GAIN_SD` in `measure_bow`; the preview's prediction leaves it out)."""
    t = math.radians(theta_deg)
    tangent = np.array([0.0, -math.sin(t), math.cos(t)])
    along_axis = abs(float(cam.to_camera_axes(tangent)[2]))
    return math.hypot(lateral, depth * along_axis, gain_sd * theta_deg)


def neck_angle(pose: PoseResult) -> float | None:
    """Angle between hip->shoulder and shoulder->ear (world landmarks): 0 = head-neck-torso aligned."""
    pts = world_points(pose, (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP, L_EAR, R_EAR))
    if pts is None:
        return None
    sh, hip, ear = (pts[0] + pts[1]) / 2, (pts[2] + pts[3]) / 2, (pts[4] + pts[5]) / 2
    return angle_between(sh - hip, ear - sh)


@dataclass
class BowMeasure:
    angle: float  # fused torso pitch from vertical, degrees (+ = forward)
    sigma: float
    cues: dict[str, Cue] = field(default_factory=dict)
    straightness: float | None = None  # head-neck deviation from the upright baseline, degrees
    residual_px: float = 0.0
    misfit: float = 0.0  # residual_px / the upright torso length in pixels (a bow about the hip: < 0.13)


def measure_bow(pose: PoseResult, cam: CameraModel, model: UprightModel, face_pitch: float | None = None) -> BowMeasure:
    """Fuse the perspective fit, the world-landmark cue and (if any) the head pitch, each weighted by
    its conditioning in this view."""
    cues: dict[str, Cue] = {}
    persp, rms = perspective_bow(pose, cam, model)
    cues["perspective"] = persp
    wa = world_bow_angle(pose, cam)
    if wa is not None and model.world_angle is not None:
        val = wa - model.world_angle
        cues["world"] = Cue(val, world_bow_sigma(cam, val, gain_sd=WORLD_GAIN_SD))
    if face_pitch is not None and model.face_pitch is not None:
        cues["face"] = Cue(face_pitch - model.face_pitch, 10.0)  # the head may nod on its own
    fused = fuse(cues) or persp
    straight = None
    na = neck_angle(pose)
    if na is not None and model.neck_angle is not None:
        straight = abs(na - model.neck_angle)
    return BowMeasure(fused.value, fused.sigma, cues, straight, rms, rms / upright_torso_px(cam, model))


def upright_torso_px(cam: CameraModel, model: UprightModel) -> float:
    """Hip centre to shoulder centre of the learned upright body, in pixels: the scale of the bow fit."""
    shoulders = model.hip + model.offsets[:2].mean(axis=0)
    return max(float(np.linalg.norm(cam.project(shoulders) - cam.project(model.hip))), 1.0)


def learn_upright(poses: list[PoseResult], cam: CameraModel, face_pitches: list[float] | None = None) -> UprightModel:
    """Median upright model over frames taken while the clerk sits or stands normally."""
    if not poses:
        raise ValueError("learn_upright needs at least one pose")
    hips = np.array([hip_centre(p, cam) for p in poses])
    hip = np.median(hips, axis=0)
    offs = np.median(np.array([upright_offsets(p, cam, h) for p, h in zip(poses, hips, strict=True)]), axis=0)
    wa = [a for p in poses if (a := world_bow_angle(p, cam)) is not None]
    na = [a for p in poses if (a := neck_angle(p)) is not None]
    fp = [x for x in (face_pitches or []) if x is not None]
    return UprightModel(
        offsets=offs, hip=hip,
        world_angle=float(np.median(wa)) if wa else None,
        neck_angle=float(np.median(na)) if na else None,
        face_pitch=float(np.median(fp)) if fp else None,
        frames=len(poses),
    )


# ----------------------------------------------------------------------------------------------- arms


def elbow_angle_2d(pose: PoseResult, side: str = "right") -> float:
    s, e, w = image_points(pose, SIDE[side])
    return angle_between(s - e, w - e)


def elbow_angle_world(pose: PoseResult, side: str = "right") -> float | None:
    """Baseline: the 3D angle straight from MediaPipe's world landmarks."""
    pts = world_points(pose, SIDE[side])
    return None if pts is None else angle_between(pts[0] - pts[1], pts[2] - pts[1])


def elbow_angle_on_plane(pose: PoseResult, cam: CameraModel, side: str = "right") -> Cue | None:
    """The 2D joints back-projected onto the arm's plane, whose orientation comes from the world
    landmarks (the angle inside the plane comes from the accurate 2D joints). None when the arm is
    straight (no plane) or the plane is seen edge-on (ill-conditioned back-projection)."""
    pts = world_points(pose, SIDE[side])
    if pts is None:
        return None
    n_cam = np.cross(pts[0] - pts[1], pts[2] - pts[1])
    if np.linalg.norm(n_cam) < 1e-9 or angle_between(pts[0] - pts[1], pts[2] - pts[1]) > 170:
        return None
    n = cam.to_world_axes(n_cam / np.linalg.norm(n_cam))
    uv = image_points(pose, SIDE[side])
    elbow_ray = cam.ray(uv[1])
    facing = abs(float(n @ elbow_ray))
    if facing < 0.3:
        return None
    s, e, w = cam.on_plane(uv, n, cam.C + elbow_ray * 1.5)
    return Cue(angle_between(s - e, w - e), 4.0 / facing)


def elbow_angle_relative_depth(pose: PoseResult, side: str = "right") -> float | None:
    """The image joints lifted with MediaPipe's relative depth: each segment keeps its accurate 2D
    components and gets the out-of-image component that the world landmarks give for it, scaled by
    that segment's own 2D/world length ratio (MediaPipe is trusted only for how steeply each segment
    points toward or away from the camera, not for its length or its in-image direction)."""
    world = world_points(pose, SIDE[side])
    if world is None:
        return None
    s, e, w = image_points(pose, SIDE[side])
    segs = []
    for img, wv in ((s - e, world[0] - world[1]), (w - e, world[2] - world[1])):
        planar = float(np.linalg.norm(wv[:2]))
        depth = float(wv[2]) / planar * float(np.linalg.norm(img)) if planar > 1e-6 else 0.0
        segs.append(np.array([img[0], img[1], depth]))
    return angle_between(segs[0], segs[1])


def elbow_angle(pose: PoseResult, cam: CameraModel, side: str = "right", arm: ArmScale | None = None,
                fore_ratio: float | None = None) -> Cue:
    """Elbow angle, viewpoint-aware: the median of three cues that fail in different views, or, given the
    person's metric arm (`arm`) and a forearm pointing far out of the image, the length-based cue
    (`elbow_angle_metric`).

    - the 2D angle: exact when the arm's plane faces the camera, reads a bent arm as straight when the
      bend runs along the line of sight (the low guide 请坐 from the front: 160-171 for 120);
    - the relative-depth lift (`elbow_angle_relative_depth`);
    - the arm-plane back-projection (`elbow_angle_on_plane`), or MediaPipe's 3D angle when the plane is
      seen edge-on.
    On the tune split's guide clips (48 frames per view) the median read MAE 11.5 / 9.3 / 17.1 deg at
    (1.35 m, 0 deg) / (1.6 m, 30 deg) / (1.3 m, -20 deg), against 13.7 / 9.3 / 19.7 for the previous mean of
    the 2D and plane cues with a 2D shortcut above 155 deg. With the metric cue for forearms under 0.7 of their
    length in the image: tune (1.3 m, -20 deg) 17.1 -> 13.4, tune_wide (1.8 m, -40 deg) 31.9 -> 15.8, the other
    four views unchanged (their guiding forearms stay nearer the image plane)."""
    if arm is not None:
        ratio = forearm_ratio(pose, cam, arm, side) if fore_ratio is None else fore_ratio  # the caller's, if it has it
        metric = elbow_angle_metric(pose, cam, arm, side, ratio) if ratio < FORE_FORESHORTENED else None
        if metric is not None and math.isfinite(metric.value):
            return metric
    d2 = elbow_angle_2d(pose, side)
    lifted = elbow_angle_relative_depth(pose, side)
    plane = elbow_angle_on_plane(pose, cam, side)
    third = plane.value if plane is not None else elbow_angle_world(pose, side)
    cues = [c for c in (d2, lifted, third) if c is not None and math.isfinite(c)]
    if len(cues) < 3:
        return Cue(d2, 20.0)
    return Cue(float(np.median(cues)), MEDIAN_SIGMA_SCALE * max(6.0, float(np.ptp(cues)) / 2))


# The median cue's spread (half the range of its three cues, at least 6 deg) held 51 % of the tune + tune_wide guide
# frames within 1 sigma (243 frames, six views; 81 % within 2): the cues share part of their error (all three read
# the same 2D joints), so their spread understates it. Scaled by 1.5, 68 % fall within 1 sigma. The metric cue's
# sigma needs no scale (64 % within 1 sigma, 100 % within 2 on its 45 frames).
MEDIAN_SIGMA_SCALE = 1.5


def point_at_depth(cam: CameraModel, uv: np.ndarray, depth: float) -> np.ndarray:
    """The point on the ray through pixel uv at this depth along the optical axis."""
    d = cam.ray(uv)
    return cam.C + d * (depth / max(float(d @ cam.R[2]), 1e-6))


def on_ray_at_distance(cam: CameraModel, uv: np.ndarray, centre: np.ndarray, length: float,
                       toward_camera: bool) -> np.ndarray:
    """The point on the ray through uv at `length` from `centre` (ray-sphere intersection): the nearer of the
    two roots when `toward_camera`, else the farther. A ray that misses the sphere (the segment measured
    longer in the image than the learned length allows) gives its closest point to the centre."""
    d = cam.ray(uv)
    oc = centre - cam.C
    b = float(d @ oc)
    disc = b * b - (float(oc @ oc) - length * length)
    t = b if disc <= 0 else b + (-1.0 if toward_camera else 1.0) * math.sqrt(disc)
    return cam.C + max(t, 1e-6) * d


def segment_length_lower_bound(cam: CameraModel, uv_a: np.ndarray, uv_b: np.ndarray, depth: float) -> float:
    """Metric length of a segment both of whose ends sit at this depth (parallel to the image plane): about a
    lower bound of its true length when its first end is at that depth (foreshortening only shortens it)."""
    a, b = point_at_depth(cam, uv_a, depth), point_at_depth(cam, uv_b, depth)
    return float(np.linalg.norm(b - a))


@dataclass(frozen=True)
class ArmScale:
    """One arm's metric scale for `elbow_angle_metric`: the shoulder's depth along the optical axis (from the
    calibrated camera and the learned upright body, bowed by this frame's angle) and the person's learned
    upper-arm and forearm lengths in metres."""

    shoulder_depth: float
    upper_m: float
    fore_m: float


# The metric cue replaces the median when the forearm points this far out of the image (`forearm_ratio` under
# 0.7: within 44 deg of the line of sight), where the 2D angle reads the bend as straight and MediaPipe's depth
# (about half the true out-of-image component on the tune guides) only halves the error. MediaPipe's sign for
# such a forearm was right on every tune/tune_wide guide frame from views at 0 to -40 deg yaw; its sign for the
# upper arm was right on 33-83% of them, so an upper arm lying in the image plane (`across_ray_ratio` >= 0.9:
# both roots close) takes the mean of its two roots. Both ratios are taken against the line of sight (session
# 11; before, as image lengths at one end's depth, which perspective lengthens for a segment coming nearer).
FORE_FORESHORTENED = 0.7
UPPER_IN_PLANE = 0.9


def elbow_angle_metric(pose: PoseResult, cam: CameraModel, arm: ArmScale, side: str = "right",
                       fore_ratio: float | None = None) -> Cue | None:
    """Elbow angle from the accurate 2D joints and the person's metric segment lengths (Taylor's
    foreshortening): the shoulder on its image ray at its known depth, the elbow on its own ray `upper_m` from
    it, the wrist on its ray `fore_m` from the elbow (ray-sphere intersections). Which root (toward the camera
    or away) comes from the sign of MediaPipe's relative depth of each segment; how far out of the image the
    segment points comes from the length, not from MediaPipe's depth. An upper arm lying in the image plane
    takes the mean angle over its two roots. sigma grows as the forearm lies in the image plane (where the
    lengths add nothing to the 2D angle)."""
    roots = elbow_upper_roots(pose, cam, arm, side)
    if roots is None:
        return None
    world = world_points(pose, SIDE[side])
    assert world is not None  # elbow_upper_roots read it
    uv = image_points(pose, SIDE[side])
    upper_ratio = across_ray_ratio(cam, point_at_depth(cam, uv[0], arm.shoulder_depth), uv[1], arm.upper_m)
    if upper_ratio >= UPPER_IN_PLANE:
        value = 0.5 * (roots[0] + roots[1])
    else:
        value = roots[0] if float(world[1][2] - world[0][2]) < 0 else roots[1]
    ratio = forearm_ratio(pose, cam, arm, side) if fore_ratio is None else fore_ratio
    return Cue(value, 6.0 / max(1.0 - ratio, 0.05))


def elbow_upper_roots(pose: PoseResult, cam: CameraModel, arm: ArmScale,
                      side: str = "right") -> tuple[float, float] | None:
    """The metric elbow angle (`elbow_angle_metric`) with the upper arm pointing toward the camera and away from it:
    the forearm's root from MediaPipe's depth sign (right on every foreshortened tune/tune_wide guide frame), the
    upper arm's left open (MediaPipe's sign for it agreed with the better root on 29-67 % of those frames)."""
    world = world_points(pose, SIDE[side])
    if world is None or not (arm.upper_m > 0 and arm.fore_m > 0):
        return None
    uv = image_points(pose, SIDE[side])
    s = point_at_depth(cam, uv[0], arm.shoulder_depth)
    fore_near = float(world[2][2] - world[1][2]) < 0

    def at(near: bool) -> float:
        elbow = on_ray_at_distance(cam, uv[1], s, arm.upper_m, near)
        wrist = on_ray_at_distance(cam, uv[2], elbow, arm.fore_m, fore_near)
        return angle_between(s - elbow, wrist - elbow)

    return at(True), at(False)


def forearm_ratio(pose: PoseResult, cam: CameraModel, arm: ArmScale, side: str = "right") -> float:
    """How square the forearm stands to the line of sight (`across_ray_ratio`: 1 across it, 0 along it), with the elbow
    on its ray `upper_m` from the shoulder, on the side of MediaPipe's depth sign (the shoulder's depth without world
    landmarks). Until session 11 the forearm's image length at the elbow's depth: a wrist coming toward the camera off
    the optical axis grows with its nearness, so that read forearms out of the image as lying in it (tune_sweep (1.6 m,
    1.15 m, -15 deg) guide frames, the simulator's joints: 47 deg out of the image plane on average, 1.03 that way,
    0.90 against the ray)."""
    uv = image_points(pose, SIDE[side])
    world = world_points(pose, SIDE[side])
    s = point_at_depth(cam, uv[0], arm.shoulder_depth)
    if world is None:
        e = point_at_depth(cam, uv[1], arm.shoulder_depth)
    else:
        e = on_ray_at_distance(cam, uv[1], s, arm.upper_m, toward_camera=float(world[1][2] - world[0][2]) < 0)
    return across_ray_ratio(cam, e, uv[2], arm.fore_m)


def across_ray_ratio(cam: CameraModel, point: np.ndarray, uv: np.ndarray, length: float) -> float:
    """A segment's extent across the line of sight over its length: the distance of one end (`point`, 3D) from the ray
    through the other end's pixel `uv`, over `length` (the sine of the segment's angle to that ray; above 1 when the
    image shows it longer than `length` allows). The perspective-correct form of the image length at one end's depth."""
    d = cam.ray(uv)
    oc = point - cam.C
    return float(np.linalg.norm(oc - (oc @ d) * d)) / length


def upper_arm_gap_m(pose: PoseResult, cam: CameraModel, side: str = "right") -> float | None:
    """Distance of the elbow from the torso side (metres, world landmarks, lateral axis)."""
    pts = world_points(pose, (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP, SIDE[side][1]))
    if pts is None:
        return None
    sign = 1.0 if side == "left" else -1.0  # +X is the clerk's left in both frames' lateral sense
    lateral = cam.to_world_axes(pts[0] - pts[1])
    lateral = lateral / (np.linalg.norm(lateral) or 1.0)
    torso_edge = (pts[0] + pts[2]) / 2 if side == "left" else (pts[1] + pts[3]) / 2
    rel = cam.to_world_axes(pts[4] - torso_edge)
    return float(sign * (rel @ lateral))


def lift_chain(pose: PoseResult, cam: CameraModel, idx: tuple[int, ...]) -> np.ndarray | None:
    """3D world points of a joint chain: the first joint on the coronal plane, each next joint on its
    own image ray at the depth step (along the optical axis) that the world landmarks give. The image
    fixes the two in-image degrees of freedom precisely; MediaPipe is trusted only for relative depth."""
    world = world_points(pose, idx)
    if world is None:
        return None
    uv = image_points(pose, idx)
    out = [cam.on_plane(uv[0], cam.coronal_plane_normal(), np.zeros(3))]
    rays = cam.ray(uv)
    for k in range(1, len(idx)):
        depth = float((out[-1] - cam.C) @ cam.R[2]) + float(world[k][2] - world[k - 1][2])
        lam = depth / max(float(rays[k] @ cam.R[2]), 1e-6)
        out.append(cam.C + lam * rays[k])
    return np.array(out)


def forearm_from_vertical(pose: PoseResult, cam: CameraModel, side: str = "right") -> float | None:
    """Angle of elbow->wrist from world up (degrees; 0 = hand straight above the elbow)."""
    chain = lift_chain(pose, cam, SIDE[side][1:])
    if chain is None:
        _, e, w = image_points(pose, SIDE[side])
        e3 = cam.on_plane(e, cam.coronal_plane_normal(), np.zeros(3))
        return angle_between(w - e, cam.project(e3 + 0.1 * UP) - e)  # against the local image vertical
    return angle_between(chain[1] - chain[0], UP)


def hand_face_clearance(pose: PoseResult, side: str = "right", min_width_px: float | None = None) -> float | None:
    """How far the hand is from the face, in image shoulder widths: the distance from the hand's centre (mean of
    the pose wrist, index and pinky) to the nearest of the nose, the mouth and the ears. A hand held to the face
    (a phone at the ear, a cup at the mouth) sits within ~0.45 of them on the tune clips in all three views; a
    greeting hand raised beside the head stays 1.07-1.44 away. The width is this frame's image shoulder width or
    `min_width_px`, whichever is wider: with a hand at the ear the pose can read the torso side-on (3-16 px for a
    usual 60 at (1.8 m, 1.7 m, -40 deg)), and a hand at the ear then reads clear of it. None when this frame's
    shoulders are too close together in the image to scale by (a side view)."""
    pts = image_points(pose, (L_SHOULDER, R_SHOULDER))
    width = float(np.linalg.norm(pts[0] - pts[1]))
    if width < 1.0:
        return None
    width = max(width, min_width_px or 0.0)
    idx = (L_WRIST, L_INDEX, L_PINKY) if side == "left" else (R_WRIST, R_INDEX, R_PINKY)
    centre = image_points(pose, idx).mean(axis=0)
    face = image_points(pose, (NOSE, L_EAR, R_EAR))
    mouth = image_points(pose, (MOUTH_L, MOUTH_R)).mean(axis=0)
    dist = min(float(np.linalg.norm(centre - q)) for q in (*face, mouth))
    return dist / width


def world_up_in_camera(cam: CameraModel) -> np.ndarray:
    return cam.to_camera_axes(UP)


# MediaPipe's relative hand depth is flatter than the hand: against the simulator's palm normals (tune + tune_wide,
# 8417 clerk hands) the image-landmark normal's median angular error is 31 / 24 / 49 deg (palms up / side / down)
# with z as given, 14 / 16 / 28 deg with z x 2.5 (x 2 and x 3: 16 / 16 / 34 and 13 / 16 / 24). A flat z pulls every
# normal toward the image plane, so a palm tipped toward the camera read too little of its tilt (raised guides
# 0.25-0.4 for a true 0.79). With the depth along the hand's own ray (`palm_normal_image`), x 3 (session 10: median
# error over every clerk hand of tune, tune_wide and tune_side lower than x 2.5 in all nine views, 19.7 -> 16.8).
HAND_DEPTH_SCALE = 3.0


def palm_normal_image(hand: HandResult, cam: CameraModel | None = None) -> np.ndarray | None:
    """Unit palm normal (out of the palm) from the hand's image landmarks: x, y in pixels and MediaPipe's
    relative depth z on the x scale times `HAND_DEPTH_SCALE` (that depth is flatter than the hand), axes as the
    camera's (x right, y down, z away). The in-image
    directions are the hand model's most precise output; its separate world landmarks put the palm
    plane less reliably (tune split, frames with a clerk's hand: palm-up F1 0.85 from the image
    landmarks against 0.69 from the world ones).

    With the camera, the depth runs along the hand's own line of sight, not the optical axis: the hand model reads
    its crop as if seen straight on, and a point moved along the depth off the image centre also moves in the
    image (by the ray's slope), so taking the pixels as the camera's x, y sheared the palm plane by the hand's
    angle off the axis (up to 35 deg at a 70-deg lens's edge). Median normal error against the simulator's, every
    clerk hand of tune, tune_wide and tune_side: 25.9 -> 19.7 deg at x 2.5, lower in all nine views."""
    if len(hand.landmarks) < 21:
        return None
    pts = np.asarray(hand.landmarks, float)
    a, b = hand_vector(pts, 5, cam), hand_vector(pts, 17, cam)
    n = np.cross(a, b)  # index base x pinky base: out of a right palm
    norm = float(np.linalg.norm(n))
    if norm < 1e-9:
        return None
    return (-n if hand.handedness == "Left" else n) / norm


def hand_vector(pts: np.ndarray, tip: int, cam: CameraModel | None) -> np.ndarray:
    """The hand's vector wrist -> landmark `tip` (pts: the 21 image landmarks) on `palm_normal_image`'s axes: depth
    times `HAND_DEPTH_SCALE`, and with the camera the pixels moved by the depth times the palm centre's ray slope."""
    v = pts[tip] - pts[0]
    v[2] *= HAND_DEPTH_SCALE
    if cam is not None:
        v[:2] += v[2] * ((pts[(0, 5, 9, 17), :2].mean(axis=0) - (cam.cx, cam.cy)) / cam.f)  # the palm centre's ray
    return v


def hand_elevation_deg(hand: HandResult, cam: CameraModel) -> float | None:
    """How far the hand's axis (wrist -> middle-finger base) rises above the horizontal, degrees, from the image
    landmarks with the depth and ray slope of `palm_normal_image`; None without landmarks. From the guiding arm's
    side (negative yaw) this is the forearm's direction where the pose's is not: on the guide holds of the four tune
    splits the axis lay 8.7-16 deg (median per view) from the simulator's forearm at -10..-50 deg, MediaPipe's world
    forearm 40-54 deg."""
    if len(hand.landmarks) < 21:
        return None
    v = hand_vector(np.asarray(hand.landmarks, float), 9, cam)
    up = float(cam.to_world_axes(v) @ UP)
    norm = float(np.linalg.norm(v))
    return None if norm < 1e-9 else math.degrees(math.asin(float(np.clip(up / norm, -1.0, 1.0))))


# MediaPipe's handedness label against the wrist a hand sits on, where they disagree (447 of 8417 clerk hands on
# tune + tune_wide): the label's palm sign was right for 91% of the labels scored >= 0.9, about half of those
# scored 0.6-0.9 and 22% of those under 0.6.
LABEL_DOUBT_SCORE = 0.8
# The side names the hand only for a hand that sits on that wrist, and only when the pose sees the wrist. Over the
# four tune splits every doubtful label that disagreed with its wrist on a truly upward palm lay within 0.93 palm
# spans (`palm_span_px`) of the pose wrist; past 1.25 the hand is that wrist's only by elimination (at (1.5 m, 1.9 m,
# -50 deg) the chin-on-hand clerk's left hand, labelled Left at 0.50, 1.89 spans from the right wrist MediaPipe had
# slid toward it, read palm up 0.98 for the right hand). The side's upward readings there were right on wrists seen
# at 0.82 or more and wrong on every one seen at 0.71 or less (from -50 deg the far arm's hands at the face, 0.58-0.71).
SIDE_MAX_SPANS = 1.25
SIDE_MIN_VISIBILITY = 0.75
# Fingers flex toward the palm, so in the image the fingertips lie off the hand's axis (wrist -> middle-finger base)
# on the side the palm's normal points to: a sign for the normal that needs neither the depth nor the handedness
# (session 26). Four tune splits, clerk hands under a doubtful label that disagreed with their wrist, the tips 0.2
# palm spans or more off the axis and both our normal and the truth's 0.3 or more across it: the curl's sign right
# on 133 of 138 frames, the side's on 44. A hand held flat (a guide's) has no curl there, and the side decides.
CURL_MIN_SPANS = 0.2
CURL_MIN_ACROSS = 0.3
FINGER_TIPS = tuple((j[0], j[3]) for f, j in FINGER_JOINTS.items() if f != "thumb")  # (base, tip) of each finger


def palm_span_px(hand: HandResult) -> float:
    """The palm's size in the image: the largest distance between the wrist and the four finger bases (pixels)."""
    pts = np.asarray(hand.landmarks, float)[(0, 5, 9, 13, 17), :2]
    return float(np.linalg.norm(pts[:, None] - pts[None], axis=-1).max())


def finger_curl(hand: HandResult) -> tuple[float, np.ndarray]:
    """(how far the fingertips lie off the hand's axis, mean over the four fingers of tip - base across the axis
    wrist -> middle-finger base, in palm spans (`palm_span_px`); the unit image direction across the axis that
    the curl is counted along). Positive: the fingers curl toward that direction."""
    pts = np.asarray(hand.landmarks, float)[:, :2]
    axis = pts[9] - pts[0]
    axis = axis / max(float(np.linalg.norm(axis)), 1e-9)
    across = np.array([-axis[1], axis[0]])
    off = float(np.mean([(pts[tip] - pts[base]) @ across for base, tip in FINGER_TIPS]))
    return off / max(palm_span_px(hand), 1e-9), across


def palm_up_score(hand: HandResult, cam: CameraModel, side: str | None = None,
                  wrist: Landmark | None = None, side_held: bool = False) -> float:
    """Cosine between the palm normal (camera axes) and world up: 1 = palm up, -1 = palm down.

    The normal comes from the image landmarks (`palm_normal_image`), or the hand's world-landmark normal
    when there are none. Its sign depends on which hand it is: MediaPipe's handedness label, unless the
    caller knows the side (the hand sits on the clerk's right wrist), the label disagrees and MediaPipe is
    unsure of it (score < LABEL_DOUBT_SCORE). A confident label beats the side: hands together on the desk
    get matched to the wrong wrist. Palm-up F1 with the side under doubtful labels, tune (0 / 30 / -20 deg)
    0.84 / 0.76 / 0.57 -> 0.86 / 0.83 / 0.68, tune_wide (-10 / 40 / -40 deg) 0.80 / 0.73 / 0.55 -> 0.82 / 0.75 /
    0.67. With `wrist` (the pose landmark of the `side` wrist), a doubtful disagreeing label gives NaN on a hand more
    than SIDE_MAX_SPANS palm spans from that wrist or on a wrist seen under SIDE_MIN_VISIBILITY: neither cue says
    which hand it is. Before the side overrules such a label, the fingers' curl (`finger_curl`) is asked: fingertips
    clearly off the hand's axis (CURL_MIN_SPANS) on the side the label's normal points to (by CURL_MIN_ACROSS
    across the axis) keep the label's sign. `side_held` (`PalmSigns`): the side gave this hand's sign on its last
    reading under the same label and the hand has not turned since, so the label is doubted whatever its score now.

    NaN (not read) for a hand MediaPipe calls pointing (`HandResult.index_pointing`): 23 of the 54 such clerk hands
    on tune + tune_wide read palm-up, none truly was (the simulator's pointing hands hold the palm sideways)."""
    return palm_up_reading(hand, cam, side, wrist, side_held)[0]


def palm_up_reading(hand: HandResult, cam: CameraModel, side: str | None = None, wrist: Landmark | None = None,
                    side_held: bool = False) -> tuple[float, bool]:
    """`palm_up_score` and whether the side gave the normal's sign over a disagreeing label."""
    return _palm_up_from(palm_normal_image(hand, cam), hand, cam, side, wrist, side_held)


def _palm_up_from(n: np.ndarray | None, hand: HandResult, cam: CameraModel, side: str | None,
                  wrist: Landmark | None, side_held: bool) -> tuple[float, bool]:
    """`palm_up_reading` on the hand's image normal `n` (`palm_normal_image`, already computed)."""
    if hand.index_pointing:
        return float("nan"), False
    if n is None:
        return palm_up_score_world(hand, cam, side), False
    side_sign = False
    if side is not None and hand.handedness.lower() != side and (hand.score < LABEL_DOUBT_SCORE or side_held):
        if wrist is not None and (wrist.visibility < SIDE_MIN_VISIBILITY or math.hypot(
                hand.landmarks[0][0] - wrist.x, hand.landmarks[0][1] - wrist.y) > SIDE_MAX_SPANS * palm_span_px(hand)):
            return float("nan"), False
        curl, across = finger_curl(hand)
        n_across = float(n[:2] @ across)
        if side_held or not (abs(curl) >= CURL_MIN_SPANS and abs(n_across) >= CURL_MIN_ACROSS
                             and (curl > 0) == (n_across > 0)):
            n, side_sign = -n, True  # the side's sign, unless the curl confirms the label's (not asked when held)
    return float(n @ world_up_in_camera(cam)), side_sign


# MediaPipe's handedness score flickers on a hand that does not move: tune_wide's horizontal guide at (1.8 m, 1.7 m,
# -40 deg), one still hand, is labelled Left at 0.66 / 0.74 (doubtful: the side's sign, palm up, right) and then at
# 0.81-0.85 (the label's sign, palm down, wrong). A label that was doubted on this hand's last reading is doubted
# still while the label and the hand stay the same (session 28): the side keeps the sign for a hand reading under
# the same label, its label-signed normal within SIGN_HOLD_MAX_DEG of the last one's, the hand model's previous run
# at most SIGN_HOLD_S before. Four tune splits and 20 guide renders: every frame it turned was a truly up palm.
SIGN_HOLD_MAX_DEG = 30.0
SIGN_HOLD_S = 2.0


class PalmSigns:
    """Per wrist, the last hand reading whose sign the side gave over a disagreeing label (`palm_up_score`'s
    `side_held`). Feed every frame the hand model ran on, in order, with the hand at that wrist or None."""

    def __init__(self) -> None:
        self.held: dict[str, tuple[float, str, np.ndarray]] = {}  # side -> (t, label, label-signed normal)

    def score(self, t: float, hand: HandResult | None, cam: CameraModel, side: str,
              wrist: Landmark | None = None) -> float | None:
        """`palm_up_score` of this frame's hand at the `side` wrist (None without one), updating the memory."""
        last = self.held.pop(side, None)
        if hand is None:
            return None
        n = palm_normal_image(hand, cam)
        held = (last is not None and n is not None and 0 <= t - last[0] <= SIGN_HOLD_S and last[1] == hand.handedness
                and angle_between(n, last[2]) <= SIGN_HOLD_MAX_DEG)
        value, side_sign = _palm_up_from(n, hand, cam, side, wrist, held)
        if side_sign and n is not None:
            self.held[side] = (t, hand.handedness, n)
        return value


def palm_up_score_world(hand: HandResult, cam: CameraModel, side: str | None = None) -> float:
    """Baseline: the same cosine from the normal of MediaPipe's hand world landmarks (HandResult.palm_normal)."""
    n = np.asarray(hand.palm_normal, float)
    if np.linalg.norm(n) < 1e-9:
        return float("nan")
    if side is not None and hand.handedness.lower() != side:
        n = -n
    return float(n @ world_up_in_camera(cam) / np.linalg.norm(n))


FINGER_RAYS = ((5, 8), (9, 12), (13, 16), (17, 20))  # base -> tip of index, middle, ring, pinky
TOGETHER_FULL_DEG, TOGETHER_NONE_DEG = 4.0, 14.0  # mean adjacent-finger angle scored 1 and 0


def finger_spread_deg(hand: HandResult) -> float | None:
    """Mean angle between adjacent fingers (base -> tip), from the image landmarks: the simulator labels
    the spread the same way. On the tune split (frames with the fingers extended) "<= 8 deg" read the
    labelled "together" (<= 8 deg) with F1 0.96, where the fingertip-gap ratio of HandResult.fingers_together
    gave 0.69 (MediaPipe puts the tips of fingers held together apart more often than their directions)."""
    if len(hand.landmarks) < 21:
        return None
    pts = np.asarray(hand.landmarks, float)
    dirs = [pts[b] - pts[a] for a, b in FINGER_RAYS]
    angles = [angle_between(dirs[i], dirs[i + 1]) for i in range(3)]
    return float(np.mean(angles)) if all(math.isfinite(a) for a in angles) else None


def fingers_together_score(hand: HandResult) -> float:
    """1 = fingers side by side, 0 = spread; 0.6 (the rules' default minimum) at an 8 deg mean spread.
    Falls back to HandResult.fingers_together without image landmarks."""
    spread = finger_spread_deg(hand)
    if spread is None:
        return hand.fingers_together
    return float(np.clip((TOGETHER_NONE_DEG - spread) / (TOGETHER_NONE_DEG - TOGETHER_FULL_DEG), 0.0, 1.0))


# The fan's outer span on the hand model's metric world landmarks (index against pinky, base -> tip): 1 at
# SPAN_FULL_DEG, 0 at SPAN_NONE_DEG, 0.6 at 12 deg. On raised greeting hands (tune splits, every view) together read
# p90 8.4 deg, spread p10 16.1; the image fan of a palm seen from 35-40 deg aside is edge-on (spread 4.5-4.9 deg for a
# labelled 14, together 3.9), the world span is not (15.2-17.4 against 4.4-10.2). The mean adjacent-finger angle on
# the world landmarks overlaps there (its finger-to-finger jitter does not cancel as the outer span's does).
SPAN_FULL_DEG, SPAN_NONE_DEG = 6.0, 21.0


def finger_span_world_deg(hand: HandResult) -> float | None:
    """Angle between the index and pinky (base -> tip) on the hand's world landmarks; None without them."""
    if len(hand.world) < 21:
        return None
    w = np.asarray(hand.world, float)
    span = angle_between(w[8] - w[5], w[20] - w[17])
    return span if math.isfinite(span) else None


def fingers_span_score(hand: HandResult) -> float | None:
    """1 = fingers together, 0 = spread, from `finger_span_world_deg`; None without world landmarks. Read only
    on a raised hand (fingers up, across a counter camera's line of sight): on guiding hands, whose fingers run
    toward the target and often along the line of sight, together hands read p90 16-41 deg."""
    span = finger_span_world_deg(hand)
    if span is None:
        return None
    return float(np.clip((SPAN_NONE_DEG - span) / (SPAN_NONE_DEG - SPAN_FULL_DEG), 0.0, 1.0))


def pair_hands(wrists: dict[str, tuple[float, float]], hands: list[HandResult], max_px: float,
               label_cost_px: float = 0.0) -> dict[str, HandResult]:
    """The hand model's hands paired one to one with the pose wrists ({side: image point}), nearest pairs first,
    each within `max_px` of its wrist; a hand whose handedness label is not the side costs `label_cost_px` more.
    Each wrist taking its nearest hand on its own gives one hand to both wrists when the hands lie close together."""
    pairs = []
    for k, h in enumerate(hands):
        if not h.landmarks:
            continue
        for side, (u, v) in wrists.items():
            d = math.hypot(h.landmarks[0][0] - u, h.landmarks[0][1] - v)
            if d < max_px:
                pairs.append((d + (0.0 if h.handedness.lower() == side else label_cost_px), side, k))
    out: dict[str, HandResult] = {}
    used: set[int] = set()
    for _, side, k in sorted(pairs):  # equal costs (both wrists on one spot): "left" first, fixed
        if side not in out and k not in used:
            out[side] = hands[k]
            used.add(k)
    return out


def hand_for_wrist(hands: list[HandResult], wrist_uv: np.ndarray, max_px: float) -> HandResult | None:
    """The hand whose wrist landmark lies nearest the pose wrist (handedness labels can be mirrored)."""
    best, best_d = None, max_px
    for h in hands:
        if not h.landmarks:
            continue
        d = float(np.hypot(h.landmarks[0][0] - wrist_uv[0], h.landmarks[0][1] - wrist_uv[1]))
        if d < best_d:
            best, best_d = h, d
    return best


# ------------------------------------------------------------------------------------- measurability

CANON_HIP_HEIGHT = 0.95  # standing clerk (bows and gestures are performed standing)
CANON_OFFSETS = np.array([[0.19, 0.50, 0.0], [-0.19, 0.50, 0.0], [0.075, 0.70, 0.0], [-0.075, 0.70, 0.0]])


def predicted_bow_sigma(cam: CameraModel, theta_deg: float = 15.0, shoulder_noise: float = 0.02) -> float:
    """Predicted fused bow-angle sigma for a canonical standing clerk seen from this camera."""
    hip = np.array([0.0, CANON_HIP_HEIGHT, 0.0])
    pts = cam.project(hip + rotate_forward(CANON_OFFSETS, np.radians([theta_deg - 0.5, theta_deg + 0.5])))
    jac = (pts[1] - pts[0]) / math.radians(1.0)
    gain = math.sqrt(float((np.linalg.norm(jac, axis=1) ** 2).mean()))
    shoulder_px = float(np.linalg.norm(pts[0, 0] - pts[0, 1]))
    persp = math.degrees(shoulder_noise * shoulder_px / max(gain, 1e-6))
    fused = fuse({"perspective": Cue(theta_deg, persp), "world": Cue(theta_deg, world_bow_sigma(cam, theta_deg))})
    return fused.sigma if fused else persp


def measurable_from(camera: Camera) -> dict[str, tuple[bool, str]]:
    """For a planned camera placement: can each etiquette rule be measured within target from there?

    Targets: bow MAE <= 4 deg. The bow figure is the MAE of the fused estimate's predicted sigma (landmark noise
    2% of the shoulder width); the rest is visibility of the right arm and the size of a hand in pixels for the
    finger rules. The guiding elbow and palm are not predicted here: `calibration.measured_views` reads them
    from what was measured near the camera's yaw.
    """
    out: dict[str, tuple[bool, str]] = {}
    if camera.pitch_deg is None or camera.yaw_deg is None:
        reason = "camera pitch_deg/yaw_deg not calibrated: the perspective cues need them (run calibrate)"
        for rid in ("bow.angle", "guide.gesture", "stand.for_visitor"):
            out[rid] = (False, reason)
    cam = CameraModel.from_config(camera)
    yaw = camera.yaw_deg or 0.0
    dist = math.hypot(camera.distance_m or DEFAULT_DISTANCE_M, (camera.height_m or DEFAULT_HEIGHT_M) - 1.2)
    hand_px = cam.f * 0.18 / dist
    torso_in_frame = _in_frame(cam, np.array([[0.0, CANON_HIP_HEIGHT, 0.0], [0.0, CANON_HIP_HEIGHT + 0.5, 0.0]]))
    right_arm_hidden = yaw > 60  # camera on the clerk's left: the torso hides the right arm
    if "bow.angle" not in out:
        sig = predicted_bow_sigma(cam)
        mae = sig * math.sqrt(2.0 / math.pi)  # the target is a mean absolute error; an unbiased normal error's MAE
        ok = mae <= 4.0 and torso_in_frame
        why = f"predicted bow MAE {mae:.1f} deg (sigma {sig:.1f}) at 15 deg (target <= 4)"
        out["bow.angle"] = (ok, why if torso_in_frame else "torso (hips to shoulders) not in the frame")
        out["stand.for_visitor"] = (torso_in_frame, "needs the torso in frame to see the rise and the bow")
        out["guide.gesture"] = (
            not right_arm_hidden and ok,
            "right arm hidden behind the torso" if right_arm_hidden else f"body bow: {why}",
        )
    out["greet.raise_hand"] = (not right_arm_hidden, "right arm hidden" if right_arm_hidden else "right arm visible")
    out["handover.two_hands"] = (
        abs(yaw) <= 60, "both wrists visible" if abs(yaw) <= 60 else "one wrist hidden behind the torso",
    )
    finger_ok = hand_px >= 40 and not right_arm_hidden
    out["point.one_finger"] = (finger_ok, f"hand about {hand_px:.0f} px tall (needs >= 40 px for finger landmarks)")
    return out


def _in_frame(cam: CameraModel, pts: np.ndarray) -> bool:
    uv = cam.project(pts)
    w, h = 2 * cam.cx, 2 * cam.cy
    in_front = ((pts - cam.C) @ cam.R[2] > 0).all()
    return bool(in_front and (uv[:, 0] >= 0).all() and (uv[:, 0] <= w).all() and (uv[:, 1] >= 0).all()
                and (uv[:, 1] <= h).all())
