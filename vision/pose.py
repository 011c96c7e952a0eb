"""Body pose with MediaPipe's legacy BlazePose solution (models from the registry, never downloaded)."""

from __future__ import annotations

import numpy as np

from models.registry import require
from vision.mp_graph import MediaPipeGraph
from vision.results import Box, Landmark, PoseResult
from vision.roi import crop_rgb, expand

POSE_MODELS = {0: "mediapipe.pose_lite", 1: "mediapipe.pose_full", 2: "mediapipe.pose_heavy"}
NOSE = 0
# A person box grown by this share of its size on each side before pose re-runs on it: the detector's box hugs the
# torso and often cuts off a raised hand or the top of a head tipped back.
PERSON_CROP_GROW = 0.25


def person_crop(box: Box, width: int, height: int, grow: float = PERSON_CROP_GROW) -> Box | None:
    """Where to re-run pose when the whole frame gave none but the person detector found the clerk: the box grown
    by `grow` per side, clipped to the frame (None when that leaves too few pixels to fit a body in).

    Leaning back against the chair (the face tipped up, the torso foreshortened), the whole-frame model finds no
    one in simulated clips at several views while the person detector still boxes the clerk; the same frame
    cropped to that box (the clerk ~2x larger in the model's input) gives a confident pose."""
    x1, y1, x2, y2 = expand(box, grow, width, height)
    return (x1, y1, x2, y2) if x2 - x1 >= 32 and y2 - y1 >= 32 else None


class PoseEstimator(MediaPipeGraph):
    """One person's 33 landmarks. In video mode (static_image_mode=False) MediaPipe tracks between
    frames, which is faster; use static_image_mode=True for unrelated still images."""

    def __init__(self, complexity: int = 1, static_image_mode: bool = False, min_confidence: float = 0.5):
        if complexity not in POSE_MODELS:
            raise ValueError(f"pose complexity must be 0, 1 or 2, not {complexity}")
        # complexity 0/2 load files that `models install` places beside mediapipe's modules;
        # checking first turns MediaPipe's silent download attempt into a clear error.
        self.model_id = require(POSE_MODELS[complexity]).id
        import mediapipe as mp

        self._graph = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode,
            model_complexity=complexity,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def process(self, frame: np.ndarray, roi: Box | None = None, *, rgb: bool = False) -> PoseResult | None:
        """frame in BGR order (OpenCV's), or RGB with rgb=True; roi in frame pixels, results in frame pixels."""
        image, (ox, oy) = crop_rgb(frame, roi, rgb)
        h, w = image.shape[:2]
        res = self._graph.process(image)
        if res.pose_landmarks is None:
            return None
        landmarks = [
            Landmark(x=lm.x * w + ox, y=lm.y * h + oy, z=lm.z * w, visibility=lm.visibility)
            for lm in res.pose_landmarks.landmark
        ]
        world = [(lm.x, lm.y, lm.z) for lm in res.pose_world_landmarks.landmark] if res.pose_world_landmarks else []
        score = float(np.mean([lm.visibility for lm in landmarks[:11]]))  # head and shoulders
        return PoseResult(landmarks=landmarks, world=world, score=score, model=self.model_id)
