"""A handset seen from its back or edge: a small, near-black, filled rectangle in a held hand's crop.

The packaged SSDs score such a handset 0.00-0.09 from 20-50 degrees aside (docs/rules.md phone.use, session 13): they
learnt phones by their screens. What remains of one is its shape and darkness: a near-black patch of a few hundredths
to a third of a square shoulder width, longer than wide, filling its rotated box, wholly inside the crop (a monitor or
dark hair runs past its edge). `dark_slabs` returns such patches as detections labelled `SLAB_LABEL`; phone.use alone
reads them, and only with its other gates (the hand held in front, the gaze down).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from vision.results import Box, Detection

SLAB_LABEL = "dark slab"


class SlabParams(BaseModel):
    max_value: int = Field(60, ge=0, le=255, description="a pixel is dark when its brightest channel is below this")
    # a handset reads 16-22 mean brightness; fingers' and papers' shadows 44-46 (tune splits)
    max_mean: float = Field(30.0, ge=0, description="the patch's mean brightest channel at most this")
    min_area_sw2: float = Field(0.04, ge=0, description="area at least this many square shoulder widths")
    max_area_sw2: float = Field(0.35, ge=0, description="... and at most this many")
    min_aspect: float = Field(1.2, ge=1, description="rotated box's long side over its short side, at least")
    max_aspect: float = Field(4.5, ge=1, description="... and at most (a handset edge-on reads up to ~3.8)")
    min_fill: float = Field(0.6, ge=0, le=1, description="patch area over its rotated box's area, at least")


def dark_slabs(bgr: np.ndarray, roi: Box, unit_px: float, p: SlabParams) -> list[Detection]:
    """The handset-like dark patches inside `roi` of the frame; lengths in `unit_px` (one shoulder width)."""
    import cv2  # here: phone.use imports SLAB_LABEL from this module and touches no image

    h, w = bgr.shape[:2]
    x0, y0 = max(int(round(roi[0])), 0), max(int(round(roi[1])), 0)
    x1, y1 = min(int(round(roi[2])), w), min(int(round(roi[3])), h)
    if x1 - x0 < 8 or y1 - y0 < 8 or unit_px <= 0:
        return []
    crop = bgr[y0:y1, x0:x1]
    value = np.maximum(np.maximum(crop[..., 0], crop[..., 1]), crop[..., 2])  # 7x faster than max(axis=2)
    n, labels, stats, _ = cv2.connectedComponentsWithStats((value < p.max_value).astype(np.uint8), 8)
    ch, cw = value.shape
    out = []
    for k in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[k])
        a_sw2 = area / unit_px**2
        if not p.min_area_sw2 <= a_sw2 <= p.max_area_sw2 or x == 0 or y == 0 or x + bw >= cw or y + bh >= ch:
            continue
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == k)
        (_, _), (rw, rh), _ = cv2.minAreaRect(np.stack([xs + x, ys + y], 1).astype(np.float32))
        aspect, fill = max(rw, rh) / max(min(rw, rh), 1.0), area / max(rw * rh, 1.0)
        mean = float(value[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == k].mean())
        if p.min_aspect <= aspect <= p.max_aspect and fill >= p.min_fill and mean <= p.max_mean:
            box = (float(x0 + x), float(y0 + y), float(x0 + x + bw), float(y0 + y + bh))
            out.append(Detection(box, SLAB_LABEL, round(min(fill, 1.0), 3), "dark_slab"))
    return out
