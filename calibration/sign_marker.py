"""The pause sign's marker as the pipeline reads it, for the calibration record `CounterConfig.sign_marker`.

A sign zone cut by the frame's edge may or may not still hold the marker, and its outline cannot tell which;
reading the marker once with the sign standing at its place can. The reading here is the pipeline's own: the
same search window (pipelines/pipeline.py `_sign_roi`), the same detector, and only a marker whose centre lies in
the sign zone counts (pipelines/context.py `_is_sign`), so a record of "read" promises what the runtime sees.
"""

from __future__ import annotations

import numpy as np

from calibration.config import CounterConfig, Polygon, point_in_polygon

Box = tuple[float, float, float, float]
MIN_SEARCH_PX = 16  # a window narrower than this is no window: the whole frame is searched


def search_box(cfg: CounterConfig, width: int, height: int) -> Box | None:
    """The sign zone grown by half its size each way, clipped to the frame (None: search the whole frame)."""
    zone = cfg.zones.sign
    if not zone:
        return None
    xs, ys = [p[0] for p in zone], [p[1] for p in zone]
    mx, my = 0.5 * (max(xs) - min(xs)), 0.5 * (max(ys) - min(ys))
    x1, y1 = max(0.0, min(min(xs) - mx, width)), max(0.0, min(min(ys) - my, height))
    x2, y2 = max(0.0, min(max(xs) + mx, width)), max(0.0, min(max(ys) + my, height))
    return (x1, y1, x2, y2) if x2 - x1 >= MIN_SEARCH_PX and y2 - y1 >= MIN_SEARCH_PX else None


def read_sign_marker(cfg: CounterConfig, frame: np.ndarray) -> Polygon | None:
    """The sign's marker corners (frame pixels) read on a frame showing the sign, or None when not read."""
    from vision.markers import detect_markers
    from vision.roi import crop

    h, w = frame.shape[:2]
    part, (ox, oy) = crop(frame, search_box(cfg, w, h))
    for m in detect_markers(part, cfg.sign_aruco_dict):
        if cfg.sign_aruco_id is not None and m.marker_id != cfg.sign_aruco_id:
            continue
        corners = [(round(x + ox, 1), round(y + oy, 1)) for x, y in m.corners]
        centre = (sum(x for x, _ in corners) / 4, sum(y for _, y in corners) / 4)
        if cfg.zones.sign is None or point_in_polygon(centre, cfg.zones.sign):
            return corners
    return None
