"""ArUco markers (cv2.aruco): the pause-service sign carries one, so the post.empty exemption needs no
extra model. Print a marker with `generate_marker` (DICT_4X4_50 by default, id in the counter file's
`sign_aruco_id`)."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from vision.observation import Marker

DEFAULT_DICT = "DICT_4X4_50"


@cache
def _detector(dictionary: str) -> cv2.aruco.ArucoDetector:
    aruco_dict = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary))
    params = cv2.aruco.DetectorParameters()
    return cv2.aruco.ArucoDetector(aruco_dict, params)


def detect_markers(frame_bgr: np.ndarray, dictionary: str = DEFAULT_DICT, second_look: bool = True) -> list[Marker]:
    """Every marker of that dictionary in the frame, with its four corners in frame pixels.

    When the frame as decoded shows none, it is read once more after a Gaussian blur (sigma 1 px): a small,
    steeply foreshortened marker (a sign seen from 30-40 degrees to the side, its quiet zone at the frame's edge)
    breaks into ragged contours under sensor noise and aliasing, and the blur makes them quadrilaterals again (a
    3x3 blur read such a sign on 4 of 7 frames, sigma 1 on all 7). `second_look=False` skips that read (the caller
    knows no sign can matter on this frame: it doubles the cost of almost every call, which finds no marker)."""
    gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
    detector = _detector(dictionary)
    corners, ids, _ = detector.detectMarkers(gray)
    if ids is None and second_look:
        corners, ids, _ = detector.detectMarkers(cv2.GaussianBlur(gray, (0, 0), 1.0))
    if ids is None:
        return []
    return [
        Marker(int(mid), [(float(x), float(y)) for x, y in c.reshape(-1, 2)])
        for mid, c in zip(ids.flatten(), corners, strict=True)
    ]


def generate_marker(marker_id: int, side_px: int = 200, dictionary: str = DEFAULT_DICT) -> np.ndarray:
    """A printable marker image (white quiet zone of one module around it), grey uint8."""
    aruco_dict = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary))
    img = cv2.aruco.generateImageMarker(aruco_dict, marker_id, side_px)
    pad = side_px // 6
    return cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
