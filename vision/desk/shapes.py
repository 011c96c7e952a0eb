"""Box and outline helpers of the desk stage (work pixels unless said)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.results import Box, PoseResult

# BlazePose indices: shoulders 11/12, elbows 13/14, wrists 15/16, hand points 17-22, hips 23/24.
LIMBS = [(11, 13), (13, 15), (12, 14), (14, 16), (15, 17), (15, 19), (15, 21), (16, 18), (16, 20), (16, 22),
         (11, 12)]
TORSO = [11, 12, 24, 23]


def merge_touching(blobs: list[tuple[Box, float]], gap: float) -> list[tuple[Box, float]]:
    """One object often splits into parts (a cup and its handle): merge boxes closer than `gap`."""
    blobs = list(blobs)
    merged = True
    while merged:
        merged = False
        for i in range(len(blobs)):
            for j in range(i + 1, len(blobs)):
                a, b = blobs[i][0], blobs[j][0]
                if a[0] - gap <= b[2] and b[0] - gap <= a[2] and a[1] - gap <= b[3] and b[1] - gap <= a[3]:
                    box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    blobs[i] = (box, max(blobs[i][1], blobs[j][1]))
                    del blobs[j]
                    merged = True
                    break
            if merged:
                break
    return blobs


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with its enclosed holes filled (what the border cannot reach through unset pixels)."""
    h, w = mask.shape
    outside = np.ones((h + 2, w + 2), np.uint8)  # a free border: every edge pixel is reachable
    outside[1:-1, 1:-1] = ~mask
    flood = np.zeros((h + 4, w + 4), np.uint8)
    cv2.floodFill(outside, flood, (0, 0), 2)
    return outside[1:-1, 1:-1] != 2


def torso_points(pose: PoseResult | None, scale: float) -> np.ndarray | None:
    """The clerk's shoulders-hips polygon (`TORSO`, work pixels), or None without a pose whose shoulders are seen."""
    if pose is None or len(pose.landmarks) < 25:
        return None
    lm = pose.landmarks
    if min(lm[11].visibility, lm[12].visibility) < 0.5:
        return None
    return np.array([(lm[i].x * scale, lm[i].y * scale) for i in TORSO], np.float32)


def dilated_near(mask: np.ndarray, pts: np.ndarray, k: int) -> np.ndarray:
    """`mask` (uint8, nothing set beyond the polygon `pts`) dilated by a `k`-pixel ellipse, as bool: the same pixels
    as dilating the whole image, but only the polygon's box grown by `k` is dilated (a large disc's dilation over the
    whole work image cost ~17 ms a desk run)."""
    h, w = mask.shape
    x1, y1 = (max(0, int(v) - k) for v in pts.min(axis=0))
    x2, y2 = (min(n, int(v) + k + 1) for n, v in zip((w, h), pts.max(axis=0), strict=True))
    out = np.zeros((h, w), bool)
    if x2 > x1 and y2 > y1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        out[y1:y2, x1:x2] = cv2.dilate(mask[y1:y2, x1:x2], kernel).astype(bool)
    return out


def outline_px(torso_pts: np.ndarray, grow: float) -> int:
    """A torso outline's dilation disc (odd pixels): `grow` shoulder widths across."""
    return max(3, int(grow * float(np.hypot(*(torso_pts[0] - torso_pts[1]))))) | 1


def inside_share_box(a: Box, b: Box) -> float:
    """Share of box a's area inside box b."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max(1e-6, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy / area


def inside_share(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    return inside_share_box((a[0], a[1], a[0] + a[2], a[1] + a[3]), (b[0], b[1], b[0] + b[2], b[1] + b[3]))
