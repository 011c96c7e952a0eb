"""Items under the clerk's arms: a blob the generous look calls the clerk, or several items joined, looked at again in
tiles."""

from __future__ import annotations

import math

import numpy as np

from vision.desk.labels import ARM_CLASSES, PERSON_LABELS, heuristic_label, item_kind
from vision.results import Box, Detection
from vision.roi import overlap_of_smaller


class ArmItems:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

    def _between_hands(self, box: Box, frame_w: int) -> bool:
        """The clerk's masks border the blob on its left and on its right: what shows of the item between the hands
        is cut to their gap, so its outline says nothing of its shape."""
        if self.state.person is None:
            return False
        s = self.work_size[0] / frame_w
        x1, y1, x2, y2 = int(box[0] * s), int(box[1] * s), int(math.ceil(box[2] * s)), int(math.ceil(box[3] * s))
        band = self.p.hands_band_px
        rows = self.state.person[y1:y2]
        left, right = rows[:, max(0, x1 - band):x1], rows[:, x2:x2 + band]
        return bool(left.size and right.size and left.any(axis=1).mean() >= 0.5 and right.any(axis=1).mean() >= 0.5)

    def _under_arms(
        self, frame: np.ndarray, box: Box, now: float, conf: float, own: Detection | None = None,
    ) -> list[Detection]:
        """The items inside a blob the generous look called the clerk (the arms reach over it) or could not name: the
        blob's own pixels lie off the limb and hand masks, so it may be items the hands rest on (a snack box, a mug
        and papers joined into one area). The classifier looks again at square tiles of the blob (`arm_tile` x its
        short side, half-overlapping); each sure desk class found (not a wearable: the sleeve is no tie) is an item,
        one per kind and place; with at least one found, the whole blob is also what a tight look surely names it,
        and when that is nothing sure or one of the items found, the rest of the blob, less their boxes, is papers
        when the heuristic says so (the sheet under the hands). With none found the result is empty (the clerk, or
        the caller's unnamed item).
        `own`: the blob named, by a class whose box covers little of it (`joined_share`): it stays that, and the other
        classes found in its tiles are items of their own."""
        cached = self.arm_cache.get(box, now, self.p.reclassify_s, self.prev_t, self._still(frame.shape[1]))
        if cached is not None:
            return cached if own is None else [own, *cached[1:]]
        found = self._tiles(frame, box)
        out: list[Detection] = []
        if own is not None:
            out = [own] + [Detection(box=b, label=lab, score=round(sc * conf, 3), source="change", class_id=cid)
                           for lab, (b, sc, cid) in found if item_kind(lab) != item_kind(own.label)]
        elif found:
            for label, (b, score, cid) in found:
                out.append(Detection(box=b, label=label, score=round(score * conf, 3), source="change", class_id=cid))
            label, score, cid = self._run_classifier(frame, box, 0.0, ARM_CLASSES)
            whole = box
            if label is None or label in PERSON_LABELS or score < self.p.sure_class_score \
                    or item_kind(label) in {item_kind(lab) for lab, _ in found}:
                # the rest of the blob, less the items found, is what lies under the hands with them (papers); the
                # whole blob's colours are mostly those items' (a white snack tray, a red mug)
                whole, mask = self._rest(frame.shape, box, [b for _, (b, _, _) in found])
                guess = heuristic_label(frame, whole, mask).label if mask is not None else "unknown object"
                label, score, cid = (guess, 0.5, -1) if guess == "papers" else (None, 0.0, -1)
            if label is not None:
                out.append(Detection(box=whole, label=label, score=round(score * conf, 3), source="change",
                                     class_id=cid))
        self.arm_cache.put(box, now, out, self.p.reclassify_s, self._pixels(box, frame.shape[1]))
        return out

    def _rest(self, shape: tuple[int, ...], box: Box, items: list[Box]) -> tuple[Box, np.ndarray | None]:
        """The blob's own pixels (`_blob_mask`) outside the `items`' boxes: their box (frame pixels) and mask, or the
        blob's box and None when fewer than `min_area_px` are left."""
        mask = self._blob_mask(shape, box)
        if mask is None:
            return box, None
        mask = mask.copy()
        x0, y0 = int(box[0]), int(box[1])
        for b in items:
            mask[max(0, int(b[1]) - y0):max(0, int(math.ceil(b[3])) - y0),
                 max(0, int(b[0]) - x0):max(0, int(math.ceil(b[2])) - x0)] = 0
        if int(mask.sum()) < self.p.min_area_px:
            return box, None
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        rest = (float(x0 + cols[0]), float(y0 + rows[0]), float(x0 + cols[-1] + 1), float(y0 + rows[-1] + 1))
        return rest, mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]

    def _tiles(self, frame: np.ndarray, box: Box) -> list[tuple[str, tuple[Box, float, int]]]:
        """Desk classes (`ARM_CLASSES`) found at `tile_score` on square tiles of the blob, those of one kind that
        overlap joined into one box (the donuts of one snack box; all food is one kind, and food `food_gap` x the tile
        side apart is one snack box too: two mugs side by side stay two), clipped to the blob."""
        if self.classifier is None:
            return []
        x1, y1, x2, y2 = (int(v) for v in box)
        w, h = x2 - x1, y2 - y1
        s = max(16, int(self.p.arm_tile * min(w, h)))
        nx, ny = (max(1, math.ceil((n - s) / (s / 2)) + 1) for n in (w, h))
        found: list[tuple[str, tuple[Box, float, int]]] = []
        for j in range(ny):
            for i in range(nx):
                tx = x1 + (0 if nx == 1 else round(i * (w - s) / (nx - 1)))
                ty = y1 + (0 if ny == 1 else round(j * (h - s) / (ny - 1)))
                for d in self.classifier(frame[ty:ty + s, tx:tx + s]):
                    if d.label not in ARM_CLASSES or d.score < self.p.tile_score:
                        continue
                    b = (max(x1, d.box[0] + tx), max(y1, d.box[1] + ty), min(x2, d.box[2] + tx), min(y2, d.box[3] + ty))
                    if b[2] <= b[0] or b[3] <= b[1]:
                        continue
                    for k, (lab, (ob, osc, ocid)) in enumerate(found):
                        if item_kind(lab) == item_kind(d.label) and (overlap_of_smaller(ob, b) > 0 or (
                                item_kind(lab) == "food" and _gap(ob, b) <= self.p.food_gap * s)):
                            union = (min(ob[0], b[0]), min(ob[1], b[1]), max(ob[2], b[2]), max(ob[3], b[3]))
                            found[k] = (lab, (union, osc, ocid)) if osc >= d.score else (d.label, (union, d.score,
                                                                                                    d.class_id))
                            break
                    else:
                        found.append((d.label, (b, d.score, d.class_id)))
        return found


def _gap(a: Box, b: Box) -> float:
    """The distance between two boxes (0 when they touch or overlap)."""
    return math.hypot(max(0.0, a[0] - b[2], b[0] - a[2]), max(0.0, a[1] - b[3], b[1] - a[3]))
