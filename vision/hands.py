"""Hands with MediaPipe's legacy hand tracker, plus the finger features the gesture rules read."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.registry import require
from vision.mp_graph import MediaPipeGraph
from vision.results import FINGER_JOINTS, Box, FingerState, HandResult, Point3
from vision.roi import crop_rgb

WRIST = 0
EXTENDED_MAX_BEND = 50.0  # degrees summed over the two finger joints
CURLED_MIN_BEND = 90.0


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-9 or nb < 1e-9:
        return 0.0
    return float(np.degrees(np.arccos(np.clip(np.dot(a, b) / (na * nb), -1.0, 1.0))))


def finger_state(pts: np.ndarray, finger: str) -> FingerState:
    """Extended / curled from how much the finger bends at its joints; a fingertip nearer the
    wrist than its middle joint also counts as curled (a fist seen end-on barely bends in 2D)."""
    a, b, c, d = (pts[i] for i in FINGER_JOINTS[finger])
    bend = _angle(b - a, c - b) + _angle(c - b, d - c)
    if finger == "thumb":
        # the thumb's tip stays away from the palm when extended; measure against the index base
        span = np.linalg.norm(pts[5] - pts[WRIST])
        away = np.linalg.norm(d - pts[9]) / max(span, 1e-9)
        if bend < EXTENDED_MAX_BEND and away > 0.9:
            return "extended"
        return "curled" if away < 0.7 or bend > CURLED_MIN_BEND else "unknown"
    tip_to_wrist = np.linalg.norm(d - pts[WRIST])
    pip_to_wrist = np.linalg.norm(b - pts[WRIST])
    if bend > CURLED_MIN_BEND or tip_to_wrist < pip_to_wrist:
        return "curled"
    if bend < EXTENDED_MAX_BEND:
        return "extended"
    return "unknown"


def hand_features(
    landmarks3d: Sequence[Point3], handedness: str
) -> tuple[dict[str, FingerState], float, Point3, bool]:
    """(fingers, fingers_together, palm_normal, index_pointing) from 21 3D hand landmarks in any
    consistent metric frame with y down (image pixels with scaled z, or MediaPipe world metres).
    handedness is the person's own hand ("Left"/"Right"); it fixes which way the palm faces."""
    pts = np.asarray(landmarks3d, dtype=float)
    if pts.shape != (21, 3):
        raise ValueError(f"hand_features needs 21 (x, y, z) landmarks, got shape {pts.shape}")
    fingers = {name: finger_state(pts, name) for name in FINGER_JOINTS}
    # tips side by side touch at about one finger width, ~0.3 of the palm width (index to pinky base)
    palm_width = max(float(np.linalg.norm(pts[5] - pts[17])), 1e-9)
    gaps = [np.linalg.norm(pts[i] - pts[j]) for i, j in ((8, 12), (12, 16), (16, 20))]
    ratio = float(np.mean(gaps)) / palm_width
    together = float(np.clip((0.9 - ratio) / (0.9 - 0.3), 0.0, 1.0))
    # index-base x pinky-base (from the wrist) points out of a right hand's palm; mirrored for a left
    normal = np.cross(pts[5] - pts[WRIST], pts[17] - pts[WRIST])
    if handedness == "Left":
        normal = -normal
    n = np.linalg.norm(normal)
    palm_normal: Point3 = tuple(float(v) for v in (normal / n if n > 1e-9 else np.zeros(3)))  # type: ignore[assignment]
    pointing = fingers["index"] == "extended" and all(fingers[f] == "curled" for f in ("middle", "ring", "pinky"))
    return fingers, together, palm_normal, pointing


class HandTracker(MediaPipeGraph):
    """Up to max_hands hands per frame, landmarks in full-frame pixels.

    MediaPipe labels handedness as if the image were mirrored (a selfie view); a counter camera is
    not mirrored, so the label is swapped to name the person's own hand."""

    def __init__(self, max_hands: int = 2, static_image_mode: bool = False, min_confidence: float = 0.5):
        self.model_id = require("mediapipe.hand_landmark_full").id
        import mediapipe as mp

        self._graph = mp.solutions.hands.Hands(
            static_image_mode=static_image_mode,
            max_num_hands=max_hands,
            model_complexity=1,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def process(self, frame: np.ndarray, roi: Box | None = None, *, rgb: bool = False) -> list[HandResult]:
        """frame in BGR order (OpenCV's), or RGB with rgb=True; roi in frame pixels, results in frame pixels."""
        image, (ox, oy) = crop_rgb(frame, roi, rgb)
        h, w = image.shape[:2]
        res = self._graph.process(image)
        if not res.multi_hand_landmarks:
            return []
        out = []
        worlds = res.multi_hand_world_landmarks or [None] * len(res.multi_hand_landmarks)
        for lms, world_lms, cls in zip(res.multi_hand_landmarks, worlds, res.multi_handedness, strict=True):
            label = cls.classification[0]
            handedness = "Left" if label.label == "Right" else "Right"
            pts = [(lm.x * w + ox, lm.y * h + oy, lm.z * w) for lm in lms.landmark]
            world = [(lm.x, lm.y, lm.z) for lm in world_lms.landmark] if world_lms is not None else []
            # world landmarks are metric and free of perspective foreshortening: better joint angles
            fingers, together, normal, pointing = hand_features(world or pts, handedness)
            out.append(
                HandResult(
                    landmarks=pts,
                    world=world,
                    handedness=handedness,
                    score=float(label.score),
                    fingers=dict(fingers),
                    fingers_together=together,
                    palm_normal=normal,
                    index_pointing=pointing,
                )
            )
        return out
