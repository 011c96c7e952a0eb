"""A handset seen from its back or edge: a small, near-black, filled rectangle in a held hand's crop.

The packaged SSDs score such a handset 0.00-0.09 from 20-50 degrees aside (docs/rules.md phone.use, session 13): they
learnt phones by their screens. What remains of one is its shape and darkness: a near-black patch of a few hundredths
to a third of a square shoulder width, filling its rotated box, wholly inside the crop (a monitor or dark hair runs past
its edge). Not necessarily longer than wide: held tilted back towards the face and seen from a camera above the face
(1.4-1.75 m, near-frontal), a handset's long side is foreshortened and the fingers cover its foot, and it reads
1.05-1.25:1 (docs/rules.md phone.use, session 27); a square one must fill its box as a rectangle does, not as the
ragged round cap of the head's hair does. On a dark shirt (the simulator's green reads 40-60 in its shaded
folds) the handset joins the shirt below `max_value`; the patches are looked for again below `second_value`, where the
handset (16-22) stands apart. `dark_slabs` returns such patches as detections labelled `SLAB_LABEL`; phone.use alone
reads them, and only with its other gates (the hand held in front, the gaze down).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from vision.results import Box, Detection
from vision.roi import box_iou

SLAB_LABEL = "dark slab"


class SlabParams(BaseModel):
    max_value: int = Field(60, ge=0, le=255, description="a pixel is dark when its brightest channel is below this")
    # a handset reads 16-22 mean brightness; fingers' and papers' shadows 44-46 (tune splits)
    max_mean: float = Field(30.0, ge=0, description="the patch's mean brightest channel at most this")
    min_area_sw2: float = Field(0.04, ge=0, description="area at least this many square shoulder widths")
    max_area_sw2: float = Field(0.35, ge=0, description="... and at most this many")
    # session 27: 1.2 until then; a handset tilted back and seen from above the face reads 1.05-1.25
    min_aspect: float = Field(1.0, ge=1, description="rotated box's long side over its short side, at least")
    max_aspect: float = Field(4.5, ge=1, description="... and at most (a handset edge-on reads up to ~3.8)")
    min_fill: float = Field(0.6, ge=0, le=1, description="patch area over its rotated box's area, at least")
    # the head's hair seen from a camera above the face, a ragged round cap, fills 0.60-0.67 of its box; handsets
    # foreshortened to 1.05-1.25:1 0.73-0.90, those under 1.2:1 0.81-0.90 (session 27; a clean disc reads ~0.8)
    square_aspect: float = Field(1.2, ge=1, description="a patch squarer than this must keep a rectangle's corners:")
    square_min_fill: float = Field(0.75, ge=0, le=1, description="... fill its rotated box at least this much (a "
                                   "round patch, the hair, reads 0.60-0.67)")
    second_value: int = Field(40, ge=0, le=255, description="the patches are looked for again with this darker "
                              "threshold (a handset on a dark shirt joins the shirt's shaded folds below max_value; "
                              "0: once only)")


def dark_slabs(bgr: np.ndarray, roi: Box, unit_px: float, p: SlabParams) -> list[Detection]:
    """The handset-like dark patches inside `roi` of the frame; lengths in `unit_px` (one shoulder width)."""
    h, w = bgr.shape[:2]
    x0, y0 = max(int(round(roi[0])), 0), max(int(round(roi[1])), 0)
    x1, y1 = min(int(round(roi[2])), w), min(int(round(roi[3])), h)
    if x1 - x0 < 8 or y1 - y0 < 8 or unit_px <= 0:
        return []
    crop = bgr[y0:y1, x0:x1]
    value = np.maximum(np.maximum(crop[..., 0], crop[..., 1]), crop[..., 2])  # 7x faster than max(axis=2)
    out: list[Detection] = []
    for limit in (p.max_value, p.second_value) if 0 < p.second_value < p.max_value else (p.max_value,):
        for d in _patches(value, limit, (x0, y0), unit_px, p):
            if not any(box_iou(d.box, o.box) >= 0.5 for o in out):  # the same handset found at both thresholds
                out.append(d)
    return out


def _patches(value: np.ndarray, limit: int, origin: tuple[int, int], unit_px: float, p: SlabParams
             ) -> list[Detection]:
    import cv2  # here: phone.use imports SLAB_LABEL from this module and touches no image

    x0, y0 = origin
    n, labels, stats, _ = cv2.connectedComponentsWithStats((value < limit).astype(np.uint8), 8)
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
        least = p.square_min_fill if aspect < p.square_aspect else p.min_fill
        if p.min_aspect <= aspect <= p.max_aspect and fill >= max(p.min_fill, least) and mean <= p.max_mean:
            box = (float(x0 + x), float(y0 + y), float(x0 + x + bw), float(y0 + y + bh))
            out.append(Detection(box, SLAB_LABEL, round(min(fill, 1.0), 3), "dark_slab"))
    return out

