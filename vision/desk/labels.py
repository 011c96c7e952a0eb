"""What a desk blob is called: the class names the desk stage accepts, the crop classifier built from the registry's
detectors, and the papers/phone/seal heuristic."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vision.results import Box, Detection

log = logging.getLogger(__name__)

# A classifier takes a BGR crop and returns detections in the crop's pixel coordinates.
Classifier = Callable[[np.ndarray], list[Detection]]

SURFACE_LABELS = frozenset({"dining table", "table", "desk", "countertop", "kitchen & dining room table"})
PERSON_LABELS = frozenset({"person", "man", "woman", "human face", "human hand", "human arm"})
# Classes a desk top can plausibly hold (COCO + Open Images names, lower case). The SSDs on a crop of a
# flat rendered item often answer "tv", "refrigerator" or "bed": such a label is noise, not a class.
DESK_CLASSES = frozenset({
    "cell phone", "mobile phone", "cup", "mug", "coffee cup", "bottle", "wine glass", "bowl", "book",
    "handbag", "backpack", "suitcase", "umbrella", "tie", "laptop", "keyboard", "mouse", "remote", "scissors",
    "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake",
    "box", "towel", "hat", "scarf", "glasses", "teddy bear", "clock", "vase", "food", "snack",
})
# What the tiles of a blob under the clerk's arms may find: not what a person wears (a sleeve or a collar read as a tie)
ARM_CLASSES = DESK_CLASSES - {"tie", "hat", "scarf", "glasses", "handbag", "backpack", "towel"}
UNKNOWN = "unknown object"  # what no look could name
SHADOW = "shadow"  # what `_desk_in_shadow` calls a dark blob of the desk's own hue: never reported
FOOD_CLASSES = frozenset({"banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut",
                          "cake", "food", "snack"})
CUP_CLASSES = frozenset({"cup", "mug", "coffee cup"})
# What the SSDs call a phone lying close to the camera (a big, flat, lit slab): checked with the phone heuristic.
PHONE_LOOKALIKES = frozenset({"laptop", "remote", "keyboard"})
# OpenCV hues (0-180) of skin and of wooden desks; a lit phone screen shows at least MIN_ICON_HUES of its vivid
# pixels (app icons) outside them (sim phones 0.15-0.41 beside the hand; a hand beside papers, a lit patch of arm 0)
ORANGE_HUES = (5, 25)
MIN_ICON_HUES = 0.08
# the share of the ring just outside a lit screen that is dark: a phone's black rim (sim phones 0.33-0.70 seen from
# -50 to -15 deg), not a white snack tray or a sheet on the desk (0-0.08)
FRAMED_RIM = 0.25
# The largest phone (x the frame's area), its longest slab (long side / short side), and the largest seal. A phone or a
# seal lying at the desk's front edge under a close, low camera is larger, and the low view foreshortens the phone's
# depth: a lit, colourful screen in a black rim (framed) may reach PHONE_FRAMED_AREA and PHONE_FRAMED_SLAB (own
# rectangle 0.0146, 0.0169 and 0.0187 of the frame, slab 1.88, 2.68 and 3.03 at (1.25 m, 1.1 m, +-5) and (1.2 m,
# 1.05 m, -8); on the four tune splits' desk clips every framed screen was a phone, 0.0007-0.0122, slab 1.21-2.57), a
# red blob SEAL_AREA (the upright seal 0.0066 at (1.25 m, 1.1 m, 5); on the tune desk clips no heuristic look had a
# red share over 0.37, the seal test asks 0.4). Session 19.
PHONE_AREA, PHONE_SLAB = 0.015, 3.0
PHONE_FRAMED_AREA, PHONE_FRAMED_SLAB = 0.03, 4.0
SEAL_AREA = 0.012


@dataclass(frozen=True)
class Look:
    """What `heuristic_label` measured on a blob: its label, and the dark share of the ring just outside the blob's
    largest lit area (`screen_look`), which the caller needs again (the tight food look skips a framed screen)."""

    label: str
    rim: float = 0.0

    @property
    def framed(self) -> bool:
        """A lit screen in a phone's black rim (at least `FRAMED_RIM` of the ring dark)."""
        return self.rim >= FRAMED_RIM


