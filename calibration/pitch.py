"""Camera pitch from frames of the clerk sitting upright.

An upright torso is vertical in the world. MediaPipe's world landmarks are camera-aligned (x right, y down,
z away from the camera, origin at the hips), so the hip-to-shoulder vector v of an upright clerk is the
world "up" seen from the camera: (0, -cos p, -sin p) for a camera tilted down by p (any yaw). Hence
p = atan2(-v_z, -v_y). One frame is noisy (MediaPipe's depth is its weakest output), so the estimate is the
median over frames, with the spread (median absolute deviation) reported beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vision.results import PoseResult

L_SHOULDER, R_SHOULDER, L_HIP, R_HIP = 11, 12, 23, 24


@dataclass
class PitchEstimate:
    pitch_deg: float
    spread_deg: float  # median absolute deviation over frames
    frames: int


def pitch_from_pose(pose: PoseResult, min_visibility: float = 0.5) -> float | None:
    """Pitch (degrees, + = camera looks down) from one pose of an upright clerk, or None if unusable."""
    if len(pose.world) < 25 or len(pose.landmarks) < 25:
        return None
    if min(pose.landmarks[i].visibility for i in (L_SHOULDER, R_SHOULDER)) < min_visibility:
        return None
    w = np.asarray(pose.world, float)
    v = (w[L_SHOULDER] + w[R_SHOULDER]) / 2 - (w[L_HIP] + w[R_HIP]) / 2
    if np.linalg.norm(v[1:]) < 1e-3 or v[1] >= 0:  # shoulders not above the hips: not upright
        return None
    return math.degrees(math.atan2(-v[2], -v[1]))


def estimate_pitch(poses: list[PoseResult | None]) -> PitchEstimate | None:
    values = [p for p in (pitch_from_pose(x) for x in poses if x is not None) if p is not None]
    if not values:
        return None
    arr = np.array(values)
    med = float(np.median(arr))
    return PitchEstimate(round(med, 1), round(float(np.median(np.abs(arr - med))), 1), len(values))
