"""Face mesh with MediaPipe's legacy solution, plus head pose, eye and mouth measures.

Head pose comes from the mesh's own 3D landmarks (MediaPipe predicts a depth per point in the
same scale as x), not from solvePnP against a generic head: with a generic head, solvePnP gave
36 degrees of pitch on the near-frontal scikit-image astronaut (this method: 11), and the mesh
needs no camera intrinsics. Angles follow FaceResult's conventions:
yaw + = the person turns to their own left (the nose moves toward image right on an unmirrored
camera), pitch + = looking down (the nose moves down), roll + = head tilted toward the person's
left shoulder (the eye line turns clockwise in the image).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from models.registry import require
from vision.mp_graph import MediaPipeGraph
from vision.results import Box, FaceResult, Point3
from vision.roi import crop_rgb

# face-mesh indices
CHIN = 152
EYE_OUTER_R, EYE_OUTER_L = 33, 263  # the person's right eye is on the image left
MOUTH_R, MOUTH_L = 61, 291
LIP_UPPER_INNER, LIP_LOWER_INNER = 13, 14
# EAR points (p1..p6: corner, upper, upper, corner, lower, lower)
EYE_R = (33, 160, 158, 133, 153, 144)
EYE_L = (362, 385, 387, 263, 373, 380)

FOREHEAD = 10


def head_pose(pts: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from face-mesh landmarks (x, y pixels, z depth in the same
    scale, + away from the camera). The eye line (outer corners) gives yaw and roll, the
    chin-to-forehead line gives pitch. Zero is the face-mesh's own frontal geometry."""
    across = pts[EYE_OUTER_L] - pts[EYE_OUTER_R]  # toward the person's left (image right)
    up = pts[FOREHEAD] - pts[CHIN]  # toward the top of the head (image up is -y)
    # turning to their left takes the left eye away from the camera (+z)
    yaw = math.degrees(math.atan2(across[2], across[0]))
    # looking down brings the forehead toward the camera (-z)
    pitch = math.degrees(math.atan2(-up[2], -up[1]))
    # tilting toward the left shoulder lowers the left eye (+y)
    roll = math.degrees(math.atan2(across[1], across[0]))
    return yaw, pitch, roll


def eye_aspect_ratio(pts: np.ndarray, ids: Sequence[int]) -> float:
    p1, p2, p3, p4, p5, p6 = (pts[i, :2] for i in ids)
    width = np.linalg.norm(p1 - p4)
    return float((np.linalg.norm(p2 - p6) + np.linalg.norm(p3 - p5)) / (2.0 * width)) if width > 1e-9 else 0.0


def face_measures(pts: np.ndarray) -> tuple[float, float, float]:
    """(eye_aspect_ratio mean of both eyes, mouth_open, smile) from face-mesh pixels."""
    ear = (eye_aspect_ratio(pts, EYE_R) + eye_aspect_ratio(pts, EYE_L)) / 2.0
    width = float(np.linalg.norm(pts[MOUTH_R, :2] - pts[MOUTH_L, :2]))
    if width < 1e-9:
        return ear, 0.0, 0.0
    mouth_open = float(np.linalg.norm(pts[LIP_UPPER_INNER, :2] - pts[LIP_LOWER_INNER, :2])) / width
    # corners above the lip centre (image y down) = a smile; measured along the face's own
    # vertical so that a tilted head does not read as a smile
    eye_axis = pts[EYE_OUTER_L, :2] - pts[EYE_OUTER_R, :2]
    down = np.array([-eye_axis[1], eye_axis[0]]) / max(np.linalg.norm(eye_axis), 1e-9)
    centre = (pts[LIP_UPPER_INNER, :2] + pts[LIP_LOWER_INNER, :2]) / 2.0
    corners = (pts[MOUTH_R, :2] + pts[MOUTH_L, :2]) / 2.0
    smile = float(np.dot(centre - corners, down)) / width
    return ear, mouth_open, smile


class FaceAnalyzer(MediaPipeGraph):
    """The most prominent face: 468 mesh landmarks in full-frame pixels and the derived measures."""

    def __init__(self, static_image_mode: bool = False, min_confidence: float = 0.5):
        self.model_id = require("mediapipe.face_landmark").id
        import mediapipe as mp

        self._graph = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static_image_mode,
            max_num_faces=1,
            refine_landmarks=False,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def process(self, frame: np.ndarray, roi: Box | None = None, *, rgb: bool = False) -> FaceResult | None:
        """frame in BGR order (OpenCV's), or RGB with rgb=True; roi in frame pixels, results in frame pixels."""
        image, (ox, oy) = crop_rgb(frame, roi, rgb)
        h, w = image.shape[:2]
        res = self._graph.process(image)
        if not res.multi_face_landmarks:
            return None
        pts = np.array([(lm.x * w + ox, lm.y * h + oy, lm.z * w) for lm in res.multi_face_landmarks[0].landmark])
        x1, y1 = pts[:, :2].min(axis=0)
        x2, y2 = pts[:, :2].max(axis=0)
        yaw, pitch, roll = head_pose(pts)
        ear, mouth_open, smile = face_measures(pts)
        landmarks: list[Point3] = [tuple(map(float, p)) for p in pts]  # type: ignore[misc]
        return FaceResult(
            box=(float(x1), float(y1), float(x2), float(y2)),
            landmarks=landmarks,
            yaw=yaw,
            pitch=pitch,
            roll=roll,
            eye_aspect_ratio=ear,
            mouth_open=mouth_open,
            smile=smile,
        )