def heuristic_label(frame: np.ndarray, box: Box, mask: np.ndarray | None = None, cut: bool = False) -> Look:
    """'cell phone' (small, a dark slab: black rim around a lit screen, or all dark), 'papers' (mostly
    bright and unsaturated, lying flat: not taller than wide, unless `cut`: only the strip between the clerk's hands
    shows) or 'seal' (small and red), else unknown; with the rim share it measured on the way.
    `mask` (the crop's size) limits the colour statistics to the changed pixels, so the
    desk or the wall inside the box does not count."""
    x1, y1, x2, y2 = (int(v) for v in box)
    crop = frame[max(0, y1):y2, max(0, x1):x2]
    if crop.size == 0:
        return Look(UNKNOWN)
    hsv2 = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    own = mask is not None and mask.shape == crop.shape[:2] and mask.sum() >= 20
    hsv = hsv2[mask.astype(bool)] if own else hsv2  # type: ignore[union-attr]
    hsv = hsv.reshape(-1, 3).astype(np.float32)
    w, h = x2 - x1, y2 - y1
    aspect = max(w, h) / max(1, min(w, h))
    frame_area = frame.shape[0] * frame.shape[1]
    dark, lit = float((hsv[:, 2] < 70).mean()), float((hsv[:, 2] > 150).mean())
    vivid = (hsv[:, 1] > 90) & (hsv[:, 2] > 120)
    colourful = float(vivid.mean())  # app icons on a lit screen
    # ... of several hues: skin and the wooden desk are vivid too, but only orange (a hand beside papers is no screen)
    icon_hues = _icon_share(hsv[:, 0], vivid)
    # ... counted on the screen too: the desk's rim beside a small phone dilutes the blob's share, not the screen's
    screen_icons, rim = screen_look(hsv2, mask if own else None)
    icon_hues = max(icon_hues, screen_icons)
    area, slab = float(w * h), aspect
    rimmed = own and rim >= FRAMED_RIM
    if rimmed:
        # a phone lying aslant fills little of its upright box: a screen in a black rim is sized on its own axes
        area, slab = _own_rect(mask)  # type: ignore[arg-type]
    screen = lit >= 0.3 and colourful >= 0.08 and icon_hues >= MIN_ICON_HUES
    largest, longest = (PHONE_FRAMED_AREA, PHONE_FRAMED_SLAB) if screen and rimmed else (PHONE_AREA, PHONE_SLAB)
    if area <= largest * frame_area and slab < longest and dark >= 0.06 and (screen or dark >= 0.6):
        return Look("cell phone", rim)
    white = (hsv[:, 1] < 45) & (hsv[:, 2] > 170)
    if white.mean() > 0.4 and (cut or (aspect < 4 and h <= 1.2 * w)):
        return Look("papers", rim)
    red = ((hsv[:, 0] < 8) | (hsv[:, 0] > 170)) & (hsv[:, 1] > 110) & (hsv[:, 2] > 60)
    small = w * h <= SEAL_AREA * frame_area  # a seal is a few cm across
    if red.mean() > 0.4 and aspect < 2.5 and small:
        return Look("seal", rim)
    return Look(UNKNOWN, rim)


def _icon_share(hue: np.ndarray, vivid: np.ndarray) -> float:
    """The share of the vivid pixels outside the skin/wood orange (app icons on a lit screen)."""
    orange = (hue >= ORANGE_HUES[0]) & (hue <= ORANGE_HUES[1])
    return float((vivid & ~orange).sum()) / max(1, int(vivid.sum()))


