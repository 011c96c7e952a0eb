"""Regions of interest: clip, expand and crop, and map crop coordinates back to the full frame."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from vision.results import Box, Detection, Point2


def box_area(box: Box) -> float:
    """Area of an (x1, y1, x2, y2) box; 0 for a degenerate one."""
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def box_intersection(a: Box, b: Box) -> float:
    """Area shared by two boxes."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes; 0 for degenerate ones."""
    inter = box_intersection(a, b)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def box_inside_share(a: Box, b: Box) -> float:
    """The share of box a that lies inside box b (0 for a degenerate a)."""
    area = box_area(a)
    return box_intersection(a, b) / area if area > 0 else 0.0


def box_holds(box: Box, point: Point2) -> bool:
    """The point lies inside the box (edges included)."""
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def clerk_box(people: Iterable[Detection], anchor: Point2 | None = None) -> Detection | None:
    """The person box taken for the clerk: the best-scoring one holding `anchor` (where the pose puts the clerk)
    when given, else the biggest (the clerk, facing the camera across the counter, is the person nearest it).
    The pipeline's pose recovery, the presence context and `counterwatch detect` all decide it here."""
    people = list(people)
    if anchor is not None:
        holding = [d for d in people if box_holds(d.box, anchor)]
        if holding:
            return max(holding, key=lambda d: d.score)
    return max(people, key=lambda d: (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]), default=None)


def overlap_of_smaller(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area: 1 when one box lies inside the other, whatever their sizes
    (a person box and a duplicate of it, an object and the slot or box it sits in)."""
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return box_intersection(a, b) / small if small > 0 else 0.0


def clip_box(box: Box, width: int, height: int) -> Box:
    x1, y1, x2, y2 = box
    return (max(0.0, min(x1, width)), max(0.0, min(y1, height)), max(0.0, min(x2, width)), max(0.0, min(y2, height)))


def expand(box: Box, frac: float, width: int, height: int) -> Box:
    """box grown by frac of its width/height on each side, clipped to the frame."""
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * frac, (y2 - y1) * frac
    return clip_box((x1 - dx, y1 - dy, x2 + dx, y2 + dy), width, height)


def crop(frame: np.ndarray, roi: Box | None) -> tuple[np.ndarray, tuple[int, int]]:
    """The pixels inside roi (whole frame when None) and the crop's top-left offset."""
    if roi is None:
        return frame, (0, 0)
    h, w = frame.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in clip_box(roi, w, h))
    if x2 - x1 < 2 or y2 - y1 < 2:
        raise ValueError(f"roi {roi} leaves no pixels inside a {w}x{h} frame")
    return frame[y1:y2, x1:x2], (x1, y1)


def crop_rgb(frame: np.ndarray, roi: Box | None, rgb: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """crop() in RGB order, what MediaPipe and the detectors take. A BGR frame (OpenCV's order, rgb=False)
    has only its crop converted; an RGB frame (rgb=True) is cropped as is. The counter pipeline converts each
    frame once and passes rgb=True to every stage instead of each stage converting again."""
    image, offset = crop(frame, roi)
    if rgb:
        return image, offset
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), offset


def region_around(
    points: Iterable[Point2], width: int, height: int, margin: float = 0.5, min_size: float = 160.0
) -> Box | None:
    """A square-ish box around points (e.g. hand landmarks), grown by `margin` of its size on each
    side and to at least min_size pixels, so that a phone held in the hand lies inside it and is
    big enough for the detector."""
    pts = np.asarray(list(points), dtype=float)
    if pts.size == 0:
        return None
    (x1, y1), (x2, y2) = pts.min(axis=0), pts.max(axis=0)
    side = max(x2 - x1, y2 - y1, 1.0) * (1.0 + 2.0 * margin)
    side = max(side, min_size)
    cx, cy = (x1 + x2) / 2.0, (y1 + y2) / 2.0
    return clip_box((cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), width, height)
