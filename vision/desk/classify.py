"""Naming a settled blob: the crop classifier's look, the heuristic's, the desk in shadow; answers cached by place."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from vision.desk.colour import to_grey
from vision.desk.labels import (
    DESK_CLASSES,
    FOOD_CLASSES,
    PERSON_LABELS,
    PHONE_LOOKALIKES,
    SHADOW,
    SURFACE_LABELS,
    Look,
    heuristic_label,
)
from vision.desk.shapes import inside_share_box
from vision.results import Box, Detection
from vision.roi import box_iou


class BlobNamer:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

    def _classify(self, frame: np.ndarray, box: Box, now: float) -> tuple[str, float, int, bool]:
        """The blob's label, score and class id, and whether a sure class's box covers under `joined_share` of it
        (several items joined into one area, looked at again in tiles)."""
        fw = frame.shape[1]
        cached = self.cache.get(box, now, self.p.reclassify_s, self.prev_t, self._still(fw))
        if cached is not None:
            return cached
        label, score, cid, share = self._look(frame, box)
        joined = label not in PERSON_LABELS and score >= self.p.sure_class_score and share < self.p.joined_share
        look: Look | None = None  # the heuristic's, where it was asked
        if label in PHONE_LOOKALIKES:
            # a phone lying near the camera is big in the frame: the SSDs call it a laptop or a remote even when
            # sure; the phone's own look (a dark rim round a lit, colourful screen) decides
            # ... and a sheet with printed lines is a "keyboard" to them: white and flat, it is papers
            look = heuristic_label(frame, box, self._blob_mask(frame.shape, box))
            if look.label in ("cell phone", "papers"):
                label, score, cid = look.label, 0.5, -1
        elif label == "box" and score >= self.p.sure_class_score:
            # the Open Images SSD's answer for anything packaged-looking, also a sheet with a seal on it at the frame's
            # edge ((1.6 m, 1.15 m, -15 deg)): white and lying flat, it is papers (food in a white box: the tight look)
            look = heuristic_label(frame, box, self._blob_mask(frame.shape, box))
            if look.label == "papers":
                label, score, cid = "papers", 0.5, -1
        elif label is None or (label not in PERSON_LABELS and score < self.p.sure_class_score):
            # a weak class loses to the papers/seal heuristic (SSDs read a sheet of paper as anything)
            look = heuristic_label(frame, box, self._blob_mask(frame.shape, box), self._between_hands(box, fw))
            if label is None or look.label != "unknown object":
                label, score, cid = look.label, 0.5, -1
        if cid == -1 and label == "cell phone" and self._desk_in_shadow(frame, box):
            label = SHADOW
        if cid == -1 and label in ("papers", "cell phone") and not (
                label == "cell phone" and look is not None and look.framed):
            # the heuristic's call; food in a white box is white and flat too, glazed donuts lit and colourful: in
            # the generous crop a 9 cm donut is a few pixels of the SSD's input, so a tight look at the blob decides
            # (a sure food is food) - but not a lit screen in a black rim: the tight SSD calls a phone's icons a cake
            # (0.84-0.88 at (1.6 m, 1.15 m, -15)), as sure as the donuts it rescues
            food, food_score, food_cid = self._run_classifier(frame, box, self.p.tight_context, FOOD_CLASSES)
            if food in FOOD_CLASSES and food_score >= self.p.sure_class_score:
                label, score, cid = food, food_score, food_cid
        self.cache.put(box, now, (label, score, cid, joined), self.p.reclassify_s, self._pixels(box, fw))
        return label, score, cid, joined

    def _pixels(self, box: Box, frame_w: int) -> tuple[np.ndarray, np.ndarray]:
        """What the blob's box (frame pixels) shows on this frame at work size: grey, and the clerk's masks."""
        s = self.work_size[0] / frame_w
        x1, y1 = max(0, int(box[0] * s)), max(0, int(box[1] * s))
        x2, y2 = int(math.ceil(box[2] * s)), int(math.ceil(box[3] * s))
        return to_grey(self._cur[y1:y2, x1:x2]), self.state.person[y1:y2, x1:x2].copy()

    def _still(self, frame_w: int) -> Callable[[Box, Any], bool]:
        """The cache's test that a blob's box looks as it did when it was looked at: of its pixels off the clerk's
        masks now (at least `min_area_px`), under `keep_changed` differ from then, by `motion_change` (the
        short-term model's test) or by having been under the masks then (an item the arm hid may show now)."""

        def still(box: Box, then: Any) -> bool:
            grey, clerk = self._pixels(box, frame_w)
            then_grey, then_clerk = then
            if grey.shape != then_grey.shape:
                return False
            free = ~clerk
            if int(free.sum()) < self.p.min_area_px:
                return False
            moved = then_clerk[free] | (np.abs(grey[free] - then_grey[free]) / (then_grey[free] + 12.0)
                                        > self.p.motion_change)
            return float(moved.mean()) <= self.p.keep_changed

        return still

    def _desk_in_shadow(self, frame: np.ndarray, box: Box) -> bool:
        """A blob the heuristic calls an all-dark phone whose dark pixels keep the desk's own hue, saturated: the
        desk in a shadow (the monitor's foot seen from aside), not a black or graphite phone. Never on a grey or
        white desk (no hue of its own: a shadow there looks like a dark phone)."""
        if self.desk_hue is None:
            return False
        x1, y1, x2, y2 = (int(v) for v in box)
        crop = frame[max(0, y1):y2, max(0, x1):x2]
        mask = self._blob_mask(frame.shape, box)
        if crop.size == 0 or mask is None or mask.shape != crop.shape[:2] or mask.sum() < 20:
            return False
        hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)[mask.astype(bool)].astype(np.float32)
        dark = hsv[hsv[:, 2] < 70]
        if len(dark) < 0.6 * len(hsv):
            return False  # the lit-screen phone: not this test's
        off = np.abs(dark[:, 0] - self.desk_hue)
        desk_like = (np.minimum(off, 180 - off) <= self.p.shadow_hue) & (dark[:, 1] > 60)
        return float(desk_like.mean()) >= self.p.shadow_share

    def _blob_mask(self, shape: tuple[int, ...], box: Box) -> np.ndarray | None:
        """The changed pixels of the current frame inside `box` (frame pixels) that are not background showing,
        at the frame's scale."""
        if self.state.change is None:
            return None
        x1, y1, x2, y2 = (int(v) for v in box)
        x1, y1 = max(0, x1), max(0, y1)
        x2, y2 = min(shape[1], x2), min(shape[0], y2)
        if x2 <= x1 or y2 <= y1:
            return None
        own = self.state.change if self.state.revealed is None else self.state.change & ~self.state.revealed
        full = cv2.resize(own.astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)
        return full[y1:y2, x1:x2]

    def _run_classifier(
        self, frame: np.ndarray, box: Box, context: float | None = None, classes: frozenset[str] = DESK_CLASSES,
    ) -> tuple[str | None, float, int]:
        """The best class of `classes` the classifier finds on the blob's crop, padded by `context` x its size
        (default: generous, `crop_context` and at least 5 % of the frame width; the blob is often only the visible
        part of the item, the hand mask cuts it), or a person when only a sure one is found."""
        return self._look(frame, box, context, classes)[:3]

    def _look(
        self, frame: np.ndarray, box: Box, context: float | None = None, classes: frozenset[str] = DESK_CLASSES,
    ) -> tuple[str | None, float, int, float]:
        """`_run_classifier`'s answer and the share of the blob's box that the class's box covers (1 for none)."""
        if self.classifier is None:
            return None, 0.0, -1, 1.0
        fh, fw = frame.shape[:2]
        x1, y1, x2, y2 = box
        size = max(x2 - x1, y2 - y1)
        pad = max(self.p.crop_context * size, 0.05 * fw) if context is None else context * size
        cx1, cy1 = int(max(0, x1 - pad)), int(max(0, y1 - pad))
        cx2, cy2 = int(min(fw, x2 + pad)), int(min(fh, y2 + pad))
        crop = frame[cy1:cy2, cx1:cx2]
        if crop.size == 0:
            return None, 0.0, -1, 1.0
        local = (x1 - cx1, y1 - cy1, x2 - cx1, y2 - cy1)
        best: Detection | None = None
        person: Detection | None = None
        for det in self.classifier(crop):
            if det.label in SURFACE_LABELS or (det.label not in classes and det.label not in PERSON_LABELS):
                continue  # the counter top itself, or a class no desk holds (noise on a flat item)
            if box_iou(det.box, local) < 0.15 and inside_share_box(det.box, local) < 0.5 \
                    and inside_share_box(local, det.box) < 0.5:
                continue
            if det.label in PERSON_LABELS:  # the clerk's arm is often in the crop beside a real object
                person = det if person is None or det.score > person.score else person
            elif best is None or det.score > best.score:
                best = det
        if best is None and person is not None and person.score >= self.p.person_drop_score:
            return person.label, person.score, person.class_id, 1.0
        if best is None:
            return None, 0.0, -1, 1.0
        return best.label, best.score, best.class_id, inside_share_box(local, best.box)