def _own_rect(mask: np.ndarray) -> tuple[float, float]:
    """The area and aspect of the blob's changed pixels on their own axes (their minimum-area rectangle)."""
    (_, _), (rw, rh), _ = cv2.minAreaRect(cv2.findNonZero(mask.astype(np.uint8)))
    return float(rw * rh), max(rw, rh) / max(1.0, min(rw, rh))


def screen_look(hsv: np.ndarray, mask: np.ndarray | None) -> tuple[float, float]:
    """A lit screen's look: the largest lit area of the blob (its outline filled: icons are darker than the screen)
    and (1) the share of its vivid pixels outside the skin/wood orange (app icons), (2) the share of the ring just
    outside it that is dark (a phone's black rim; a white snack tray or a sheet lies on the desk's colour). `hsv`: the
    box's HSV crop, `mask` its changed pixels (None: all)."""
    own = np.ones(hsv.shape[:2], bool) if mask is None else mask.astype(bool)
    lit = ((hsv[..., 2] > 150) & own).astype(np.uint8)
    n, parts, stats, _ = cv2.connectedComponentsWithStats(lit)
    if n < 2:
        return 0.0, 0.0
    largest = (parts == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    cnts, _ = cv2.findContours(largest, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    screen = np.zeros_like(lit)
    cv2.fillPoly(screen, [cv2.convexHull(max(cnts, key=cv2.contourArea))], 1)
    ring = cv2.dilate(screen, np.ones((5, 5), np.uint8)).astype(bool) & ~screen.astype(bool)
    inside = screen.astype(bool)
    vivid = inside & (hsv[..., 1] > 90) & (hsv[..., 2] > 120)
    return _icon_share(hsv[..., 0], vivid), float((hsv[..., 2][ring] < 70).mean()) if ring.any() else 0.0


def classifier_from_detectors(detectors: Sequence[Any], min_score: float = 0.3) -> Classifier:
    """Wrap vision.detector Detectors (`.detect(frame_bgr, min_score=...)`) as one crop classifier.

    Crops are upscaled to at least 300 px so that SSD models see small desk items at their input scale.
    """

    def classify(crop: np.ndarray) -> list[Detection]:
        h, w = crop.shape[:2]
        scale = max(1.0, 300.0 / max(1, min(h, w)))
        img = cv2.resize(crop, (round(w * scale), round(h * scale))) if scale > 1 else crop
        out = []
        for det in detectors:
            for d in det.detect(img, min_score=min_score):
                x1, y1, x2, y2 = d.box
                out.append(Detection(box=(x1 / scale, y1 / scale, x2 / scale, y2 / scale), label=d.label.lower(),
                                     score=d.score, source=d.source, class_id=d.class_id))
        return out

    return classify


def item_kind(label: str) -> str:
    """Food is one kind of item (a snack box reads as donuts and a cake), a cup one whichever SSD names it (COCO's
    "cup", the Open Images "mug" or "coffee cup"), any other class its own."""
    return "food" if label in FOOD_CLASSES else "cup" if label in CUP_CLASSES else label


DESK_MODELS = ("coral.ssd_mobilenet_v2_coco", "objectron.ssd_mobilenet_v2_oidv4")


def load_desk_classifier(model_ids: Sequence[str] = DESK_MODELS, min_score: float = 0.3) -> Classifier:
    """The crop classifier from the registry's detectors (COCO SSD for phones, cups, bags, food;
    the Open Images SSD for mugs, coffee cups, boxes). Raises the registry's error naming the install command."""
    from vision.detector import load_detector

    return classifier_from_detectors([load_detector(m, threads=1) for m in model_ids], min_score)


def auto_classifier() -> Classifier | None:
    try:
        return load_desk_classifier()
    except Exception as exc:  # models not installed: still report objects, as "unknown object"
        log.warning("desk objects will not be classified (%s). Fix: `counterwatch models install`", exc)
        return None
