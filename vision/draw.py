"""Annotate a frame with an Observation (boxes, pose skeleton, face box and angles, hands)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.observation import Observation

POSE_EDGES = [(11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24), (0, 11), (0, 12)]
HAND_EDGES = [(0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11), (11, 12),
              (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (0, 17), (17, 18), (18, 19), (19, 20)]  # fmt: skip


def _pt(x: float, y: float) -> tuple[int, int]:
    return int(round(x)), int(round(y))


def annotate(frame: np.ndarray, obs: Observation) -> np.ndarray:
    img = frame.copy()
    for d in obs.people + obs.detections:
        colour = (0, 200, 0) if d in obs.people else (0, 140, 255)
        cv2.rectangle(img, _pt(*d.box[:2]), _pt(*d.box[2:]), colour, 2)
        cv2.putText(img, f"{d.label} {d.score:.2f}", _pt(d.box[0], d.box[1] - 4), 0, 0.5, colour, 1, cv2.LINE_AA)
    if obs.pose:
        lm = obs.pose.landmarks
        for a, b in POSE_EDGES:
            if lm[a].visibility > 0.5 and lm[b].visibility > 0.5:
                cv2.line(img, _pt(lm[a].x, lm[a].y), _pt(lm[b].x, lm[b].y), (255, 200, 0), 2)
        cv2.circle(img, _pt(lm[0].x, lm[0].y), 4, (0, 0, 255), -1)
    if obs.face:
        f = obs.face
        cv2.rectangle(img, _pt(*f.box[:2]), _pt(*f.box[2:]), (255, 0, 255), 1)
        text = f"yaw {f.yaw:.0f} pitch {f.pitch:.0f} EAR {f.eye_aspect_ratio:.2f}"
        cv2.putText(img, text, _pt(f.box[0], f.box[3] + 14), 0, 0.45, (255, 0, 255), 1, cv2.LINE_AA)
    for hand in obs.hands:
        for a, b in HAND_EDGES:
            cv2.line(img, _pt(*hand.landmarks[a][:2]), _pt(*hand.landmarks[b][:2]), (0, 255, 255), 1)
        tag = f"{hand.handedness}{' pointing' if hand.index_pointing else ''}"
        cv2.putText(img, tag, _pt(*hand.landmarks[0][:2]), 0, 0.5, (0, 255, 255), 1, cv2.LINE_AA)
    return img
